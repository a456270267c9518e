//! The checker has teeth: each test feeds it a real run with one fault injected (an event
//! duplicated, dropped, altered or invented, a call or fact misreported) and expects the matching
//! violation. `every_violation_kind_is_shown_caught` checks that every [`ViolationKind`] has such
//! a test, and that the test catches exactly that kind.
//!
//! Each fault lives in a catcher function returning the kind the checker reported, so the same
//! run serves the named `#[test]` (which asserts the kind with its fields) and the coverage test.

use h1conn::testing::{Call, Checker, Getters, ViolationKind};
use h1conn::{
    Bytes, Config, Connection, Event, Instant, Progress, Request, RequestBody, RequestId,
    UsageError,
};
use std::time::Duration;

const NOW: Instant = Instant::ZERO;

/// A GET answered with a 5-byte body, fully reported to a checker; returns its events.
fn get_exchange(checker: &mut Checker) -> (Connection, Vec<Event>) {
    let mut conn = Connection::new(Config::default());
    let req = Request::get("/").header("Host", "h");
    let r = conn.send_request(&req, NOW);
    checker.send_request(&req, &r).unwrap();
    while let Some(b) = conn.poll_transmit() {
        checker.transmit(Some(&b)).unwrap();
    }
    checker.transmit(None).unwrap();
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let r = conn.handle_input(input, NOW);
    checker.call(Call::Input(input), r).unwrap();
    let mut events = Vec::new();
    while let Some(e) = conn.poll_event() {
        events.push(e);
    }
    (conn, events)
}

fn feed(checker: &mut Checker, events: &[Event]) -> Option<ViolationKind> {
    for e in events {
        if let Err(v) = checker.event(Some(e)) {
            return Some(v.kind);
        }
    }
    checker.event(None).err().map(|v| v.kind)
}

/// A real connection whose calls and transmits are reported to its checker as they happen. Its
/// events are collected but not reported, so a test can alter them before feeding them.
struct Run {
    conn: Connection,
    checker: Checker,
    events: Vec<Event>,
}

impl Run {
    fn new() -> Run {
        Run::with(Config::default())
    }

    fn with(config: Config) -> Run {
        Run {
            conn: Connection::new(config),
            checker: Checker::new(),
            events: Vec::new(),
        }
    }

    fn send(&mut self, req: &Request<'_>) -> RequestId {
        let r = self.conn.send_request(req, NOW);
        self.checker.send_request(req, &r).unwrap();
        r.expect("request accepted")
    }

    /// Makes a command or input call and reports it; it must be accepted.
    fn call(&mut self, call: Call<'_>, f: impl FnOnce(&mut Connection) -> Result<(), UsageError>) {
        let r = f(&mut self.conn);
        self.checker.call(call, r).unwrap();
        r.expect("call accepted");
    }

    fn body(&mut self, id: RequestId, bytes: &'static [u8]) {
        let call = Call::SendBody {
            id,
            len: bytes.len(),
        };
        self.call(call, |c| c.send_body(id, Bytes::from_static(bytes), NOW));
    }

    fn transmit(&mut self) {
        while let Some(b) = self.conn.poll_transmit() {
            self.checker.transmit(Some(&b)).unwrap();
        }
        self.checker.transmit(None).unwrap();
    }

    fn input(&mut self, bytes: &[u8]) {
        self.call(Call::Input(bytes), |c| c.handle_input(bytes, NOW));
    }

    /// Polls the events out of the connection, unreported, into `events`.
    fn collect(&mut self) {
        self.events
            .extend(std::iter::from_fn(|| self.conn.poll_event()));
    }

    /// `GET /`, transmitted, answered with `response`; its events collected.
    fn get(&mut self, response: &[u8]) -> RequestId {
        let id = self.send(&Request::get("/").header("Host", "h"));
        self.transmit();
        self.input(response);
        self.collect();
        id
    }

    /// Feeds the collected events as they are (they must pass), then, to a fresh copy of the
    /// checker, with `fault` applied: the first violation.
    fn fault(&self, fault: impl FnOnce(&mut Vec<Event>)) -> Option<ViolationKind> {
        assert_eq!(feed(&mut self.checker.clone(), &self.events), None);
        let mut events = self.events.clone();
        fault(&mut events);
        feed(&mut self.checker.clone(), &events)
    }
}

