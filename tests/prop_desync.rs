//! The desync property on generated responses: whenever h1conn keeps a connection alive, the
//! independent oracle (`desync_oracle`) says the response was strictly valid, the body h1conn
//! delivered has exactly the oracle's length, and `End` was reported exactly when the byte at the
//! oracle's message end minus one was handed in (fed one byte at a time). Conversely, every
//! response the oracle calls strictly valid is kept alive with that body.
//!
//! Responses are concatenations of framing pieces drawn from one catalogue of good and bad
//! forms (status lines, interim heads, Content-Length and Transfer-Encoding forms, other field
//! lines, chunk-size lines, extensions, data, trailers, line endings, bytes after the message).
//! A proptest "tape" of bytes chooses every piece, so shrinking walks towards the first, canonical
//! form of each.
//!
//! A third property applies a few raw byte edits to generated responses and hands them in in
//! pieces of 1 to 8 bytes, as the `desync` fuzz target does with arbitrary bytes; and the
//! committed seeds of that target replay here.
//!
//! Default: 512 cases for each of the first two properties, 256 for the mutations; the file runs
//! in about half a second in a debug build. Long run (300,000 cases take about 100 s):
//! `PROPTEST_CASES=300000 cargo test --release --all-features --test prop_desync`.

mod desync_check;
mod desync_oracle;

use desync_check::{Seen, check, fuzz_input};
use desync_oracle::{Req, Verdict};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// Reads choices off the proptest tape; past its end every choice is 0 (the first option).
struct Tape<'a> {
    bytes: &'a [u8],
}

impl Tape<'_> {
    fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    /// One of `options`, by weight; choice 0 is always the first.
    fn pick<T: Copy>(&mut self, options: &[(u32, T)]) -> T {
        let total: u32 = options.iter().map(|(w, _)| w).sum();
        let mut n = u32::from(self.byte()) % total;
        for &(weight, option) in options {
            if n < weight {
                return option;
            }
            n -= weight;
        }
        options[0].1
    }

    fn below(&mut self, n: u8) -> usize {
        usize::from(self.byte() % n)
    }
}

type Form = fn(usize) -> String;

const EOL: &[(u32, &str)] = &[
    (100, "\r\n"),
    (1, "\n"),
    (1, "\r"),
    (1, "\r\r\n"),
    (1, "\n\r"),
    (1, " \r\n"),
];

const STATUS: &[(u32, &str)] = &[
    (40, "HTTP/1.1 200 OK"),
    (2, "HTTP/1.1 204 No Content"),
    (2, "HTTP/1.1 304 Not Modified"),
    (2, "HTTP/1.1 404 Not Found"),
    (1, "HTTP/1.1 200 "),
    (1, "HTTP/1.1 500 \t\u{e9}"),
    (2, "HTTP/1.0 200 OK"),
    (1, "HTTP/1.1 200"),
    (1, "HTTP/1.2 200 OK"),
    (1, "HTTP/1.1 099 Odd"),
    (1, "HTTP/1.1 600 Odd"),
    (1, "HTTP/1.1  200 OK"),
    (1, "HTTP/1.1 101 Switching Protocols"),
    (1, "http/1.1 200 OK"),
];

const INTERIM: &[(u32, &str)] = &[
    (4, "HTTP/1.1 100 Continue"),
    (2, "HTTP/1.1 103 Early Hints"),
    (1, "HTTP/1.1 199 Odd"),
    (1, "HTTP/1.0 100 Continue"),
];

const INTERIM_FIELDS: &[(u32, &str)] = &[
    (12, "Link: </a>; rel=preload"),
    (1, "Content-Length: 0"),
    (1, "Transfer-Encoding: chunked"),
    (1, "Connection: close"),
    (1, "X-Fold:\r\n folded"),
];

