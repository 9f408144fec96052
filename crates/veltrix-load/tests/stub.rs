//! A tiny stand-in for `veltrix serve`: hyper 1 on its own Tokio runtime,
//! listening on 127.0.0.1:0 and on a Unix socket in a temporary directory,
//! recording every request and answering `POST /v1/events` with the
//! service's JSON counts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub host: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// When the stub had read the whole request.
    pub at: std::time::Instant,
}

/// How the stub answers a `POST /v1/events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// This status with the counts of the body (every event `routed`).
    Status(u16),
    /// 503 with `Retry-After: 0`.
    Busy,
    /// Close the connection without a response.
    Hang,
}

type Decide = dyn Fn(usize, &Received) -> Answer + Send + Sync;

/// The stub's settings.
pub struct Behaviour {
    /// Time every `POST` takes.
    pub delay: Duration,
    /// The `/metrics` body; `None` answers 404.
    pub metrics: Option<String>,
    /// The answer to the `n`-th (0-based) `POST`.
    pub answer: Box<Decide>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            delay: Duration::ZERO,
            metrics: Some(
                "# TYPE process_resident_memory_bytes gauge\n\
                 process_resident_memory_bytes 2.5e7\n# EOF\n"
                    .to_owned(),
            ),
            answer: Box::new(|_, _| Answer::Status(200)),
        }
    }
}

struct State {
    behaviour: Behaviour,
    posts: Mutex<Vec<Received>>,
    hung: Mutex<usize>,
}

/// A running stub; stops when dropped.
pub struct Stub {
    pub addr: SocketAddr,
    pub unix: PathBuf,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Stub {
    pub fn start(behaviour: Behaviour) -> Stub {
        let dir = tempfile::tempdir().unwrap();
        let unix = dir.path().join("veltrix.sock");
        let std_tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_tcp.set_nonblocking(true).unwrap();
        let addr = std_tcp.local_addr().unwrap();
        let std_unix = std::os::unix::net::UnixListener::bind(&unix).unwrap();
        std_unix.set_nonblocking(true).unwrap();
        let state = Arc::new(State {
            behaviour,
            posts: Mutex::new(Vec::new()),
            hung: Mutex::new(0),
        });
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let tcp = tokio::net::TcpListener::from_std(std_tcp).unwrap();
                let unix = tokio::net::UnixListener::from_std(std_unix).unwrap();
                loop {
                    tokio::select! {
                        _ = &mut stopped => return,
                        Ok((s, _)) = tcp.accept() => { tokio::spawn(serve(s, Arc::clone(&serving))); }
                        Ok((s, _)) = unix.accept() => { tokio::spawn(serve(s, Arc::clone(&serving))); }
                    }
                }
            });
        });
        Stub {
            addr,
            unix,
            state,
            stop: Some(stop),
            thread: Some(thread),
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every `POST /v1/events` so far, in arrival order.
    pub fn posts(&self) -> Vec<Received> {
        self.state.posts.lock().unwrap().clone()
    }

    /// Requests answered by closing the connection.
    pub fn hung(&self) -> usize {
        *self.state.hung.lock().unwrap()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve<S>(io: S, state: Arc<State>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| handle(req, Arc::clone(&state)));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

#[derive(Debug)]
struct HangUp;

impl std::fmt::Display for HangUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the stub hangs up")
    }
}

impl std::error::Error for HangUp {}

fn respond(status: u16, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    response
}

/// Events in a body, by its content type.
fn count_events(content_type: Option<&str>, body: &[u8]) -> usize {
    use event_decode::Format;
    let format = match content_type {
        Some("application/json" | "application/x-protobuf") => return 1,
        Some("application/yaml") => Format::Yaml,
        Some("application/x-ndjson") => Format::Json,
        Some("application/x-protobuf-delimited") => Format::Protobuf,
        _ => return 0,
    };
    let cfg = event_decode::DecodeConfig::new();
    let mut frames = format.frames(body, &cfg);
    let mut n = 0;
    while let Ok(Some(_)) = frames.next_frame() {
        n += 1;
    }
    n
}

async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<Full<Bytes>>, HangUp> {
    let header = |name: http::header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let host = header(http::header::HOST);
    let content_type = header(http::header::CONTENT_TYPE);
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(HangUp),
    };
    let received = Received {
        method,
        path,
        host,
        content_type,
        body,
        at: std::time::Instant::now(),
    };
    match (received.method.as_str(), received.path.as_str()) {
        ("GET", "/metrics") => Ok(match &state.behaviour.metrics {
            Some(text) => respond(200, text.clone()),
            None => respond(404, "not found".to_owned()),
        }),
        ("POST", "/v1/events") => {
            let n = {
                let mut posts = state.posts.lock().unwrap();
                posts.push(received.clone());
                posts.len() - 1
            };
            tokio::time::sleep(state.behaviour.delay).await;
            match (state.behaviour.answer)(n, &received) {
                Answer::Hang => {
                    *state.hung.lock().unwrap() += 1;
                    Err(HangUp)
                }
                Answer::Busy => {
                    let mut r = respond(503, "{\"error\":\"queue full\"}".to_owned());
                    r.headers_mut().insert(
                        http::header::RETRY_AFTER,
                        http::HeaderValue::from_static("0"),
                    );
                    Ok(r)
                }
                Answer::Status(status) => {
                    let events = count_events(received.content_type.as_deref(), &received.body);
                    let (routed, rejected) = if status == 200 {
                        (events, 0)
                    } else {
                        (0, events)
                    };
                    Ok(respond(
                        status,
                        format!(
                            "{{\"events\":{events},\"routed\":{routed},\"dead_letter\":0,\"dropped\":0,\
                             \"rejected\":{rejected},\"duplicate\":0,\"results\":[]}}"
                        ),
                    ))
                }
            }
        }
        _ => Ok(respond(404, "not found".to_owned())),
    }
}