fn position(events: &[Event], f: impl Fn(&Event) -> bool) -> usize {
    events.iter().position(f).expect("the event is there")
}

const OK_5: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

#[test]
fn a_clean_run_passes() {
    let mut checker = Checker::new();
    let (_, events) = get_exchange(&mut checker);
    assert_eq!(feed(&mut checker, &events), None);
}

// ----- the first faults: one or two per test, from real runs --------------------------------

fn duplicate_end() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    let end = events
        .iter()
        .position(|e| matches!(e, Event::End { .. }))
        .unwrap();
    events.insert(end, events[end].clone());
    feed(&mut checker, &events)
}

#[test]
fn duplicate_end_is_caught() {
    assert!(matches!(
        duplicate_end(),
        Some(ViolationKind::BadFollowUp {
            expected: "Idle",
            got: "End"
        })
    ));
}

fn extra_data() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    let data = events
        .iter()
        .position(|e| matches!(e, Event::Data { .. }))
        .unwrap();
    events.insert(data, events[data].clone());
    feed(&mut checker, &events)
}

#[test]
fn extra_data_breaks_the_length() {
    assert!(matches!(
        extra_data(),
        Some(ViolationKind::LengthMismatch {
            declared: 5,
            received: 10,
            ..
        })
    ));
}

#[test]
fn missing_data_breaks_the_length() {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    events.retain(|e| !matches!(e, Event::Data { .. }));
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::LengthMismatch {
            declared: 5,
            received: 0,
            ..
        })
    ));
}

fn idle_dropped() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    events.retain(|e| *e != Event::Idle);
    feed(&mut checker, &events)
}

fn idle_doubled() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    let (_, events) = get_exchange(&mut checker);
    let mut doubled = events.clone();
    doubled.push(Event::Idle);
    feed(&mut checker, &doubled)
}

#[test]
fn idle_must_follow_keep_alive_end() {
    assert!(matches!(
        idle_dropped(),
        Some(ViolationKind::BadFollowUp {
            expected: "Idle",
            got: "no event"
        })
    ));
    assert_eq!(idle_doubled(), Some(ViolationKind::UnexpectedIdle));
}

fn events_of_another_connection() -> Option<ViolationKind> {
    // Events of one connection fed to a checker that saw no request.
    let mut other = Checker::new();
    let (_, events) = get_exchange(&mut other);
    let mut checker = Checker::new();
    feed(&mut checker, &events)
}

fn idle_after_closed() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    let (mut conn, mut events) = get_exchange(&mut checker);
    conn.close().unwrap();
    checker.call(Call::Close, Ok(())).unwrap();
    events.extend(std::iter::from_fn(|| conn.poll_event()));
    events.push(Event::Idle);
    feed(&mut checker, &events)
}

#[test]
fn events_for_unsent_requests_and_after_closed_are_caught() {
    assert!(matches!(
        events_of_another_connection(),
        Some(ViolationKind::UnknownRequest { .. })
    ));
    assert!(matches!(
        idle_after_closed(),
        Some(ViolationKind::EventAfterClosed { .. })
    ));
}

fn closed_dropped() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    let (mut conn, mut events) = get_exchange(&mut checker);
    let r = conn.handle_eof(NOW);
    checker.call(Call::Eof, r).unwrap();
    events.extend(std::iter::from_fn(|| conn.poll_event()));
    assert!(matches!(events.pop(), Some(Event::Closed { .. })));
    feed(&mut checker, &events)
}

#[test]
fn a_dropped_closed_is_caught() {
    assert_eq!(
        closed_dropped(),
        Some(ViolationKind::MissingClosed {
            cause: "handle_eof"
        })
    );
}

fn not_sent_after_a_transmit() -> Option<ViolationKind> {
    // A request canceled before any byte went out, but the checker is told a transmit happened.
    let mut checker = Checker::new();
    let mut conn = Connection::new(Config::default());
    let req = Request::new("POST", "/")
        .header("Host", "h")
        .body(RequestBody::Length(3));
    let r = conn.send_request(&req, NOW);
    let id = r.unwrap();
    checker.send_request(&req, &r).unwrap();
    checker.transmit(Some(b"POST")).unwrap(); // the lie
    let r = conn.cancel(id, NOW);
    checker.call(Call::Cancel { id }, r).unwrap();
    let events: Vec<Event> = std::iter::from_fn(|| conn.poll_event()).collect();
    feed(&mut checker, &events)
}

