//! Measures (does not assert) how long a caller waiting for a response head takes to get its
//! error after the server hangs up, for both adapters: the server records the moment it closes
//! the socket, the caller the moment its error arrives (same process, same monotonic clock).
//!
//! `cargo test --release --test hangup_latency -- --ignored --nocapture`
// Wall-clock measurement is the point here; the core never reads a clock.
#![allow(clippy::disallowed_methods)]

use h1conn::{Config, Request};
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const RUNS: usize = 1000;

/// A server that reads one request head per connection, notes the time and closes.
fn hang_up_server() -> (SocketAddr, mpsc::Receiver<Instant>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(RUNS) {
            let mut stream = stream.unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let closing = Instant::now();
            drop(stream);
            if tx.send(closing).is_err() {
                return;
            }
        }
    });
    (addr, rx)
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name}: hang-up to error over {} runs: p50 {:?}, p99 {:?}, max {:?}",
        samples.len(),
        at(0.50),
        at(0.99),
        samples[samples.len() - 1]
    );
}

fn request() -> Request<'static> {
    Request::get("/").header("Host", "t")
}

#[test]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
fn blocking_hang_up_latency() {
    let (addr, closed) = hang_up_server();
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let conn = h1conn::blocking::Connection::connect(addr, Config::default()).unwrap();
        let result = conn.send(&request(), h1conn::blocking::Body::Empty);
        let failed = Instant::now();
        assert!(result.is_err());
        samples.push(failed.saturating_duration_since(closed.recv().unwrap()));
    }
    report("blocking", samples);
}

fn tokio_latency(name: &str, rt: tokio::runtime::Runtime) {
    let (addr, closed) = hang_up_server();
    let mut samples = Vec::with_capacity(RUNS);
    rt.block_on(async {
        for _ in 0..RUNS {
            let conn = h1conn::tokio::Connection::connect(addr, Config::default())
                .await
                .unwrap();
            let result = conn.send(&request(), h1conn::tokio::Body::Empty).await;
            let failed = Instant::now();
            assert!(result.is_err());
            samples.push(failed.saturating_duration_since(closed.recv().unwrap()));
        }
    });
    report(name, samples);
}

#[test]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
fn tokio_current_thread_hang_up_latency() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tokio_latency("tokio (current-thread)", rt);
}

#[test]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
fn tokio_multi_thread_hang_up_latency() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    tokio_latency("tokio (multi-thread, 1 worker)", rt);
}
