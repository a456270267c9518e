//! `cargo bench`: h1conn against httparse alone and against ureq-proto (the other sans-IO
//! HTTP/1.1 client), on the same bytes, in the same process and run.
//!
//! A plain harness (no criterion, to keep the dev-dependency tree lean): each case runs a
//! warm-up, then several timed rounds, and prints the best round's time per operation and the
//! allocations per operation (a counting global allocator). Noise on a shared machine only ever
//! makes a round slower, so the best round is the most faithful; the ratios at the end are taken
//! within the run. Results and how they were taken are in `docs/benchmarks.md`.
//!
//! Arguments after `cargo bench --bench throughput --`:
//! - a word: run only the cases whose name contains it (`cargo bench --bench throughput -- cycle`);
//! - `--profile`: one round of a twentieth of the iterations, for `valgrind --tool=callgrind`
//!   or `perf record` (see docs/benchmarks.md).

#![allow(clippy::disallowed_methods)] // a benchmark reads the clock; the library never does
#![allow(unsafe_code)] // the counting allocator: a GlobalAlloc impl is unsafe by definition

use h1conn::{BytesMut, Config, Connection, Event, Instant, Request};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant as Clock};

/// Counts allocations (and reallocations) so each case can report them per operation.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: defers to the system allocator; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The typical response: a 279-byte head with 9 fields, then a 13-byte body.
const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Fri, 27 Nov 2026 12:00:00 GMT\r\nServer: bench\r\nContent-Type: text/html; charset=utf-8\r\n\
Cache-Control: max-age=600\r\nETag: \"5e3f-1a2b\"\r\nLast-Modified: Thu, 26 Nov 2026 10:00:00 GMT\r\n\
Vary: Accept-Encoding\r\nX-Request-Id: 0123456789abcdef\r\nContent-Length: 13\r\n\r\n";

/// The 8 fields of the request in the encoding cases (and the `Host` of every cycle).
const REQUEST_FIELDS: [(&str, &str); 8] = [
    ("Host", "example.com"),
    ("User-Agent", "h1conn-bench/0.1"),
    ("Accept", "text/html,application/xhtml+xml"),
    ("Accept-Encoding", "gzip, br"),
    ("Accept-Language", "en-GB,en;q=0.8"),
    ("Cache-Control", "no-cache"),
    ("Cookie", "session=0123456789abcdef"),
    ("X-Request-Id", "fedcba9876543210"),
];

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

/// How a run measures: which cases, how many rounds, what fraction of the iterations.
struct Harness {
    filter: Option<String>,
    rounds: u32,
    /// Iterations are divided by this.
    scale: u32,
    /// Best time per operation of the cases run so far, by name, for the ratios at the end.
    results: Vec<(String, Duration)>,
}

impl Harness {
    fn from_args() -> Harness {
        let args: Vec<String> = std::env::args().skip(1).collect();
        // `cargo test --benches` runs this binary without `--bench`: keep that quick. Quick mode
        // only checks that every case runs: fewer iterations, one timed round, smaller heads.
        let quick = !args.iter().any(|a| a == "--bench");
        let profile = args.iter().any(|a| a == "--profile");
        let filter = args.iter().find(|a| !a.starts_with("--")).cloned();
        let (rounds, scale) = match (quick, profile) {
            (true, _) => (1, 100),
            (false, true) => (1, 20),
            (false, false) => (7, 1),
        };
        println!(
            "h1conn benchmarks (best of {rounds} round{}){}",
            if rounds == 1 { "" } else { "s" },
            match (quick, profile) {
                (true, _) => " [quick mode]",
                (false, true) => " [profile mode]",
                (false, false) => "",
            }
        );
        Harness {
            filter,
            rounds,
            scale,
            results: Vec::new(),
        }
    }

    fn quick(&self) -> bool {
        self.scale == 100
    }

