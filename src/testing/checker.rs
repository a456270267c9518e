//! The observer: calls and outputs in, the first contract violation out.

use crate::error::{CloseReason, EofPhase, FailureKind, Progress, RequestError, UsageError};
use crate::event::{Event, RequestId, Reuse};
use crate::head::{ResponseHead, Version};
use crate::request::{Request, RequestBody};
use alloc::vec::Vec;
use core::fmt;

mod laws;

pub use laws::Getters;

/// A call made on the connection, other than [`send_request`](crate::Connection::send_request)
/// (see [`Checker::send_request`]) and the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Call<'a> {
    /// [`send_body`](crate::Connection::send_body) with this many bytes.
    SendBody {
        /// The request named.
        id: RequestId,
        /// Bytes handed over.
        len: usize,
    },
    /// [`finish_body`](crate::Connection::finish_body).
    FinishBody {
        /// The request named.
        id: RequestId,
    },
    /// [`cancel`](crate::Connection::cancel).
    Cancel {
        /// The request named.
        id: RequestId,
    },
    /// [`close`](crate::Connection::close).
    Close,
    /// [`abort`](crate::Connection::abort).
    Abort,
    /// [`handle_input`](crate::Connection::handle_input) with these bytes.
    Input(&'a [u8]),
    /// [`handle_eof`](crate::Connection::handle_eof).
    Eof,
    /// [`handle_write_error`](crate::Connection::handle_write_error).
    WriteError,
    /// [`handle_read_error`](crate::Connection::handle_read_error).
    ReadError,
    /// [`handle_timeout`](crate::Connection::handle_timeout) (report it with `Ok(())`).
    Timeout,
}

impl Call<'_> {
    fn name(&self) -> &'static str {
        match self {
            Call::SendBody { .. } => "send_body",
            Call::FinishBody { .. } => "finish_body",
            Call::Cancel { .. } => "cancel",
            Call::Close => "close",
            Call::Abort => "abort",
            Call::Input(_) => "handle_input",
            Call::Eof => "handle_eof",
            Call::WriteError => "handle_write_error",
            Call::ReadError => "handle_read_error",
            Call::Timeout => "handle_timeout",
        }
    }
}

/// One breach of the contract, with the number of the observation (call or output, counted from
/// 0) at which it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The observation at which the breach was seen.
    pub step: u64,
    /// What was breached.
    pub kind: ViolationKind,
}

