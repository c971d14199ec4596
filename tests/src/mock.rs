//! The mock upstream: one TLS listener and one plain listener on 127.0.0.1,
//! answering by (host, path, query) through a responder function, and
//! recording every request it saw.

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What the mock answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
    /// A body made while it is sent instead of `body` (large or slow files).
    pub generated: Option<Generated>,
}

/// A body of `len` pattern bytes (`pattern_byte(i)`), sent in chunks with a
/// pause after each, that records how far it got and whether the reader hung up.
#[derive(Debug, Clone)]
pub struct Generated {
    pub len: u64,
    pub chunk: usize,
    pub pause: Duration,
    pub sent: Arc<std::sync::atomic::AtomicU64>,
    pub hung_up: Arc<std::sync::atomic::AtomicBool>,
}

/// The byte at position `i` of every generated body.
pub fn pattern_byte(i: u64) -> u8 {
    (i % 251) as u8
}

impl Reply {
    pub fn json(body: &str) -> Self {
        Reply {
            status: 200,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: body.as_bytes().to_vec(),
            delay: None,
            generated: None,
        }
    }
    pub fn html(body: &str) -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
            delay: None,
            generated: None,
        }
    }
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: vec![],
            body: Vec::new(),
            delay: None,
            generated: None,
        }
    }
    pub fn redirect(to: &str) -> Self {
        Reply {
            status: 302,
            headers: vec![("location".into(), to.into())],
            body: Vec::new(),
            delay: None,
            generated: None,
        }
    }
    pub fn bytes(n: usize) -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/octet-stream".into())],
            body: vec![b'x'; n],
            delay: None,
            generated: None,
        }
    }
    /// The same reply with another status (error bodies).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
    /// `body` as a media file: honours one `Range: bytes=a-b` / `a-` / `-n`
    /// (206 with `Content-Range`, 416 past the end), else 200.
    pub fn ranged(body: &[u8], mime: &str, seen: &Seen) -> Self {
        let total = body.len() as u64;
        let mut headers = vec![
            ("content-type".to_string(), mime.to_string()),
            ("accept-ranges".to_string(), "bytes".to_string()),
            ("etag".to_string(), "\"v1\"".to_string()),
        ];
        let range = seen
            .headers
            .get("range")
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.strip_prefix("bytes="))
            .map(str::to_string);
        let Some(range) = range else {
            return Reply {
                status: 200,
                headers,
                body: body.to_vec(),
                delay: None,
                generated: None,
            };
        };
        let (a, b) = range.split_once('-').unwrap_or((&range, ""));
        let (start, end) = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
            (Some(s), Some(e)) => (s, e.min(total.saturating_sub(1))),
            (Some(s), None) => (s, total.saturating_sub(1)),
            (None, Some(n)) => (total.saturating_sub(n), total.saturating_sub(1)),
            (None, None) => (1, 0),
        };
        if start >= total || start > end {
            headers.push(("content-range".into(), format!("bytes */{total}")));
            return Reply {
                status: 416,
                headers,
                body: Vec::new(),
                delay: None,
                generated: None,
            };
        }
        headers.push((
            "content-range".into(),
            format!("bytes {start}-{end}/{total}"),
        ));
        Reply {
            status: 206,
            headers,
            body: body[start as usize..=end as usize].to_vec(),
            delay: None,
            generated: None,
        }
    }
    /// A generated body (see [`Generated`]).
    pub fn generated(g: Generated) -> Self {
        Reply {
            status: 200,
            headers: vec![
                ("content-type".into(), "video/mp4".into()),
                ("content-length".into(), g.len.to_string()),
            ],
            body: Vec::new(),
            delay: None,
            generated: Some(g),
        }
    }
    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
}

/// A request the mock saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub host: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    /// The request body as text (lossy).
    pub body: String,
}

pub type Responder = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

pub struct Mock {
    pub tls_addr: SocketAddr,
    pub plain_addr: SocketAddr,
    /// PEM of the certificate the TLS listener presents (trust it with --ca-cert).
    pub cert_pem: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    flight: Arc<Flight>,
}