/// Content-Length forms for a body of `n` bytes.
const LENGTH: &[(u32, Form)] = &[
    (40, |n| format!("Content-Length: {n}")),
    (1, |n| format!("content-length:{n}")),
    (1, |n| format!("Content-Length: \t{n} ")),
    (1, |n| format!("Content-Length: 0{n}")),
    (1, |n| format!("Content-Length: {n}, {n}")),
    (1, |n| format!("Content-Length: {n}\r\nContent-Length: {n}")),
    (1, |n| {
        format!("Content-Length: {n}\r\nContent-Length: {}", n + 1)
    }),
    (1, |n| format!("Content-Length: {}", n + 1)),
    (1, |n| format!("Content-Length: {}", n.saturating_sub(1))),
    (1, |n| format!("Content-Length: +{n}")),
    (1, |n| format!("Content-Length: {n}.0")),
    (1, |_| "Content-Length: ".to_owned()),
    (1, |n| format!("Content-Length:\r\n {n}")),
    (1, |n| format!("Content-Length: {n}\r\n 0")),
    (1, |n| format!("Content-Length : {n}")),
    (1, |n| format!("Content-Length: 0000000000000000000000{n}")),
];

const CODING: &[(u32, &str)] = &[
    (40, "Transfer-Encoding: chunked"),
    (1, "Transfer-Encoding: Chunked "),
    (1, "transfer-encoding:\tCHUNKED"),
    (1, "Transfer-Encoding: gzip, chunked"),
    (1, "Transfer-Encoding: chunked, gzip"),
    (1, "Transfer-Encoding: chunked,"),
    (1, "Transfer-Encoding: , chunked"),
    (1, "Transfer-Encoding: chunked;a=b"),
    (
        1,
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
    ),
    (1, "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked"),
    (1, "Transfer-Encoding: identity"),
    (1, "Transfer-Encoding: xchunked"),
    (1, "Transfer-Encoding: \"chunked\""),
    (1, "Transfer-Encoding:\r\n chunked"),
    (1, "Transfer-Encoding: chunked\r\n , gzip"),
    (1, "Transfer-Encoding: "),
];

const OTHER_FIELDS: &[(u32, &str)] = &[
    (24, "Date: Tue, 01 Apr 2025 00:00:00 GMT"),
    (3, "Connection: keep-alive"),
    (1, "Connection: close"),
    (1, "Connection: keep-alive, close"),
    (1, "Keep-Alive: timeout=5"),
    (1, "X-Tab:\tv\t"),
    (1, "X-Text: \u{e9}t\u{e9}"),
    (1, "X-Fold: a\r\n b"),
    (1, "X-Empty-Fold:\r\n b"),
    (1, "X-Empty:"),
    (1, " "),
    (1, "Bad Name: x"),
    (1, "X-Del: a\u{7f}"),
    (1, "Transfer_Encoding: chunked"),
];

const CHUNK_SIZE: &[(u32, Form)] = &[
    (40, |n| format!("{n:x}")),
    (4, |n| format!("{n:X}")),
    (1, |n| format!("{n:016x}")),
    (1, |n| format!("{n:017x}")),
    (1, |n| format!("{:x}", n + 1)),
    (1, |n| format!("{n:x} ")),
    (1, |n| format!("0x{n:x}")),
    (1, |n| format!("1000000000000000{n:x}")),
];

const EXTENSION: &[(u32, &str)] = &[
    (40, ""),
    (2, ";a"),
    (2, ";a=b"),
    (1, ";a=\"b c;\\\"\""),
    (1, " ; a = b"),
    (1, ";a=b;c"),
    (1, ";a "),
    (1, ";a=b\t"),
    (1, ";"),
    (1, ";a="),
    (1, ";a b"),
    (1, ";a=\"b"),
    (1, ";a\"b\""),
];

const LAST_CHUNK: &[(u32, &str)] = &[
    (30, "0"),
    (1, "00"),
    (1, "0000000000000000"),
    (1, "00000000000000000"),
    (1, "0;a=b"),
    (1, "0 "),
];