/// What was breached. Names of events and calls are given as their method or variant names.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViolationKind {
    /// An event named a request that `send_request` never returned.
    UnknownRequest {
        /// The id in the event.
        id: RequestId,
    },
    /// `send_request` returned an id that is not greater than every earlier one.
    IdNotFresh {
        /// The id returned.
        id: RequestId,
    },
    /// An event for `id` came while the earlier request `earlier` had not ended (rule 2).
    OutOfOrder {
        /// The request named by the event.
        id: RequestId,
        /// The earlier request still without its last event.
        earlier: RequestId,
    },
    /// A request's events broke `Informational* Head Data* End [Upgraded] | RequestFailed`
    /// (rule 1).
    BadSequence {
        /// The request.
        id: RequestId,
        /// The event that does not fit.
        event: &'static str,
        /// What the request had seen before it.
        after: &'static str,
    },
    /// `Informational` or `Head` for a request none of whose bytes can have been transmitted
    /// (rule E2: such bytes are unsolicited).
    ResponseBeforeTransmit {
        /// The request.
        id: RequestId,
    },
    /// `End`'s [`Reuse`] contradicts the head, the request or the calls made (the close-reason
    /// table of `docs/events.md`).
    BadReuse {
        /// The request.
        id: RequestId,
        /// The reuse reported.
        reuse: Reuse,
    },
    /// A second `StopSending`, or one for a request that declared no body.
    BadStopSending {
        /// The request.
        id: RequestId,
    },
    /// `Data` with no bytes.
    EmptyData {
        /// The request.
        id: RequestId,
    },
    /// `Data` for a response that has no body (HEAD, 1xx, 204, 304) or is a tunnel.
    DataWithoutBody {
        /// The request.
        id: RequestId,
        /// The final status.
        status: u16,
    },
    /// A `Content-Length` body did not add up to the declared length.
    LengthMismatch {
        /// The request.
        id: RequestId,
        /// The declared length.
        declared: u64,
        /// Body bytes reported (at `End`, or so far when already too many).
        received: u64,
    },
    /// `End` for a response whose `Content-Length` is malformed or conflicting.
    InvalidLengthAccepted {
        /// The request.
        id: RequestId,
    },
    /// An informational event carried a final status, or `Head` a 1xx other than 101.
    BadStatus {
        /// The request.
        id: RequestId,
        /// The status.
        status: u16,
    },
    /// The event that had to follow an `End` (or `Upgraded`) did not.
    BadFollowUp {
        /// What had to come.
        expected: &'static str,
        /// What came.
        got: &'static str,
    },
    /// `Idle` without a request just completed or withdrawn (rule 5).
    UnexpectedIdle,
    /// `Closed` while a request sent had neither ended nor failed (rule 4).
    UnfinishedAtClose {
        /// The request left hanging.
        id: RequestId,
    },
    /// An event after `Closed` (rule 4).
    EventAfterClosed {
        /// The event.
        event: &'static str,
    },
    /// Events were drained without `Closed` though the close had been decided (rule 4).
    MissingClosed {
        /// What decided the close.
        cause: &'static str,
    },
    /// A call succeeded after the close was decided.
    CallAfterClosed {
        /// The call.
        call: &'static str,
    },
    /// `poll_transmit` gave bytes after the close was decided.
    TransmitAfterClosed,
    /// `poll_transmit` gave bytes after `handle_write_error` ("nothing more is transmitted").
    TransmitAfterWriteError,
    /// A failure's [`Progress`] contradicts what was transmitted and received.
    BadProgress {
        /// The request.
        id: RequestId,
        /// The progress reported.
        progress: Progress,
        /// The fact it contradicts.
        why: &'static str,
    },
    /// [`RequestError::is_replayable`] or [`RequestError::reused_connection`] is wrong.
    BadRetryFacts {
        /// The request.
        id: RequestId,
        /// Which fact.
        why: &'static str,
    },
    /// A failure kind or close reason with no call that could have caused it.
    Uncaused {
        /// The kind or reason.
        what: &'static str,
    },
    /// A command returned `Err` and yet changed the connection (checked by [`Checked`](super::Checked)).
    RejectedCallChangedState {
        /// The call.
        call: &'static str,
        /// Its error.
        error: UsageError,
    },
    /// `poll_timeout` changed across an output call (checked by [`Checked`](super::Checked)).
    TimeoutMovedByOutput,
    /// A getter disagrees with the drained events (checked by [`Checked`](super::Checked)).
    GetterDisagrees {
        /// The getter.
        getter: &'static str,
    },
    /// `handle_timeout` before the deadline changed the connection (checked by
    /// [`Checked`](super::Checked)).
    EarlyTimeoutChangedState,
    /// `handle_timeout` at or after the deadline left a deadline at or before `now` (checked by
    /// [`Checked`](super::Checked)): a timer loop would spin.
    TimeoutNotHandled,
}

/// Gives [`ViolationKind`] its `name` and `NAMES` from one list, so the two cannot drift: the
/// match in `name` is exhaustive (inside this crate `#[non_exhaustive]` does not relax it), so a
/// new kind does not compile until it is listed here.
macro_rules! kind_names {
    ($($kind:ident)*) => {
        impl ViolationKind {
            /// The name of every kind, in declaration order. Tests use it to show that each kind
            /// is caught (`tests/checker_catches.rs`).
            pub const NAMES: &'static [&'static str] = &[$(stringify!($kind)),*];

            /// The kind's variant name, as listed in [`NAMES`](Self::NAMES).
            pub fn name(&self) -> &'static str {
                match self {
                    $(ViolationKind::$kind { .. } => stringify!($kind),)*
                }
            }
        }
    };
}

