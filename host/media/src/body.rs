//! An upstream body as a stream of chunks: never buffered whole, bounded in
//! silence, decrypted on the way when the file is encrypted.

use super::decrypt::Keystream;
use bytes::{Bytes, BytesMut};
use futures::Stream;
use std::time::Duration;

/// Where the body starts in the file: a 206's `Content-Range` start, else 0.
pub fn offset(resp: &reqwest::Response) -> u64 {
    if resp.status().as_u16() != 206 {
        return 0;
    }
    resp.headers()
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split('-').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Stream `resp`'s body. Dropping the stream drops the upstream response,
/// which closes its connection: a client that goes away stops the transfer.
pub fn chunks(
    resp: reqwest::Response,
    idle: Duration,
    keystream: Option<Keystream>,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let start = offset(&resp);
    futures::stream::unfold(Some((resp, start, keystream)), move |state| async move {
        let (mut resp, pos, ks) = state?;
        match tokio::time::timeout(idle, resp.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                let len = chunk.len() as u64;
                let chunk = match &ks {
                    Some(k) if pos < super::decrypt::PREFIX as u64 => {
                        let mut buf = BytesMut::from(&chunk[..]);
                        k.apply(pos, &mut buf);
                        buf.freeze()
                    }
                    _ => chunk,
                };
                Some((Ok(chunk), Some((resp, pos + len, ks))))
            }
            Ok(Ok(None)) => None,
            Ok(Err(e)) => Some((
                Err(std::io::Error::other(
                    grabkit_egress::transport(e).to_string(),
                )),
                None,
            )),
            Err(_) => Some((
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("the media host sent nothing for {}s", idle.as_secs()),
                )),
                None,
            )),
        }
    })
}
