//! # h1conn: a sans-IO HTTP/1.1 client connection
//!
//! A pure state machine for one client-side HTTP/1.1 connection. It owns no socket, thread or
//! clock: the caller queues requests and body bytes, pulls the bytes to write, pushes in the bytes
//! it read (plus EOF, write failure and the time), and pulls **ordered events**.
//!
//! ```text
//!            send_request / send_body / finish_body / cancel / close / abort   (commands)
//!                                   │
//!   handle_input(bytes, now) ──►┌──────────────┐──► poll_transmit() -> Bytes   (write these)
//!   handle_eof(now)          ──►│  Connection  │──► poll_event()    -> Event   (act on these)
//!   handle_write_error(now)  ──►│  (no I/O)    │──► poll_timeout()  -> Instant (wake then,
//!   handle_timeout(now)      ──►└──────────────┘                               call handle_timeout)
//! ```
//!
//! Who it is for: authors of HTTP clients and runtimes (async, blocking, embedded, simulated),
//! fuzzing harnesses and property tests.
//!
//! ## Why ordered events
//! Go's `net/http` once raced a response against the close that followed it: a server answering
//! `Connection: close` made the reader deliver the response and close the connection at the same
//! time, and the caller could see "closed" first, so Go waited 100 ms before trusting a failure.
//! Here the order is structural: a response whose bytes arrived is reported completely before the
//! connection is reported closed, and `Closed` is always the last event. An adapter that turns
//! events into channel sends in the same order cannot have that race.
//!
//! ## Driving it
//! After every input or command, write out what `poll_transmit` gives, handle every event from
//! `poll_event`, and arm a timer for `poll_timeout`. A complete exchange in memory:
//!
//! ```
//! use h1conn::{Config, Connection, Event, Instant, Request, Reuse};
//!
//! let mut conn = Connection::new(Config::default());
//! let now = Instant::ZERO;
//! let id = conn.send_request(&Request::get("/").header("Host", "example.com"), now)?;
//!
//! // 1. Write what the connection wants written.
//! let mut wire = Vec::new();
//! while let Some(bytes) = conn.poll_transmit() {
//!     wire.extend_from_slice(&bytes);
//! }
//! assert_eq!(wire, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
//!
//! // 2. Hand in what the server sent (in any pieces), then drain events.
//! conn.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", now)?;
//! conn.handle_input(b"lo", now)?;
//! let mut body = Vec::new();
//! while let Some(event) = conn.poll_event() {
//!     match event {
//!         Event::Head { id: got, head } => assert_eq!((got, head.status()), (id, 200)),
//!         Event::Data { data, .. } => body.extend_from_slice(&data),
//!         Event::End { reuse, .. } => assert_eq!(reuse, Reuse::KeepAlive),
//!         Event::Idle => {} // ready for the next request
//!         other => panic!("unexpected {other:?}"),
//!     }
//! }
//! assert_eq!(body, b"hello");
//! # Ok::<(), h1conn::UsageError>(())
//! ```
//!
//! ## The event contract
//! These rules are enforced in [`Connection`] (comments in `conn.rs` name each rule where it is
//! enforced) and checked by the tests; the full text, with the close-reason table, retry safety,
//! timers and the rules for driving a real transport, is the [`contract`] module
//! (`docs/events.md`).
//!
//! 1. For each request, the connection MUST report either: zero or more
//!    [`Event::Informational`], exactly one [`Event::Head`], zero or more [`Event::Data`], then
//!    exactly one [`Event::End`] (then [`Event::Upgraded`] for an accepted upgrade or tunnel);
//!    or exactly one [`Event::RequestFailed`]. Never both, never twice.
//!    [`Event::StopSending`] MAY appear once, anywhere before the request's `End` or
//!    `RequestFailed`, when its unfinished body will not be sent in full: right after the
//!    `Head` that says the connection closes, before `End` when the response finished first, or
//!    at once after [`Connection::handle_write_error`] (before any response event).
//! 2. Responses MUST be reported in request order; no event names a request that was not sent
//!    with [`Connection::send_request`].
//! 3. A response whose bytes were all handed in MUST be reported completely before any event
//!    caused by a later input (EOF, write failure, timeout, command).
//! 4. [`Event::Closed`] MUST be reported on every path (server close, peer EOF, protocol error,
//!    timeout, local close or abort, upgrade), exactly once, and last; every request without a
//!    complete response MUST have been failed before it. After it, `poll_event` returns `None`
//!    and every input and command that returns a `Result` returns [`UsageError::Closed`]
//!    ([`Connection::handle_timeout`] does nothing).
//! 5. [`Event::Idle`] MUST be reported when a keep-alive connection finishes a response (or
//!    withdraws an unsent request) and has nothing in flight, and only then; a fresh connection
//!    reports none. Bytes arriving while nothing is in flight are unsolicited: the connection
//!    closes with [`CloseReason::UnsolicitedBytes`] and fails no request that was sent.
//! 6. Every decision MUST be taken inside an input or command call: draining outputs in any
//!    order yields the same events.
//!
//! ## Leniency costs reuse
//! Where h1conn accepts what the strict grammar does not (a bare LF, an obs-fold, repeated
//! `Content-Length` values, ... see [`Leniency`]), the response is delivered and the connection
//! closes after it with [`CloseReason::Lenient`]: no later response is ever framed on a boundary
//! another parser might put elsewhere. [`Config::strict`] rejects them instead.
//!
//! ## Time
//! The connection never reads a clock. Inputs and commands that can start a timer take
//! `now: `[`Instant`] (a point on the caller's own timeline); [`Connection::poll_timeout`] says
//! when to call [`Connection::handle_timeout`].
//!
//! ## Errors and panics
//! Caller misuse returns [`UsageError`] from the call, which then changed nothing. Peer
//! misbehaviour never returns an error: it arrives as [`Event::RequestFailed`] carrying a
//! [`ProtocolError`], after everything that came before it, then [`Event::Closed`]. Each failure
//! carries a retry verdict ([`RequestError::is_retryable`]). No input bytes and no sequence of
//! calls makes the connection panic; a panic is a bug.
//!
//! ## Features
//! - `std` (default): the blocking adapter, [`blocking`]. The core is `no_std` with `alloc`.
//! - `tokio`: the tokio adapter, `h1conn::tokio` (one task per connection).
//! - `http`: conversions to and from the `http` crate's types (`Request::from_http`,
//!   `ResponseHead::to_http`, `Headers::to_http`).
//! - `http-body` (implies `tokio` and `http`): the tokio adapter's response is an
//!   `http_body::Body` (data frames, then the trailers as an `http::HeaderMap`).
//! - `tracing`: `tracing` events from the adapters and the pool.
//! - `testing`: the `h1conn::testing` module, a reusable checker of this whole contract for property
//!   tests and fuzz harnesses (`docs/fuzzing.md`).
//!
//! HTTP/1.1 pipelining is not built: one request is in flight at a time
//! ([`UsageError::Busy`] otherwise).
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod body;
mod chunked;
mod config;
mod conn;
mod error;
mod event;
mod framing;
mod head;
mod headers;
mod leniency;
mod recv_buf;
mod request;
mod time;