    fn wants(&self, name: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| name.contains(f.as_str()))
    }

    /// Runs `op` `iters` times per round; reports the best round's time per call and the
    /// allocations per call (counted over every timed round).
    fn case(&mut self, name: &str, iters: u32, bytes: usize, mut op: impl FnMut()) {
        if !self.wants(name) {
            return;
        }
        let iters = (iters / self.scale).max(1);
        for _ in 0..iters / 10 + 1 {
            measured(&mut op);
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed);
        let best = (0..self.rounds)
            .map(|_| {
                let start = Clock::now();
                for _ in 0..iters {
                    measured(&mut op);
                }
                start.elapsed() / iters
            })
            .min()
            .unwrap_or_default();
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations;
        self.report(name, best, bytes, allocations, iters);
        self.report_calls(iters / 10 + 1 + iters * self.rounds);
    }

    /// In profile mode, how many times the operation ran inside [`measured`] (warm-up
    /// included), for `benches/instructions.sh` to divide callgrind's count by.
    fn report_calls(&self, calls: u32) {
        if self.scale == 20 {
            println!("  calls {calls}");
        }
    }

    /// [`Harness::case`] for an operation that consumes its input: each call's input is
    /// prepared just before it, outside the clock (so it is warm in the cache, as bytes a read
    /// just wrote are), and the call alone is timed. The clock is read twice per call (about
    /// 20–40 ns), so use this only for operations of a microsecond or more. Allocations made
    /// while preparing are not counted.
    fn case_prepared<T>(
        &mut self,
        name: &str,
        iters: u32,
        bytes: usize,
        mut prepare: impl FnMut() -> T,
        mut op: impl FnMut(T),
    ) {
        if !self.wants(name) {
            return;
        }
        let iters = (iters / self.scale).max(1);
        for _ in 0..iters / 10 + 1 {
            let input = prepare();
            measured(|| op(input));
        }
        let mut allocations = 0;
        let best = (0..self.rounds)
            .map(|_| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let input = prepare();
                    let before = ALLOCATIONS.load(Ordering::Relaxed);
                    let start = Clock::now();
                    measured(|| op(input));
                    total += start.elapsed();
                    allocations += ALLOCATIONS.load(Ordering::Relaxed) - before;
                }
                total / iters
            })
            .min()
            .unwrap_or_default();
        self.report(name, best, bytes, allocations, iters);
        self.report_calls(iters / 10 + 1 + iters * self.rounds);
    }

    fn report(&mut self, name: &str, per_op: Duration, bytes: usize, allocs: u64, iters: u32) {
        let mbps = bytes as f64 / per_op.as_secs_f64() / 1e6;
        let allocs_per_op = allocs as f64 / f64::from(iters) / f64::from(self.rounds);
        println!(
            "{name:<58} {:>11.1} ns/op {:>9.0} MB/s {:>7.2} allocs/op",
            per_op.as_nanos() as f64,
            mbps,
            allocs_per_op,
        );
        self.results.push((name.to_string(), per_op));
    }

    fn time(&self, name: &str) -> Option<Duration> {
        self.results
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t)
    }

    /// Prints `numerator / denominator` when both ran in this run.
    fn ratio(&self, label: &str, numerator: &str, denominator: &str, per: f64) {
        if let (Some(n), Some(d)) = (self.time(numerator), self.time(denominator)) {
            let ratio = n.as_secs_f64() / per / d.as_secs_f64();
            println!("  {label:<64} {ratio:>6.2}×");
        }
    }
}

/// Every measured call goes through here, so that `valgrind --tool=callgrind
/// --toggle-collect='*measured*'` counts the operation's instructions and nothing else
/// (`benches/instructions.sh`).
#[inline(never)]
fn measured<T>(op: impl FnOnce() -> T) -> T {
    op()
}

const PARSE: &str = "httparse::Response::parse, 9-field head";
const CYCLE: &str = "h1conn cycle: GET + 9-field response, one read";
const UREQ_CYCLE: &str = "ureq-proto 0.7 cycle: same GET, same response";
const ENCODE_VALUE: &str = "h1conn encode: 8-field GET, by-value builder";
const ENCODE_SLICE: &str = "h1conn encode: 8-field GET, from a slice of fields";
const CHUNKS_64K: &str = "h1conn chunked: 64 × 1 KiB chunks, one read, handle_input_buf";
const MEMCPY: &str = "memcpy of the same 1 MiB, 64 KiB pieces";
const INPUT_BUF: &str = "h1conn Content-Length 1 MiB, handle_input_buf, 64 KiB";

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

/// `bytes` in a buffer as an adapter's read leaves it: a `BytesMut` already split once (so it
/// is in its shared form, and cutting views off it allocates nothing more, as in an adapter's
/// steady state).
fn read_buffer(bytes: &[u8]) -> BytesMut {
    let mut buf = BytesMut::from(bytes);
    drop(buf.split_to(0));
    buf
}

