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
    /// The handlers' names, each already a quoted JSON string.
    pub handler_names: Arc<[String]>,
    pub metrics: Metrics,
    /// `--publish-to` and `--consume`: bodies are published to JetStream,
    /// not routed here.
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
    if req.method() == Method::POST && req.uri().path() == "/v1/events" {
        // The hot path first, before the path is copied for the others.
        return post_events(app, req).await;
    }
    let path = req.uri().path().to_owned();
    let get = matches!(*req.method(), Method::GET | Method::HEAD);
    // A reply that leaves a body unread ends the connection: the client
    // learns it from `Connection: close` instead of a reset.
    let unread = !req.body().is_end_stream();
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
    let header = req.headers().get(CONTENT_TYPE);
    // A header in visible ASCII is read in place; anything else through a
    // lossy copy (as before), so that parameters in other bytes are still
    // ignored.
    let kind = match header.map(|v| v.to_str()) {
        Some(Ok(ct)) => body::kind_of(ct),
        Some(Err(_)) => header.and_then(|v| body::kind_of(&String::from_utf8_lossy(v.as_bytes()))),
        None => body::kind_of(""),
    };
    let Some(kind) = kind else {
        let content_type = header
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
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

/// The per-event results and totals of one request, written by hand into
/// one buffer: this is the reply to every `POST /v1/events`, and building
/// it through `serde_json` structs (a `Vec` of results, a `Vec<&str>` of
/// handler names per result) was a measurable share of a single-event
/// request. The bytes are the same as serde's: the keys in the same order,
/// strings escaped by `serde_json`, handler names quoted once at start
/// ([`quoted_names`]).
fn events_reply(names: &[String], job: &JobResults) -> Reply {
    use event_router::Outcome::*;
    let mut counts = [0usize; 5];
    for r in &job.results {
        counts[match r.fate {
            Fate::Router(Routed) => 0,
            Fate::Router(DeadLetter) => 1,
            Fate::Router(Dropped) => 2,
            Fate::Router(Rejected) => 3,
            Fate::Duplicate => 4,
        }] += 1;
    }
    let mut out = Vec::with_capacity(128 + 96 * job.results.len());
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(b"{\"events\":");
    out.extend_from_slice(num.format(job.results.len()).as_bytes());
    for (key, n) in [
        ",\"routed\":",
        ",\"dead_letter\":",
        ",\"dropped\":",
        ",\"rejected\":",
        ",\"duplicate\":",
    ]
    .iter()
    .zip(counts)
    {
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(num.format(n).as_bytes());
    }
    out.extend_from_slice(b",\"results\":[");
    for (index, r) in job.results.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"index\":");
        out.extend_from_slice(num.format(index).as_bytes());
        if let Some(id) = job.id(r) {
            out.extend_from_slice(b",\"id\":");
            json_string(&mut out, id);
        }
        out.extend_from_slice(b",\"outcome\":\"");
        out.extend_from_slice(r.fate.name().as_bytes());
        out.push(b'"');
        if r.fate == Fate::Router(Routed) {
            if let Some(p) = r.partition {
                out.extend_from_slice(b",\"partition\":");
                out.extend_from_slice(num.format(p).as_bytes());
            }
            out.extend_from_slice(b",\"handlers\":[");
            let (lo, hi) = r.handlers;
            let ids = job.handlers.get(lo as usize..hi as usize).unwrap_or(&[]);
            for (i, &h) in ids.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match names.get(usize::from(h)) {
                    Some(quoted) => out.extend_from_slice(quoted.as_bytes()),
                    None => out.extend_from_slice(b"\"?\""),
                }
            }
            out.push(b']');
        }
        if let Some(e) = &r.error {
            out.extend_from_slice(b",\"error\":");
            json_string(&mut out, e);
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}\n");
    let status = if counts[3] > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = Response::new(Full::new(Bytes::from(out)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// Appends `s` as a JSON string (quoted and escaped by `serde_json`).
fn json_string(out: &mut Vec<u8>, s: &str) {
    // Writing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(out, s);
}

/// The handlers' names as JSON strings, quoted once for [`events_reply`].
pub(crate) fn quoted_names(names: &[String]) -> Arc<[String]> {
    names
        .iter()
        .map(|n| serde_json::to_string(n).unwrap_or_else(|_| "\"?\"".to_owned()))
        .collect()
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
    // A body that arrives as one chunk (a small request usually does) is
    // kept as it came, without a copy.
    let mut first: Option<Bytes> = None;
    let mut buf = BytesMut::new();
    let mut total = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Read)?;
        if let Ok(data) = frame.into_data() {
            total += data.len() as u64;
            if total > max {
                return Err(BodyError::TooLarge);
            }
            if first.is_none() && buf.is_empty() {
                first = Some(data);
                continue;
            }
            if let Some(first) = first.take() {
                buf.reserve(hint.exact().unwrap_or(hint.lower()).min(max) as usize);
                buf.extend_from_slice(&first);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(first.unwrap_or_else(|| buf.freeze()))
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
