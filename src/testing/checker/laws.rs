//! The laws an observer can only judge with facts read from the connection itself: a rejected
//! command changes nothing, outputs never move the timer, the timer laws of `handle_timeout`, and
//! getters that agree with the events. [`Checked`](crate::testing::Checked) gathers the facts
//! around every call; a harness of its own can report them too. Being facts, not verdicts, they
//! can also be misreported on purpose, which is how `tests/checker_catches.rs` shows each of these
//! violations caught.

use super::{Checker, Violation, ViolationKind};
use crate::conn::Connection;
use crate::error::{CloseReason, UsageError};
use crate::event::RequestId;
use crate::time::Instant;

/// What a connection's getters returned, for [`Checker::getters`].
///
/// Read them with [`Getters::of`]; the fields are public so a test can misreport one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Getters {
    /// [`Connection::responses_completed`].
    pub responses_completed: u64,
    /// [`Connection::close_reason`].
    pub close_reason: Option<CloseReason>,
    /// [`Connection::is_closed`].
    pub is_closed: bool,
    /// [`Connection::is_ready`].
    pub is_ready: bool,
    /// [`Connection::in_flight`].
    pub in_flight: Option<RequestId>,
    /// [`Connection::poll_timeout`].
    pub poll_timeout: Option<Instant>,
}

impl Getters {
    /// What `conn`'s getters return now.
    pub fn of(conn: &Connection) -> Getters {
        Getters {
            responses_completed: conn.responses_completed(),
            close_reason: conn.close_reason(),
            is_closed: conn.is_closed(),
            is_ready: conn.is_ready(),
            in_flight: conn.in_flight(),
            poll_timeout: conn.poll_timeout(),
        }
    }
}

impl Checker {
    /// Reports the connection's whole state just before and just after a command that returned
    /// `Err`, as text (equal text means unchanged; [`Checked`](crate::testing::Checked) uses the
    /// `Debug` form, `poll_timeout` and the getters). A change is
    /// [`ViolationKind::RejectedCallChangedState`]: a rejected command changes nothing.
    ///
    /// Report it just before the call itself ([`send_request`](Self::send_request) or
    /// [`call`](Self::call)); it is not an observation of its own.
    pub fn rejected_state(
        &mut self,
        call: &'static str,
        error: UsageError,
        before: &str,
        after: &str,
    ) -> Result<(), Violation> {
        if before != after {
            self.flag(ViolationKind::RejectedCallChangedState { call, error });
        }
        self.result()
    }

    /// Reports `poll_timeout` just before and just after one `poll_transmit` or `poll_event`,
    /// just before reporting what it returned ([`transmit`](Self::transmit),
    /// [`event`](Self::event)). A change is [`ViolationKind::TimeoutMovedByOutput`]: outputs only
    /// hand over what inputs and commands decided.
    pub fn output_timer(
        &mut self,
        before: Option<Instant>,
        after: Option<Instant>,
    ) -> Result<(), Violation> {
        if before != after {
            self.flag(ViolationKind::TimeoutMovedByOutput);
        }
        self.result()
    }

    /// Reports the facts of one `handle_timeout(now)`, just before reporting the call itself
    /// with [`call`](Self::call)`(Call::Timeout, Ok(()))`: `deadline` and `next` are what
    /// `poll_timeout` returned just before and just after it, and `state` the connection's whole
    /// state as text before and after, if it was captured.
    ///
    /// Before the deadline (or with none), the state must not change
    /// ([`ViolationKind::EarlyTimeoutChangedState`]); at or after it, the next deadline must be
    /// later than `now`, or none ([`ViolationKind::TimeoutNotHandled`]), so a caller's timer loop
    /// cannot spin.
    pub fn timeout_laws(
        &mut self,
        now: Instant,
        deadline: Option<Instant>,
        next: Option<Instant>,
        state: Option<(&str, &str)>,
    ) -> Result<(), Violation> {
        let early = deadline.is_none_or(|d| now < d);
        if early {
            if state.is_some_and(|(before, after)| before != after) {
                self.flag(ViolationKind::EarlyTimeoutChangedState);
            }
        } else if next.is_some_and(|d| d <= now) {
            self.flag(ViolationKind::TimeoutNotHandled);
        }
        self.result()
    }

    /// Reports the getters once the events are drained (right after reporting `None` with
    /// [`event`](Self::event)). They must agree with the events seen
    /// ([`ViolationKind::GetterDisagrees`]): `responses_completed` counts the `End` events,
    /// `close_reason` is that of `Closed` once it came, `is_closed` holds exactly when there is a
    /// close reason, a closed connection or one with a request in flight is not ready, and a
    /// closed one has no timer.
    pub fn getters(&mut self, getters: &Getters) -> Result<(), Violation> {
        let g = getters;
        let disagrees = if g.responses_completed != self.ends {
            Some("responses_completed")
        } else if self.closed_reason.is_some() && g.close_reason != self.closed_reason {
            Some("close_reason")
        } else if g.is_closed != g.close_reason.is_some() {
            Some("is_closed")
        } else if g.is_ready && (g.is_closed || g.in_flight.is_some()) {
            Some("is_ready")
        } else if g.is_closed && g.poll_timeout.is_some() {
            Some("poll_timeout")
        } else {
            None
        };
        if let Some(getter) = disagrees {
            self.flag(ViolationKind::GetterDisagrees { getter });
        }
        self.result()
    }
}
