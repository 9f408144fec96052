//! Reading a response of the service: its head (status, `Content-Length`,
//! `Connection: close`) parsed within [`MAX_RESPONSE_HEAD`], then its body
//! within [`MAX_RESPONSE_BODY`], into a reused buffer; anything else is a
//! typed [`ResponseError`].

use tokio::io::{AsyncRead, AsyncReadExt as _};

use crate::target::TransportError;

use super::{MAX_RESPONSE_BODY, MAX_RESPONSE_HEAD};

/// Longest excerpt of a bad line quoted in an error.
const QUOTE_BYTES: usize = 80;

/// A response that the generator cannot read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The connection ended before the response was complete.
    #[error("the connection closed after {received} byte(s) of the response")]
    Closed {
        /// Bytes of the response received before the end.
        received: usize,
    },
    /// No end of the head within [`MAX_RESPONSE_HEAD`] bytes.
    #[error("the response head is longer than {limit} bytes")]
    HeadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The first line is not `HTTP/1.x NNN reason`.
    #[error("bad status line {line:?}")]
    StatusLine {
        /// The line (lossy UTF-8, at most 80 bytes; shown escaped).
        line: String,
    },
    /// A header line without a name and a colon, or folded.
    #[error("bad header line {line:?}")]
    Header {
        /// The line (lossy UTF-8, at most 80 bytes; shown escaped).
        line: String,
    },
    /// A response with a body but no `Content-Length`.
    #[error("a {status} response without Content-Length (the service always sends one)")]
    NoContentLength {
        /// Its status.
        status: u16,
    },
    /// A `Transfer-Encoding` (chunked, for instance), which this client
    /// does not read.
    #[error("Transfer-Encoding {value:?} is not supported (the service sends Content-Length)")]
    TransferEncoding {
        /// The header's value (shown escaped).
        value: String,
    },
    /// A `Content-Length` that is not one decimal number, or two that differ.
    #[error("bad Content-Length {value:?}")]
    ContentLength {
        /// The header's value (shown escaped).
        value: String,
    },
    /// A body longer than [`MAX_RESPONSE_BODY`].
    #[error("a body of {length} bytes is over the {limit}-byte limit")]
    BodyTooLarge {
        /// The announced length.
        length: u64,
        /// The limit.
        limit: u64,
    },
}

/// A parsed response head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    /// The status code.
    pub status: u16,
    /// Bytes of the head, up to and including the blank line.
    pub len: usize,
    /// Bytes of the body.
    pub body_len: u64,
    /// The server will close the connection after this response
    /// (`Connection: close`, or HTTP/1.0 without keep-alive).
    pub close: bool,
}

fn quote(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(QUOTE_BYTES)]).into_owned()
}