kind_names! {
    UnknownRequest IdNotFresh OutOfOrder BadSequence ResponseBeforeTransmit BadReuse
    BadStopSending EmptyData DataWithoutBody LengthMismatch InvalidLengthAccepted BadStatus
    BadFollowUp UnexpectedIdle UnfinishedAtClose EventAfterClosed MissingClosed CallAfterClosed
    TransmitAfterClosed TransmitAfterWriteError BadProgress BadRetryFacts Uncaused
    RejectedCallChangedState TimeoutMovedByOutput GetterDisagrees EarlyTimeoutChangedState
    TimeoutNotHandled
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at step {}: ", self.step)?;
        match &self.kind {
            ViolationKind::UnknownRequest { id } => write!(f, "event names {id}, never sent"),
            ViolationKind::IdNotFresh { id } => write!(f, "send_request returned used id {id}"),
            ViolationKind::OutOfOrder { id, earlier } => {
                write!(f, "event for {id} before {earlier} ended")
            }
            ViolationKind::BadSequence { id, event, after } => {
                write!(f, "{event} for {id} after {after}")
            }
            ViolationKind::BadStopSending { id } => {
                write!(f, "StopSending for {id} twice or without a body")
            }
            ViolationKind::ResponseBeforeTransmit { id } => {
                write!(
                    f,
                    "response event for {id} before any of it was transmitted"
                )
            }
            ViolationKind::BadReuse { id, reuse } => {
                write!(
                    f,
                    "End for {id} with {reuse:?} contradicts the head and calls"
                )
            }
            ViolationKind::EmptyData { id } => write!(f, "empty Data for {id}"),
            ViolationKind::DataWithoutBody { id, status } => {
                write!(f, "Data for {id} whose {status} response has no body")
            }
            ViolationKind::LengthMismatch {
                id,
                declared,
                received,
            } => write!(
                f,
                "{id} declared Content-Length {declared} and reported {received} body bytes"
            ),
            ViolationKind::InvalidLengthAccepted { id } => {
                write!(f, "End for {id} despite an invalid Content-Length")
            }
            ViolationKind::BadStatus { id, status } => {
                write!(f, "status {status} in the wrong event for {id}")
            }
            ViolationKind::BadFollowUp { expected, got } => {
                write!(f, "expected {expected} next, got {got}")
            }
            ViolationKind::UnexpectedIdle => f.write_str("Idle without a request just finished"),
            ViolationKind::UnfinishedAtClose { id } => {
                write!(f, "Closed while {id} had no final event")
            }
            ViolationKind::EventAfterClosed { event } => write!(f, "{event} after Closed"),
            ViolationKind::MissingClosed { cause } => {
                write!(f, "events drained without Closed after {cause}")
            }
            ViolationKind::CallAfterClosed { call } => {
                write!(f, "{call} succeeded after the close was decided")
            }
            ViolationKind::TransmitAfterClosed => {
                f.write_str("poll_transmit gave bytes after the close was decided")
            }
            ViolationKind::TransmitAfterWriteError => {
                f.write_str("poll_transmit gave bytes after handle_write_error")
            }
            ViolationKind::BadProgress { id, progress, why } => {
                write!(f, "{id} failed with {progress:?} but {why}")
            }
            ViolationKind::BadRetryFacts { id, why } => write!(f, "{id}: {why}"),
            ViolationKind::Uncaused { what } => write!(f, "{what} without a call causing it"),
            ViolationKind::RejectedCallChangedState { call, error } => {
                write!(f, "{call} returned {error:?} but changed the connection")
            }
            ViolationKind::TimeoutMovedByOutput => {
                f.write_str("poll_timeout changed across an output call")
            }
            ViolationKind::GetterDisagrees { getter } => {
                write!(f, "{getter}() disagrees with the events")
            }
            ViolationKind::EarlyTimeoutChangedState => {
                f.write_str("handle_timeout before the deadline changed the connection")
            }
            ViolationKind::TimeoutNotHandled => {
                f.write_str("handle_timeout past the deadline left it pending")
            }
        }
    }
}

impl core::error::Error for Violation {}

/// Where a request's events stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Sent,
    Informational,
    Body,
    Ended,
    Upgraded,
    Failed,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Sent => "nothing",
            Phase::Informational => "Informational",
            Phase::Body => "Head",
            Phase::Ended => "End",
            Phase::Upgraded => "Upgraded",
            Phase::Failed => "RequestFailed",
        }
    }

    fn is_final(self) -> bool {
        matches!(self, Phase::Ended | Phase::Upgraded | Phase::Failed)
    }
}

/// How the final head says the body is delimited, as far as the checker needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyRule {
    /// No body may be reported.
    None,
    /// A tunnel: no body, `Upgraded` follows `End`.
    Tunnel,
    /// Exactly this many bytes.
    Length(u64),
    /// A `Content-Length` the machine must have rejected.
    InvalidLength,
    /// Chunked or close-delimited: any length.
    Any,
}

/// What the checker knows about one request.
#[derive(Clone, Debug)]
struct Req {
    id: RequestId,
    head_method: bool,
    connect: bool,
    close_requested: bool,
    idempotent: bool,
    has_body: bool,
    // Facts gathered from calls while this was the latest request sent.
    transmit_any: bool,
    transmit_own: bool,
    input_any: bool,
    input_after_transmit: bool,
    cancel_ok: bool,
    // Gathered from events.
    phase: Phase,
    stop_sending: bool,
    body: BodyRule,
    /// What the final head (with the request) says about reuse: `Some(Some(r))` must close with
    /// `r`, `Some(None)` leaves it to the connection's state, `None` unknown.
    close_rule: Option<Option<CloseReason>>,
    /// A head of this response (informational or final) reported a leniency: the connection
    /// must not be reused after it.
    lenient: bool,
    status: u16,
    received: u64,
}

