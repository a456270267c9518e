//! A connection with its checker attached.

use super::checker::{Call, Checker, Getters, Violation};
use crate::config::Config;
use crate::conn::Connection;
use crate::error::UsageError;
use crate::event::{Event, RequestId};
use crate::request::Request;
use crate::time::Instant;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};

/// A [`Connection`] whose every call and output is reported to a [`Checker`], plus a record of
/// the events and bytes it gave out.
///
/// The methods mirror the connection's and return what it returned; a contract breach does not
/// change that, it is kept (the first one) for [`result`](Self::result) and
/// [`assert_ok`](Self::assert_ok). On top of the calls and outputs, `Checked` reads the facts an
/// outside observer cannot see and reports them to the checker: the connection's state around a
/// command returning `Err` (its full `Debug` state, [`poll_timeout`](Connection::poll_timeout)
/// and getters: it must not change), `poll_timeout` around every output (it must not move) and
/// around `handle_timeout`, and the getters once events are drained.
#[derive(Debug)]
pub struct Checked {
    conn: Connection,
    checker: Checker,
    violation: Option<Violation>,
    events: Vec<Event>,
    wire: Vec<u8>,
    check_rejections: bool,
}

impl Checked {
    /// A new connection with `config`, under check.
    pub fn new(config: Config) -> Checked {
        Checked {
            conn: Connection::new(config),
            checker: Checker::new(),
            violation: None,
            events: Vec::new(),
            wire: Vec::new(),
            check_rejections: true,
        }
    }

    /// Turns the "a rejected command changes nothing" check on or off (on by default). It
    /// formats the whole connection state around every call, which fuzzers may find slow.
    pub fn check_rejections(mut self, on: bool) -> Checked {
        self.check_rejections = on;
        self
    }

    /// The connection, for its getters.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The checker.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Every event `poll_event` gave so far, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Every byte `poll_transmit` gave so far, concatenated.
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// The first violation seen, if any.
    pub fn result(&self) -> Result<(), Violation> {
        match &self.violation {
            Some(v) => Err(v.clone()),
            None => Ok(()),
        }
    }

    /// Panics with the first violation and the event transcript, if a violation was seen.
    #[track_caller]
    pub fn assert_ok(&self) {
        if let Some(v) = &self.violation {
            panic!("h1conn contract violation: {v}\nevents: {:#?}", self.events);
        }
    }

    fn keep(&mut self, r: Result<(), Violation>) {
        if let (Err(v), None) = (r, &self.violation) {
            self.violation = Some(v);
        }
    }

    fn snapshot(&self) -> Option<String> {
        self.check_rejections.then(|| {
            format!(
                "{:?} {:?} {:?} {} {}",
                self.conn,
                self.conn.poll_timeout(),
                self.conn.in_flight(),
                self.conn.is_ready(),
                self.conn.wants_write()
            )
        })
    }

    fn rejected(&mut self, before: Option<String>, call: &'static str, error: UsageError) {
        if let Some(before) = before {
            let after = self.snapshot().unwrap_or_default();
            let r = self.checker.rejected_state(call, error, &before, &after);
            self.keep(r);
        }
    }

    /// [`Connection::send_request`], checked.
    pub fn send_request(
        &mut self,
        request: &Request<'_>,
        now: Instant,
    ) -> Result<RequestId, UsageError> {
        let before = self.snapshot();
        let result = self.conn.send_request(request, now);
        if let Err(e) = result {
            self.rejected(before, "send_request", e);
        }
        let r = self.checker.send_request(request, &result);
        self.keep(r);
        result
    }

    fn checked(
        &mut self,
        call: Call<'_>,
        name: &'static str,
        f: impl FnOnce(&mut Connection) -> Result<(), UsageError>,
    ) -> Result<(), UsageError> {
        let before = self.snapshot();
        let result = f(&mut self.conn);
        if let Err(e) = result {
            self.rejected(before, name, e);
        }
        let r = self.checker.call(call, result);
        self.keep(r);
        result
    }

    /// [`Connection::send_body`], checked.
    pub fn send_body(
        &mut self,
        id: RequestId,
        data: Bytes,
        now: Instant,
    ) -> Result<(), UsageError> {
        let call = Call::SendBody {
            id,
            len: data.len(),
        };
        self.checked(call, "send_body", |c| c.send_body(id, data, now))
    }

    /// [`Connection::finish_body`], checked.
    pub fn finish_body(&mut self, id: RequestId, now: Instant) -> Result<(), UsageError> {
        self.checked(Call::FinishBody { id }, "finish_body", |c| {
            c.finish_body(id, now)
        })
    }