#[test]
fn not_sent_after_a_transmit_is_caught() {
    assert!(matches!(
        not_sent_after_a_transmit(),
        Some(ViolationKind::BadProgress {
            progress: h1conn::Progress::NotSent,
            ..
        })
    ));
}

fn unreported_eof() -> Option<ViolationKind> {
    // The EOF is made but not reported to the checker.
    let mut checker = Checker::new();
    let mut conn = Connection::new(Config::default());
    let req = Request::get("/").header("Host", "h");
    let r = conn.send_request(&req, NOW);
    checker.send_request(&req, &r).unwrap();
    while let Some(b) = conn.poll_transmit() {
        checker.transmit(Some(&b)).unwrap();
    }
    conn.handle_eof(NOW).unwrap();
    let events: Vec<Event> = std::iter::from_fn(|| conn.poll_event()).collect();
    feed(&mut checker, &events)
}

#[test]
fn an_uncaused_failure_is_caught() {
    assert!(matches!(
        unreported_eof(),
        Some(ViolationKind::Uncaused { .. })
    ));
}

fn call_accepted_after_abort() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    checker.call(Call::Abort, Ok(())).unwrap();
    checker.call(Call::Eof, Ok(())).err().map(|v| v.kind)
}

#[test]
fn a_call_accepted_after_close_is_caught() {
    assert_eq!(
        call_accepted_after_abort(),
        Some(ViolationKind::CallAfterClosed { call: "handle_eof" })
    );
}

fn http10_reuse_on_http11() -> Option<ViolationKind> {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    for e in &mut events {
        if let Event::End { reuse, .. } = e {
            *reuse = h1conn::Reuse::Close(h1conn::CloseReason::Http10);
        }
    }
    feed(&mut checker, &events)
}

#[test]
fn a_reuse_the_head_does_not_call_for_is_caught() {
    assert!(matches!(
        http10_reuse_on_http11(),
        Some(ViolationKind::BadReuse { .. })
    ));
}

/// Returns the id of the request and the kind.
fn response_to_untransmitted() -> (RequestId, Option<ViolationKind>) {
    let mut conn = Connection::new(Config::default());
    let req = Request::get("/").header("Host", "h");
    let id = conn.send_request(&req, NOW).unwrap();
    while conn.poll_transmit().is_some() {} // not reported
    conn.handle_input(b"HTTP/1.1 204 No Content\r\n\r\n", NOW)
        .unwrap();
    let events: Vec<Event> = std::iter::from_fn(|| conn.poll_event()).collect();
    let mut checker = Checker::new();
    checker.send_request(&req, &Ok(id)).unwrap();
    checker
        .call(Call::Input(b"HTTP/1.1 204 No Content\r\n\r\n"), Ok(()))
        .unwrap();
    (id, feed(&mut checker, &events))
}

#[test]
fn a_response_to_an_untransmitted_request_is_caught() {
    let (id, kind) = response_to_untransmitted();
    assert_eq!(kind, Some(ViolationKind::ResponseBeforeTransmit { id }));
}

// ----- one test per remaining kind ------------------------------------------------------------

/// The second request's id reported as the first's.
fn reused_id() -> (RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let id = run.get(OK_5);
    assert_eq!(feed(&mut run.checker, &run.events), None);
    let req = Request::get("/").header("Host", "h");
    let r = run.conn.send_request(&req, NOW);
    assert!(r.as_ref().is_ok_and(|second| *second > id));
    assert_eq!(run.checker.clone().send_request(&req, &r), Ok(()));
    (
        id,
        run.checker
            .send_request(&req, &Ok(id))
            .err()
            .map(|v| v.kind),
    )
}

#[test]
fn a_reused_request_id_is_caught() {
    let (id, kind) = reused_id();
    assert_eq!(kind, Some(ViolationKind::IdNotFresh { id }));
}

/// Two keep-alive exchanges; the second response's head moved before the first one's end.
fn interleaved_requests() -> (RequestId, RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let first = run.get(OK_5);
    let second = run.get(OK_5);
    let kind = run.fault(|events| {
        let head2 = position(
            events,
            |e| matches!(e, Event::Head { id, .. } if *id == second),
        );
        let head2 = events.remove(head2);
        let head1 = position(events, |e| matches!(e, Event::Head { .. }));
        events.insert(head1 + 1, head2);
    });
    (first, second, kind)
}