/// What must come next in the event stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Idle,
    Upgraded(RequestId),
    Closed(CloseReason),
}

impl Next {
    fn name(self) -> &'static str {
        match self {
            Next::Idle => "Idle",
            Next::Upgraded(_) => "Upgraded",
            Next::Closed(_) => "Closed",
        }
    }
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Informational { .. } => "Informational",
        Event::Head { .. } => "Head",
        Event::Data { .. } => "Data",
        Event::End { .. } => "End",
        Event::Upgraded { .. } => "Upgraded",
        Event::StopSending { .. } => "StopSending",
        Event::RequestFailed { .. } => "RequestFailed",
        Event::Idle => "Idle",
        Event::Closed { .. } => "Closed",
    }
}

/// Watches one connection and reports the first breach of the event contract.
///
/// Tell it, in the order they happen, about every [`send_request`](Self::send_request), every
/// other [`call`](Self::call) (with its result), every `poll_transmit` result
/// ([`transmit`](Self::transmit), `None` included) and every `poll_event` result
/// ([`event`](Self::event), `None` included). Each method returns the first violation seen so
/// far (violations are sticky: once one is found, every later method returns it too).
/// [`Checked`](super::Checked) does all the telling for you.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    step: u64,
    reqs: Vec<Req>,
    /// An earlier request's body bytes may still be queued for transmission.
    leftover: bool,
    prev: Option<Event>,
    next: Option<Next>,
    /// A call returned `UsageError::Closed`, or `handle_eof` / `abort` succeeded.
    close_decided: Option<&'static str>,
    closed_seen: bool,
    any_input: bool,
    eof_ok: bool,
    write_error_ok: bool,
    read_error_ok: bool,
    timeout_called: bool,
    close_ok: bool,
    abort_ok: bool,
    /// `End` events seen, and the reason of the `Closed` seen, for [`Checker::getters`].
    ends: u64,
    closed_reason: Option<CloseReason>,
    violation: Option<Violation>,
}

impl Checker {
    /// A checker for a connection just created with `Connection::new`.
    pub fn new() -> Checker {
        Checker::default()
    }

