//! Listeners, connections, signals and the drain.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use event_decode::DecodeConfig;
use event_pipeline::table_from_yaml_reader;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use crate::ServeArgs;
use crate::consume::{self, ConsumeSetup};
use crate::dead_letters::DeadLetterFile;
use crate::dead_letters::SYNC_EVERY;
use crate::engine::{self, Admission, EngineSetup, Job, Jobs, Ready};
use crate::http::{App, handle, quoted_names};
use crate::ingest::Ingest;
use crate::metrics::Metrics;

/// Why the service could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Bad flags or configuration (the command exits 2).
    #[error("{0}")]
    Usage(String),
    /// The service failed while running.
    #[error("{0}")]
    Failed(String),
}

/// How a run ended: the final summary (SPEC §5's keys plus `duplicate`).
#[derive(Debug, Clone)]
pub struct Summary {
    /// The summary as JSON.
    pub json: serde_json::Value,
}

/// The largest request head (request line and headers) a client may send.
const MAX_HEAD: usize = 16 << 10;

/// Runs the service until SIGTERM or SIGINT, then drains it and returns the
/// final summary. Logs (the ready line among them) go to `tracing`.
pub fn serve(args: &ServeArgs) -> Result<Summary, ServeError> {
    let table = File::open(&args.config)
        .map_err(|e| ServeError::Usage(format!("{}: {e}", args.config.display())))
        .and_then(|f| {
            table_from_yaml_reader(f)
                .map_err(|e| ServeError::Usage(format!("{}: {e}", args.config.display())))
        })?;
    let dead_letters = match &args.dead_letters {
        Some(path) => Some(
            DeadLetterFile::open(path, args.dead_letters_max).map_err(|e| {
                ServeError::Usage(format!("--dead-letters {}: {e}", path.display()))
            })?,
        ),
        None => None,
    };
    let admission = Arc::new(Admission::new(args.queue));
    let ingest_table = publish_url(args).map(|_| table.clone());
    let setup = EngineSetup {
        table,
        dedupe_window: args.dedupe_window,
        dead_letters,
        collect_dead_letters: args.consume.is_some(),
    };
    // One HTTP thread and no consumers: the router lives on that thread
    // (see the crate docs). Otherwise it gets its own.
    let inline = args.http_threads <= 1 && args.consume.is_none();
    let (jobs, engine, ready) = if inline {
        let ready = engine::start_inline(setup)
            .map_err(|e| ServeError::Usage(format!("{}: {e}", args.config.display())))?;
        (Jobs::Inline(admission.clone()), None, ready)
    } else {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let engine_admission = admission.clone();
        let engine = std::thread::Builder::new()
            .name("veltrix-router".into())
            .spawn(move || engine::run(setup, queue, engine_admission, ready_tx))
            .map_err(|e| ServeError::Failed(format!("starting the router's thread: {e}")))?;
        let ready = ready_rx
            .recv()
            .map_err(|_| ServeError::Failed("the router's thread stopped at start".into()))?
            .map_err(|e| ServeError::Usage(format!("{}: {e}", args.config.display())))?;
        (Jobs::Thread(jobs), Some(engine), ready)
    };
    let result = serve_with(args, jobs, admission, ready, ingest_table, inline);
    if inline {
        engine::stop_inline();
    }
    if let Some(engine) = engine {
        let _ = engine.join();
    }
    result
}