#[test]
fn an_event_for_a_later_request_before_the_earlier_ended_is_caught() {
    let (earlier, id, kind) = interleaved_requests();
    assert_eq!(kind, Some(ViolationKind::OutOfOrder { id, earlier }));
}

fn duplicate_head() -> (RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let id = run.get(OK_5);
    let kind = run.fault(|events| {
        let head = position(events, |e| matches!(e, Event::Head { .. }));
        events.insert(head, events[head].clone());
    });
    (id, kind)
}

#[test]
fn a_second_head_is_caught() {
    let (id, kind) = duplicate_head();
    assert_eq!(
        kind,
        Some(ViolationKind::BadSequence {
            id,
            event: "Head",
            after: "Head"
        })
    );
}

/// An early 413 stops an upload; its `StopSending` is duplicated.
fn duplicate_stop_sending() -> (RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let req = Request::new("POST", "/")
        .header("Host", "h")
        .body(RequestBody::Length(10));
    let id = run.send(&req);
    run.body(id, b"abc");
    run.transmit();
    run.input(b"HTTP/1.1 413 Too Large\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno");
    run.collect();
    let kind = run.fault(|events| {
        let stop = position(events, |e| matches!(e, Event::StopSending { .. }));
        events.insert(stop, events[stop].clone());
    });
    (id, kind)
}

#[test]
fn a_second_stop_sending_is_caught() {
    let (id, kind) = duplicate_stop_sending();
    assert_eq!(kind, Some(ViolationKind::BadStopSending { id }));
}

fn emptied_data() -> (RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let id = run.get(OK_5);
    let kind = run.fault(|events| {
        for e in events {
            if let Event::Data { data, .. } = e {
                *data = Bytes::new();
            }
        }
    });
    (id, kind)
}

#[test]
fn empty_data_is_caught() {
    let (id, kind) = emptied_data();
    assert_eq!(kind, Some(ViolationKind::EmptyData { id }));
}

/// A 204 given a body.
fn data_for_204() -> (RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let id = run.get(b"HTTP/1.1 204 No Content\r\n\r\n");
    let kind = run.fault(|events| {
        let end = position(events, |e| matches!(e, Event::End { .. }));
        let data = Bytes::from_static(b"x");
        events.insert(end, Event::Data { id, data });
    });
    (id, kind)
}

#[test]
fn data_for_a_bodiless_response_is_caught() {
    let (id, kind) = data_for_204();
    assert_eq!(
        kind,
        Some(ViolationKind::DataWithoutBody { id, status: 204 })
    );
}