    /// The first violation seen, if any.
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }

    /// `Ok` while no violation has been seen.
    pub fn result(&self) -> Result<(), Violation> {
        match &self.violation {
            Some(v) => Err(v.clone()),
            None => Ok(()),
        }
    }

    /// Panics with the first violation, if any.
    #[track_caller]
    pub fn assert_ok(&self) {
        super::assert_ok(self.result());
    }

    /// How many calls and outputs have been reported.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// Whether `Closed` has been observed.
    pub fn closed_seen(&self) -> bool {
        self.closed_seen
    }

    fn flag(&mut self, kind: ViolationKind) {
        if self.violation.is_none() {
            self.violation = Some(Violation {
                step: self.step,
                kind,
            });
        }
    }

    fn finish_step(&mut self) -> Result<(), Violation> {
        self.step += 1;
        self.result()
    }

    fn after_call(&mut self, call: &'static str, ok: bool, err: Option<UsageError>) {
        if ok && self.close_decided.is_some() {
            self.flag(ViolationKind::CallAfterClosed { call });
        }
        if err == Some(UsageError::Closed) && self.close_decided.is_none() {
            self.close_decided = Some(call);
        }
    }

    /// Reports a [`send_request`](crate::Connection::send_request) call and its result.
    pub fn send_request(
        &mut self,
        request: &Request<'_>,
        result: &Result<RequestId, UsageError>,
    ) -> Result<(), Violation> {
        self.after_call("send_request", result.is_ok(), result.err());
        if let Ok(id) = *result {
            if self.reqs.last().is_some_and(|r| r.id >= id) {
                self.flag(ViolationKind::IdNotFresh { id });
            }
            if let Some(prev) = self.reqs.last() {
                self.leftover |= prev.has_body;
            }
            let method = request.method();
            self.reqs.push(Req {
                id,
                head_method: method == "HEAD",
                connect: method == "CONNECT",
                close_requested: request.headers().iter().any(|(n, v)| {
                    n.eq_ignore_ascii_case("connection")
                        && v.split(|&b| b == b',')
                            .any(|e| trim(e).eq_ignore_ascii_case(b"close"))
                }),
                idempotent: matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
                    || request
                        .headers()
                        .iter()
                        .any(|(n, _)| n.eq_ignore_ascii_case("idempotency-key")),
                has_body: !matches!(
                    request.body_framing(),
                    RequestBody::None | RequestBody::Length(0)
                ),
                transmit_any: false,
                transmit_own: false,
                input_any: false,
                input_after_transmit: false,
                cancel_ok: false,
                phase: Phase::Sent,
                stop_sending: false,
                body: BodyRule::Any,
                close_rule: None,
                lenient: false,
                status: 0,
                received: 0,
            });
        }
        self.finish_step()
    }

    /// Reports any other command or input call and its result.
    pub fn call(
        &mut self,
        call: Call<'_>,
        result: Result<(), UsageError>,
    ) -> Result<(), Violation> {
        let ok = result.is_ok();
        self.after_call(call.name(), ok && call != Call::Timeout, result.err());
        if ok {
            match call {
                Call::Input(data) if !data.is_empty() => {
                    self.any_input = true;
                    if let Some(r) = self.reqs.last_mut() {
                        r.input_any = true;
                        r.input_after_transmit |= r.transmit_any;
                    }
                }
                Call::Cancel { id } => {
                    if let Some(r) = self.reqs.iter_mut().find(|r| r.id == id) {
                        r.cancel_ok = true;
                    }
                }
                Call::Eof => {
                    self.eof_ok = true;
                    self.close_decided.get_or_insert("handle_eof");
                }
                Call::Abort => {
                    self.abort_ok = true;
                    self.close_decided.get_or_insert("abort");
                }
                Call::WriteError => self.write_error_ok = true,
                Call::ReadError => {
                    self.read_error_ok = true;
                    self.close_decided.get_or_insert("handle_read_error");
                }
                Call::Timeout => self.timeout_called = true,
                Call::Close => self.close_ok = true,
                _ => {}
            }
        }
        self.finish_step()
    }

    /// Reports what one `poll_transmit` call returned.
    pub fn transmit(&mut self, bytes: Option<&[u8]>) -> Result<(), Violation> {
        match bytes {
            None => self.leftover = false,
            Some(_) if self.close_decided.is_some() || self.closed_seen => {
                self.flag(ViolationKind::TransmitAfterClosed);
            }
            Some(_) if self.write_error_ok => {
                self.flag(ViolationKind::TransmitAfterWriteError);
            }
            Some(_) => {
                let leftover = self.leftover;
                if let Some(r) = self.reqs.last_mut() {
                    r.transmit_any = true;
                    r.transmit_own |= !leftover;
                }
            }
        }
        self.finish_step()
    }

    /// Reports what one `poll_event` call returned (`None` means the events were drained).
    pub fn event(&mut self, event: Option<&Event>) -> Result<(), Violation> {
        match event {
            None => {
                // What follows an `End` is queued with it, so it is never still to come.
                if let Some(next) = self.next.take() {
                    self.flag(ViolationKind::BadFollowUp {
                        expected: next.name(),
                        got: "no event",
                    });
                }
                if let Some(cause) = self.close_decided {
                    if !self.closed_seen {
                        self.flag(ViolationKind::MissingClosed { cause });
                    }
                }
            }
            Some(event) => self.on_event(event),
        }
        self.finish_step()
    }

    fn on_event(&mut self, event: &Event) {
        let name = event_name(event);
        if self.closed_seen {
            return self.flag(ViolationKind::EventAfterClosed { event: name });
        }
        if let Some(next) = self.next.take() {
            let fits = match (next, event) {
                (Next::Idle, Event::Idle) => true,
                (Next::Upgraded(want), Event::Upgraded { id, .. }) => want == *id,
                (Next::Closed(want), Event::Closed { reason }) => want == *reason,
                _ => false,
            };
            if !fits {
                self.flag(ViolationKind::BadFollowUp {
                    expected: next.name(),
                    got: name,
                });
            }
        }
        if matches!(event, Event::End { .. }) {
            self.ends += 1;
        }
        match event {
            Event::Idle => self.on_idle(),
            Event::Closed { reason } => self.on_closed(*reason),
            _ => self.on_request_event(event, name),
        }
        self.prev = Some(event.clone());
    }

    fn on_idle(&mut self) {
        let fits = match &self.prev {
            Some(Event::End {
                reuse: Reuse::KeepAlive,
                ..
            }) => true,
            Some(Event::RequestFailed { error, .. }) => error.progress() == Progress::NotSent,
            _ => false,
        };
        if !fits {
            self.flag(ViolationKind::UnexpectedIdle);
        }
    }

    fn on_closed(&mut self, reason: CloseReason) {
        if let Some(r) = self.reqs.iter().find(|r| !r.phase.is_final()) {
            let id = r.id;
            self.flag(ViolationKind::UnfinishedAtClose { id });
        }
        self.check_close_cause(reason);
        self.closed_seen = true;
        self.closed_reason = Some(reason);
        self.close_decided.get_or_insert("Closed");
    }

    fn check_close_cause(&mut self, reason: CloseReason) {
        let caused = match reason {
            CloseReason::LocalClose => self.close_ok,
            CloseReason::Aborted => self.abort_ok,
            CloseReason::Canceled => self.reqs.iter().any(|r| r.cancel_ok),
            CloseReason::IdleTimeout | CloseReason::ResponseTimeout => self.timeout_called,
            CloseReason::PeerClosedIdle | CloseReason::Eof(_) | CloseReason::EndOfBody => {
                self.eof_ok
            }
            CloseReason::WriteFailed => self.write_error_ok,
            CloseReason::ReadFailed => self.read_error_ok,
            CloseReason::UnsolicitedBytes
            | CloseReason::ServerRequestedClose
            | CloseReason::ClientRequestedClose
            | CloseReason::Http10
            | CloseReason::AmbiguousFraming
            | CloseReason::Lenient(_)
            | CloseReason::RequestBodyUnfinished
            | CloseReason::Upgraded
            | CloseReason::Protocol(_) => self.any_input,
        };
        if !caused {
            self.flag(ViolationKind::Uncaused {
                what: reason.name(),
            });
        }
    }

    fn on_request_event(&mut self, event: &Event, name: &'static str) {
        let Some(id) = event.request_id() else { return };
        let Some(index) = self.reqs.iter().position(|r| r.id == id) else {
            return self.flag(ViolationKind::UnknownRequest { id });
        };
        if let Some(earlier) = self.reqs[..index].iter().find(|r| !r.phase.is_final()) {
            let earlier = earlier.id;
            return self.flag(ViolationKind::OutOfOrder { id, earlier });
        }
        let reused = self.reqs[..index]
            .iter()
            .any(|r| matches!(r.phase, Phase::Ended | Phase::Upgraded));
        let (write_error_ok, close_ok) = (self.write_error_ok, self.close_ok);
        let Some(r) = self.reqs.get_mut(index) else {
            return;
        };
        if matches!(event, Event::Informational { .. } | Event::Head { .. }) && !r.transmit_any {
            return self.flag(ViolationKind::ResponseBeforeTransmit { id });
        }
        let bad_sequence = ViolationKind::BadSequence {
            id,
            event: name,
            after: r.phase.name(),
        };
        let mut next = None;
        let mut found = None;
        match event {
            Event::Informational { head, .. } => {
                if !matches!(r.phase, Phase::Sent | Phase::Informational) {
                    found = Some(bad_sequence);
                } else if !head.is_informational() || head.status() == 101 {
                    found = Some(ViolationKind::BadStatus {
                        id,
                        status: head.status(),
                    });
                }
                r.phase = Phase::Informational;
                r.lenient |= head.leniency().is_some();
            }
            Event::Head { head, .. } => {
                if !matches!(r.phase, Phase::Sent | Phase::Informational) {
                    found = Some(bad_sequence);
                } else if head.is_informational() && head.status() != 101 {
                    found = Some(ViolationKind::BadStatus {
                        id,
                        status: head.status(),
                    });
                }
                r.phase = Phase::Body;
                r.status = head.status();
                r.body = body_rule(r.head_method, r.connect, head);
                r.close_rule = close_rule(r, head);
                r.lenient |= head.leniency().is_some();
            }
            Event::Data { data, .. } => {
                if r.phase != Phase::Body {
                    found = Some(bad_sequence);
                } else if data.is_empty() {
                    found = Some(ViolationKind::EmptyData { id });
                } else if matches!(r.body, BodyRule::None | BodyRule::Tunnel) {
                    found = Some(ViolationKind::DataWithoutBody {
                        id,
                        status: r.status,
                    });
                }
                r.received = r.received.saturating_add(data.len() as u64);
                if let BodyRule::Length(declared) = r.body {
                    if r.received > declared {
                        found = found.or(Some(ViolationKind::LengthMismatch {
                            id,
                            declared,
                            received: r.received,
                        }));
                    }
                }
            }
            Event::End { reuse, .. } => {
                if r.phase != Phase::Body {
                    found = Some(bad_sequence);
                } else {
                    found = match r.body {
                        BodyRule::Length(declared) if declared != r.received => {
                            Some(ViolationKind::LengthMismatch {
                                id,
                                declared,
                                received: r.received,
                            })
                        }
                        BodyRule::InvalidLength => {
                            Some(ViolationKind::InvalidLengthAccepted { id })
                        }
                        _ => None,
                    };
                }
                let reuse_fits = match (r.close_rule, reuse) {
                    // Leniency costs reuse (docs/compliance.md).
                    (_, Reuse::KeepAlive) if r.lenient => false,
                    (None, _) | (Some(None), Reuse::KeepAlive) => true,
                    (Some(Some(want)), Reuse::Close(got)) => want == *got,
                    (Some(Some(_)), Reuse::KeepAlive) => false,
                    (Some(None), Reuse::Close(got)) => match got {
                        CloseReason::WriteFailed => write_error_ok,
                        CloseReason::RequestBodyUnfinished => r.has_body,
                        CloseReason::LocalClose => close_ok,
                        // Framing and body leniencies are the connection's to find; the desync
                        // oracle (tests/desync) judges them independently.
                        CloseReason::Lenient(_) => true,
                        _ => false,
                    },
                };
                if !reuse_fits {
                    found = found.or(Some(ViolationKind::BadReuse { id, reuse: *reuse }));
                }
                let tunnel = r.body == BodyRule::Tunnel;
                next = Some(match reuse {
                    Reuse::KeepAlive => Next::Idle,
                    Reuse::Close(CloseReason::Upgraded) if tunnel => Next::Upgraded(id),
                    Reuse::Close(reason) => Next::Closed(*reason),
                });
                if tunnel && *reuse != Reuse::Close(CloseReason::Upgraded) {
                    found = found.or(Some(ViolationKind::BadFollowUp {
                        expected: "End with Reuse::Close(Upgraded) for a tunnel",
                        got: "End",
                    }));
                }
                r.phase = Phase::Ended;
            }
            Event::Upgraded { .. } => {
                // Reaching here means `next` was `Upgraded(id)`, checked in `on_event`.
                if r.phase != Phase::Ended {
                    found = Some(bad_sequence);
                }
                next = Some(Next::Closed(CloseReason::Upgraded));
                r.phase = Phase::Upgraded;
            }
            Event::StopSending { .. } => {
                if r.phase.is_final() {
                    found = Some(bad_sequence);
                } else if r.stop_sending || !r.has_body {
                    found = Some(ViolationKind::BadStopSending { id });
                }
                r.stop_sending = true;
            }
            Event::RequestFailed { error, .. } => {
                found = if r.phase.is_final() {
                    Some(bad_sequence)
                } else {
                    check_failure(r, error, reused)
                };
                r.phase = Phase::Failed;
                let cause = failure_cause(error.kind());
                if let Some(what) = cause {
                    let caused = match error.kind() {
                        FailureKind::Eof(_) => self.eof_ok,
                        FailureKind::ResponseTimeout => self.timeout_called,
                        FailureKind::WriteFailed => self.write_error_ok,
                        FailureKind::ReadFailed => self.read_error_ok,
                        FailureKind::Canceled => self.reqs.get(index).is_some_and(|r| r.cancel_ok),
                        FailureKind::Aborted => self.abort_ok,
                        FailureKind::Protocol(_) => self.any_input,
                        FailureKind::ConnectionClosed(_) => true,
                    };
                    if !caused {
                        found = found.or(Some(ViolationKind::Uncaused { what }));
                    }
                }
                if let FailureKind::ConnectionClosed(reason) = error.kind() {
                    self.check_close_cause(reason);
                }
            }
            Event::Idle | Event::Closed { .. } => {}
        }
        if let Some(kind) = found {
            self.flag(kind);
        }
        if next.is_some() {
            self.next = next;
        }
    }
}