/// Runs the HTTP side with the router reached through `jobs`.
fn serve_with(
    args: &ServeArgs,
    jobs: Jobs,
    admission: Arc<Admission>,
    ready: Ready,
    ingest_table: Option<event_router::RouteTable>,
    inline: bool,
) -> Result<Summary, ServeError> {
    if let Some(range) = args.partitions {
        if range.last >= ready.partitions {
            return Err(ServeError::Usage(format!(
                "--partitions {range}: the table has {} partitions (0-{})",
                ready.partitions,
                ready.partitions.saturating_sub(1)
            )));
        }
    }
    let runtime = if inline {
        // Every task runs on this thread, where the router lives.
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.http_threads.max(1))
            .thread_name("veltrix-http")
            .enable_all()
            .build()
    }
    .map_err(|e| ServeError::Failed(format!("starting the HTTP runtime: {e}")))?;
    let ingest = match (publish_url(args), ingest_table) {
        (Some((flag, url)), Some(table)) => Some(runtime.block_on(ingest(
            flag,
            url,
            args.create && args.publish_to.is_some(),
            table,
        ))?),
        _ => None,
    };
    let app = Arc::new(App {
        jobs,
        admission,
        draining: AtomicBool::new(false),
        max_body: args.max_body,
        decode: DecodeConfig::new(),
        handler_names: quoted_names(&ready.handler_names),
        metrics: Metrics::new(),
        ingest,
    });
    let result = runtime.block_on(async {
        if inline {
            // The dead-letter sync that the router's thread times by
            // waiting on its queue.
            tokio::spawn(async {
                let mut tick = tokio::time::interval(SYNC_EVERY);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    engine::tick_inline();
                }
            });
        }
        run(args, app, &ready).await
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Where the front door publishes, with the flag that named it: with
/// `--publish-to`, and with `--consume` too, so that an event posted to any
/// instance reaches its partition's owner.
fn publish_url(args: &ServeArgs) -> Option<(&'static str, &str)> {
    match (&args.publish_to, &args.consume) {
        (Some(url), _) => Some(("--publish-to", url.as_str())),
        (None, Some(url)) => Some(("--consume", url.as_str())),
        (None, None) => None,
    }
}

/// Connects the front door's publishing side (`--publish-to`, or
/// `--consume`'s server), making the stream first with `create` (retried
/// while the server is away; with `--consume`, the consumers' start makes
/// and checks the streams).
async fn ingest(
    flag: &str,
    url: &str,
    create: bool,
    table: event_router::RouteTable,
) -> Result<Ingest, ServeError> {
    let client = event_jetstream::connect(url, "veltrix-ingest")
        .await
        .map_err(|e| ServeError::Usage(format!("{flag} {url}: {e}")))?;
    let js = async_nats::jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(5))
        .ack_timeout(Duration::from_secs(5))
        .build(client);
    if create {
        let mut delay = Duration::from_millis(100);
        while let Err(e) = event_jetstream::ensure_streams(&js, false).await {
            tracing::warn!("--create: making the stream failed ({e}); retrying");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }
    Ok(Ingest { js, table })
}

/// A connection from either kind of listener.
enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

async fn run(args: &ServeArgs, app: Arc<App>, ready: &Ready) -> Result<Summary, ServeError> {
    let mut tcp = args.listen.clone();
    if tcp.is_empty() && args.unix.is_empty() {
        tcp.push("127.0.0.1:7600".to_owned());
    }
    let (conn_tx, mut conns) = mpsc::channel::<Conn>(64);
    let (stop_tx, stop) = watch::channel(false);
    let mut places = Vec::new();
    let mut sockets = SocketFiles(Vec::new());
    for addr in &tcp {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Usage(format!("--listen {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| ServeError::Failed(format!("--listen {addr}: {e}")))?;
        places.push(format!("http://{local}"));
        tokio::spawn(accept_tcp(listener, conn_tx.clone(), stop.clone()));
    }
    for path in &args.unix {
        let listener = bind_unix(path)
            .await
            .map_err(|e| ServeError::Usage(format!("--unix {}: {e}", path.display())))?;
        sockets.0.push(path.clone());
        places.push(format!("unix:{}", path.display()));
        tokio::spawn(accept_unix(listener, conn_tx.clone(), stop.clone()));
    }
    drop(conn_tx);
    let consumers = match (&args.consume, args.partitions) {
        (Some(url), Some(partitions)) => {
            let setup = ConsumeSetup {
                url: url.clone(),
                partitions,
                create: args.create,
                max_ack_pending: args.max_ack_pending,
                ack_wait: args.ack_wait(),
            };
            places.push(format!("consuming partitions {partitions} from {url}"));
            consume::start(setup, app.clone(), stop.clone())
                .await
                .map_err(ServeError::Usage)?
        }
        _ => {
            if let Some(url) = &args.publish_to {
                places.push(format!("publishing to {url}"));
            }
            Vec::new()
        }
    };
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| ServeError::Failed(format!("listening for SIGTERM: {e}")))?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| ServeError::Failed(format!("listening for SIGINT: {e}")))?;
    tracing::info!(
        "veltrix serve ready on {} ({} routes, {} partitions, {} handlers; max body {} bytes, queue {} events, dedupe window {})",
        places.join(" and "),
        ready.routes,
        ready.partitions,
        ready.handler_names.len(),
        args.max_body,
        args.queue,
        args.dedupe_window,
    );
    let graceful = GracefulShutdown::new();
    let limit = Arc::new(Semaphore::new(args.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(args.header_timeout())
        .max_buf_size(MAX_HEAD)
        .keep_alive(true);
    let signal = loop {
        tokio::select! {
            conn = conns.recv() => {
                let Some(conn) = conn else { break "listeners closed" };
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    // Past --max-connections: closed at once (dropped).
                    tracing::debug!("connection refused: --max-connections reached");
                    continue;
                };
                let app = app.clone();
                let svc = service_fn(move |req| handle(app.clone(), req));
                match conn {
                    Conn::Tcp(s) => {
                        let _ = s.set_nodelay(true);
                        let c = graceful.watch(http.serve_connection(TokioIo::new(s), svc));
                        tokio::spawn(async move { let _ = c.await; drop(permit); });
                    }
                    Conn::Unix(s) => {
                        let c = graceful.watch(http.serve_connection(TokioIo::new(s), svc));
                        tokio::spawn(async move { let _ = c.await; drop(permit); });
                    }
                }
            }
            _ = terminate.recv() => break "SIGTERM",
            _ = interrupt.recv() => break "SIGINT",
        }
    };
    tracing::info!("{signal}: draining (up to {:?})", args.drain_timeout());
    app.draining.store(true, Ordering::Release);
    let _ = stop_tx.send(true);
    drop(conns);
    let drained = async {
        graceful.shutdown().await;
        // Each consumer finishes (routes and acknowledges) the job in hand.
        for task in consumers {
            let _ = task.await;
        }
    };
    if tokio::time::timeout(args.drain_timeout(), drained)
        .await
        .is_err()
    {
        tracing::warn!("drain timeout: closing the connections still open");
    }
    drop(sockets);
    let (tx, rx) = oneshot::channel();
    app.jobs
        .send(Job::Shutdown(tx))
        .map_err(|_| ServeError::Failed("the router's thread had stopped".into()))?;
    let snapshot = rx
        .await
        .map_err(|_| ServeError::Failed("the router's thread had stopped".into()))?;
    if snapshot.dead_letters_written > 0 {
        tracing::info!(
            "{} dead letters written to the dead-letter file",
            snapshot.dead_letters_written
        );
    }
    Ok(Summary {
        json: snapshot.summary,
    })
}

async fn accept_tcp(
    listener: TcpListener,
    to: mpsc::Sender<Conn>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => if to.send(Conn::Tcp(s)).await.is_err() { return },
                Err(e) => accept_failed(&e).await,
            },
            _ = stop.changed() => return,
        }
    }
}

async fn accept_unix(
    listener: UnixListener,
    to: mpsc::Sender<Conn>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => if to.send(Conn::Unix(s)).await.is_err() { return },
                Err(e) => accept_failed(&e).await,
            },
            _ = stop.changed() => return,
        }
    }
}

/// Out of file descriptors, say: wait a little instead of spinning.
async fn accept_failed(e: &io::Error) {
    tracing::warn!("accept failed: {e}");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Binds a Unix socket, replacing a stale socket file (one nobody accepts
/// on); a live one is an error, and so is a path that is not a socket.
async fn bind_unix(path: &Path) -> io::Result<UnixListener> {
    use std::os::unix::fs::FileTypeExt;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "exists and is not a socket",
            ));
        }
        if UnixStream::connect(path).await.is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                "another server is listening on it",
            ));
        }
        std::fs::remove_file(path)?;
    }
    UnixListener::bind(path)
}

/// Socket files to remove on exit.
struct SocketFiles(Vec<PathBuf>);

impl Drop for SocketFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}