    /// [`Connection::cancel`], checked.
    pub fn cancel(&mut self, id: RequestId, now: Instant) -> Result<(), UsageError> {
        self.checked(Call::Cancel { id }, "cancel", |c| c.cancel(id, now))
    }

    /// [`Connection::close`], checked.
    pub fn close(&mut self) -> Result<(), UsageError> {
        self.checked(Call::Close, "close", Connection::close)
    }

    /// [`Connection::abort`], checked.
    pub fn abort(&mut self) -> Result<(), UsageError> {
        self.checked(Call::Abort, "abort", Connection::abort)
    }

    /// [`Connection::handle_input`], checked.
    pub fn handle_input(&mut self, data: &[u8], now: Instant) -> Result<(), UsageError> {
        self.checked(Call::Input(data), "handle_input", |c| {
            c.handle_input(data, now)
        })
    }

    /// [`Connection::handle_input_buf`], checked (reported to the checker as the same bytes).
    pub fn handle_input_buf(&mut self, data: BytesMut, now: Instant) -> Result<(), UsageError> {
        let copy = data.clone();
        self.checked(Call::Input(&copy), "handle_input_buf", move |c| {
            c.handle_input_buf(data, now)
        })
    }

    /// [`Connection::handle_eof`], checked.
    pub fn handle_eof(&mut self, now: Instant) -> Result<(), UsageError> {
        self.checked(Call::Eof, "handle_eof", |c| c.handle_eof(now))
    }

    /// [`Connection::handle_read_error`], checked.
    pub fn handle_read_error(&mut self, now: Instant) -> Result<(), UsageError> {
        self.checked(Call::ReadError, "handle_read_error", |c| {
            c.handle_read_error(now)
        })
    }

    /// [`Connection::handle_write_error`], checked.
    pub fn handle_write_error(&mut self, now: Instant) -> Result<(), UsageError> {
        self.checked(Call::WriteError, "handle_write_error", |c| {
            c.handle_write_error(now)
        })
    }

    /// [`Connection::handle_timeout`], checked, with two timer laws: before the deadline of
    /// [`poll_timeout`](Connection::poll_timeout) (or with none) the call changes nothing, and
    /// at or after it the call handles it (the next deadline is later than `now`, or there is
    /// none), so a caller's timer loop cannot spin.
    pub fn handle_timeout(&mut self, now: Instant) {
        let deadline = self.conn.poll_timeout();
        let early = deadline.is_none_or(|d| now < d);
        let before = if early { self.snapshot() } else { None };
        self.conn.handle_timeout(now);
        let after = before.as_ref().and_then(|_| self.snapshot());
        let state = before.as_deref().zip(after.as_deref());
        let next = self.conn.poll_timeout();
        let r = self.checker.timeout_laws(now, deadline, next, state);
        self.keep(r);
        let r = self.checker.call(Call::Timeout, Ok(()));
        self.keep(r);
    }

    fn timer_kept(&mut self, before: Option<Instant>) {
        let r = self.checker.output_timer(before, self.conn.poll_timeout());
        self.keep(r);
    }

    /// [`Connection::poll_transmit`], checked and recorded.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        let timer = self.conn.poll_timeout();
        let bytes = self.conn.poll_transmit();
        self.timer_kept(timer);
        if let Some(b) = &bytes {
            self.wire.extend_from_slice(b);
        }
        let r = self.checker.transmit(bytes.as_deref());
        self.keep(r);
        bytes
    }

    /// [`Connection::poll_event`], checked and recorded.
    pub fn poll_event(&mut self) -> Option<Event> {
        let timer = self.conn.poll_timeout();
        let event = self.conn.poll_event();
        self.timer_kept(timer);
        if let Some(e) = &event {
            self.events.push(e.clone());
        }
        let r = self.checker.event(event.as_ref());
        self.keep(r);
        if event.is_none() {
            self.check_getters();
        }
        event
    }

    /// Once events are drained, the getters agree with them.
    fn check_getters(&mut self) {
        let r = self.checker.getters(&Getters::of(&self.conn));
        self.keep(r);
    }

    /// Polls transmits until `None`.
    pub fn drain_transmit(&mut self) {
        while self.poll_transmit().is_some() {}
    }

    /// Polls events until `None` (at most a million, so a machine that never stops yielding
    /// events cannot hang a test).
    pub fn drain_events(&mut self) {
        for _ in 0..1_000_000 {
            if self.poll_event().is_none() {
                return;
            }
        }
    }

    /// Drains transmits, then events.
    pub fn drain(&mut self) {
        self.drain_transmit();
        self.drain_events();
    }
}