pub mod pool;

#[cfg(feature = "http")]
mod http_interop;
#[cfg(feature = "http")]
pub use http_interop::HttpConversionError;
mod token;

#[cfg(feature = "testing")]
pub mod testing;

// The adapters: thin layers that move bytes and obey events, using only the public API above.
#[cfg(feature = "std")]
#[path = "adapters/trace.rs"]
mod adapter_trace;
#[cfg(feature = "std")]
#[path = "adapters/blocking/mod.rs"]
pub mod blocking;
#[cfg(feature = "tokio")]
#[path = "adapters/tokio/mod.rs"]
pub mod tokio;

/// The event contract in full: rules E1–E8, the close-reason table, retry safety, request
/// bodies, timers, and the rules for driving a real transport (read errors, backpressure,
/// reading while idle or uploading, time). This is `docs/events.md`, rendered.
#[doc = include_str!("../docs/events.md")]
pub mod contract {}

pub use bytes::{Bytes, BytesMut};
pub use config::{Config, MAX_HEADERS_LIMIT};
pub use conn::Connection;
pub use error::{
    CloseReason, EofPhase, FailureKind, Progress, ProtocolError, RequestError, UsageError,
};
pub use event::{Event, RequestId, Reuse};
pub use head::{ResponseHead, Version};
pub use headers::{HeaderField, Headers};
pub use leniency::Leniency;
pub use request::{Request, RequestBody};
pub use time::Instant;

/// Compiles the README's examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
