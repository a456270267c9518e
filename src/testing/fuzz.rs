//! The logic of the fuzz targets in `fuzz/`, as functions of raw bytes.
//!
//! Each target is one call here, so libFuzzer (nightly, `cargo fuzz run <target>`) and the
//! stable corpus replay (`tests/fuzz_corpus.rs`) run exactly the same checks. The input formats
//! are simple enough to write seeds by hand:
//!
//! - [`response_bytes`]: `[request kind] [split seed] response bytes...`. The request is sent,
//!   the response handed in twice — whole, and cut into pieces chosen by the split seed (0: one
//!   piece, 1: one byte at a time, else pseudo-random sizes 0..=15, empty pieces included) —
//!   then EOF. Both runs must satisfy the [`Checker`](super::Checker) and yield the same events
//!   (body data compared concatenated).
//! - [`conversation`]: `[config] op*`, each op an opcode byte and its operands (see
//!   [`conversation`]). Any sequence of calls must satisfy the checker, and every rejected command
//!   must leave the connection unchanged.
//! - [`request_encode`]: a request head (method, target, headers, body framing) built from the
//!   bytes. `send_request` must accept it exactly when every part is valid, and then transmit one
//!   head that `httparse` reads back as the same request: no CR or LF can be injected.
//!
//! Request kinds (the byte modulo 11): 0 `GET`, 1 `HEAD`, 2 `POST` with a 5-byte body, 3 `POST`
//! chunked, 4 `PUT` with `Expect: 100-continue` and a 5-byte body, 5 `GET` with
//! `Connection: close`, 6 `GET` asking to upgrade, 7 `CONNECT`, 8 `POST` without a body,
//! 9 `DELETE` with `Idempotency-Key` and a 3-byte body, 10 a `GET` without `Host` (rejected).

use super::checked::Checked;
use super::checker::Violation;
use super::merge_data;
use crate::config::Config;
use crate::error::UsageError;
use crate::event::{Event, RequestId};
use crate::request::{Request, RequestBody};
use crate::time::Instant;
use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use bytes::Bytes;
use core::fmt;
use core::time::Duration;

/// What a fuzz target found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// The event contract broke.
    Violation(Violation),
    /// The same response cut differently gave different events.
    SplitVariance {
        /// Events with the response handed in whole (data merged).
        whole: Vec<Event>,
        /// Events with it handed in pieces (data merged).
        split: Vec<Event>,
    },
    /// Request encoding went wrong.
    Encode(&'static str),
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Violation(v) => v.fmt(f),
            Finding::SplitVariance { whole, split } => {
                write!(
                    f,
                    "split changed the events:\nwhole: {whole:#?}\nsplit: {split:#?}"
                )
            }
            Finding::Encode(what) => write!(f, "request encoding: {what}"),
        }
    }
}

impl From<Violation> for Finding {
    fn from(v: Violation) -> Finding {
        Finding::Violation(v)
    }
}

/// Reads fuzz input; past the end every read gives zeros.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// The request of a request kind (see the module docs). Its declared body is what the targets
/// send: `n` bytes for `Length(n)`, three bytes and `finish_body` for `Chunked`.
pub fn request_of_kind(kind: u8) -> Request<'static> {
    let base = |method| Request::new(method, "/").header("Host", "example.com");
    match kind % 11 {
        0 => base("GET"),
        1 => base("HEAD"),
        2 => base("POST").body(RequestBody::Length(5)),
        3 => base("POST").body(RequestBody::Chunked),
        4 => base("PUT")
            .header("Expect", "100-continue")
            .body(RequestBody::Length(5))
            .replayable_body(true),
        5 => base("GET").header("Connection", "close"),
        6 => base("GET")
            .header("Connection", "upgrade")
            .header("Upgrade", "websocket"),
        7 => Request::new("CONNECT", "example.com:443").header("Host", "example.com:443"),
        8 => base("POST"),
        9 => base("DELETE")
            .header("Idempotency-Key", "k1")
            .body(RequestBody::Length(3))
            .replayable_body(true),
        _ => Request::get("/"),
    }
}

