//! Runs h1conn against the response test vectors of six peer implementations
//! (`../shared/conformance/response_cases.jsonl`, and `aux_cases.jsonl`) and reports every
//! disagreement.
//!
//! ```text
//! cargo run --release --example conformance -- ../shared/conformance/response_cases.jsonl \
//!     [--aux ../shared/conformance/aux_cases.jsonl] [--mode strict] [--source llhttp] [--markdown]
//! ```
//!
//! Each record is driven through the public API only: one request per expected final response,
//! the response bytes fed one byte at a time (so a keep-alive connection can be given its next
//! request exactly when it reports `Idle`), then EOF if the record signals one. Output: one
//! `DIFF <id> <field>: peer=... h1conn=...` line per disagreement, then the agreement table per
//! source and mode. `docs/compliance.md` explains the comparison rules and every exception.
//!
//! Exit status: 1 if a `strict` record of llhttp, h11, hyper or go disagrees and is not listed in
//! [`EXCEPTIONS`], or if any record panicked; 2 for a usage error (an unknown option, a missing
//! value, no or two input paths) or an input file (the main one or `--aux`) that cannot be read,
//! with a message on stderr; 0 otherwise. The vectors are not in this repository: they are
//! expected in `../shared/conformance/` (`docs/compliance.md` gives the JSONL format).

use base64::Engine as _;
use h1conn::{Config, Connection, Event, Instant, Request, Reuse, Version};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Strict-mode disagreements that are deliberate decisions, each backed by RFC 9112/9110 in
/// `docs/compliance.md`. Case id -> short reason.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "hyper-015",
        "status 001 is reported and framed as a 5xx (RFC 9110 §15 SHOULD); go agrees",
    ),
    (
        "llhttp-002",
        "RTSP/1.1 is not HTTP: HTTP-name is \"HTTP\" (RFC 9112 §2.3)",
    ),
    (
        "llhttp-003",
        "ICE/1.1 is not HTTP: HTTP-name is \"HTTP\" (RFC 9112 §2.3)",
    ),
    (
        "llhttp-017",
        "HTTP/0.9 has no status line; a 0.9 version in one is rejected (RFC 9112 §2.3)",
    ),
    (
        "llhttp-011",
        "bare LF accepted as a head line terminator (RFC 9112 §2.2 MAY); h11, go, hyper agree",
    ),
    (
        "llhttp-063",
        "bare LF accepted as a head line terminator (RFC 9112 §2.2 MAY); h11, go, hyper agree",
    ),
    (
        "llhttp-064",
        "bare LF accepted as a head line terminator (RFC 9112 §2.2 MAY); h11, go, hyper agree",
    ),
    (
        "llhttp-019",
        "empty line before a status line rejected (RFC 9112 §2.2 allows skipping it only before a request-line); h11, go agree",
    ),
    (
        "llhttp-032",
        "empty line before a status line rejected: the 304's framing was wrong (RFC 9112 §2.2, §6.3)",
    ),
    (
        "llhttp-034",
        "empty line after a 100 rejected (RFC 9112 §2.2: only servers skip empty lines)",
    ),
    (
        "llhttp-066",
        "CRLF after a Content-Length body rejected: the body was longer than declared (RFC 9112 §6.3, §2.2)",
    ),
    (
        "llhttp-059",
        "whitespace before the first field line is rejected when the head completes, not at its first byte (RFC 9112 §2.2)",
    ),
    (
        "h11-032",
        "whitespace after chunk-size allowed only before \";\" (RFC 9112 §7.1 grammar); llhttp agrees",
    ),
    (
        "h11-046",
        "Transfer-Encoding without final chunked: read until close (RFC 9112 §6.3 item 4)",
    ),
    (
        "h11-047",
        "Transfer-Encoding without final chunked: read until close (RFC 9112 §6.3 item 4)",
    ),
    (
        "go-006",
        "Transfer-Encoding + Content-Length: chunked wins, then the connection closes (RFC 9112 §6.3 item 3, §6.1)",
    ),
    (
        "go-019",
        "HTTP/1.0 with Transfer-Encoding is faulty framing (RFC 9112 §6.1); hyper agrees",
    ),
    (
        "go-020",
        "HTTP/1.0 with Transfer-Encoding is faulty framing (RFC 9112 §6.1); hyper agrees",
    ),
    (
        "go-022",
        "two spaces after the version break status-line = HTTP-version SP status-code (RFC 9112 §4); llhttp agrees",
    ),
    (
        "go-045",
        "HTTP/2.0 is not an HTTP/1.x message (RFC 9112 §2.3)",
    ),
    (
        "go-055",
        "empty Content-Length is invalid: unrecoverable error (RFC 9110 §8.6, RFC 9112 §6.3 item 5)",
    ),
    (
        "go-057",
        "204 ends at the head whatever its Content-Length says (RFC 9112 §6.3 item 1)",
    ),
    (
        "go-059",
        "304 ends at the head whatever its Content-Length says (RFC 9112 §6.3 item 1)",
    ),
];

