//! Where the service is and how to talk to it: the `--target` URL, the
//! optional `--unix` socket, and one HTTP/1.1 keep-alive connection.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, RETRY_AFTER};
use http::{HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::task::JoinHandle;

use crate::wire::{FastConnection, ResponseError, Stream};

/// A `--target` URL that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Not a URL at all.
    #[error("--target {url:?} is not a URL: {reason}")]
    Syntax {
        /// The URL as given.
        url: String,
        /// What the parser said.
        reason: String,
    },
    /// A scheme other than `http`.
    #[error("--target {url:?}: only http:// is supported (the service speaks plain HTTP/1.1)")]
    Scheme {
        /// The URL as given.
        url: String,
    },
    /// No `host[:port]`.
    #[error("--target {url:?} has no host")]
    NoHost {
        /// The URL as given.
        url: String,
    },
    /// A query string or fragment.
    #[error("--target {url:?}: a base URL takes no query string")]
    Query {
        /// The URL as given.
        url: String,
    },
}

/// How a request failed before an HTTP response came back.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Connecting (TCP or Unix socket) failed.
    #[error("connecting to {endpoint}: {source}")]
    Connect {
        /// `host:port` or the socket's path.
        endpoint: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// The HTTP/1.1 handshake failed.
    #[error("HTTP handshake with {endpoint}: {source}")]
    Handshake {
        /// `host:port` or the socket's path.
        endpoint: String,
        /// hyper's error.
        source: hyper::Error,
    },
    /// Sending the request or reading the response failed (the connection
    /// closed or broke).
    #[error("request failed: {0}")]
    Exchange(hyper::Error),
    /// No complete response within the timeout.
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// The request could not be built (a header value the HTTP crate refuses).
    #[error("the request could not be built: {0}")]
    Build(http::Error),
    /// Writing the request or reading the response failed at the socket
    /// (the load generator's own client, `wire`).
    #[error("request failed: {0}")]
    Io(std::io::Error),
    /// The response could not be read: it ended early, or is not one the
    /// load generator's own client reads (see [`ResponseError`]).
    #[error("bad response: {0}")]
    Response(ResponseError),
}

impl TransportError {
    /// A short name for counting: `connect`, `handshake`, `exchange`
    /// (the connection broke or closed before the whole response came),
    /// `response` (a response that could not be read), `timeout` or `build`.
    pub fn kind(&self) -> &'static str {
        match self {
            TransportError::Connect { .. } => "connect",
            TransportError::Handshake { .. } => "handshake",
            TransportError::Exchange(_)
            | TransportError::Io(_)
            | TransportError::Response(ResponseError::Closed { .. }) => "exchange",
            TransportError::Response(_) => "response",
            TransportError::Timeout(_) => "timeout",
            TransportError::Build(_) => "build",
        }
    }
}

