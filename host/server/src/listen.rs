//! The connection layer: accept TCP connections under caps (in total and
//! per peer address), serve each with HTTP/1.1 under a deadline for every
//! request head, answer a client too slow with `408` in our envelope, and
//! drain for a bounded time on shutdown.

use crate::error::ApiError;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How connections are bounded (`[server]` in the config file).
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// A request head must arrive whole within this, counted from when the
    /// connection opens or its previous answer was sent (so an idle
    /// keep-alive connection closes after it too).
    pub header_timeout: Duration,
    /// Connections open at once; more are answered `503` and closed.
    pub max_connections: usize,
    /// Connections open at once from one peer address.
    pub max_per_peer: usize,
    /// Peers the per-peer cap does not apply to (trusted reverse proxies,
    /// which carry many clients' connections).
    pub uncapped_peers: Vec<ipnet::IpNet>,
    /// How long shutdown waits for requests in flight.
    pub drain_timeout: Duration,
    /// The request head's size cap (larger heads answer `431`).
    pub max_head_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 8192,
            max_per_peer: 2048,
            uncapped_peers: Vec::new(),
            drain_timeout: Duration::from_secs(10),
            max_head_bytes: 32 << 10,
        }
    }
}

/// Serve `app` on `listener` until `shutdown` resolves, then stop accepting,
/// let requests in flight finish for up to `drain_timeout`, and return.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(OpenConnections::default());
    let (drain, draining) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let limits = Arc::new(limits);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors, mostly: wait for some to close.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                match open.admit(peer.ip(), &limits) {
                    Some(slot) => {
                        let conn = Conn { peer, app: app.clone(), limits: limits.clone() };
                        tasks.spawn(conn.run(stream, slot, draining.clone()));
                    }
                    None => {
                        tasks.spawn(refuse(stream));
                    }
                }
            }
        }
    }
    drop(listener);
    let _ = drain.send(true);
    let in_flight = tasks.len();
    tracing::info!(connections = in_flight, "draining");
    let finished = tokio::time::timeout(limits.drain_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            left = tasks.len(),
            "drain timeout reached; closing the remaining connections"
        );
        tasks.abort_all();
    }
}

/// Counts of open connections, in total and per peer address.
#[derive(Default)]
struct OpenConnections {
    total: AtomicUsize,
    per_peer: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection; dropping it frees its place.
struct Slot {
    open: Arc<OpenConnections>,
    peer: IpAddr,
}

impl OpenConnections {
    fn admit(self: &Arc<Self>, peer: IpAddr, limits: &ConnectionLimits) -> Option<Slot> {
        let mut per_peer = self.per_peer.lock().unwrap_or_else(|p| p.into_inner());
        let mine = per_peer.entry(peer).or_default();
        let total = self.total.load(Ordering::Relaxed);
        let capped = !limits.uncapped_peers.iter().any(|n| n.contains(&peer));
        if capped && *mine >= limits.max_per_peer || total >= limits.max_connections {
            if *mine == 0 {
                per_peer.remove(&peer);
            }
            return None;
        }
        *mine += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(Slot {
            open: self.clone(),
            peer,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_peer = self.open.per_peer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = per_peer.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                per_peer.remove(&self.peer);
            }
        }
        self.open.total.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One admitted connection being served.
struct Conn {
    peer: SocketAddr,
    app: Router,
    limits: Arc<ConnectionLimits>,
}

type Answer = Pin<
    Box<dyn Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send>,
>;

impl Conn {
    async fn run(self, stream: TcpStream, _slot: Slot, mut draining: watch::Receiver<bool>) {
        let served = Arc::new(AtomicUsize::new(0));
        let (app, peer, count) = (self.app, self.peer, served.clone());
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            count.fetch_add(1, Ordering::Relaxed);
            req.extensions_mut().insert(ConnectInfo(peer));
            let answer: Answer = Box::pin(app.clone().oneshot(req.map(Body::new)));
            answer
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_timeout)
            .max_header_size(self.limits.max_head_bytes);
        let mut conn = builder.serve_connection(TokioIo::new(stream), service);
        let mut shutting_down = *draining.borrow();
        if shutting_down {
            Pin::new(&mut conn).graceful_shutdown();
        }
        let result = loop {
            tokio::select! {
                r = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)) => break r,
                _ = draining.changed(), if !shutting_down => {
                    shutting_down = true;
                    Pin::new(&mut conn).graceful_shutdown();
                }
            }
        };
        let parts = conn.into_parts();
        let mut stream = parts.io.into_inner();
        if let Err(e) = result {
            // A head that never completed gets our answer; a keep-alive
            // connection that merely sat idle is closed without one, since
            // its client may be sending its next request right now.
            let started_a_request =
                !parts.read_buf.is_empty() || served.load(Ordering::Relaxed) == 0;
            if e.is_timeout() && started_a_request {
                write_answer(&mut stream, &timeout_answer()).await;
            } else {
                tracing::debug!(error = %e, peer = %peer, "connection ended");
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
    }
}

/// Our envelope as raw HTTP/1.1 bytes, for answers written outside hyper.
fn raw_answer(e: &ApiError) -> Vec<u8> {
    let status = e.status();
    let body = e.envelope().to_string();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default(),
        body.len(),
    )
    .into_bytes()
}

fn timeout_answer() -> Vec<u8> {
    raw_answer(&crate::RequestError::HeadTimeout.into())
}

/// Refuse a connection over the caps with `503` and close it. The answer
/// waits (briefly) for the request, so the client reads it as the answer
/// to what it sent rather than as a stray message.
async fn refuse(mut stream: TcpStream) {
    let mut head = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut head)).await;
    let answer = raw_answer(&crate::RequestError::TooManyConnections.into());
    write_answer(&mut stream, &answer).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
}

/// Write `bytes`, giving a client that does not read one second.
async fn write_answer(stream: &mut TcpStream, bytes: &[u8]) {
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(bytes)).await;
}