/// Sources whose strict disagreements fail the run.
const GATED: &[&str] = &["llhttp", "h11", "hyper", "go"];

// ----- records ------------------------------------------------------------------------------

struct Case {
    id: String,
    family: String,
    mode: String,
    scope: String,
    method: String,
    eof: bool,
    raw: Vec<u8>,
    expect: Value,
}

fn b64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

fn family_of(id: &str) -> String {
    id.rsplit_once('-').map_or(id, |(f, _)| f).to_string()
}

/// Rebuilds the bytes of a `raw_generator` expression. Only the shape the data set uses is
/// understood: Python `bytes` literals and `literal * count`, joined by `+`.
fn generate(expr: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut s = expr.trim();
    loop {
        let quote = match s.as_bytes() {
            [b'b', q @ (b'\'' | b'"'), ..] => *q,
            _ => return Err(format!("expected a bytes literal at {s:.20?}")),
        };
        let mut lit = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 2;
        loop {
            match bytes.get(i) {
                None => return Err("unterminated literal".into()),
                Some(&b) if b == quote => break,
                Some(b'\\') => {
                    let (b, used) = match bytes.get(i + 1) {
                        Some(b'r') => (b'\r', 2),
                        Some(b'n') => (b'\n', 2),
                        Some(b't') => (b'\t', 2),
                        Some(b'0') => (0, 2),
                        Some(b'x') => {
                            let hex = s.get(i + 2..i + 4).ok_or("short \\x escape")?;
                            (u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?, 4)
                        }
                        Some(&c @ (b'\\' | b'\'' | b'"')) => (c, 2),
                        _ => return Err("unknown escape".into()),
                    };
                    lit.push(b);
                    i += used;
                }
                Some(&b) => {
                    lit.push(b);
                    i += 1;
                }
            }
        }
        s = s[i + 1..].trim_start();
        let mut count = 1usize;
        if let Some(rest) = s.strip_prefix('*') {
            let rest = rest.trim_start();
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            count = rest[..end].parse().map_err(|_| "bad repeat count")?;
            s = rest[end..].trim_start();
        }
        for _ in 0..count {
            out.extend_from_slice(&lit);
        }
        match s.strip_prefix('+') {
            Some(rest) => s = rest.trim_start(),
            None if s.is_empty() => return Ok(out),
            None => return Err(format!("unexpected {s:.20?}")),
        }
    }
}

fn load_case(v: &Value) -> Result<Case, (String, String)> {
    let id = v["id"].as_str().unwrap_or("?").to_string();
    let raw = match v["raw_b64"].as_str() {
        Some(s) => b64(s).ok_or_else(|| (id.clone(), "raw_b64 is not base64".to_string()))?,
        None => {
            let generator = &v["raw_generator"];
            let expr = generator["expr"]
                .as_str()
                .ok_or_else(|| (id.clone(), "no raw bytes and no generator".to_string()))?;
            if generator["lang"].as_str() != Some("python") {
                return Err((id, "generator language is not python".into()));
            }
            let raw = generate(expr)
                .map_err(|e| (id.clone(), format!("generator not understood: {e}")))?;
            if generator["length"].as_u64() != Some(raw.len() as u64) {
                return Err((
                    id,
                    format!(
                        "generator produced {} bytes, record says {}",
                        raw.len(),
                        generator["length"]
                    ),
                ));
            }
            raw
        }
    };
    // `eof_after_raw: null` marks end-to-end tests where the server closes when done; an EOF after
    // the bytes models that (it only matters for bodies that end at EOF, or errors).
    let eof = v["eof_after_raw"].as_bool().unwrap_or(true);
    Ok(Case {
        family: family_of(&id),
        id,
        mode: v["mode"].as_str().unwrap_or("?").to_string(),
        scope: v["scope"].as_str().unwrap_or("message").to_string(),
        method: v["request_method"].as_str().unwrap_or("GET").to_string(),
        eof,
        raw,
        expect: v["expect"].clone(),
    })
}

