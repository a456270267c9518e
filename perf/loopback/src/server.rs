//! The server: one thread in the harness process, serving one connection at a time over
//! 127.0.0.1. It answers by request path (see `Workload::response`), counts the requests it
//! read per workload, and notes when it hangs up.
//!
//! One connection at a time is enough (every client runs its requests one after another) and
//! keeps the server's own cost the same for every client; a client that left a connection open
//! would stall the next one, so every connection has a read timeout (10 s) as a backstop.

use crate::workload::{self, Workload};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// When the server hung up on one request: taken just before its `close` call, on the
/// monotonic clock (for clients in this process) and the realtime clock (for the Go client, a
/// separate process that cannot read this process's `Instant`s).
#[derive(Clone, Copy)]
pub struct HangUpMark {
    pub monotonic: Instant,
    pub realtime_ns: u128,
}

#[derive(Default)]
struct Counters {
    /// Requests read, per workload (indexed like `workload::ALL`).
    requests: [AtomicU64; 5],
    /// Requests for no known path, or not a GET.
    unexpected: AtomicU64,
    hang_ups: Mutex<Vec<HangUpMark>>,
}

pub struct Server {
    pub addr: SocketAddr,
    counters: Arc<Counters>,
}

impl Server {
    pub fn start() -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let responses: Vec<Vec<u8>> = workload::ALL.iter().map(|w| w.response()).collect();
        let shared = counters.clone();
        std::thread::Builder::new()
            .name("server".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    match stream {
                        Ok(stream) => {
                            if let Err(e) = serve(stream, &responses, &shared) {
                                // Clients hang up on us in their own ways (a reset after the
                                // last response is normal); only the counts decide.
                                if e.kind() == io::ErrorKind::WouldBlock
                                    || e.kind() == io::ErrorKind::TimedOut
                                {
                                    eprintln!("server: a connection sat idle for 10 s: dropped");
                                }
                            }
                        }
                        Err(e) => eprintln!("server: accept failed: {e}"),
                    }
                }
            })?;
        Ok(Server { addr, counters })
    }

    /// Requests read for `w` so far.
    pub fn count(&self, w: Workload) -> u64 {
        self.counters.requests[index(w)].load(Ordering::SeqCst)
    }

    pub fn unexpected(&self) -> u64 {
        self.counters.unexpected.load(Ordering::SeqCst)
    }

    /// The hang-up marks since the last call, in order.
    pub fn take_hang_ups(&self) -> Vec<HangUpMark> {
        std::mem::take(&mut *self.counters.hang_ups.lock().unwrap())
    }
}

fn index(w: Workload) -> usize {
    workload::ALL.iter().position(|&x| x == w).unwrap()
}

/// Serves one connection until the client closes it, or until a response that ends it.
fn serve(mut stream: TcpStream, responses: &[Vec<u8>], counters: &Counters) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = [0u8; 4096];
    let mut have = 0;
    loop {
        // Read to the end of a request head (requests here have no body).
        let head_end = loop {
            if let Some(at) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if have == buf.len() {
                counters.unexpected.fetch_add(1, Ordering::SeqCst);
                return Ok(());
            }
            match stream.read(&mut buf[have..])? {
                0 => return Ok(()),
                n => have += n,
            }
        };
        let workload = std::str::from_utf8(&buf[..head_end])
            .ok()
            .and_then(|head| head.strip_prefix("GET "))
            .and_then(|rest| rest.split(' ').next())
            .and_then(|path| workload::ALL.into_iter().find(|w| w.path() == path));
        let Some(workload) = workload else {
            counters.unexpected.fetch_add(1, Ordering::SeqCst);
            stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            )?;
            return Ok(());
        };
        counters.requests[index(workload)].fetch_add(1, Ordering::SeqCst);
        buf.copy_within(head_end..have, 0);
        have -= head_end;
        match workload {
            Workload::HangUp => {
                let mark = HangUpMark {
                    monotonic: Instant::now(),
                    realtime_ns: SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_nanos(),
                };
                // The whole request was read, so the close sends a FIN, not a reset.
                drop(stream);
                counters.hang_ups.lock().unwrap().push(mark);
                return Ok(());
            }
            Workload::Close => {
                stream.write_all(&responses[index(workload)])?;
                // The server closes first: TIME_WAIT lands here, as with a real server.
                return Ok(());
            }
            _ => stream.write_all(&responses[index(workload)])?,
        }
    }
}
