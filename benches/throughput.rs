//! `cargo bench`: h1conn against httparse alone, on the same bytes.
//!
//! A plain harness (no criterion, to keep the dev-dependency tree lean): each case runs a
//! warm-up, then several timed rounds, and prints the best round's time per operation. Results
//! and how they were taken are in `docs/benchmarks.md`. Noise on a shared machine only ever
//! makes a round slower, so the best round is the most faithful.

#![allow(clippy::disallowed_methods)] // a benchmark reads the clock; the library never does

use h1conn::{Config, Connection, Event, Instant, Request};
use std::hint::black_box;
use std::time::{Duration, Instant as Clock};

const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Fri, 27 Nov 2026 12:00:00 GMT\r\nServer: bench\r\nContent-Type: text/html; charset=utf-8\r\n\
Cache-Control: max-age=600\r\nETag: \"5e3f-1a2b\"\r\nLast-Modified: Thu, 26 Nov 2026 10:00:00 GMT\r\n\
Vary: Accept-Encoding\r\nX-Request-Id: 0123456789abcdef\r\nContent-Length: 13\r\n\r\n";

fn response() -> Vec<u8> {
    let mut r = HEAD.to_vec();
    r.extend_from_slice(b"hello, world!");
    r
}

fn chunked_body(total: usize, chunk: usize) -> Vec<u8> {
    let mut r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let data = vec![b'x'; chunk];
    let mut left = total;
    while left > 0 {
        let n = left.min(chunk);
        r.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        r.extend_from_slice(&data[..n]);
        r.extend_from_slice(b"\r\n");
        left -= n;
    }
    r.extend_from_slice(b"0\r\n\r\n");
    r
}

/// Runs `op` `iters` times per round, for `rounds` rounds; returns the best round's time per
/// call.
fn measure(rounds: u32, iters: u32, mut op: impl FnMut()) -> Duration {
    let iters = iters.max(1);
    for _ in 0..iters / 10 + 1 {
        op();
    }
    (0..rounds.max(1))
        .map(|_| {
            let start = Clock::now();
            for _ in 0..iters {
                op();
            }
            start.elapsed() / iters
        })
        .min()
        .unwrap_or_default()
}

/// [`measure`] for an operation that consumes its input: each call's input is prepared before
/// the round's clock starts.
fn measure_prepared<T>(
    rounds: u32,
    iters: u32,
    mut prepare: impl FnMut() -> T,
    mut op: impl FnMut(T),
) -> Duration {
    let iters = iters.max(1);
    (0..rounds.max(1))
        .map(|_| {
            let inputs: Vec<T> = (0..iters).map(|_| prepare()).collect();
            let start = Clock::now();
            for input in inputs {
                op(input);
            }
            start.elapsed() / iters
        })
        .min()
        .unwrap_or_default()
}

fn report(name: &str, per_op: Duration, bytes: usize) {
    let mbps = bytes as f64 / per_op.as_secs_f64() / 1e6;
    println!(
        "{name:<48} {:>10.1} ns/op {:>10.0} MB/s",
        per_op.as_nanos() as f64,
        mbps
    );
}