/// [`cycle`] through the zero-copy input path: the response is already in a buffer of the
/// caller's (as an adapter's read leaves it), handed over in `split`-byte pieces of it.
fn cycle_buf(conn: &mut Connection, mut input: BytesMut, split: usize) -> usize {
    let now = Instant::ZERO;
    let req = Request::get("/").header("Host", "example.com");
    conn.send_request(&req, now).expect("sent");
    while conn.poll_transmit().is_some() {}
    let mut body = 0;
    while !input.is_empty() {
        let piece = input.split_to(input.len().min(split));
        conn.handle_input_buf(piece, now).expect("input");
        while let Some(e) = conn.poll_event() {
            if let Event::Data { data, .. } = e {
                body += data.len();
            }
        }
    }
    body
}

/// ureq-proto's whole cycle for the same exchange: a `Call` from an `http::Request`, the
/// request written, the response head parsed, the body read, and the cleanup verdict.
fn ureq_cycle(input: &[u8], out: &mut [u8], body_out: &mut [u8]) -> usize {
    use ureq_proto::client::{Call, RecvBodyResult, RecvResponseResult, SendRequestResult};
    let request = ureq_proto::http::Request::get("http://example.com/")
        .header("Host", "example.com")
        .body(())
        .expect("request");
    let call = Call::new(request).expect("call");
    let mut call = call.proceed();
    let written = call.write(out).expect("write");
    black_box(&out[..written]);
    let Ok(Some(SendRequestResult::RecvResponse(mut call))) = call.proceed() else {
        panic!("ureq-proto: no RecvResponse");
    };
    let (used, response) = call.try_response(input, false).expect("response");
    black_box(response.expect("a whole head"));
    let Some(RecvResponseResult::RecvBody(mut call)) = call.proceed() else {
        panic!("ureq-proto: no RecvBody");
    };
    let (_, body) = call.read(&input[used..], body_out).expect("body");
    let Some(RecvBodyResult::Cleanup(call)) = call.proceed() else {
        panic!("ureq-proto: no Cleanup");
    };
    black_box(call.must_close_connection());
    body
}