/// A GET's head swapped for a head with an invalid `Content-Length`. The connection never
/// accepts one for a GET, so the head is taken from a HEAD request's response, where the field
/// frames nothing and is only a leniency.
fn invalid_length_head() -> (RequestId, Option<ViolationKind>) {
    let mut head_run = Run::new();
    head_run.send(&Request::new("HEAD", "/").header("Host", "h"));
    head_run.transmit();
    head_run.input(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n");
    head_run.collect();
    let Some(Event::Head { head: bad, .. }) = head_run.events.first().cloned() else {
        panic!("HEAD response accepted: {:?}", head_run.events);
    };
    assert_eq!(feed(&mut head_run.checker, &head_run.events), None);

    let mut run = Run::new();
    let id = run.get(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let kind = run.fault(|events| {
        for e in events {
            if let Event::Head { head, .. } = e {
                *head = bad.clone();
            }
        }
    });
    (id, kind)
}

#[test]
fn end_despite_an_invalid_length_is_caught() {
    let (id, kind) = invalid_length_head();
    assert_eq!(kind, Some(ViolationKind::InvalidLengthAccepted { id }));
}

/// A 103 then a 204; the informational event is given the final head.
fn final_status_as_informational() -> (RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let id = run.get(b"HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    let kind = run.fault(|events| {
        let Some(Event::Head { head: last, .. }) = events
            .iter()
            .find(|e| matches!(e, Event::Head { .. }))
            .cloned()
        else {
            unreachable!()
        };
        for e in events {
            if let Event::Informational { head, .. } = e {
                *head = last.clone();
            }
        }
    });
    (id, kind)
}

#[test]
fn a_final_status_in_an_informational_event_is_caught() {
    let (id, kind) = final_status_as_informational();
    assert_eq!(kind, Some(ViolationKind::BadStatus { id, status: 204 }));
}

/// EOF before any response: the `RequestFailed` before `Closed` is dropped.
fn failure_dropped() -> (RequestId, Option<ViolationKind>) {
    let mut run = Run::new();
    let id = run.send(&Request::get("/").header("Host", "h"));
    run.transmit();
    run.call(Call::Eof, |c| c.handle_eof(NOW));
    run.collect();
    let kind = run.fault(|events| events.retain(|e| !matches!(e, Event::RequestFailed { .. })));
    (id, kind)
}

#[test]
fn closed_with_a_request_unfinished_is_caught() {
    let (id, kind) = failure_dropped();
    assert_eq!(kind, Some(ViolationKind::UnfinishedAtClose { id }));
}

/// A request aborted before any byte went out; then bytes are reported transmitted.
fn transmit_after_abort() -> Option<ViolationKind> {
    let mut run = Run::new();
    run.send(&Request::get("/").header("Host", "h"));
    run.call(Call::Abort, Connection::abort);
    run.collect();
    assert_eq!(feed(&mut run.checker, &run.events), None);
    assert_eq!(run.conn.poll_transmit(), None);
    assert_eq!(run.checker.clone().transmit(None), Ok(()));
    let lie = b"GET / HTTP/1.1\r\n";
    run.checker.transmit(Some(lie)).err().map(|v| v.kind)
}

#[test]
fn a_transmit_after_the_close_is_caught() {
    assert_eq!(
        transmit_after_abort(),
        Some(ViolationKind::TransmitAfterClosed)
    );
}

/// An upload whose write failed; then more body bytes are reported transmitted.
fn transmit_after_write_error() -> Option<ViolationKind> {
    let mut run = Run::new();
    let req = Request::new("POST", "/")
        .header("Host", "h")
        .body(RequestBody::Length(10));
    let id = run.send(&req);
    run.body(id, b"abc");
    run.transmit();
    run.call(Call::WriteError, |c| c.handle_write_error(NOW));
    run.collect();
    assert_eq!(feed(&mut run.checker, &run.events), None);
    assert_eq!(run.conn.poll_transmit(), None);
    assert_eq!(run.checker.clone().transmit(None), Ok(()));
    run.checker.transmit(Some(b"def")).err().map(|v| v.kind)
}

#[test]
fn a_transmit_after_a_write_error_is_caught() {
    assert_eq!(
        transmit_after_write_error(),
        Some(ViolationKind::TransmitAfterWriteError)
    );
}

/// A POST without a body fails at EOF; its error is swapped for the same failure of a GET,
/// which is replayable.
fn replayable_post() -> (RequestId, Option<ViolationKind>) {
    let eof_failure = |req: &Request<'_>| {
        let mut run = Run::new();
        let id = run.send(req);
        run.transmit();
        run.call(Call::Eof, |c| c.handle_eof(NOW));
        run.collect();
        (run, id)
    };
    let (get, _) = eof_failure(&Request::get("/").header("Host", "h"));
    let Some(Event::RequestFailed {
        error: get_error, ..
    }) = get.events.first().cloned()
    else {
        panic!("{:?}", get.events);
    };
    assert!(get_error.is_replayable());
    let (post, id) = eof_failure(&Request::new("POST", "/").header("Host", "h"));
    let kind = post.fault(|events| {
        for e in events {
            if let Event::RequestFailed { error, .. } = e {
                assert_eq!(
                    (error.kind(), error.progress()),
                    (get_error.kind(), Progress::SentNoResponse)
                );
                assert!(!error.is_replayable());
                *error = get_error;
            }
        }
    });
    (id, kind)
}

#[test]
fn wrong_retry_facts_are_caught() {
    let (id, kind) = replayable_post();
    assert_eq!(
        kind,
        Some(ViolationKind::BadRetryFacts {
            id,
            why: "replayable though neither idempotent nor carrying Idempotency-Key",
        })
    );
}

// ----- the laws judged from facts read off the connection (what `Checked` reports) ------------

