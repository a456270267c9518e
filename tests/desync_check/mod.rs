//! The desync property, shared by `tests/prop_desync.rs` and `fuzz/fuzz_targets/desync.rs`
//! (which includes this file and `tests/desync_oracle/mod.rs` by path): whenever h1conn reuses a
//! connection, the independent oracle says the response was strictly valid, h1conn delivered
//! exactly the oracle's body, and `End` was reported when the byte just before the oracle's
//! message end was handed in.
#![allow(dead_code)] // the fuzz target uses only `check` and `fuzz_input`

use crate::desync_oracle::{Req, Tolerate, Verdict, judge, judge_tolerating};
use h1conn::testing::Checked;
use h1conn::{CloseReason, Config, Event, Instant, Request, Reuse};

/// What a run showed, once the property held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Kept alive, and the strict oracle agrees on the body and the message end.
    Reused,
    /// Kept alive where only a known finding (`Tolerate::KNOWN`) explains it; body and message
    /// end still agree.
    KnownFinding,
    /// Not kept alive (closed, failed or incomplete).
    NotReused,
}

/// What one run produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub seen: Seen,
    /// The strict oracle's verdict on the stream.
    pub verdict: Verdict,
    /// The body h1conn delivered before `End`, when it reported `End`.
    pub body: Option<u64>,
}

/// The fuzz input format: `[flags] response…`. Flags: bit 0 HEAD (else GET), bits 1..=3 the
/// piece size minus one (1..=8 bytes), bit 4 `Config::strict(true)`.
pub fn fuzz_input(data: &[u8]) -> Option<(Req, usize, bool, &[u8])> {
    let (&flags, response) = data.split_first()?;
    let req = Req {
        head: flags & 1 != 0,
        connect: false,
    };
    Some((
        req,
        usize::from((flags >> 1) & 7) + 1,
        flags & 0x10 != 0,
        response,
    ))
}

/// Sends GET (or HEAD) on a fresh connection under `Checked`, hands `response` in `piece`-byte
/// pieces (0: whole), then EOF, and checks the contract and the desync property.
pub fn check(req: Req, response: &[u8], piece: usize, strict: bool) -> Result<Outcome, String> {
    let now = Instant::ZERO;
    let request = if req.head {
        Request::new("HEAD", "/")
    } else {
        Request::get("/")
    }
    .header("Host", "example.com");
    let mut c = Checked::new(Config::default().strict(strict)).check_rejections(false);
    c.send_request(&request, now).map_err(|e| e.to_string())?;
    c.drain();
    // The input bytes during which `End` was reported.
    let mut end_during = None;
    let mut fed = 0;
    let piece = if piece == 0 { response.len() } else { piece };
    for part in response.chunks(piece.max(1)) {
        let before = c.events().len();
        let _ = c.handle_input(part, now);
        c.drain();
        let ended = c.events()[before..]
            .iter()
            .any(|e| matches!(e, Event::End { .. }));
        if ended && end_during.is_none() {
            end_during = Some(fed..fed + part.len());
        }
        fed += part.len();
    }
    if !c.connection().is_closed() {
        let _ = c.handle_eof(now);
        c.drain();
    }
    c.result().map_err(|v| format!("contract: {v}"))?;

    let mut body = 0u64;
    let mut end = None;
    for event in c.events() {
        match event {
            Event::Data { data, .. } => body += data.len() as u64,
            Event::End { reuse, .. } => {
                end = Some(*reuse);
                break;
            }
            _ => {}
        }
    }
    let verdict = judge(req, response);
    let outcome = |seen| Outcome {
        seen,
        verdict,
        body: end.map(|_| body),
    };
    match end {
        Some(Reuse::KeepAlive) => {}
        Some(Reuse::Close(CloseReason::Lenient(l))) if strict => {
            return Err(format!("strict mode closed on leniency {l:?}"));
        }
        _ => return Ok(outcome(Seen::NotReused)),
    }
    let (seen, (want, message_end)) = match verdict {
        Verdict::Valid { body, end } => (Seen::Reused, (body, end)),
        Verdict::No(why) => match judge_tolerating(req, response, Tolerate::KNOWN) {
            Verdict::Valid { body, end } => (Seen::KnownFinding, (body, end)),
            Verdict::No(_) => return Err(format!("kept alive, but the oracle says {why:?}")),
        },
    };
    if body != want {
        return Err(format!(
            "kept alive with {body} body bytes, the oracle says {want}"
        ));
    }
    match end_during {
        Some(during) if during.contains(&(message_end - 1)) => Ok(outcome(seen)),
        other => Err(format!(
            "End reported while bytes {other:?} were handed in; the message ends at {message_end}"
        )),
    }
}
