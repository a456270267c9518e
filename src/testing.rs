//! The event-contract checker, for property tests and fuzz harnesses (feature `testing`).
//!
//! [`Checker`] watches one [`Connection`](crate::Connection) from the outside: it is told about
//! every call made (with its result) and every output taken, and reports the first breach of the
//! [event contract](crate#the-event-contract) as a typed [`Violation`]. It reads no private state,
//! so it checks the machine only through what a caller can see.
//!
//! [`Checked`] wraps a connection and a checker so that every call is reported without the
//! harness having to remember to: it is the easy way to drive a connection under test. It also
//! reads and reports the facts a plain observer cannot see, for the laws the checker judges from
//! them: a command that returns `Err` leaves the connection exactly as it was, draining outputs
//! never moves the timer, `handle_timeout` changes nothing before the deadline and handles it at
//! the deadline, and the getters agree with the drained events (see [`Getters`]).
//!
//! [`fuzz`] holds the logic of the fuzz targets in `fuzz/`, as functions of raw bytes, so the
//! committed seed corpora replay on the stable toolchain (`tests/fuzz_corpus.rs`).
//!
//! What the checker verifies, beyond the numbered rules:
//! - per request: `Informational* Head Data* End [Upgraded]` or `RequestFailed`, with at most one
//!   `StopSending` (only for a request that declared a body) before the request's last event;
//! - the body of a `Content-Length` response (not HEAD, not 1xx/204/304, not a tunnel) adds up to
//!   the declared length at `End`; a bodiless response carries no `Data`; `Data` is never empty;
//! - `End { reuse: KeepAlive }` is followed by `Idle`; `End { reuse: Close(r) }` by `Closed { r }`
//!   (after `Upgraded` for a tunnel); `Idle` follows only a completed or withdrawn request;
//! - `End`'s reuse follows the close-reason table of `docs/events.md`: the head and request
//!   decide `Upgraded`, `EndOfBody`, `AmbiguousFraming`, `ServerRequestedClose`, `Http10` and
//!   `ClientRequestedClose`; otherwise only a write error, an unfinished body or `close()` may
//!   close;
//! - no `Informational` or `Head` for a request none of whose bytes was transmitted;
//! - the retry facts: `Progress::NotSent` only if no byte of the request can have been transmitted,
//!   `SentNoResponse` only if something was transmitted and no input arrived after it,
//!   `ResponseStarted` only if input arrived; `is_replayable` only for an idempotent method or an
//!   `Idempotency-Key`; `reused_connection` exactly when an earlier response completed;
//! - every failure kind and close reason has a cause among the calls made (no `Eof` without
//!   `handle_eof`, no `LocalClose` without `close`, ...);
//! - once a call returned [`UsageError::Closed`](crate::UsageError::Closed), or after `handle_eof`
//!   or `abort`, draining events reaches `Closed`; after `Closed` no call succeeds and nothing is
//!   transmitted; after `handle_write_error` nothing is transmitted either.
//!
//! Attribution of transmitted bytes is conservative: bytes transmitted while an earlier
//! request's body may still have been queued are not held against the current request.
//!
//! ```
//! # #[cfg(feature = "testing")] {
//! use h1conn::testing::Checked;
//! use h1conn::{Config, Instant, Request};
//!
//! let mut conn = Checked::new(Config::default());
//! let now = Instant::ZERO;
//! conn.send_request(&Request::get("/").header("Host", "x"), now).unwrap();
//! conn.drain();
//! conn.handle_input(b"HTTP/1.1 204 No Content\r\n\r\n", now).unwrap();
//! conn.handle_eof(now).unwrap();
//! conn.drain();
//! conn.assert_ok(); // panics with the violation and the transcript if the contract broke
//! assert_eq!(conn.events().len(), 4); // Head, End, Idle, Closed
//! # }
//! ```
//!
//! Nothing here panics except [`Checked::assert_ok`], [`Checker::assert_ok`] and [`assert_ok`],
//! whose purpose is to.

mod checked;
mod checker;
pub mod fuzz;

pub use checked::Checked;
pub use checker::{Call, Checker, Getters, Violation, ViolationKind};

use crate::event::Event;
use alloc::vec::Vec;

/// Panics with the violation, if `result` holds one. For harnesses that prefer a panic (libFuzzer
/// reports panics as crashes).
#[track_caller]
pub fn assert_ok<E: core::fmt::Display>(result: Result<(), E>) {
    if let Err(e) = result {
        panic!("h1conn contract violation: {e}");
    }
}

/// `events` with adjacent [`Event::Data`] of one request merged into one, so transcripts of the
/// same response received in different pieces compare equal.
pub fn merge_data(events: &[Event]) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for event in events {
        if let (
            Some(Event::Data {
                id: last_id,
                data: last,
            }),
            Event::Data { id, data },
        ) = (out.last_mut(), event)
        {
            if last_id == id {
                let mut joined = Vec::with_capacity(last.len() + data.len());
                joined.extend_from_slice(last);
                joined.extend_from_slice(data);
                *last = bytes::Bytes::from(joined);
                continue;
            }
        }
        out.push(event.clone());
    }
    out
}