/// Parses the response head at the start of `buf`: `Ok(None)` while it is
/// incomplete.
pub(crate) fn parse_head(buf: &[u8]) -> Result<Option<Head>, ResponseError> {
    let Some(end) = memchr::memmem::find(buf, b"\r\n\r\n") else {
        if buf.len() >= MAX_RESPONSE_HEAD {
            return Err(ResponseError::HeadTooLarge {
                limit: MAX_RESPONSE_HEAD,
            });
        }
        // Reject a first line that cannot be a status line early, rather
        // than waiting for a blank line that may never come.
        if buf.len() >= 8 && !buf.starts_with(b"HTTP/1.") {
            let line = buf.split(|&b| b == b'\n').next().unwrap_or(buf);
            return Err(ResponseError::StatusLine { line: quote(line) });
        }
        return Ok(None);
    };
    let len = end + 4;
    if len > MAX_RESPONSE_HEAD {
        return Err(ResponseError::HeadTooLarge {
            limit: MAX_RESPONSE_HEAD,
        });
    }
    let mut lines = buf[..end].split(|&b| b == b'\n').map(|l| match l {
        [rest @ .., b'\r'] => rest,
        l => l,
    });
    let status_line = lines.next().unwrap_or_default();
    let bad_status = || ResponseError::StatusLine {
        line: quote(status_line),
    };
    let (http10, status) = match status_line {
        [
            b'H',
            b'T',
            b'T',
            b'P',
            b'/',
            b'1',
            b'.',
            minor,
            b' ',
            a,
            b,
            c,
            rest @ ..,
        ] if minor.is_ascii_digit()
            && [a, b, c].iter().all(|d| d.is_ascii_digit())
            && (rest.is_empty() || rest[0] == b' ') =>
        {
            let status = [a, b, c]
                .iter()
                .fold(0u16, |n, &&d| n * 10 + u16::from(d - b'0'));
            (*minor == b'0', status)
        }
        _ => return Err(bad_status()),
    };
    if status < 100 {
        return Err(bad_status());
    }
    let mut content_length: Option<u64> = None;
    let mut close = http10;
    for line in lines {
        let bad_header = || ResponseError::Header { line: quote(line) };
        if line.first().is_none_or(|b| b.is_ascii_whitespace()) {
            // An empty line inside the head cannot be (the head ends at
            // the first one); a leading blank is an obsolete fold.
            return Err(bad_header());
        }
        let colon = memchr::memchr(b':', line).ok_or_else(bad_header)?;
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.is_empty() || name.iter().any(|b| !b.is_ascii_graphic()) {
            return Err(bad_header());
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            let bad = || ResponseError::ContentLength {
                value: quote(value),
            };
            if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            let n = value
                .iter()
                .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
            if content_length.is_some_and(|m| m != n) {
                return Err(bad());
            }
            content_length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            return Err(ResponseError::TransferEncoding {
                value: quote(value),
            });
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    close = false;
                }
            }
        }
    }
    // 1xx, 204 and 304 responses have no body (RFC 9112 §6.3).
    let bodyless = status < 200 || status == 204 || status == 304;
    let body_len = match (bodyless, content_length) {
        (true, _) => 0,
        (false, Some(n)) => n,
        (false, None) => return Err(ResponseError::NoContentLength { status }),
    };
    if body_len > MAX_RESPONSE_BODY {
        return Err(ResponseError::BodyTooLarge {
            length: body_len,
            limit: MAX_RESPONSE_BODY,
        });
    }
    Ok(Some(Head {
        status,
        len,
        body_len,
        close,
    }))
}

/// Reads one whole response from `io` into `buf` (which may already hold
/// its first bytes), skipping interim (1xx) responses. Returns the head and
/// where the body sits in `buf`; bytes after it stay in `buf` past that.
pub(crate) async fn read_response<R: AsyncRead + Unpin>(
    io: &mut R,
    buf: &mut Vec<u8>,
) -> Result<(Head, std::ops::Range<usize>), TransportError> {
    let mut start = 0;
    loop {
        let head = loop {
            if let Some(head) = parse_head(&buf[start..]).map_err(TransportError::Response)? {
                break head;
            }
            fill(io, buf, start).await?;
        };
        let body_start = start + head.len;
        if head.status < 200 && head.status != 101 {
            start = body_start;
            continue;
        }
        if head.status == 101 {
            return Err(TransportError::Response(ResponseError::StatusLine {
                line: "HTTP/1.1 101 (switching protocols was not asked for)".to_owned(),
            }));
        }
        // Bounded by MAX_RESPONSE_BODY, far below usize::MAX on 64 bits;
        // saturate elsewhere rather than wrap.
        let body_end =
            body_start.saturating_add(usize::try_from(head.body_len).unwrap_or(usize::MAX));
        while buf.len() < body_end {
            let want = body_end - buf.len();
            buf.reserve(want.min(1 << 20));
            fill(io, buf, start).await?;
        }
        return Ok((head, body_start..body_end));
    }
}

