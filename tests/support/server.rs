//! A scripted HTTP/1.1 server on loopback for the adapter tests: each accepted connection runs
//! the test's handler on a thread of its own; connections and requests are counted on the
//! server's side. Dropping the server stops it and joins every thread it started.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the server counted.
#[derive(Default)]
pub struct Stats {
    pub connections: AtomicUsize,
    pub requests: AtomicUsize,
    /// Connections open now, and the most ever open at once.
    pub active: AtomicUsize,
    pub max_active: AtomicUsize,
}

/// A request as the server read it.
#[derive(Clone, Debug, Default)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One accepted connection, as the handler sees it.
pub struct Peer {
    pub stream: TcpStream,
    buf: Vec<u8>,
    stats: Arc<Stats>,
}

impl Peer {
    /// Reads bytes until `buf` holds a complete request head; `None` at EOF or error.
    fn fill_head(&mut self) -> Option<usize> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                return Some(end + 4);
            }
            if !self.more() {
                return None;
            }
        }
    }

    fn more(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// Reads one request head (not its body); counts it.
    pub fn read_head(&mut self) -> Option<Req> {
        let end = self.fill_head()?;
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut headers);
        parsed.parse(&self.buf[..end]).ok()?;
        let req = Req {
            method: parsed.method?.to_owned(),
            path: parsed.path?.to_owned(),
            headers: parsed
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_owned(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect(),
            body: Vec::new(),
        };
        self.buf.drain(..end);
        self.stats.requests.fetch_add(1, Ordering::SeqCst);
        Some(req)
    }

    /// Reads the body `req` declares (Content-Length or chunked).
    pub fn read_body(&mut self, req: &mut Req) -> Option<()> {
        if let Some(len) = req.header("content-length") {
            let len: usize = len.trim().parse().ok()?;
            while self.buf.len() < len {
                if !self.more() {
                    return None;
                }
            }
            req.body = self.buf.drain(..len).collect();
        } else if req
            .header("transfer-encoding")
            .is_some_and(|v| v.contains("chunked"))
        {
            loop {
                let line_end = loop {
                    if let Some(at) = find(&self.buf, b"\r\n") {
                        break at;
                    }
                    if !self.more() {
                        return None;
                    }
                };
                let size_text = String::from_utf8_lossy(&self.buf[..line_end]).into_owned();
                let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
                self.buf.drain(..line_end + 2);
                while self.buf.len() < size + 2 {
                    if !self.more() {
                        return None;
                    }
                }
                req.body.extend(self.buf.drain(..size));
                self.buf.drain(..2);
                if size == 0 {
                    return Some(());
                }
            }
        }
        Some(())
    }

    /// Reads a whole request (head and body); `None` at EOF.
    pub fn read_request(&mut self) -> Option<Req> {
        let mut req = self.read_head()?;
        if req.header("expect").is_some() {
            return Some(req);
        }
        self.read_body(&mut req)?;
        Some(req)
    }

    pub fn write(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).is_ok()
    }

    /// Closes the way careful servers do: stop sending, read and discard what the client still
    /// sends (up to 2 s), then close, so the client reads the response before any reset.
    pub fn linger_close(mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(100)));
        let until = Instant::now() + Duration::from_secs(2);
        let mut sink = [0u8; 64 * 1024];
        while Instant::now() < until {
            match self.stream.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => break,
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub struct Server {
    addr: SocketAddr,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server on 127.0.0.1 (a free port) running `handler` for each connection.
    pub fn start(handler: impl Fn(Peer) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        let stats = Arc::new(Stats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let accept = {
            let (stats, stop) = (stats.clone(), stop.clone());
            std::thread::spawn(move || {
                let workers: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_nodelay(true);
                    stats.connections.fetch_add(1, Ordering::SeqCst);
                    let now_active = stats.active.fetch_add(1, Ordering::SeqCst) + 1;
                    stats.max_active.fetch_max(now_active, Ordering::SeqCst);
                    let peer = Peer {
                        stream,
                        buf: Vec::new(),
                        stats: stats.clone(),
                    };
                    let handler = handler.clone();
                    let stats = stats.clone();
                    let mut workers = workers.lock().unwrap();
                    workers.retain(|w| !w.is_finished());
                    workers.push(std::thread::spawn(move || {
                        handler(peer);
                        stats.active.fetch_sub(1, Ordering::SeqCst);
                    }));
                }
                for w in workers.into_inner().unwrap() {
                    let _ = w.join();
                }
            })
        };
        Server {
            addr,
            stats,
            stop,
            accept: Some(accept),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn connections(&self) -> usize {
        self.stats.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }

    /// Connections open now (their handler has not returned).
    pub fn active(&self) -> usize {
        self.stats.active.load(Ordering::SeqCst)
    }

    /// The most connections that were open at once.
    pub fn max_active(&self) -> usize {
        self.stats.max_active.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}