/// A configuration chosen by the bits of `sel`: bit 0 a 2 s response-head timeout, bit 1 no idle
/// timeout, bit 2 small limits (64-byte heads, 4 headers, 16 bytes of chunk extensions, 32 of
/// trailers), bit 3 at most one informational response.
pub fn config_of(sel: u8) -> Config {
    let mut c = Config::default();
    if sel & 1 != 0 {
        c = c.response_head_timeout(Some(Duration::from_secs(2)));
    }
    if sel & 2 != 0 {
        c = c.idle_timeout(None);
    }
    if sel & 4 != 0 {
        c = c
            .max_head_bytes(64)
            .max_headers(4)
            .max_chunk_extension_bytes(16)
            .max_trailer_bytes(32);
    }
    if sel & 8 != 0 {
        c = c.max_informational(1);
    }
    c
}

/// Sends the whole body a request kind declares.
fn send_planned_body(c: &mut Checked, request: &Request<'_>, id: RequestId, now: Instant) {
    match request.body_framing() {
        RequestBody::Length(n) => {
            let body = Bytes::from(alloc::vec![b'x'; n as usize]);
            let _ = c.send_body(id, body, now);
        }
        RequestBody::Chunked => {
            let _ = c.send_body(id, Bytes::from_static(b"abc"), now);
            let _ = c.finish_body(id, now);
        }
        RequestBody::None => {}
    }
}

/// Piece sizes for a split seed.
fn pieces(response: &[u8], seed: u8) -> Vec<&[u8]> {
    match seed {
        0 => alloc::vec![response],
        1 => response.chunks(1).collect(),
        _ => {
            let mut out = Vec::new();
            let mut state = u32::from(seed) | 0x9e37_0000;
            let mut rest = response;
            while !rest.is_empty() {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let n = (state % 16) as usize;
                let (piece, tail) = rest.split_at(n.min(rest.len()));
                out.push(piece);
                rest = tail;
            }
            out
        }
    }
}

/// One run of [`response_bytes`]: events (data merged, bytes refused after an upgrade appended
/// to `Upgraded`'s buffer) or the violation.
fn run_response(kind: u8, pieces: &[&[u8]], drain_each: bool) -> Result<Vec<Event>, Finding> {
    let now = Instant::ZERO;
    let request = request_of_kind(kind);
    let mut c = Checked::new(config_of(kind >> 4)).check_rejections(false);
    if let Ok(id) = c.send_request(&request, now) {
        send_planned_body(&mut c, &request, id, now);
    }
    c.drain_transmit();
    let mut refused = Vec::new();
    for piece in pieces {
        if c.handle_input(piece, now) == Err(UsageError::Closed) {
            refused.extend_from_slice(piece);
        }
        if drain_each {
            c.drain_events();
        }
    }
    let _ = c.handle_eof(now);
    c.drain();
    c.result()?;
    let mut events = merge_data(c.events());
    for event in &mut events {
        if let Event::Upgraded { buffered, .. } = event {
            let mut all = buffered.to_vec();
            all.extend_from_slice(&refused);
            *buffered = Bytes::from(all);
        }
    }
    Ok(events)
}

/// The `response_bytes` target: `[request kind] [split seed] response...` (see the module docs).
pub fn response_bytes(data: &[u8]) -> Result<(), Finding> {
    let mut r = Reader { data };
    let kind = r.byte();
    let seed = r.byte();
    let response = r.data;
    let whole = run_response(kind, &[response], false)?;
    let split = run_response(kind, &pieces(response, seed), true)?;
    if whole != split {
        return Err(Finding::SplitVariance { whole, split });
    }
    Ok(())
}

/// Response fragments the `conversation` target hands in by index, so it reaches deep states.
pub const FRAGMENTS: &[&[u8]] = &[
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
    b"hello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"5;ext=1\r\nhello\r\n",
    b"0\r\n\r\n",
    b"0\r\nX-Trailer: 1\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"\r\n",
    b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
    b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
];

/// Time steps for the timeout op: around the expect-continue (1 s), response-head (2 s) and
/// idle (90 s) timeouts.
const ADVANCE_MS: [u64; 8] = [0, 1, 999, 1_000, 2_000, 5_000, 90_000, 200_000];