/// Requests being answered now, and the most there have been at once.
#[derive(Default)]
struct Flight {
    now: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
}

impl Flight {
    fn start(self: &Arc<Self>) -> Landing {
        use std::sync::atomic::Ordering::SeqCst;
        let n = self.now.fetch_add(1, SeqCst) + 1;
        self.most.fetch_max(n, SeqCst);
        Landing(self.clone())
    }
}

/// Ends one request's flight when its answer is made (or dropped).
struct Landing(Arc<Flight>);

impl Drop for Landing {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Mock {
    /// Start serving; `hosts` are the names the certificate covers (wildcards allowed).
    pub async fn start(hosts: &[&str], responder: Responder) -> Mock {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.self_signed(&key).unwrap();
        let cert_pem = cert.pem();
        let certs = vec![CertificateDer::from(cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let seen = Arc::new(Mutex::new(Vec::new()));
        let flight = Arc::new(Flight::default());
        let tls = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (tls_addr, plain_addr) = (tls.local_addr().unwrap(), plain.local_addr().unwrap());
        for (listener, acceptor) in [(tls, Some(acceptor)), (plain, None)] {
            let (responder, seen, flight) = (responder.clone(), seen.clone(), flight.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        break;
                    };
                    let (responder, seen, acceptor, flight) = (
                        responder.clone(),
                        seen.clone(),
                        acceptor.clone(),
                        flight.clone(),
                    );
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(
                            move |req: Request<hyper::body::Incoming>| {
                                let (responder, seen) = (responder.clone(), seen.clone());
                                let flight = flight.clone();
                                async move {
                                    let _on = flight.start();
                                    Ok::<_, std::convert::Infallible>(
                                        answer(req, &responder, &seen).await,
                                    )
                                }
                            },
                        );
                        let builder = hyper::server::conn::http1::Builder::new();
                        match acceptor {
                            Some(a) => {
                                if let Ok(tls) = a.accept(stream).await {
                                    let _ =
                                        builder.serve_connection(TokioIo::new(tls), service).await;
                                }
                            }
                            None => {
                                let _ = builder
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            }
                        }
                    });
                }
            });
        }
        Mock {
            tls_addr,
            plain_addr,
            cert_pem,
            seen,
            flight,
        }
    }

    /// The most requests the mock was answering at one time.
    pub fn most_at_once(&self) -> usize {
        self.flight.most.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn seen_path(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }
}

async fn answer(
    req: Request<hyper::body::Incoming>,
    responder: &Responder,
    seen: &Mutex<Vec<Seen>>,
) -> Response<Body> {
    let host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default().to_string();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(Body::new(body), 1 << 20)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let s = Seen {
        method: parts.method.to_string(),
        host,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts.headers,
        body,
    };
    seen.lock().unwrap().push(s.clone());
    let reply = responder(&s);
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let mut resp = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (k, v) in &reply.headers {
        resp = resp.header(k, v);
    }
    match reply.generated {
        Some(g) => resp.body(Body::from_stream(generate(g))).unwrap(),
        None => resp.body(Body::from(reply.body)).unwrap(),
    }
}

/// Records a hang-up when dropped before the end.
struct Sending(Generated, u64);

impl Drop for Sending {
    fn drop(&mut self) {
        if self.1 < self.0.len {
            self.0
                .hung_up
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

fn generate(
    g: Generated,
) -> impl futures_core::Stream<Item = Result<bytes::Bytes, std::convert::Infallible>> + Send {
    futures_util::stream::unfold(Sending(g, 0), |mut st| async move {
        if st.1 >= st.0.len {
            return None;
        }
        if !st.0.pause.is_zero() && st.1 > 0 {
            tokio::time::sleep(st.0.pause).await;
        }
        let n = (st.0.len - st.1).min(st.0.chunk as u64);
        let chunk: Vec<u8> = (st.1..st.1 + n).map(pattern_byte).collect();
        st.1 += n;
        st.0.sent.store(st.1, std::sync::atomic::Ordering::SeqCst);
        Some((Ok(bytes::Bytes::from(chunk)), st))
    })
}

/// A query parameter of a seen request.
pub fn param(query: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