// ----- driving h1conn -------------------------------------------------------------------------

type Fields = Vec<(String, Vec<u8>)>;

#[derive(Debug, Default)]
struct Resp {
    status: u16,
    version: &'static str,
    headers: Fields,
    body: Vec<u8>,
    trailers: Fields,
    complete: bool,
    keep_alive: Option<bool>,
    informational: bool,
}

#[derive(Debug, Default)]
struct Outcome {
    responses: Vec<Resp>,
    /// The failure, and whether a final head had been reported before it.
    failed: Option<(String, bool)>,
    upgraded: Option<Vec<u8>>,
    closed: Option<String>,
    /// Bytes not handed to a response: refused after a close, or left when the connection went
    /// idle and no further request was expected.
    leftover: usize,
    leftover_refused: bool,
}

impl Outcome {
    fn kind(&self) -> &'static str {
        if self.upgraded.is_some() {
            "upgrade"
        } else if self.failed.is_some() {
            "error"
        } else if !self.responses.is_empty() {
            "ok"
        } else {
            "incomplete"
        }
    }

    /// The response a record's top-level fields describe: the first final one, else the last
    /// informational one.
    fn main(&self) -> Option<&Resp> {
        self.responses
            .iter()
            .find(|r| !r.informational)
            .or(self.responses.last())
    }
}

fn fields(h: &h1conn::Headers) -> Fields {
    h.iter()
        .map(|f| (f.name.to_string(), f.value.to_vec()))
        .collect()
}

fn version_str(v: Version) -> &'static str {
    match v {
        Version::Http10 => "1.0",
        _ => "1.1",
    }
}

fn drain(conn: &mut Connection, out: &mut Outcome) {
    while let Some(event) = conn.poll_event() {
        let informational = matches!(event, Event::Informational { .. });
        match event {
            Event::Informational { head, .. } | Event::Head { head, .. } => {
                out.responses.push(Resp {
                    status: head.status(),
                    version: version_str(head.version()),
                    headers: fields(head.headers()),
                    complete: informational,
                    informational,
                    ..Resp::default()
                });
            }
            Event::Data { data, .. } => {
                if let Some(r) = out.responses.last_mut() {
                    r.body.extend_from_slice(&data);
                }
            }
            Event::End {
                trailers, reuse, ..
            } => {
                if let Some(r) = out.responses.last_mut() {
                    r.complete = true;
                    r.trailers = fields(&trailers);
                    r.keep_alive = Some(reuse == Reuse::KeepAlive);
                }
            }
            Event::Upgraded { buffered, .. } => out.upgraded = Some(buffered.to_vec()),
            Event::RequestFailed { error, .. } => {
                let after_head = out
                    .responses
                    .last()
                    .is_some_and(|r| !r.informational && !r.complete);
                out.failed = Some((format!("{error:?}"), after_head));
            }
            Event::Closed { reason } => out.closed = Some(format!("{reason:?}")),
            _ => {}
        }
    }
}

fn send(conn: &mut Connection, method: &str, upgrade: bool) -> bool {
    let target = if method == "CONNECT" {
        "example.com:443"
    } else {
        "/"
    };
    let mut req = Request::new(method, target).header("Host", "example.com");
    if upgrade {
        req = req
            .header("Connection", "upgrade")
            .header("Upgrade", "websocket");
    }
    if conn.send_request(&req, Instant::ZERO).is_err() {
        return false;
    }
    while conn.poll_transmit().is_some() {}
    true
}

/// Feeds `raw` one byte at a time; a new request is sent whenever the connection is idle with
/// bytes left and `multi` says more responses are expected.
fn drive(raw: &[u8], method: &str, upgrade: bool, multi: bool, eof: bool) -> Outcome {
    let mut conn = Connection::new(Config::default());
    let mut out = Outcome::default();
    let now = Instant::ZERO;
    let mut sent = 0;
    let mut i = 0;
    while i < raw.len() {
        if conn.is_closed() {
            match out.upgraded.as_mut() {
                Some(buffered) => buffered.extend_from_slice(&raw[i..]),
                None => {
                    out.leftover = raw.len() - i;
                    out.leftover_refused = true;
                }
            }
            break;
        }
        if conn.in_flight().is_none() {
            if (sent == 0 || multi) && send(&mut conn, method, upgrade) {
                sent += 1;
            } else {
                out.leftover = raw.len() - i;
                break;
            }
        }
        let _ = conn.handle_input(&raw[i..=i], now);
        drain(&mut conn, &mut out);
        i += 1;
    }
    if raw.is_empty() && send(&mut conn, method, upgrade) {
        sent += 1;
    }
    if eof && sent > 0 && out.leftover == 0 {
        let _ = conn.handle_eof(now);
    }
    drain(&mut conn, &mut out);
    out
}

