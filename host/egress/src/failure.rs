//! How an outbound request can fail, as the plugin will be told.

/// Why a request was refused or failed; the plugin sees each as `http-error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpFailure {
    #[error("denied: {0}")]
    Denied(String),
    #[error("private address: {0}")]
    PrivateAddress(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("timed out")]
    Timeout,
    #[error("response larger than {0} bytes")]
    TooLarge(u64),
    #[error("more than {0} requests in one parse")]
    TooManyRequests(u32),
    #[error("too many redirects")]
    TooManyRedirects,
    #[error("transport: {0}")]
    Transport(String),
}