fn main() {
    let mut h = Harness::from_args();
    let resp = response();

    h.case(PARSE, 200_000, HEAD.len(), || {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut r = httparse::Response::new(&mut headers);
        black_box(r.parse(black_box(HEAD)).expect("parses"));
    });
    let mut conn = Connection::new(Config::default());
    h.case(CYCLE, 200_000, resp.len(), || {
        black_box(cycle(&mut conn, black_box(&resp), resp.len()));
    });
    let (mut out, mut body_out) = (vec![0u8; 1024], vec![0u8; 1024]);
    h.case(UREQ_CYCLE, 200_000, resp.len(), || {
        let body = ureq_cycle(black_box(&resp), &mut out, &mut body_out);
        assert_eq!(body, 13);
    });

    // What an adapter asks after every input: the next deadline, a request in flight.
    let mut conn = Connection::new(Config::default());
    conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)
        .expect("sent");
    h.case(
        "h1conn poll_timeout, request in flight",
        1_000_000,
        0,
        || {
            black_box(black_box(&conn).poll_timeout());
        },
    );

    // Request heads without a connection: the builder and the encoder alone.
    let mut encoded = BytesMut::with_capacity(1024);
    h.case(ENCODE_VALUE, 200_000, 0, || {
        let mut req = Request::get("/index.html");
        for (name, value) in REQUEST_FIELDS {
            req = req.header(name, value);
        }
        encoded.clear();
        black_box(&req).encode(&mut encoded).expect("valid");
        black_box(&encoded);
    });
    let fields: Vec<(&str, &[u8])> = REQUEST_FIELDS
        .iter()
        .map(|(n, v)| (*n, v.as_bytes()))
        .collect();
    h.case(ENCODE_SLICE, 200_000, 0, || {
        let req = Request::get("/index.html").headers_from(black_box(&fields));
        encoded.clear();
        req.encode(&mut encoded).expect("valid");
        black_box(&encoded);
    });

    let mut conn = Connection::new(Config::default());
    h.case(
        "h1conn cycle: same response, 1-byte reads",
        5_000,
        resp.len(),
        || {
            black_box(cycle(&mut conn, &resp, 1));
        },
    );
    // A trickled head costs O(n): doubling its size should about double the time. httparse
    // re-parsing it after every byte is O(n²) (seconds per call in a debug build), so quick mode
    // uses 10 fields instead of 90 and a single call.
    let (fields, reparse_iters) = if h.quick() { (10, 100) } else { (90, 2) };
    for value_len in [100, 200] {
        let mut slow_head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..fields {
            slow_head.extend_from_slice(
                format!("X-Header-{i}: {}\r\n", "v".repeat(value_len)).as_bytes(),
            );
        }
        slow_head.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        let len = slow_head.len();
        h.case(
            &format!("httparse re-parsing a {len} B head after every byte"),
            reparse_iters,
            len,
            || {
                let mut headers = [httparse::EMPTY_HEADER; 100];
                for end in 1..=slow_head.len() {
                    let mut r = httparse::Response::new(&mut headers);
                    black_box(r.parse(black_box(&slow_head[..end])).is_ok());
                }
            },
        );
        let mut conn = Connection::new(Config::default());
        h.case(
            &format!("h1conn cycle: {len} B head, 1-byte reads"),
            200,
            len,
            || {
                black_box(cycle(&mut conn, &slow_head, 1));
            },
        );
    }

    // 64 chunks of 1 KiB in one read, through the zero-copy input path the adapters use (the
    // goal is per chunk: a size line, a `Bytes` cut, a `Data` event), and through `handle_input`
    // (which adds a copy of the 64 KiB into the receive buffer).
    let body = chunked_body(64 << 10, 1 << 10);
    let mut conn = Connection::new(Config::default());
    h.case_prepared(
        CHUNKS_64K,
        20_000,
        body.len(),
        || read_buffer(&body),
        |buf| {
            assert_eq!(cycle_buf(&mut conn, buf, usize::MAX), 64 << 10);
        },
    );
    let mut conn = Connection::new(Config::default());
    h.case(
        "h1conn chunked: 64 × 1 KiB chunks, one read, handle_input",
        20_000,
        body.len(),
        || {
            assert_eq!(cycle(&mut conn, &body, body.len()), 64 << 10);
        },
    );
    for (total, chunk, split) in [(1 << 20, 16 << 10, 64 << 10), (1 << 20, 64, 64 << 10)] {
        let body = chunked_body(total, chunk);
        let mut conn = Connection::new(Config::default());
        h.case(
            &format!("h1conn chunked 1 MiB body, {chunk} B chunks, 64 KiB reads"),
            100,
            body.len(),
            || {
                assert_eq!(cycle(&mut conn, &body, split), total);
            },
        );
    }
    let mut length_body = b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n".to_vec();
    length_body.resize(length_body.len() + (1 << 20), b'y');
    let mut conn = Connection::new(Config::default());
    h.case(
        "h1conn Content-Length 1 MiB, handle_input, 64 KiB reads",
        100,
        length_body.len(),
        || {
            assert_eq!(cycle(&mut conn, &length_body, 64 << 10), 1 << 20);
        },
    );
    // The zero-copy input path: the bytes are already in the caller's read buffer (as an
    // adapter's read leaves them); the machine cuts body views out of it. Against a plain copy
    // of the same bytes in the same 64 KiB pieces.
    let mut sink = vec![0u8; 64 << 10];
    h.case(MEMCPY, 100, length_body.len(), || {
        for piece in length_body.chunks(64 << 10) {
            sink[..piece.len()].copy_from_slice(black_box(piece));
            black_box(&sink);
        }
    });
    let mut conn = Connection::new(Config::default());
    h.case_prepared(
        INPUT_BUF,
        100,
        length_body.len(),
        || read_buffer(&length_body),
        |buf| {
            assert_eq!(cycle_buf(&mut conn, buf, 64 << 10), 1 << 20);
        },
    );

    println!("ratios within this run (the goals of docs/benchmarks.md in brackets):");
    h.ratio("keep-alive cycle / httparse parse [≤ 3]", CYCLE, PARSE, 1.0);
    h.ratio(
        "keep-alive cycle / ureq-proto cycle",
        CYCLE,
        UREQ_CYCLE,
        1.0,
    );
    h.ratio(
        "encode, by-value builder / httparse parse [≤ 1.5]",
        ENCODE_VALUE,
        PARSE,
        1.0,
    );
    h.ratio(
        "encode, slice of fields / httparse parse [≤ 1.5]",
        ENCODE_SLICE,
        PARSE,
        1.0,
    );
    h.ratio(
        "1 MiB through handle_input_buf / memcpy [≤ 0.2]",
        INPUT_BUF,
        MEMCPY,
        1.0,
    );
    if let Some(t) = h.time(CHUNKS_64K) {
        let per_chunk = t.as_secs_f64() * 1e9 / 64.0;
        println!(
            "  {:<64} {per_chunk:>6.1} ns",
            "64 × 1 KiB chunks, per chunk [≤ 25]"
        );
    }
}
