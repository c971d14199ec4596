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
}

impl Reply {
    pub fn json(body: &str) -> Self {
        Reply { status: 200, headers: vec![("content-type".into(), "application/json; charset=utf-8".into())], body: body.as_bytes().to_vec(), delay: None }
    }
    pub fn html(body: &str) -> Self {
        Reply { status: 200, headers: vec![("content-type".into(), "text/html; charset=utf-8".into())], body: body.as_bytes().to_vec(), delay: None }
    }
    pub fn status(status: u16) -> Self {
        Reply { status, headers: vec![], body: Vec::new(), delay: None }
    }
    pub fn redirect(to: &str) -> Self {
        Reply { status: 302, headers: vec![("location".into(), to.into())], body: Vec::new(), delay: None }
    }
    pub fn bytes(n: usize) -> Self {
        Reply { status: 200, headers: vec![("content-type".into(), "application/octet-stream".into())], body: vec![b'x'; n], delay: None }
    }
    /// The same reply with another status (error bodies).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
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
}

impl Mock {
    /// Start serving; `hosts` are the names the certificate covers (wildcards allowed).
    pub async fn start(hosts: &[&str], responder: Responder) -> Mock {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>()).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let cert_pem = cert.pem();
        let certs = vec![CertificateDer::from(cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider).with_safe_default_protocol_versions().unwrap().with_no_client_auth().with_single_cert(certs, key).unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let seen = Arc::new(Mutex::new(Vec::new()));
        let tls = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (tls_addr, plain_addr) = (tls.local_addr().unwrap(), plain.local_addr().unwrap());
        for (listener, acceptor) in [(tls, Some(acceptor)), (plain, None)] {
            let (responder, seen) = (responder.clone(), seen.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else { break };
                    let (responder, seen, acceptor) = (responder.clone(), seen.clone(), acceptor.clone());
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                            let (responder, seen) = (responder.clone(), seen.clone());
                            async move { Ok::<_, std::convert::Infallible>(answer(req, &responder, &seen).await) }
                        });
                        let builder = hyper::server::conn::http1::Builder::new();
                        match acceptor {
                            Some(a) => {
                                if let Ok(tls) = a.accept(stream).await {
                                    let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                                }
                            }
                            None => {
                                let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                            }
                        }
                    });
                }
            });
        }
        Mock { tls_addr, plain_addr, cert_pem, seen }
    }

    /// Requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn seen_path(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }
}

async fn answer(req: Request<hyper::body::Incoming>, responder: &Responder, seen: &Mutex<Vec<Seen>>) -> Response<Body> {
    let host = req.headers().get("host").and_then(|h| h.to_str().ok()).or_else(|| req.uri().host()).unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default().to_string();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(Body::new(body), 1 << 20).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let s = Seen { method: parts.method.to_string(), host, path: parts.uri.path().to_string(), query: parts.uri.query().unwrap_or_default().to_string(), headers: parts.headers, body };
    seen.lock().unwrap().push(s.clone());
    let reply = responder(&s);
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let mut resp = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (k, v) in &reply.headers {
        resp = resp.header(k, v);
    }
    resp.body(Body::from(reply.body)).unwrap()
}

/// A query parameter of a seen request.
pub fn param(query: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}