/// The `conversation` target: `[config] op*`. Opcodes (the byte modulo 15) and operands:
/// 0 `send_request` `[kind]`; 1 `send_body` `[which id] [len]`; 2 `finish_body` `[which id]`;
/// 3 input fragment `[index]` (see [`FRAGMENTS`]); 4 raw input `[len] bytes`; 5 EOF;
/// 6 write error; 7 advance time `[step]` then `handle_timeout`; 8 `cancel` `[which id]`;
/// 9 `close`; 10 `abort`; 11 `poll_transmit` `[count]`; 12 `poll_event` `[count]`; 13 drain
/// all; 14 read error. Which id: 0 the latest sent, 1 the first, 2 one never minted, 3 the one before the
/// latest. At the end everything is drained, EOF handed in, and drained again.
pub fn conversation(data: &[u8]) -> Result<(), Finding> {
    let mut r = Reader { data };
    let mut c = Checked::new(config_of(r.byte()));
    let mut now = Instant::ZERO;
    let mut ids: Vec<RequestId> = Vec::new();
    let mut ops = 0;
    while !r.is_empty() && ops < 512 {
        ops += 1;
        match r.byte() % 15 {
            0 => {
                let request = request_of_kind(r.byte());
                if let Ok(id) = c.send_request(&request, now) {
                    ids.push(id);
                }
            }
            1 => {
                let id = pick(&ids, r.byte());
                let len = usize::from(r.byte() % 8);
                let _ = c.send_body(id, Bytes::from(alloc::vec![b'b'; len]), now);
            }
            2 => {
                let id = pick(&ids, r.byte());
                let _ = c.finish_body(id, now);
            }
            3 => {
                let index = usize::from(r.byte()) % FRAGMENTS.len();
                let fragment = FRAGMENTS.get(index).copied().unwrap_or_default();
                let _ = c.handle_input(fragment, now);
            }
            4 => {
                let len = usize::from(r.byte() % 32);
                let bytes = r.take(len);
                let _ = c.handle_input(bytes, now);
            }
            5 => {
                let _ = c.handle_eof(now);
            }
            6 => {
                let _ = c.handle_write_error(now);
            }
            14 => {
                let _ = c.handle_read_error(now);
            }
            7 => {
                let step = ADVANCE_MS
                    .get(usize::from(r.byte() % 8))
                    .copied()
                    .unwrap_or(0);
                now = now + Duration::from_millis(step);
                c.handle_timeout(now);
            }
            8 => {
                let id = pick(&ids, r.byte());
                let _ = c.cancel(id, now);
            }
            9 => {
                let _ = c.close();
            }
            10 => {
                let _ = c.abort();
            }
            11 => {
                for _ in 0..=r.byte() % 4 {
                    c.poll_transmit();
                }
            }
            12 => {
                for _ in 0..=r.byte() % 4 {
                    c.poll_event();
                }
            }
            _ => c.drain(),
        }
        c.result()?;
    }
    c.drain();
    let _ = c.handle_eof(now);
    c.drain();
    Ok(c.result()?)
}

fn pick(ids: &[RequestId], which: u8) -> RequestId {
    let unknown = RequestId(u64::MAX);
    match which % 4 {
        0 => ids.last().copied().unwrap_or(unknown),
        1 => ids.first().copied().unwrap_or(unknown),
        2 => unknown,
        _ => ids
            .len()
            .checked_sub(2)
            .and_then(|i| ids.get(i))
            .copied()
            .unwrap_or(unknown),
    }
}

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "M-SEARCH",
];
const NAMES: &[&str] = &[
    "Host",
    "Accept",
    "X-A",
    "Connection",
    "Upgrade",
    "Expect",
    "Idempotency-Key",
    "content-length",
    "Transfer-Encoding",
    "host",
];