/// One full request/response cycle on a keep-alive connection, `split`-byte reads.
fn cycle(conn: &mut Connection, input: &[u8], split: usize) -> usize {
    let now = Instant::ZERO;
    let req = Request::get("/").header("Host", "example.com");
    conn.send_request(&req, now).expect("sent");
    while let Some(b) = conn.poll_transmit() {
        black_box(b);
    }
    let mut body = 0;
    for piece in input.chunks(split) {
        conn.handle_input(piece, now).expect("input");
        while let Some(e) = conn.poll_event() {
            if let Event::Data { data, .. } = e {
                body += data.len();
            }
        }
    }
    body
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: keep that quick. Quick mode
    // only checks that every case runs: fewer iterations, one timed round, smaller trickled heads.
    let quick = !std::env::args().any(|a| a == "--bench");
    let scale = if quick { 100 } else { 1 };
    let rounds = if quick { 1 } else { 7 };
    let resp = response();

    println!(
        "h1conn benchmarks (best of {rounds} round{}){}",
        if rounds == 1 { "" } else { "s" },
        if quick { " [quick mode]" } else { "" }
    );
    report(
        "httparse::Response::parse, 9-header head",
        measure(rounds, 200_000 / scale, || {
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut r = httparse::Response::new(&mut headers);
            black_box(r.parse(black_box(HEAD)).expect("parses"));
        }),
        HEAD.len(),
    );
    let mut conn = Connection::new(Config::default());
    report(
        "h1conn cycle: GET + 9-header response, one read",
        measure(rounds, 200_000 / scale, || {
            black_box(cycle(&mut conn, &resp, resp.len()));
        }),
        resp.len(),
    );
    let mut conn = Connection::new(Config::default());
    report(
        "h1conn cycle: same response, 1-byte reads",
        measure(rounds, 5_000 / scale, || {
            black_box(cycle(&mut conn, &resp, 1));
        }),
        resp.len(),
    );
    // A trickled head costs O(n): doubling its size should about double the time. httparse
    // re-parsing it after every byte is O(n²) (seconds per call in a debug build), so quick mode
    // uses 10 fields instead of 90 and a single call.
    let (fields, reparse_iters) = if quick { (10, 1) } else { (90, 2) };
    for value_len in [100, 200] {
        let mut slow_head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..fields {
            slow_head.extend_from_slice(
                format!("X-Header-{i}: {}\r\n", "v".repeat(value_len)).as_bytes(),
            );
        }
        slow_head.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        report(
            &format!(
                "httparse re-parsing a {} B head after every byte",
                slow_head.len()
            ),
            measure(rounds, reparse_iters, || {
                let mut headers = [httparse::EMPTY_HEADER; 100];
                for end in 1..=slow_head.len() {
                    let mut r = httparse::Response::new(&mut headers);
                    black_box(r.parse(black_box(&slow_head[..end])).is_ok());
                }
            }),
            slow_head.len(),
        );
        let mut conn = Connection::new(Config::default());
        report(
            &format!("h1conn cycle: {} B head, 1-byte reads", slow_head.len()),
            measure(rounds, 200 / scale.min(100), || {
                black_box(cycle(&mut conn, &slow_head, 1));
            }),
            slow_head.len(),
        );
    }
    for (total, chunk, split) in [(1 << 20, 16 << 10, 64 << 10), (1 << 20, 64, 64 << 10)] {
        let body = chunked_body(total, chunk);
        let mut conn = Connection::new(Config::default());
        report(
            &format!("h1conn chunked 1 MiB body, {chunk} B chunks, 64 KiB reads"),
            measure(rounds, 50 / scale.min(50), || {
                assert_eq!(cycle(&mut conn, &body, split), total);
            }),
            body.len(),
        );
    }
    let mut length_body = b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n".to_vec();
    length_body.resize(length_body.len() + (1 << 20), b'y');
    let mut conn = Connection::new(Config::default());
    report(
        "h1conn Content-Length 1 MiB body, 64 KiB reads",
        measure(rounds, 50 / scale.min(50), || {
            assert_eq!(cycle(&mut conn, &length_body, 64 << 10), 1 << 20);
        }),
        length_body.len(),
    );
    // The zero-copy input path: the bytes are already in the caller's read buffer (as an
    // adapter's read leaves them); the machine cuts body views out of it. Against a plain copy
    // of the same bytes in the same 64 KiB pieces.
    let iters = 50 / scale.min(50);
    let mut sink = vec![0u8; 64 << 10];
    report(
        "memcpy of the same 1 MiB, 64 KiB pieces",
        measure(rounds, iters, || {
            for piece in length_body.chunks(64 << 10) {
                sink[..piece.len()].copy_from_slice(black_box(piece));
                black_box(&sink);
            }
        }),
        length_body.len(),
    );
    let mut conn = Connection::new(Config::default());
    report(
        "h1conn Content-Length 1 MiB, handle_input_buf",
        measure_prepared(
            rounds,
            iters,
            || h1conn::BytesMut::from(&length_body[..]),
            |mut buf| {
                let now = Instant::ZERO;
                let req = Request::get("/").header("Host", "example.com");
                conn.send_request(&req, now).expect("sent");
                while conn.poll_transmit().is_some() {}
                let mut body = 0;
                while !buf.is_empty() {
                    let piece = buf.split_to(buf.len().min(64 << 10));
                    conn.handle_input_buf(piece, now).expect("input");
                    while let Some(e) = conn.poll_event() {
                        if let Event::Data { data, .. } = e {
                            body += data.len();
                        }
                    }
                }
                assert_eq!(body, 1 << 20);
            },
        ),
        length_body.len(),
    );
}