// ----- comparing ------------------------------------------------------------------------------

struct Diff {
    field: String,
    peer: String,
    ours: String,
}

fn show(b: &[u8]) -> String {
    let s = bytes_escape(b);
    if s.len() > 60 {
        format!("{}..({} bytes)", &s[..60], b.len())
    } else {
        s
    }
}

fn bytes_escape(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    s.push('"');
    s
}

/// Trailing (and leading) `OWS` is not part of a field value (RFC 9110 §5.5); llhttp and
/// http-parser report it, h1conn strips it. Values are compared after trimming.
fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    &v[start..end]
}

/// Peer field lists are `[[name, value], ...]`; values are JSON strings holding the bytes as
/// code points (latin-1 for non-ASCII bytes) or UTF-8 text.
fn peer_fields(v: &Value) -> Option<Fields> {
    let list = v.as_array()?;
    Some(
        list.iter()
            .filter_map(|pair| {
                let name = pair.get(0)?.as_str()?.to_string();
                let value = pair.get(1)?.as_str()?;
                Some((name, trim_ows(value.as_bytes()).to_vec()))
            })
            .collect(),
    )
}

fn show_fields(f: &Fields) -> String {
    let parts: Vec<String> = f.iter().map(|(n, v)| format!("{n}: {}", show(v))).collect();
    format!("[{}]", parts.join(", "))
}

fn compare_fields(diffs: &mut Vec<Diff>, field: &str, peer: &Fields, ours: &Fields, subset: bool) {
    let same = if subset {
        peer.iter().all(|(n, v)| {
            ours.iter()
                .any(|(on, ov)| on.eq_ignore_ascii_case(n) && ov == v)
        })
    } else {
        peer.len() == ours.len()
            && peer
                .iter()
                .zip(ours)
                .all(|((n, v), (on, ov))| n == on && v == ov)
    };
    if !same {
        diffs.push(Diff {
            field: field.into(),
            peer: show_fields(peer),
            ours: show_fields(ours),
        });
    }
}

