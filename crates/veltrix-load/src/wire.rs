//! The load generator's own HTTP/1.1 client for `POST /v1/events`.
//!
//! Why hand-written rather than hyper: on a 2-core machine the generator
//! shares the CPU with the service it measures, so every microsecond it
//! spends per request is taken from the service. With hyper's client
//! (a dispatch task and a request future per connection, a channel between
//! them, header maps, a body per request) the generator cost about 27 µs of
//! CPU per single-event request, as much as the service; profiling showed
//! most of it in hyper's machinery, allocation and cross-thread wake-ups.
//! This client writes a request that is built in a reused buffer with one
//! `write`, and reads the response head, its status and `Content-Length`,
//! then the body, into another reused buffer: no allocation and no extra
//! task per request. Measured with `perf` at 20,000 single-event
//! requests/s over a Unix socket, the generator's user-space CPU went from
//! about 7.6 µs to 5.5 µs per request (hyper, its channels and the
//! allocator had been most of it); what remains is mostly the kernel's
//! sleeps and wake-ups between requests.
//!
//! It speaks only as much HTTP/1.1 as `veltrix serve` needs (SPEC §6, which
//! always answers with `Content-Length`): a response with
//! `Transfer-Encoding`, without `Content-Length`, or that is not HTTP at all
//! is a typed [`ResponseError`], never a panic. `GET /metrics` and
//! `veltrix replay` still use hyper (see `target`): they are not hot.
//!
//! [`response`] reads and checks responses; this module holds the
//! connection that sends requests and reads them.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _, ReadBuf};

use crate::target::TransportError;

mod response;

pub use response::ResponseError;
use response::read_response;

/// The largest response head read (status line and headers).
pub const MAX_RESPONSE_HEAD: usize = 64 << 10;

/// The largest response body read (the service's answer to a batch of
/// 1,000,000 events, with a result per event, stays well below).
pub const MAX_RESPONSE_BODY: u64 = 1 << 30;

/// After this long unused, a connection is checked for a hang-up by the
/// server before it carries a request (a cheap non-blocking read).
const IDLE_CHECK_AFTER: Duration = Duration::from_millis(50);

/// A TCP or Unix stream.
#[derive(Debug)]
pub(crate) enum Stream {
    /// TCP (with `TCP_NODELAY`).
    Tcp(tokio::net::TcpStream),
    /// A Unix stream socket.
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

impl Stream {
    /// A non-blocking read: `Ok(0)` when the peer hung up, `WouldBlock`
    /// when nothing is there.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.try_read(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.try_read(buf),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// One keep-alive connection of the load generator, with its reused
/// request and response buffers.
pub(crate) struct FastConnection {
    stream: Stream,
    /// The request being sent (head and body), rebuilt for every request.
    pub request: Vec<u8>,
    response: Vec<u8>,
    body: std::ops::Range<usize>,
    reusable: bool,
    last_used: Instant,
}

impl FastConnection {
    pub(crate) fn new(stream: Stream) -> Self {
        FastConnection {
            stream,
            request: Vec::with_capacity(4096),
            response: Vec::with_capacity(8192),
            body: 0..0,
            reusable: true,
            last_used: Instant::now(),
        }
    }

    /// Whether the connection can carry another request: the last response
    /// did not close it, and after a pause, the server has not hung up.
    pub(crate) fn alive(&mut self) -> bool {
        if !self.reusable {
            return false;
        }
        if self.last_used.elapsed() < IDLE_CHECK_AFTER {
            return true;
        }
        let mut probe = [0u8; 1];
        // Nothing to read is the only good answer: end of stream is a
        // hang-up, and bytes nobody asked for would be taken for the next
        // response.
        matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Sends [`FastConnection::request`] and reads the whole response
    /// within `timeout`; returns its status ([`FastConnection::body`] has
    /// its body). After an error the connection must be dropped.
    pub(crate) async fn exchange(&mut self, timeout: Duration) -> Result<u16, TransportError> {
        let FastConnection {
            stream,
            request,
            response,
            ..
        } = self;
        response.clear();
        let exchange = async {
            stream
                .write_all(request)
                .await
                .map_err(TransportError::Io)?;
            read_response(stream, response).await
        };
        let (head, body) = tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(TransportError::Timeout(timeout)))?;
        // Bytes past the response were not asked for: do not reuse.
        self.reusable = !head.close && body.end == self.response.len();
        self.body = body;
        self.last_used = Instant::now();
        Ok(head.status)
    }

    /// The body of the last response.
    pub(crate) fn body(&self) -> &[u8] {
        self.response.get(self.body.clone()).unwrap_or_default()
    }
}