/// A second GET is rejected as `Busy`; the state reported after it is the state after a
/// transmit, as if the rejected call had changed something.
fn rejected_call_changed() -> Option<ViolationKind> {
    let mut run = Run::new();
    run.send(&Request::get("/").header("Host", "h"));
    let req = Request::get("/").header("Host", "h");
    let before = format!("{:?}", run.conn);
    let r = run.conn.send_request(&req, NOW);
    assert_eq!(r, Err(UsageError::Busy));
    let after = format!("{:?}", run.conn);
    let mut clean = run.checker.clone();
    assert_eq!(
        clean.rejected_state("send_request", UsageError::Busy, &before, &after),
        Ok(())
    );
    assert_eq!(clean.send_request(&req, &r), Ok(()));
    assert!(run.conn.poll_transmit().is_some());
    let changed = format!("{:?}", run.conn);
    run.checker
        .rejected_state("send_request", UsageError::Busy, &before, &changed)
        .err()
        .map(|v| v.kind)
}

#[test]
fn a_rejected_call_that_changed_the_state_is_caught() {
    assert_eq!(
        rejected_call_changed(),
        Some(ViolationKind::RejectedCallChangedState {
            call: "send_request",
            error: UsageError::Busy
        })
    );
}

/// A GET with a response-head timer; `poll_timeout` is reported gone after a transmit.
fn timer_moved_by_transmit() -> Option<ViolationKind> {
    let config = Config::default().response_head_timeout(Some(Duration::from_secs(5)));
    let mut run = Run::with(config);
    run.send(&Request::get("/").header("Host", "h"));
    let before = run.conn.poll_timeout();
    assert_eq!(before, Some(Instant::from_millis(5000)));
    let bytes = run.conn.poll_transmit();
    let after = run.conn.poll_timeout();
    let mut clean = run.checker.clone();
    assert_eq!(clean.output_timer(before, after), Ok(()));
    assert_eq!(clean.transmit(bytes.as_deref()), Ok(()));
    run.checker.output_timer(before, None).err().map(|v| v.kind)
}

#[test]
fn a_timer_moved_by_an_output_is_caught() {
    assert_eq!(
        timer_moved_by_transmit(),
        Some(ViolationKind::TimeoutMovedByOutput)
    );
}

/// A keep-alive exchange, drained; `responses_completed` reported as if the `End` had not
/// counted.
fn responses_completed_off_by_one() -> Option<ViolationKind> {
    let mut run = Run::new();
    run.get(OK_5);
    assert_eq!(feed(&mut run.checker, &run.events), None);
    let getters = Getters::of(&run.conn);
    assert_eq!(getters.responses_completed, 1);
    assert_eq!(run.checker.clone().getters(&getters), Ok(()));
    let mut lie = getters;
    lie.responses_completed = 0;
    run.checker.getters(&lie).err().map(|v| v.kind)
}

#[test]
fn a_getter_that_disagrees_with_the_events_is_caught() {
    assert_eq!(
        responses_completed_off_by_one(),
        Some(ViolationKind::GetterDisagrees {
            getter: "responses_completed"
        })
    );
}

/// `handle_timeout` a millisecond before the response-head deadline; the state reported after
/// it is the state after a response byte, as if the early call had changed something.
fn early_timeout_changed() -> Option<ViolationKind> {
    let config = Config::default().response_head_timeout(Some(Duration::from_secs(5)));
    let mut run = Run::with(config);
    run.send(&Request::get("/").header("Host", "h"));
    run.transmit();
    let deadline = run.conn.poll_timeout();
    let now = Instant::from_millis(4999);
    let before = format!("{:?}", run.conn);
    run.conn.handle_timeout(now);
    let after = format!("{:?}", run.conn);
    let next = run.conn.poll_timeout();
    let mut clean = run.checker.clone();
    let facts = (before.as_str(), after.as_str());
    assert_eq!(clean.timeout_laws(now, deadline, next, Some(facts)), Ok(()));
    assert_eq!(clean.call(Call::Timeout, Ok(())), Ok(()));
    run.conn.handle_input(b"H", now).unwrap();
    let changed = format!("{:?}", run.conn);
    let facts = (before.as_str(), changed.as_str());
    run.checker
        .timeout_laws(now, deadline, next, Some(facts))
        .err()
        .map(|v| v.kind)
}