/// Reads more bytes into `buf`; the end of the stream is
/// [`ResponseError::Closed`] (`start` is where the response began).
async fn fill<R: AsyncRead + Unpin>(
    io: &mut R,
    buf: &mut Vec<u8>,
    start: usize,
) -> Result<(), TransportError> {
    if buf.capacity() - buf.len() < 1024 {
        buf.reserve(8 << 10);
    }
    match io.read_buf(buf).await {
        Ok(0) => Err(TransportError::Response(ResponseError::Closed {
            received: buf.len() - start,
        })),
        Ok(_) => Ok(()),
        Err(e) => Err(TransportError::Io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<(Head, Vec<u8>), TransportError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut io = bytes;
            let mut buf = Vec::new();
            let (head, body) = read_response(&mut io, &mut buf).await?;
            Ok((head, buf[body].to_vec()))
        })
    }

    fn response_error(bytes: &[u8]) -> ResponseError {
        match read(bytes) {
            Err(TransportError::Response(e)) => e,
            other => panic!(
                "{:?}: expected a response error, got {other:?}",
                quote(bytes)
            ),
        }
    }

    #[test]
    fn reads_a_response_with_content_length() {
        let (head, body) =
            read(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nCONTENT-LENGTH: 12\r\n\r\n{\"events\":1}")
                .unwrap();
        assert_eq!((head.status, head.close), (200, false));
        assert_eq!(body, b"{\"events\":1}");

        // Interim responses are skipped; Connection: close is seen; a
        // status line without a reason is fine.
        let (head, body) =
            read(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno")
                .unwrap();
        assert_eq!(
            (head.status, head.close, body.as_slice()),
            (503, true, &b"no"[..])
        );
        let (head, body) = read(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
        assert_eq!((head.status, body.len()), (204, 0));
        let (head, _) = read(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert!(head.close, "HTTP/1.0 closes unless told otherwise");
    }

    #[test]
    fn hostile_responses_are_typed_errors() {
        assert_eq!(
            response_error(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until close"),
            ResponseError::NoContentLength { status: 200 }
        );
        assert!(matches!(
            response_error(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            ResponseError::TransferEncoding { value } if value == "chunked"
        ));
        assert!(matches!(
            response_error(
                b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc"
            ),
            ResponseError::TransferEncoding { .. }
        ));
        for bad in ["-1", "1e3", "", "12 13", "99999999999999999999999"] {
            let text = format!("HTTP/1.1 200 OK\r\nContent-Length: {bad}\r\n\r\n");
            assert!(
                matches!(
                    response_error(text.as_bytes()),
                    ResponseError::ContentLength { .. }
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            response_error(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            ResponseError::ContentLength { .. }
        ));
        assert!(matches!(
            response_error(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n"),
            ResponseError::BodyTooLarge { .. }
        ));

        // Garbage, with control characters quoted escaped.
        let e = response_error(b"\x00\x01garbage\x1b[2J and more\r\n\r\n");
        assert!(matches!(e, ResponseError::StatusLine { .. }), "{e}");
        assert!(
            e.to_string().contains("\\0") || e.to_string().contains("\\u{0}"),
            "{e}"
        );
        assert!(!e.to_string().contains('\x1b'), "escaped: {e}");
        for bad in [
            &b"HTTP/2 200 OK\r\n\r\n"[..],
            b"HTTP/1.1 20 OK\r\n\r\n",
            b"HTTP/1.1 099 x\r\n\r\n",
            b"HTTP/1.1 2000\r\n\r\n",
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
            b"SSH-2.0-OpenSSH_9.6\r\n",
        ] {
            assert!(
                matches!(response_error(bad), ResponseError::StatusLine { .. }),
                "{:?}",
                quote(bad)
            );
        }
        for bad in [
            &b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n folded\r\n\r\nx",
            b"HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n",
        ] {
            assert!(
                matches!(response_error(bad), ResponseError::Header { .. }),
                "{:?}",
                quote(bad)
            );
        }
        // A head that never ends.
        let endless = [
            b"HTTP/1.1 200 OK\r\n".as_slice(),
            &vec![b'a'; MAX_RESPONSE_HEAD],
        ]
        .concat();
        assert_eq!(
            response_error(&endless),
            ResponseError::HeadTooLarge {
                limit: MAX_RESPONSE_HEAD
            }
        );
    }

    #[test]
    fn truncated_responses_are_closed_errors() {
        assert_eq!(response_error(b""), ResponseError::Closed { received: 0 });
        assert_eq!(
            response_error(b"HTTP/1.1 200 OK\r\nContent-Len"),
            ResponseError::Closed { received: 28 }
        );
        assert_eq!(
            response_error(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"ev"),
            ResponseError::Closed { received: 43 }
        );
        // Every prefix of a good response is an error, none a panic.
        let good = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        for n in 0..good.len() {
            assert!(
                matches!(response_error(&good[..n]), ResponseError::Closed { .. }),
                "prefix {n}"
            );
        }
        assert_eq!(read(good).unwrap().1, b"hello");
    }

    #[test]
    fn closed_is_counted_as_an_exchange_failure_and_the_rest_as_bad_responses() {
        let kind = |e| TransportError::Response(e).kind();
        assert_eq!(kind(ResponseError::Closed { received: 0 }), "exchange");
        assert_eq!(
            kind(ResponseError::NoContentLength { status: 200 }),
            "response"
        );
    }
}