fn failure_cause(kind: FailureKind) -> Option<&'static str> {
    Some(match kind {
        FailureKind::Eof(_) => "FailureKind::Eof",
        FailureKind::ResponseTimeout => "FailureKind::ResponseTimeout",
        FailureKind::WriteFailed => "FailureKind::WriteFailed",
        FailureKind::ReadFailed => "FailureKind::ReadFailed",
        FailureKind::Canceled => "FailureKind::Canceled",
        FailureKind::Aborted => "FailureKind::Aborted",
        FailureKind::Protocol(_) => "FailureKind::Protocol",
        FailureKind::ConnectionClosed(_) => return None,
    })
}

/// The retry facts of a failure against what the checker saw.
fn check_failure(r: &Req, error: &RequestError, reused: bool) -> Option<ViolationKind> {
    let id = r.id;
    let progress = error.progress();
    let bad = |why| Some(ViolationKind::BadProgress { id, progress, why });
    match progress {
        Progress::NotSent if r.transmit_own => return bad("its bytes were transmitted"),
        Progress::SentNoResponse if !r.transmit_any => return bad("nothing was transmitted"),
        Progress::SentNoResponse if r.input_after_transmit => {
            return bad("input arrived after it was transmitted");
        }
        Progress::ResponseStarted if !r.input_any || !r.transmit_any => {
            return bad("no response byte can have arrived");
        }
        _ => {}
    }
    let kind_fits = match error.kind() {
        FailureKind::Eof(EofPhase::BeforeResponse) => progress == Progress::SentNoResponse,
        FailureKind::Eof(_) | FailureKind::Protocol(_) => progress == Progress::ResponseStarted,
        FailureKind::ConnectionClosed(_) => progress == Progress::NotSent,
        FailureKind::WriteFailed => progress != Progress::ResponseStarted,
        // Only a request that was (partly) sent fails with ReadFailed; an unsent one fails with
        // ConnectionClosed(ReadFailed).
        FailureKind::ReadFailed => progress != Progress::NotSent,
        _ => true,
    };
    if !kind_fits {
        return bad("its failure kind says otherwise");
    }
    if error.is_replayable() && !r.idempotent {
        return Some(ViolationKind::BadRetryFacts {
            id,
            why: "replayable though neither idempotent nor carrying Idempotency-Key",
        });
    }
    if !error.is_replayable() && r.idempotent && !r.has_body {
        return Some(ViolationKind::BadRetryFacts {
            id,
            why: "not replayable though idempotent and without a body",
        });
    }
    if error.reused_connection() != reused {
        return Some(ViolationKind::BadRetryFacts {
            id,
            why: "reused_connection disagrees with the responses completed before it",
        });
    }
    None
}