/// A string from fuzz bytes: an entry of `table` when the selector byte is below its length,
/// else up to 31 raw bytes (lossily made UTF-8).
fn pick_str<'a>(r: &mut Reader<'a>, table: &[&'static str]) -> Cow<'a, str> {
    let sel = usize::from(r.byte());
    match table.get(sel) {
        Some(s) => Cow::Borrowed(*s),
        None => {
            let len = usize::from(r.byte() % 32);
            String::from_utf8_lossy(r.take(len))
        }
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// The `request_encode` target: `[method] [target len] target [header count] headers [body]`,
/// where a method or header name is an index into a small table or, past it, raw bytes.
pub fn request_encode(data: &[u8]) -> Result<(), Finding> {
    let mut r = Reader { data };
    let method = pick_str(&mut r, METHODS);
    let target_len = usize::from(r.byte() % 64);
    let target = String::from_utf8_lossy(r.take(target_len));
    let count = usize::from(r.byte() % 24);
    let mut fields: Vec<(Cow<'_, str>, &[u8])> = Vec::with_capacity(count);
    for _ in 0..count {
        let name = pick_str(&mut r, NAMES);
        let len = usize::from(r.byte() % 48);
        fields.push((name, r.take(len)));
    }
    let body = match r.byte() % 4 {
        0 => RequestBody::None,
        1 => RequestBody::Length(u64::from(r.byte()) * 1_000_003),
        2 => RequestBody::Chunked,
        _ => RequestBody::Length(0),
    };
    let mut request = Request::new(&method, &target).body(body);
    for (name, value) in &fields {
        request = request.header(name, *value);
    }

    // What RFC 9110/9112 say, written independently of the encoder.
    let valid = is_token(method.as_bytes())
        && !target.is_empty()
        && target.bytes().all(|b| (0x21..=0x7e).contains(&b))
        && fields.iter().all(|(n, v)| {
            is_token(n.as_bytes())
                && v.iter()
                    .all(|&b| b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80)
                && !n.eq_ignore_ascii_case("content-length")
                && !n.eq_ignore_ascii_case("transfer-encoding")
        })
        && fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
            .count()
            == 1;

    let mut c = Checked::new(Config::default());
    let result = c.send_request(&request, Instant::ZERO);
    c.result()?;
    if result.is_ok() != valid {
        return Err(Finding::Encode(if valid {
            "a valid request was rejected"
        } else {
            "an invalid request was accepted"
        }));
    }
    if result.is_err() {
        if c.poll_transmit().is_some() || !c.connection().is_ready() {
            return Err(Finding::Encode("a rejected request left something behind"));
        }
        return Ok(());
    }
    c.drain_transmit();
    let wire = c.wire();

    // Line structure: every CR starts a CRLF, every LF ends one, one line per field.
    let framing = match body {
        RequestBody::None if matches!(&*method, "POST" | "PUT" | "PATCH") => 1,
        RequestBody::None => 0,
        _ => 1,
    };
    let lf = wire.iter().filter(|&&b| b == b'\n').count();
    let crlf = wire.windows(2).filter(|w| w == b"\r\n").count();
    let cr = wire.iter().filter(|&&b| b == b'\r').count();
    if lf != crlf || cr != crlf || crlf != fields.len() + framing + 2 {
        return Err(Finding::Encode(
            "line breaks do not match the fields (injection)",
        ));
    }

    let mut storage = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut storage);
    match parsed.parse(wire) {
        Ok(httparse::Status::Complete(n)) if n == wire.len() => {}
        _ => {
            return Err(Finding::Encode(
                "httparse does not read the head back whole",
            ));
        }
    }
    if parsed.method != Some(&*method) || parsed.path != Some(&*target) || parsed.version != Some(1)
    {
        return Err(Finding::Encode("request line changed"));
    }
    if parsed.headers.len() != fields.len() + framing {
        return Err(Finding::Encode("header count changed"));
    }
    for (got, (name, value)) in parsed.headers.iter().zip(&fields) {
        if got.name != name || trim(got.value) != trim(value) {
            return Err(Finding::Encode("a header changed"));
        }
    }
    let framing_field = parsed.headers.get(fields.len()).map(|h| (h.name, h.value));
    let want: Option<(&str, Cow<'_, str>)> = match body {
        RequestBody::Length(n) => Some(("Content-Length", Cow::Owned(alloc::format!("{n}")))),
        RequestBody::Chunked => Some(("Transfer-Encoding", Cow::Borrowed("chunked"))),
        RequestBody::None if framing == 1 => Some(("Content-Length", Cow::Borrowed("0"))),
        RequestBody::None => None,
    };
    let fits = match (framing_field, &want) {
        (None, None) => true,
        (Some((n, v)), Some((wn, wv))) => n == *wn && v == wv.as_bytes(),
        _ => false,
    };
    if !fits {
        return Err(Finding::Encode("framing header wrong"));
    }
    Ok(())
}