const TRAILER: &[(u32, &str)] = &[
    (15, "Expires: never"),
    (1, "Content-Length: 5"),
    (1, "Transfer-Encoding: chunked"),
    (1, " folded"),
    (1, "Bad Name: 1"),
    (1, "X: \u{1}"),
];

const AFTER: &[(u32, &str)] = &[
    (24, ""),
    (1, "\r\n"),
    (1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    (1, "x"),
];

const DATA: &[u8] = b"abcdefgh\r\n0;:HTTP/1.1 ";

/// A response (and whether the request was HEAD) built from the tape.
fn build(tape: &[u8]) -> (Req, Vec<u8>) {
    let mut t = Tape { bytes: tape };
    let mut out = String::new();
    let req = Req {
        head: t.below(8) == 0,
        connect: false,
    };
    let line = |out: &mut String, t: &mut Tape, text: &str| {
        out.push_str(text);
        out.push_str(t.pick(EOL));
    };
    for _ in 0..[0, 0, 0, 1, 1, 2][t.below(6)] {
        let interim = t.pick(INTERIM);
        line(&mut out, &mut t, interim);
        for _ in 0..t.below(3) {
            let field = t.pick(INTERIM_FIELDS);
            line(&mut out, &mut t, field);
        }
        line(&mut out, &mut t, "");
    }
    let status = t.pick(STATUS);
    line(&mut out, &mut t, status);
    let len = t.below(24);
    // 0: Content-Length, 1: chunked, 2: neither, 3: both.
    let framing = t.pick(&[(10, 0u8), (10, 1), (1, 2), (1, 3)]);
    let mut fields: Vec<String> = (0..t.below(4))
        .map(|_| t.pick(OTHER_FIELDS).to_owned())
        .collect();
    if framing == 0 || framing == 3 {
        let at = t.below(4).min(fields.len());
        fields.insert(at, t.pick(LENGTH)(len));
    }
    if framing == 1 || framing == 3 {
        let at = t.below(4).min(fields.len());
        fields.insert(at, t.pick(CODING).to_owned());
    }
    for field in &fields {
        line(&mut out, &mut t, field);
    }
    line(&mut out, &mut t, "");
    let data = |t: &mut Tape, n: usize| -> String {
        (0..n)
            .map(|_| char::from(DATA[t.below(DATA.len() as u8)]))
            .collect()
    };
    if framing == 1 {
        let mut left = len;
        while left > 0 {
            let size = 1 + t.below(8).min(left - 1);
            let size_line = format!("{}{}", t.pick(CHUNK_SIZE)(size), t.pick(EXTENSION));
            line(&mut out, &mut t, &size_line);
            out.push_str(&data(&mut t, size));
            out.push_str(t.pick(EOL));
            left -= size;
        }
        let last = format!("{}{}", t.pick(LAST_CHUNK), t.pick(EXTENSION));
        line(&mut out, &mut t, &last);
        for _ in 0..[0, 0, 1, 2][t.below(4)] {
            let field = t.pick(TRAILER);
            line(&mut out, &mut t, field);
        }
        line(&mut out, &mut t, "");
    } else {
        out.push_str(&data(&mut t, len));
    }
    out.push_str(t.pick(AFTER));
    (req, out.into_bytes())
}

fn tape() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..160)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The desync property, one byte at a time, with the default and the strict configuration.
    #[test]
    fn keep_alive_only_on_what_the_oracle_frames_the_same(tape in tape()) {
        let (req, bytes) = build(&tape);
        for strict in [false, true] {
            let outcome = check(req, &bytes, 1, strict);
            prop_assert!(outcome.is_ok(), "{} (strict: {strict}): {}", bytes.escape_ascii(), outcome.unwrap_err());
        }
    }

    /// The converse: a response the oracle calls strictly valid is kept alive with its body.
    #[test]
    fn what_the_oracle_calls_valid_is_kept_alive(tape in tape()) {
        let (req, bytes) = build(&tape);
        if let Verdict::Valid { body, .. } = desync_oracle::judge(req, &bytes) {
            for strict in [false, true] {
                let outcome = check(req, &bytes, 1, strict).map_err(TestCaseError::fail)?;
                prop_assert_eq!((outcome.seen, outcome.body), (Seen::Reused, Some(body)),
                    "{} (strict: {})", bytes.escape_ascii(), strict);
            }
        }
    }
}