#[test]
fn an_early_timeout_that_changed_the_state_is_caught() {
    assert_eq!(
        early_timeout_changed(),
        Some(ViolationKind::EarlyTimeoutChangedState)
    );
}

/// `handle_timeout` at the response-head deadline; the deadline is reported still pending.
fn deadline_left_pending() -> Option<ViolationKind> {
    let config = Config::default().response_head_timeout(Some(Duration::from_secs(5)));
    let mut run = Run::with(config);
    run.send(&Request::get("/").header("Host", "h"));
    run.transmit();
    let deadline = run.conn.poll_timeout();
    let now = Instant::from_millis(5000);
    assert_eq!(deadline, Some(now));
    run.conn.handle_timeout(now);
    let next = run.conn.poll_timeout();
    assert_eq!(next, None);
    let mut clean = run.checker.clone();
    assert_eq!(clean.timeout_laws(now, deadline, next, None), Ok(()));
    assert_eq!(clean.call(Call::Timeout, Ok(())), Ok(()));
    run.checker
        .timeout_laws(now, deadline, deadline, None)
        .err()
        .map(|v| v.kind)
}

#[test]
fn a_timeout_left_pending_is_caught() {
    assert_eq!(
        deadline_left_pending(),
        Some(ViolationKind::TimeoutNotHandled)
    );
}

// ----- every kind is shown caught -------------------------------------------------------------

/// Injects one fault into a run and returns the kind the checker reported.
type Catcher = fn() -> Option<ViolationKind>;

/// For each kind, a fault that the checker reports as that kind. `ViolationKind` is
/// `#[non_exhaustive]`, so no match outside h1conn can be exhaustive; instead
/// `ViolationKind::NAMES` is generated in h1conn from the same list as the exhaustive match in
/// `ViolationKind::name`, and `every_violation_kind_is_shown_caught` fails for a name missing
/// here.
const CATCHERS: &[(&str, Catcher)] = &[
    ("UnknownRequest", events_of_another_connection),
    ("IdNotFresh", || reused_id().1),
    ("OutOfOrder", || interleaved_requests().2),
    ("BadSequence", || duplicate_head().1),
    ("ResponseBeforeTransmit", || response_to_untransmitted().1),
    ("BadReuse", http10_reuse_on_http11),
    ("BadStopSending", || duplicate_stop_sending().1),
    ("EmptyData", || emptied_data().1),
    ("DataWithoutBody", || data_for_204().1),
    ("LengthMismatch", extra_data),
    ("InvalidLengthAccepted", || invalid_length_head().1),
    ("BadStatus", || final_status_as_informational().1),
    ("BadFollowUp", duplicate_end),
    ("BadFollowUp", idle_dropped),
    ("UnexpectedIdle", idle_doubled),
    ("UnfinishedAtClose", || failure_dropped().1),
    ("EventAfterClosed", idle_after_closed),
    ("MissingClosed", closed_dropped),
    ("CallAfterClosed", call_accepted_after_abort),
    ("TransmitAfterClosed", transmit_after_abort),
    ("TransmitAfterWriteError", transmit_after_write_error),
    ("BadProgress", not_sent_after_a_transmit),
    ("BadRetryFacts", || replayable_post().1),
    ("Uncaused", unreported_eof),
    ("RejectedCallChangedState", rejected_call_changed),
    ("TimeoutMovedByOutput", timer_moved_by_transmit),
    ("GetterDisagrees", responses_completed_off_by_one),
    ("EarlyTimeoutChangedState", early_timeout_changed),
    ("TimeoutNotHandled", deadline_left_pending),
];

#[test]
fn every_violation_kind_is_shown_caught() {
    for name in ViolationKind::NAMES {
        let catchers: Vec<_> = CATCHERS.iter().filter(|(n, _)| n == name).collect();
        assert!(!catchers.is_empty(), "no test shows {name} caught");
        for (_, catcher) in catchers {
            let kind = catcher();
            assert_eq!(
                kind.as_ref().map(ViolationKind::name),
                Some(*name),
                "{kind:?}"
            );
        }
    }
    for (name, _) in CATCHERS {
        assert!(ViolationKind::NAMES.contains(name), "{name} is not a kind");
    }
}