/// What the final head allows as a body (RFC 9112 §6.3).
fn body_rule(head_method: bool, connect: bool, head: &ResponseHead) -> BodyRule {
    let status = head.status();
    if status == 101 || (connect && (200..300).contains(&status)) {
        return BodyRule::Tunnel;
    }
    // Codes outside 100..=599 are framed as a 5xx's (RFC 9110 §15): only real 1xx are bodiless.
    if head_method || (100..200).contains(&status) || status == 204 || status == 304 {
        return BodyRule::None;
    }
    let headers = head.headers();
    if headers.get("transfer-encoding").is_some() {
        return BodyRule::Any;
    }
    let mut declared: Option<u64> = None;
    for value in headers.get_all("content-length") {
        for element in value.split(|&b| b == b',') {
            let element = trim(element);
            let n = if element.is_empty() || !element.iter().all(u8::is_ascii_digit) {
                None
            } else {
                element.iter().try_fold(0u64, |n, &b| {
                    n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
                })
            };
            match (n, declared) {
                (None, _) => return BodyRule::InvalidLength,
                (Some(n), Some(d)) if n != d => return BodyRule::InvalidLength,
                (Some(n), _) => declared = Some(n),
            }
        }
    }
    declared.map_or(BodyRule::Any, BodyRule::Length)
}