/// Bytes that matter to framing, for the mutations.
const INTERESTING: &[u8] = b"\r\n \t:;,=\"\\0159aAfFxX-+\x00\x7f\x80\xff";

/// One edit: overwrite, insert or delete at a position (taken modulo the length).
fn edit() -> impl Strategy<Value = (usize, u8, u8)> {
    let byte = prop_oneof![3 => proptest::sample::select(INTERESTING), 1 => any::<u8>()];
    (any::<usize>(), byte, 0u8..3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The desync property on generated responses with a few raw byte edits, handed in in
    /// pieces of 1 to 8 bytes (what the fuzz target does with arbitrary bytes).
    #[test]
    fn mutated_responses_keep_the_property(
        tape in tape(),
        edits in vec(edit(), 1..4),
        piece in 1usize..9,
    ) {
        let (req, mut bytes) = build(&tape);
        for (at, byte, kind) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = byte,
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, byte),
            }
        }
        for strict in [false, true] {
            let outcome = check(req, &bytes, piece, strict);
            prop_assert!(outcome.is_ok(), "{} (strict: {strict}, pieces of {piece}): {}",
                bytes.escape_ascii(), outcome.unwrap_err());
        }
    }
}

/// The generator reaches both sides of the property: a fixed-seed sample holds strictly valid
/// responses (kept alive), invalid ones, and streams with bytes after a valid message.
#[test]
fn the_catalogue_reaches_valid_and_invalid_responses() {
    let mut runner = TestRunner::deterministic();
    let (mut valid, mut reused, mut invalid, mut trailing) = (0, 0, 0, 0);
    let total = 400;
    for _ in 0..total {
        let tape = tape().new_tree(&mut runner).expect("tape").current();
        let (req, bytes) = build(&tape);
        match desync_oracle::judge(req, &bytes) {
            Verdict::Valid { end, .. } => {
                valid += 1;
                trailing += usize::from(end < bytes.len());
            }
            Verdict::No(_) => invalid += 1,
        }
        let outcome = check(req, &bytes, 0, false).expect("property");
        reused += usize::from(outcome.seen == Seen::Reused);
    }
    println!(
        "{total} sampled: {valid} valid ({trailing} with bytes after), {invalid} not, {reused} reused"
    );
    assert!(valid * 5 >= total, "only {valid} of {total} valid");
    assert!(invalid * 5 >= total, "only {invalid} of {total} invalid");
    assert!(trailing > 0 && reused * 5 >= total);
}

/// The committed fuzz seeds (`fuzz/seeds/desync/`) and the minimised campaign corpus
/// (`fuzz/cmin/desync/`) replay through the fuzz target's logic.
#[test]
fn fuzz_seeds_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds: Vec<_> = ["fuzz/seeds/desync", "fuzz/cmin/desync"]
        .iter()
        .flat_map(|dir| {
            let dir = root.join(dir);
            std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.expect("directory entry").path())
        })
        .collect();
    seeds.sort();
    assert!(
        seeds.len() > 100,
        "seeds and the minimised corpus: {}",
        seeds.len()
    );
    for path in seeds {
        let data = std::fs::read(&path).expect("readable seed");
        let (req, piece, strict, response) = fuzz_input(&data).expect("non-empty seed");
        if let Err(e) = check(req, response, piece, strict) {
            panic!("{}: {e}", path.display());
        }
    }
}
