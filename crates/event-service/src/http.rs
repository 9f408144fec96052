//! The HTTP application: endpoints, status codes and bodies of SPEC §6.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use event_decode::DecodeConfig;
use http::header::{ALLOW, CONNECTION, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use serde::Serialize;
use tokio::sync::oneshot;

use crate::body::{self, BodyKind};
use crate::engine::{Admission, Fate, Job, JobResults, Jobs, Query, RouteJob, Snapshot};
use crate::ingest::Ingest;
use crate::metrics::Metrics;

/// What every request handler shares.
pub(crate) struct App {
    pub jobs: Jobs,
    pub admission: Arc<Admission>,
    pub draining: AtomicBool,
    pub max_body: u64,
    pub decode: DecodeConfig,
    pub handler_names: Arc<[String]>,
    pub metrics: Metrics,
    /// `--publish-to`: bodies are published to JetStream, not routed.
    pub ingest: Option<Ingest>,
}

type Reply = Response<Full<Bytes>>;

/// Serves one request.
pub(crate) async fn handle(app: Arc<App>, req: Request<Incoming>) -> Result<Reply, Infallible> {
    let started = Instant::now();
    let reply = dispatch(&app, req).await;
    app.metrics.observe(started.elapsed());
    Ok(reply)
}

async fn dispatch(app: &App, req: Request<Incoming>) -> Reply {
    if app.draining.load(Ordering::Acquire) {
        return closing(text(StatusCode::SERVICE_UNAVAILABLE, "draining\n"));
    }
    let path = req.uri().path().to_owned();
    let get = matches!(*req.method(), Method::GET | Method::HEAD);
    // A reply that leaves a body unread ends the connection: the client
    // learns it from `Connection: close` instead of a reset.
    let posting_events = path == "/v1/events" && req.method() == Method::POST;
    let unread = !(req.body().is_end_stream() || posting_events);
    let mut reply = route(app, req, &path, get).await;
    if unread && !reply.headers().contains_key(CONNECTION) {
        reply = closing(reply);
    }
    reply
}

async fn route(app: &App, req: Request<Incoming>, path: &str, get: bool) -> Reply {
    match path {
        "/v1/events" if req.method() == Method::POST => post_events(app, req).await,
        "/v1/events" => not_allowed("POST"),
        "/healthz" | "/metrics" | "/v1/stats" | "/v1/matchmaking" if !get => {
            not_allowed("GET, HEAD")
        }
        "/healthz" => text(StatusCode::OK, "ok\n"),
        "/metrics" => match snapshot(app).await {
            Some(s) => {
                let mut r = Response::new(Full::new(Bytes::from(app.metrics.render(&s))));
                r.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static(
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    ),
                );
                r
            }
            None => unavailable(),
        },
        "/v1/stats" => match snapshot(app).await {
            Some(s) => json(StatusCode::OK, &s.summary),
            None => unavailable(),
        },
        "/v1/matchmaking" => {
            let (tx, rx) = oneshot::channel();
            if app.jobs.send(Job::Query(Query::Matchmaking(tx))).is_err() {
                return unavailable();
            }
            match rx.await {
                Ok(v) => json(StatusCode::OK, &v),
                Err(_) => unavailable(),
            }
        }
        p if p.starts_with("/v1/scoreboard/") => {
            if !get {
                return not_allowed("GET, HEAD");
            }
            let match_id = &p["/v1/scoreboard/".len()..];
            if match_id.is_empty() || match_id.contains('/') {
                return error(StatusCode::NOT_FOUND, "no such match");
            }
            let (tx, rx) = oneshot::channel();
            let q = Query::Scoreboard(match_id.to_owned(), tx);
            if app.jobs.send(Job::Query(q)).is_err() {
                return unavailable();
            }
            match rx.await {
                Ok(Some(v)) => json(StatusCode::OK, &v),
                Ok(None) => error(
                    StatusCode::NOT_FOUND,
                    &format!("no live match {}", escaped(match_id)),
                ),
                Err(_) => unavailable(),
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            &format!("no such endpoint: {}", escaped(path)),
        ),
    }
}

async fn snapshot(app: &App) -> Option<Snapshot> {
    let (tx, rx) = oneshot::channel();
    app.jobs.send(Job::Snapshot(tx)).ok()?;
    rx.await.ok()
}

/// `POST /v1/events`.
async fn post_events(app: &App, req: Request<Incoming>) -> Reply {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let Some(kind) = body::kind_of(&content_type) else {
        return closing(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!(
                "unsupported content type {}: send application/yaml, application/json, \
                 application/x-ndjson, application/x-protobuf or application/x-protobuf-delimited",
                escaped(&content_type)
            ),
        ));
    };
    let body = match read_body(req.into_body(), app.max_body).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            let mut r = error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the body is larger than --max-body ({} bytes)",
                    app.max_body
                ),
            );
            r.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
        Err(BodyError::Read(e)) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("reading the body failed: {e}"),
            );
        }
    };
    route_body(app, kind, body).await
}

