//! A real `veltrix serve` process on a temporary Unix socket and on
//! `127.0.0.1:0`, and a small blocking HTTP/1.1 client that can also
//! misbehave (slow headers, random bytes, oversize bodies).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The example routing table of the repository.
pub fn routes_yaml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../event-router/examples/routes.yaml")
}

/// A running service.
pub struct Server {
    child: Child,
    stdout: Option<ChildStdout>,
    _dir: TempDir,
    pub unix: PathBuf,
    pub tcp: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `veltrix serve` with the example table and `extra` flags, and
    /// waits for its ready line.
    pub fn start(extra: &[&str]) -> Server {
        Server::start_with(&routes_yaml(), extra)
    }

    /// Starts `veltrix serve --config table` with `extra` flags.
    pub fn start_with(table: &Path, extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let unix = dir.path().join("veltrix.sock");
        let mut child = Command::new(env!("CARGO_BIN_EXE_veltrix"))
            .arg("serve")
            .arg("--config")
            .arg(table)
            .arg("--unix")
            .arg(&unix)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("veltrix serve starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if line.contains("ready on") {
                    let _ = ready_tx.send(line.clone());
                }
                log.lock().unwrap().push_str(&line);
                log.lock().unwrap().push('\n');
            }
        });
        let ready = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no ready line; stderr: {}", stderr.lock().unwrap()));
        let tcp = ready
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no TCP address in {ready:?}"));
        let stdout = child.stdout.take();
        Server {
            child,
            stdout,
            _dir: dir,
            unix,
            tcp,
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A connection over the Unix socket.
    pub fn unix_conn(&self) -> Conn {
        Conn::Unix(UnixStream::connect(&self.unix).expect("connect to the Unix socket"))
    }

    /// A connection over TCP.
    pub fn tcp_conn(&self) -> Conn {
        Conn::Tcp(TcpStream::connect(self.tcp).expect("connect over TCP"))
    }

    /// The process's resident memory in bytes (from /proc).
    pub fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmRSS");
        kb * 1024
    }

    /// Sends `signal`, waits for the exit and returns (status, stdout).
    pub fn stop(mut self, signal: &str) -> (std::process::ExitStatus, String) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let mut out = String::new();
        self.stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = wait_timeout(&mut self.child, Duration::from_secs(30));
        (status, out)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("veltrix serve's log:\n{}", self.stderr.lock().unwrap());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(start.elapsed() < limit, "the service did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A client connection.
pub enum Conn {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Unix(s) => s.read(buf),
            Conn::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Unix(s) => s.write(buf),
            Conn::Tcp(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Conn {
    pub fn set_timeout(&self, t: Duration) {
        match self {
            Conn::Unix(s) => s.set_read_timeout(Some(t)).unwrap(),
            Conn::Tcp(s) => s.set_read_timeout(Some(t)).unwrap(),
        }
    }

    pub fn set_nonblocking(&self) {
        match self {
            Conn::Unix(s) => s.set_nonblocking(true).unwrap(),
            Conn::Tcp(s) => s.set_nonblocking(true).unwrap(),
        }
    }

    /// Sends a request and reads its response (keep-alive).
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> io::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: veltrix\r\n");
        if let Some(ct) = content_type {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        if method == "POST" || !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        self.write_all(head.as_bytes())?;
        self.write_all(body)?;
        self.read_response()
    }

    /// Reads one response.
    pub fn read_response(&mut self) -> io::Result<Response> {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if self.read(&mut byte)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "closed before a response",
                ));
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once(':').unwrap();
                (k.trim().to_ascii_lowercase(), v.trim().to_owned())
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        let mut body = vec![0; len];
        self.read_exact(&mut body)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// A response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The counts of `/metrics` text: `name{labels} value` lines.
pub fn metric(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// Strips a protobuf varint length prefix from a one-message stream.
pub fn unprefixed(stream: &[u8]) -> Vec<u8> {
    let mut i = 0;
    while stream[i] & 0x80 != 0 {
        i += 1;
    }
    stream[i + 1..].to_vec()
}