fn diff(diffs: &mut Vec<Diff>, field: &str, peer: impl ToString, ours: impl ToString) {
    let (peer, ours) = (peer.to_string(), ours.to_string());
    if peer != ours {
        diffs.push(Diff {
            field: field.into(),
            peer,
            ours,
        });
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or("-".into(), |v| v.to_string())
}

/// Compares one response description (top-level `expect` or an entry of `responses[]`).
fn compare_resp(
    diffs: &mut Vec<Diff>,
    prefix: &str,
    e: &Value,
    ours: Option<&Resp>,
    peer_ok: bool,
) {
    let Some(r) = ours else {
        if e["status"].is_u64() && peer_ok {
            diffs.push(Diff {
                field: format!("{prefix}status"),
                peer: e["status"].to_string(),
                ours: "no head".into(),
            });
        }
        return;
    };
    if let Some(s) = e["status"].as_u64() {
        diff(diffs, &format!("{prefix}status"), s, r.status);
    }
    if !peer_ok {
        return;
    }
    if let Some(v) = e["version"].as_str() {
        diff(diffs, &format!("{prefix}version"), v, r.version);
    }
    if let Some(h) = peer_fields(&e["headers"]) {
        let subset = e["headers_subset"].as_bool().unwrap_or(false);
        compare_fields(diffs, &format!("{prefix}headers"), &h, &r.headers, subset);
    }
    if let Some(body) = e["body_b64"].as_str().and_then(b64) {
        if body != r.body {
            diffs.push(Diff {
                field: format!("{prefix}body"),
                peer: show(&body),
                ours: show(&r.body),
            });
        }
    }
    if let Some(t) = peer_fields(&e["trailers"]) {
        let subset = e["trailers_subset"].as_bool().unwrap_or(false);
        compare_fields(diffs, &format!("{prefix}trailers"), &t, &r.trailers, subset);
    }
    if let Some(c) = e["complete"].as_bool() {
        diff(diffs, &format!("{prefix}complete"), c, r.complete);
    }
    // A 1xx carries no reuse decision of its own: the same request continues after it.
    if let Some(k) = e["keep_alive"].as_bool().filter(|_| !r.informational) {
        diff(diffs, &format!("{prefix}keep_alive"), k, opt(r.keep_alive));
    }
}

fn wants_upgrade(e: &Value) -> bool {
    let s101 = |v: &Value| v["status"].as_u64() == Some(101);
    e["kind"] == "upgrade"
        || s101(e)
        || e["responses"]
            .as_array()
            .is_some_and(|rs| rs.iter().any(s101))
}

fn run_case(case: &Case) -> Vec<Diff> {
    let e = &case.expect;
    let peer_kind = e["kind"].as_str().unwrap_or("?");
    let multi = case.scope == "connection"
        || (e["messages"].as_u64() > Some(1) && e["informational"].is_null());
    let out = drive(&case.raw, &case.method, wants_upgrade(e), multi, case.eof);
    let mut diffs = Vec::new();

    // The outcome kind, with two equivalences (see docs/compliance.md):
    // - a peer's "error after N complete messages" (llhttp refusing data after `Connection:
    //   close`) matches h1conn completing N responses and refusing or not parsing the rest;
    // - a head-only peer's "ok" for a 101 (or a 2xx to CONNECT) matches h1conn's upgrade.
    let after = e["error"]["after_message"].as_u64().unwrap_or(0);
    let completed = out.responses.iter().filter(|r| r.complete).count() as u64;
    let mut ours = out.kind();
    if peer_kind == "error" && after > 0 && ours == "ok" && completed >= after && out.leftover > 0 {
        ours = "error";
    }
    let tunnel =
        |r: &Resp| r.status == 101 || (case.method == "CONNECT" && (200..300).contains(&r.status));
    if peer_kind == "ok" && ours == "upgrade" && out.main().is_some_and(tunnel) {
        ours = "ok";
    }
    if peer_kind != ours {
        let detail = match (&out.failed, &out.closed) {
            (Some((f, _)), _) => format!("{ours} ({f})"),
            (None, Some(c)) if out.leftover > 0 => {
                format!("{ours} (closed {c}, {} bytes left)", out.leftover)
            }
            _ => ours.to_string(),
        };
        diffs.push(Diff {
            field: "kind".into(),
            peer: peer_kind.into(),
            ours: detail,
        });
        return diffs;
    }
    if peer_kind == "incomplete" {
        return diffs;
    }
    let ok = peer_kind != "error";
    if peer_kind == "error" {
        if let Some(after_head) = e["error_after_head"].as_bool() {
            diff(
                &mut diffs,
                "error_after_head",
                after_head,
                out.failed.as_ref().is_some_and(|f| f.1),
            );
        }
        if let Some(body) = e["body_before_error_b64"].as_str().and_then(b64) {
            let got = out.main().map(|r| r.body.clone()).unwrap_or_default();
            if body != got {
                diffs.push(Diff {
                    field: "body_before_error".into(),
                    peer: show(&body),
                    ours: show(&got),
                });
            }
        }
    }
    if peer_kind == "upgrade" {
        let key = ["upgrade_bytes_b64", "upgrade_b64", "leftover_b64"]
            .into_iter()
            .find(|k| e[*k].is_string());
        if let Some(want) = key.and_then(|k| e[k].as_str()).and_then(b64) {
            let got = out.upgraded.clone().unwrap_or_default();
            if want != got {
                diffs.push(Diff {
                    field: "upgrade_bytes".into(),
                    peer: show(&want),
                    ours: show(&got),
                });
            }
        }
    }
    match e["responses"].as_array() {
        Some(list) if !list.is_empty() => {
            let heads = |r: &&Value| {
                r["headers_complete"]
                    .as_bool()
                    .unwrap_or(!r["status"].is_null())
            };
            let peer_heads: Vec<&Value> = list.iter().filter(heads).collect();
            diff(
                &mut diffs,
                "responses",
                peer_heads.len(),
                out.responses.len(),
            );
            for (n, p) in peer_heads.iter().enumerate() {
                compare_resp(
                    &mut diffs,
                    &format!("responses[{n}]."),
                    p,
                    out.responses.get(n),
                    ok,
                );
            }
        }
        _ => {
            compare_resp(&mut diffs, "", e, out.main(), ok);
            if let Some(list) = e["informational"].as_array() {
                let peer: Vec<String> = list.iter().map(|s| s.to_string()).collect();
                let got: Vec<String> = out
                    .responses
                    .iter()
                    .filter(|r| r.informational)
                    .map(|r| r.status.to_string())
                    .collect();
                diff(&mut diffs, "informational", peer.join(","), got.join(","));
            }
            if let Some(n) = e["messages"].as_u64() {
                if multi {
                    diff(&mut diffs, "responses", n, out.responses.len());
                }
            }
        }
    }
    diffs
}

// ----- aux_cases.jsonl ------------------------------------------------------------------------

/// Turns one aux record into a response case, or says why it cannot be.
fn aux_case(n: usize, v: &Value) -> Result<Case, (String, String)> {
    let source = v["source"].as_str().unwrap_or("?");
    let family = source.split_whitespace().next().unwrap_or("?").to_string();
    let id = format!("aux-{n:03}");
    let kind = v["kind"].as_str().unwrap_or("?");
    let input = v["input_b64"].as_str().and_then(b64).unwrap_or_default();
    let e = &v["expect"];
    let mut expect = serde_json::json!({ "kind": e["kind"].clone() });
    let mut raw = Vec::new();
    let mut method = v["request_method"].as_str().unwrap_or("GET").to_string();
    let mut eof = v["eof_after_input"].as_bool().unwrap_or(false);
    match kind {
        "chunk-size-line" => {
            raw.extend_from_slice(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            // `consumed` says how much of the input is the size line.
            let line = e["consumed"]
                .as_u64()
                .map_or(&input[..], |n| &input[..(n as usize).min(input.len())]);
            raw.extend_from_slice(line);
            if e["kind"] == "incomplete" {
                // The line never ends: the response is still open, with no body yet.
                expect = serde_json::json!({ "kind": "ok", "complete": false, "body_b64": "" });
            } else if let Some(size) = e["chunk_size"].as_u64() {
                if size > 1 << 20 {
                    return Err((
                        id,
                        format!("{kind}: chunk size {size} too large to materialise"),
                    ));
                }
                raw.extend(std::iter::repeat_n(b'x', size as usize));
                raw.extend_from_slice(if size == 0 { b"\r\n" } else { b"\r\n0\r\n\r\n" });
                expect["body_b64"] = base64::engine::general_purpose::STANDARD
                    .encode(vec![b'x'; size as usize])
                    .into();
                expect["complete"] = true.into();
            } else {
                raw.extend_from_slice(b"x\r\n0\r\n\r\n");
            }
        }
        "chunked-body" | "length-body" => {
            if kind == "chunked-body" {
                raw.extend_from_slice(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            } else {
                let len = e["content_length"].as_u64().unwrap_or(input.len() as u64);
                raw.extend_from_slice(
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n").as_bytes(),
                );
            }
            raw.extend_from_slice(&input);
            for (from, to) in [
                ("body_b64", "body_b64"),
                ("complete", "complete"),
                ("data_before_error_b64", "body_before_error_b64"),
            ] {
                if !e[from].is_null() {
                    expect[to] = e[from].clone();
                }
            }
            if e["kind"] == "error" {
                expect["error_after_head"] = true.into();
            }
            if let Some(first) = e["first_frame_b64"].as_str().and_then(b64) {
                // Only a prefix of the body is asserted; data boundaries carry no meaning here.
                let whole = if input.ends_with(b"0\r\n") {
                    [&input[..], b"\r\n"].concat()
                } else {
                    input.clone()
                };
                raw.truncate(raw.len() - input.len());
                raw.extend_from_slice(&whole);
                let _ = first;
            }
        }
        "framing-decision" | "keep-alive-decision" => {
            let version = v["version"].as_str().unwrap_or("1.1");
            let status = v["status"].as_u64().unwrap_or(200);
            raw.extend_from_slice(format!("HTTP/{version} {status} X\r\n").as_bytes());
            let headers = peer_fields(&v["headers"]).unwrap_or_default();
            let has_length = headers.iter().any(|(n, _)| {
                n.eq_ignore_ascii_case("content-length")
                    || n.eq_ignore_ascii_case("transfer-encoding")
            });
            for (name, value) in &headers {
                raw.extend_from_slice(format!("{name}: ").as_bytes());
                raw.extend_from_slice(value);
                raw.extend_from_slice(b"\r\n");
            }
            if kind == "keep-alive-decision" && !has_length {
                raw.extend_from_slice(b"Content-Length: 0\r\n");
            }
            raw.extend_from_slice(b"\r\n");
            if kind == "keep-alive-decision" {
                expect = serde_json::json!({ "kind": "ok", "keep_alive": e["keep_alive"].clone() });
            } else {
                let framing = e["framing"].as_str().unwrap_or("?");
                // Probe the framing through its observable effect on a body that follows.
                let probe: &[u8] = match framing {
                    "content-length:0" | "none" => b"",
                    "chunked" => b"1\r\nx\r\n0\r\n\r\n",
                    f if f.starts_with("content-length:") => {
                        let n: usize = f["content-length:".len()..].parse().unwrap_or(0);
                        raw.extend(std::iter::repeat_n(b'x', n));
                        expect = serde_json::json!({ "kind": "ok", "complete": true, "body_b64": base64::engine::general_purpose::STANDARD.encode(vec![b'x'; n]) });
                        b""
                    }
                    "close-delimited" => {
                        eof = true;
                        b"x"
                    }
                    _ => return Err((id, format!("{kind}: framing {framing} not understood"))),
                };
                raw.extend_from_slice(probe);
                if expect.get("complete").is_none() {
                    let body: &[u8] = if probe.is_empty() { b"" } else { b"x" };
                    expect = serde_json::json!({ "kind": "ok", "complete": true, "body_b64": base64::engine::general_purpose::STANDARD.encode(body) });
                }
                if e["framing"].is_null() {
                    expect["kind"] = "error".into();
                }
            }
            method = v["request_method"].as_str().unwrap_or("GET").to_string();
        }
        _ => return Err((id, format!("unknown aux kind {kind}"))),
    }
    Ok(Case {
        id,
        family,
        mode: format!("aux:{kind}"),
        scope: "message".into(),
        method,
        eof,
        raw,
        expect,
    })
}

// ----- main -------------------------------------------------------------------------------------

#[derive(Default)]
struct Tally {
    agree: usize,
    total: usize,
}

/// What to run, from the command line.
#[derive(Debug, Default)]
pub struct Args {
    /// The `response_cases.jsonl` file.
    pub path: String,
    /// The `aux_cases.jsonl` file (`--aux`).
    pub aux: Option<String>,
    /// Only records of this mode (`--mode`).
    pub mode: Option<String>,
    /// Only records of this source family (`--source`).
    pub source: Option<String>,
    /// Print the table in Markdown (`--markdown`).
    pub markdown: bool,
    /// Omit the `DIFF` lines (`--quiet`).
    pub quiet: bool,
}

const USAGE: &str = "usage: conformance <response_cases.jsonl> [--aux aux_cases.jsonl] [--mode M] [--source S] [--markdown] [--quiet]";

/// Parses the command line (without the program name). Anything starting with `-` that is not
/// an option is an error rather than an input path, so a mistyped flag cannot be read as a file.
pub fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args::default();
    let mut path = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--mode" => out.mode = Some(value("--mode")?),
            "--source" => out.source = Some(value("--source")?),
            "--aux" => out.aux = Some(value("--aux")?),
            "--markdown" => out.markdown = true,
            "--quiet" => out.quiet = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag:?}")),
            _ => {
                if let Some(first) = &path {
                    return Err(format!("one input path expected, got {first:?} and {a:?}"));
                }
                path = Some(a.clone());
            }
        }
    }
    out.path = path.ok_or("no input path given")?;
    Ok(out)
}

