//! Every released contract has the same imports (`http`, `log`, `kv`,
//! `config`) under its own version's names. One version's imports are
//! handed to another's implementation by this one macro, so each version
//! module only says what changed. (Each module implements its own `types`
//! marker trait: 0.4 shares 0.3's.)

/// Implement `$old`'s import traits for `RequestState` by converting to
/// `$new`'s types and calling `$new`'s implementation.
macro_rules! forward_imports {
    ($old:path, $new:path) => {
        use $new as new_p;
        use $old as old_p;

        impl old_p::http::Host for $crate::state::RequestState {
            async fn send(
                &mut self,
                req: old_p::http::Request,
            ) -> Result<old_p::http::Response, old_p::http::HttpError> {
                use new_p::http::Method as N;
                use old_p::http::Method as M;
                let method = match req.method {
                    M::Get => N::Get,
                    M::Head => N::Head,
                    M::Post => N::Post,
                    M::Put => N::Put,
                    M::Delete => N::Delete,
                    M::Patch => N::Patch,
                    M::Options => N::Options,
                };
                let req = new_p::http::Request {
                    method,
                    url: req.url,
                    headers: req.headers.into_iter().map(header_up).collect(),
                    body: req.body,
                    follow_redirects: req.follow_redirects,
                    timeout_ms: req.timeout_ms,
                };
                let answer = <Self as new_p::http::Host>::send(self, req).await;
                answer.map(response_down).map_err(http_error_down)
            }
        }

        fn header_up(h: old_p::types::Header) -> new_p::types::Header {
            new_p::types::Header {
                name: h.name,
                value: h.value,
            }
        }

        fn response_down(r: new_p::http::Response) -> old_p::http::Response {
            let headers = r.headers.into_iter();
            old_p::http::Response {
                status: r.status,
                headers: headers
                    .map(|h| old_p::types::Header {
                        name: h.name,
                        value: h.value,
                    })
                    .collect(),
                final_url: r.final_url,
                body: r.body,
            }
        }

        fn http_error_down(e: new_p::http::HttpError) -> old_p::http::HttpError {
            use new_p::http::HttpError as N;
            use old_p::http::HttpError as O;
            match e {
                N::Denied(m) => O::Denied(m),
                N::PrivateAddress(m) => O::PrivateAddress(m),
                N::InvalidRequest(m) => O::InvalidRequest(m),
                N::Timeout => O::Timeout,
                N::TooLarge(n) => O::TooLarge(n),
                N::TooManyRequests(n) => O::TooManyRequests(n),
                N::TooManyRedirects => O::TooManyRedirects,
                N::Transport(m) => O::Transport(m),
            }
        }

        impl old_p::log::Host for $crate::state::RequestState {
            fn log(&mut self, level: old_p::log::Level, message: String) {
                use new_p::log::Level as N;
                use old_p::log::Level as L;
                let level = match level {
                    L::Trace => N::Trace,
                    L::Debug => N::Debug,
                    L::Info => N::Info,
                    L::Warn => N::Warn,
                    L::Error => N::Error,
                };
                <Self as new_p::log::Host>::log(self, level, message)
            }
        }

        impl old_p::kv::Host for $crate::state::RequestState {
            async fn get(&mut self, key: String) -> Option<Vec<u8>> {
                <Self as new_p::kv::Host>::get(self, key).await
            }

            async fn set(&mut self, key: String, value: Vec<u8>, ttl_seconds: Option<u32>) {
                <Self as new_p::kv::Host>::set(self, key, value, ttl_seconds).await
            }

            async fn delete(&mut self, key: String) {
                <Self as new_p::kv::Host>::delete(self, key).await
            }
        }

        impl old_p::config::Host for $crate::state::RequestState {
            fn get(&mut self, key: String) -> Option<String> {
                <Self as new_p::config::Host>::get(self, key)
            }
        }
    };
}

pub(crate) use forward_imports;