#[derive(Debug, Clone)]
enum Endpoint {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

/// A parsed `--target` (and `--unix`): where to connect, the `Host` header,
/// and the path prefix of every request.
#[derive(Debug, Clone)]
pub struct Target {
    endpoint: Endpoint,
    host: HeaderValue,
    prefix: String,
}

impl Target {
    /// Parses `url` (`http://HOST[:PORT][/PREFIX]`); with `unix`, the
    /// connection goes to that socket and the URL gives only the `Host`
    /// header and the prefix.
    pub fn parse(url: &str, unix: Option<&Path>) -> Result<Target, TargetError> {
        let uri: Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| TargetError::Syntax {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
        match uri.scheme_str() {
            Some("http") => {}
            _ => {
                return Err(TargetError::Scheme {
                    url: url.to_owned(),
                });
            }
        }
        let authority = uri
            .authority()
            .filter(|a| !a.host().is_empty())
            .ok_or_else(|| TargetError::NoHost {
                url: url.to_owned(),
            })?;
        if uri.query().is_some() {
            return Err(TargetError::Query {
                url: url.to_owned(),
            });
        }
        let host = HeaderValue::from_str(authority.as_str()).map_err(|e| TargetError::Syntax {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        let endpoint = match unix {
            Some(path) => Endpoint::Unix(path.to_owned()),
            None => Endpoint::Tcp {
                host: authority
                    .host()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned(),
                port: authority.port_u16().unwrap_or(80),
            },
        };
        Ok(Target {
            endpoint,
            host,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The request path for `path` (which starts with `/`) under the URL's prefix.
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    /// Where connections go, for messages: `host:port` or the socket's path.
    pub fn endpoint(&self) -> String {
        match &self.endpoint {
            Endpoint::Tcp { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            Endpoint::Tcp { host, port } => format!("{host}:{port}"),
            Endpoint::Unix(path) => path.display().to_string(),
        }
    }

    /// The start of every `POST /v1/events` request of a load run, up to
    /// the `Content-Length` value: what hyper would send, written once.
    pub(crate) fn post_head_prefix(&self, path: &str, content_type: &str) -> Vec<u8> {
        let mut head = Vec::with_capacity(128);
        head.extend_from_slice(b"POST ");
        head.extend_from_slice(path.as_bytes());
        head.extend_from_slice(b" HTTP/1.1\r\nhost: ");
        head.extend_from_slice(self.host.as_bytes());
        head.extend_from_slice(b"\r\ncontent-type: ");
        head.extend_from_slice(content_type.as_bytes());
        head.extend_from_slice(b"\r\ncontent-length: ");
        head
    }

    /// Opens one keep-alive connection for the load generator's own
    /// HTTP/1.1 client (see `wire`).
    pub(crate) async fn connect_fast(&self) -> Result<FastConnection, TransportError> {
        let connect_error = |source| TransportError::Connect {
            endpoint: self.endpoint(),
            source,
        };
        let stream = match &self.endpoint {
            Endpoint::Tcp { host, port } => {
                let stream = tokio::net::TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(connect_error)?;
                // Small requests: do not let Nagle hold them back.
                stream.set_nodelay(true).map_err(connect_error)?;
                Stream::Tcp(stream)
            }
            #[cfg(unix)]
            Endpoint::Unix(path) => Stream::Unix(
                tokio::net::UnixStream::connect(path)
                    .await
                    .map_err(connect_error)?,
            ),
            #[cfg(not(unix))]
            Endpoint::Unix(_) => {
                return Err(connect_error(std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    "Unix sockets are not available on this platform",
                )));
            }
        };
        Ok(FastConnection::new(stream))
    }

    /// Opens one keep-alive HTTP/1.1 connection.
    pub(crate) async fn connect(&self) -> Result<Connection, TransportError> {
        let connect_error = |source| TransportError::Connect {
            endpoint: self.endpoint(),
            source,
        };
        let handshake_error = |source| TransportError::Handshake {
            endpoint: self.endpoint(),
            source,
        };
        match &self.endpoint {
            Endpoint::Tcp { host, port } => {
                let stream = tokio::net::TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(connect_error)?;
                // Small requests: do not let Nagle hold them back.
                stream.set_nodelay(true).map_err(connect_error)?;
                let (sender, conn) = http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(handshake_error)?;
                Ok(Connection::new(self, sender, tokio::spawn(drive(conn))))
            }
            #[cfg(unix)]
            Endpoint::Unix(path) => {
                let stream = tokio::net::UnixStream::connect(path)
                    .await
                    .map_err(connect_error)?;
                let (sender, conn) = http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(handshake_error)?;
                Ok(Connection::new(self, sender, tokio::spawn(drive(conn))))
            }
            #[cfg(not(unix))]
            Endpoint::Unix(_) => Err(connect_error(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "Unix sockets are not available on this platform",
            ))),
        }
    }
}

/// Runs a connection's I/O until it closes; its errors surface through the
/// request that was using it.
async fn drive<F: std::future::Future<Output = hyper::Result<()>>>(conn: F) {
    let _ = conn.await;
}

/// What came back for one request.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The whole body.
    pub body: Bytes,
    /// `Retry-After` in whole seconds, when given as such.
    pub retry_after: Option<u64>,
}

/// One HTTP/1.1 keep-alive connection; its I/O task ends when it is dropped.
pub(crate) struct Connection {
    sender: SendRequest<Full<Bytes>>,
    task: JoinHandle<()>,
    host: HeaderValue,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Connection {
    fn new(target: &Target, sender: SendRequest<Full<Bytes>>, task: JoinHandle<()>) -> Self {
        Connection {
            sender,
            task,
            host: target.host.clone(),
        }
    }

    /// Waits (a second at most) until the connection can take a request;
    /// `false` means it is closed (the server hung up an idle connection,
    /// for instance) or stuck, and must be replaced.
    pub(crate) async fn ready(&mut self) -> bool {
        !self.sender.is_closed()
            && matches!(
                tokio::time::timeout(Duration::from_secs(1), self.sender.ready()).await,
                Ok(Ok(()))
            )
    }

    /// Sends one request and reads the whole response, within `timeout`.
    /// After an error the connection must be dropped.
    pub(crate) async fn exchange(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&HeaderValue>,
        body: Bytes,
        timeout: Duration,
    ) -> Result<Reply, TransportError> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.host.clone());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type.clone());
        }
        let request = request
            .body(Full::new(body))
            .map_err(TransportError::Build)?;
        let sender = &mut self.sender;
        let exchange = async move {
            sender.ready().await.map_err(TransportError::Exchange)?;
            let response = sender
                .send_request(request)
                .await
                .map_err(TransportError::Exchange)?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(TransportError::Exchange)?
                .to_bytes();
            Ok(Reply {
                status,
                body,
                retry_after,
            })
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(TransportError::Timeout(timeout)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_endpoint_host_and_prefix() {
        let t = Target::parse("http://127.0.0.1:7600", None).unwrap();
        assert_eq!(t.endpoint(), "127.0.0.1:7600");
        assert_eq!(t.path("/v1/events"), "/v1/events");
        assert_eq!(t.host, "127.0.0.1:7600");

        let t = Target::parse("http://example.invalid/base/", None).unwrap();
        assert_eq!(t.endpoint(), "example.invalid:80");
        assert_eq!(t.path("/v1/events"), "/base/v1/events");

        let t = Target::parse("http://[::1]:9000", None).unwrap();
        assert_eq!(t.endpoint(), "[::1]:9000");

        let t = Target::parse("http://svc.local", Some(Path::new("/tmp/v.sock"))).unwrap();
        assert_eq!(t.endpoint(), "/tmp/v.sock");
        assert_eq!(t.host, "svc.local");
    }

    #[test]
    fn bad_urls_are_typed_errors_that_quote_the_url() {
        let e = Target::parse("https://h:1", None).unwrap_err();
        assert!(matches!(e, TargetError::Scheme { .. }), "{e}");
        assert!(e.to_string().contains("\"https://h:1\""), "{e}");
        assert!(matches!(
            Target::parse("127.0.0.1:7600", None),
            Err(TargetError::Scheme { .. })
        ));
        assert!(matches!(
            Target::parse("http://h/?x=1", None),
            Err(TargetError::Query { .. })
        ));
        let e = Target::parse("http://a b\n", None).unwrap_err();
        assert!(matches!(e, TargetError::Syntax { .. }), "{e}");
        assert!(
            e.to_string().contains("\\n"),
            "echoed input is escaped: {e}"
        );
    }
}