/// What `load` says when the main file cannot be read: most likely the vectors are simply not
/// there, since they are not part of this repository.
fn missing_vectors(path: &str, e: &std::io::Error) -> String {
    format!(
        "cannot read {path}: {e}
The conformance vectors are not in this repository. They are shared test data, expected at
../shared/conformance/response_cases.jsonl (and ../shared/conformance/aux_cases.jsonl for --aux),
relative to the repository root.
Format (JSON Lines): one JSON object per line, blank lines ignored. Fields read: id (its prefix
before the last '-' is the source), mode, scope, request_method (default GET), eof_after_raw
(true, false or null; null or absent means EOF follows), the bytes as raw_b64 (base64) or
raw_generator {{lang: \"python\", expr, length}}, and expect {{kind: ok|error|upgrade|incomplete,
status, version, headers: [[name, value], ...], body_b64, trailers, complete, keep_alive,
responses: [...], ...}}. docs/compliance.md lists every field, and the aux_cases.jsonl format."
    )
}

/// The records of a run, and those that cannot be run.
pub struct Loaded {
    cases: Vec<Case>,
    /// (record, reason) for each record that cannot be run.
    skipped: Vec<(String, String)>,
}

/// Reads the JSONL files. `Err` is the message for a file that cannot be read.
pub fn load(args: &Args) -> Result<Loaded, String> {
    let path = &args.path;
    let text = std::fs::read_to_string(path).map_err(|e| missing_vectors(path, &e))?;
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Value>(line) {
            Ok(v) => match load_case(&v) {
                Ok(c) => cases.push(c),
                Err(s) => skipped.push(s),
            },
            Err(e) => skipped.push((format!("line {}", n + 1), format!("not JSON: {e}"))),
        }
    }
    if let Some(aux) = &args.aux {
        let t = std::fs::read_to_string(aux).map_err(|e| {
            format!("cannot read --aux {aux}: {e} (expected at ../shared/conformance/aux_cases.jsonl; see docs/compliance.md)")
        })?;
        for (n, line) in t.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            match serde_json::from_str::<Value>(line).map_err(|e| e.to_string()) {
                Ok(v) => match aux_case(n + 1, &v) {
                    Ok(c) => cases.push(c),
                    Err(s) => skipped.push(s),
                },
                Err(e) => skipped.push((format!("aux line {}", n + 1), e)),
            }
        }
    }
    Ok(Loaded { cases, skipped })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("conformance: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let Loaded { mut cases, skipped } = match load(&args) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("conformance: {e}");
            std::process::exit(2);
        }
    };
    let Args {
        mode: mode_filter,
        source: source_filter,
        markdown,
        quiet,
        ..
    } = args;
    cases.retain(|c| {
        mode_filter.as_ref().is_none_or(|m| &c.mode == m)
            && source_filter.as_ref().is_none_or(|s| &c.family == s)
    });

    let exceptions: BTreeMap<&str, &str> = EXCEPTIONS.iter().copied().collect();
    let mut table: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut failing = Vec::new();
    let mut excused = Vec::new();
    let mut stale = Vec::new();
    for case in &cases {
        let diffs = match catch_unwind(AssertUnwindSafe(|| run_case(case))) {
            Ok(d) => d,
            Err(_) => vec![Diff {
                field: "panic".into(),
                peer: "-".into(),
                ours: "PANICKED".into(),
            }],
        };
        let tally = table
            .entry((case.family.clone(), case.mode.clone()))
            .or_default();
        tally.total += 1;
        if diffs.is_empty() {
            tally.agree += 1;
        }
        if !quiet {
            for d in &diffs {
                println!(
                    "DIFF {} {}: peer={} h1conn={}",
                    case.id, d.field, d.peer, d.ours
                );
            }
        }
        let gated = case.mode == "strict" && GATED.contains(&case.family.as_str());
        let panicked = diffs.iter().any(|d| d.field == "panic");
        match (diffs.is_empty(), exceptions.get(case.id.as_str())) {
            (false, Some(reason)) if !panicked => excused.push((case.id.clone(), *reason)),
            (false, _) if gated || panicked => failing.push(case.id.clone()),
            (true, Some(_)) => stale.push(case.id.clone()),
            _ => {}
        }
    }
    for (id, why) in &skipped {
        println!("SKIP {id}: {why}");
    }

    println!();
    if markdown {
        println!("| source | mode | agree | total | % |");
        println!("|---|---|---:|---:|---:|");
    } else {
        println!(
            "{:<12} {:<70} {:>6} {:>6} {:>6}",
            "source", "mode", "agree", "total", "%"
        );
    }
    let (mut agree, mut total) = (0, 0);
    for ((family, mode), t) in &table {
        agree += t.agree;
        total += t.total;
        let pct = 100.0 * t.agree as f64 / t.total.max(1) as f64;
        if markdown {
            println!(
                "| {family} | `{mode}` | {} | {} | {pct:.0} |",
                t.agree, t.total
            );
        } else {
            println!(
                "{family:<12} {mode:<70} {:>6} {:>6} {pct:>5.0}%",
                t.agree, t.total
            );
        }
    }
    let pct = 100.0 * agree as f64 / total.max(1) as f64;
    if markdown {
        println!("| **all** | | {agree} | {total} | {pct:.0} |");
    } else {
        println!("{:<12} {:<70} {agree:>6} {total:>6} {pct:>5.0}%", "all", "");
    }
    println!();
    println!("skipped: {}", skipped.len());
    for (id, reason) in &excused {
        println!("EXCEPTION {id}: {reason}");
    }
    for id in &stale {
        println!("STALE exception {id}: now agrees; remove it from EXCEPTIONS");
    }
    if !failing.is_empty() {
        println!(
            "FAIL: {} case(s) failed (a strict llhttp/h11/hyper/go disagreement without a listed exception, or a panic): {}",
            failing.len(),
            failing.join(" ")
        );
        std::process::exit(1);
    }
}