async fn route_body(app: &App, kind: BodyKind, body: Bytes) -> Reply {
    let framed = match body::frame(kind, &body, &app.decode) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.0),
    };
    drop(body);
    if let Some(ingest) = &app.ingest {
        return match ingest.publish(kind, framed, &app.decode).await {
            Ok(published) => json(published.status(), &published),
            Err(message) => {
                let mut r = error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!("{message}; retry the body (the server drops ids it already has)"),
                );
                r.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static("1"));
                r
            }
        };
    }
    let n = framed.slots.len();
    if !app.admission.reserve(n) {
        let mut r = error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "the router's queue is full ({} events waiting): nothing was routed; retry later",
                app.admission.queued()
            ),
        );
        r.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    }
    let (tx, rx) = oneshot::channel();
    let job = RouteJob {
        format: kind.format,
        single_type: kind.single_type(),
        bytes: framed.bytes,
        slots: framed.slots,
        reply: tx,
    };
    if app.jobs.send(Job::Route(job)).is_err() {
        app.admission.release(n);
        return unavailable();
    }
    match rx.await {
        Ok(results) => events_reply(&app.handler_names, &results),
        Err(_) => unavailable(),
    }
}

/// The per-event results and totals of one request.
fn events_reply(names: &[String], job: &JobResults) -> Reply {
    #[derive(Serialize)]
    struct Body<'a> {
        events: usize,
        routed: usize,
        dead_letter: usize,
        dropped: usize,
        rejected: usize,
        duplicate: usize,
        results: Vec<One<'a>>,
    }
    #[derive(Serialize)]
    struct One<'a> {
        index: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        outcome: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        partition: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        handlers: Option<Vec<&'a str>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    }
    let mut body = Body {
        events: job.results.len(),
        routed: 0,
        dead_letter: 0,
        dropped: 0,
        rejected: 0,
        duplicate: 0,
        results: Vec::with_capacity(job.results.len()),
    };
    for (index, r) in job.results.iter().enumerate() {
        use event_router::Outcome::*;
        let routed = r.fate == Fate::Router(Routed);
        match r.fate {
            Fate::Router(Routed) => body.routed += 1,
            Fate::Router(DeadLetter) => body.dead_letter += 1,
            Fate::Router(Dropped) => body.dropped += 1,
            Fate::Router(Rejected) => body.rejected += 1,
            Fate::Duplicate => body.duplicate += 1,
        }
        let (lo, hi) = r.handlers;
        body.results.push(One {
            index,
            id: job.id(r),
            outcome: r.fate.name(),
            partition: if routed { r.partition } else { None },
            handlers: routed.then(|| {
                job.handlers[lo as usize..hi as usize]
                    .iter()
                    .map(|&h| names.get(usize::from(h)).map_or("?", String::as_str))
                    .collect()
            }),
            error: r.error.as_deref(),
        });
    }
    let status = if body.rejected > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    json(status, &body)
}

enum BodyError {
    TooLarge,
    Read(hyper::Error),
}

/// Reads a body of at most `max` bytes; a larger one is refused as soon as
/// its `Content-Length` or its bytes say so, without reading it whole.
async fn read_body(mut body: Incoming, max: u64) -> Result<Bytes, BodyError> {
    let hint = body.size_hint();
    if hint.lower() > max {
        return Err(BodyError::TooLarge);
    }
    let mut buf = BytesMut::with_capacity(hint.exact().unwrap_or(hint.lower()).min(max) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Read)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() as u64 + data.len() as u64 > max {
                return Err(BodyError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    let mut r = Response::new(Full::new(Bytes::from(bytes)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn error(status: StatusCode, message: &str) -> Reply {
    json(status, &serde_json::json!({ "error": message }))
}

fn text(status: StatusCode, body: &'static str) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// The reply, ending the connection (its request body was left unread).
fn closing(mut reply: Reply) -> Reply {
    reply
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    reply
}

fn not_allowed(allow: &'static str) -> Reply {
    let mut r = error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method not allowed here: use {allow}"),
    );
    r.headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    r
}

fn unavailable() -> Reply {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the router has stopped: the service is shutting down",
    )
}

/// Echoed input, quoted with every control and non-ASCII character escaped,
/// and cut at 200 characters.
fn escaped(s: &str) -> String {
    let cut: String = s.chars().take(200).collect();
    let mut out = format!("{cut:?}");
    if cut.len() < s.len() {
        out.push('…');
    }
    out
}