/// Why the connection must close after this final head, by the table in `docs/events.md` (the
/// head- and request-based rows): `Some(None)` when none applies, `None` when the
/// `Transfer-Encoding` is too odd to judge.
fn close_rule(r: &Req, head: &ResponseHead) -> Option<Option<CloseReason>> {
    let status = head.status();
    if status == 101 || (r.connect && (200..300).contains(&status)) {
        return Some(Some(CloseReason::Upgraded));
    }
    let headers = head.headers();
    let bodiless = r.head_method || (100..200).contains(&status) || status == 204 || status == 304;
    let has_te = headers.get("transfer-encoding").is_some();
    let has_cl = headers.get("content-length").is_some();
    if !bodiless {
        if has_te {
            let last = headers
                .get_all("transfer-encoding")
                .flat_map(|v| v.split(|&b| b == b','))
                .map(trim)
                .filter(|e| !e.is_empty())
                .last()?;
            let name = trim(last.split(|&b| b == b';').next().unwrap_or_default());
            if !name.eq_ignore_ascii_case(b"chunked") {
                return Some(Some(CloseReason::EndOfBody));
            }
            if has_cl {
                return Some(Some(CloseReason::AmbiguousFraming));
            }
        } else if !has_cl {
            return Some(Some(CloseReason::EndOfBody));
        }
    }
    Some(if headers.contains_token("connection", "close") {
        Some(CloseReason::ServerRequestedClose)
    } else if head.version() == Version::Http10
        && !headers.contains_token("connection", "keep-alive")
    {
        Some(CloseReason::Http10)
    } else if r.close_requested {
        Some(CloseReason::ClientRequestedClose)
    } else {
        None
    })
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
