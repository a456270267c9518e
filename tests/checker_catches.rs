//! The checker has teeth: each test feeds it a real run with one fault injected (an event
//! duplicated, dropped or invented, a call misreported) and expects the matching violation.
#![cfg(feature = "testing")]

use h1conn::testing::{Call, Checker, ViolationKind};
use h1conn::{Config, Connection, Event, Instant, Request, RequestBody};

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

#[test]
fn a_clean_run_passes() {
    let mut checker = Checker::new();
    let (_, events) = get_exchange(&mut checker);
    assert_eq!(feed(&mut checker, &events), None);
}

#[test]
fn duplicate_end_is_caught() {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    let end = events
        .iter()
        .position(|e| matches!(e, Event::End { .. }))
        .unwrap();
    events.insert(end, events[end].clone());
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::BadFollowUp {
            expected: "Idle",
            got: "End"
        })
    ));
}

#[test]
fn extra_data_breaks_the_length() {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    let data = events
        .iter()
        .position(|e| matches!(e, Event::Data { .. }))
        .unwrap();
    events.insert(data, events[data].clone());
    assert!(matches!(
        feed(&mut checker, &events),
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

#[test]
fn idle_must_follow_keep_alive_end() {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    events.retain(|e| *e != Event::Idle);
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::BadFollowUp {
            expected: "Idle",
            got: "no event"
        })
    ));
    let mut checker = Checker::new();
    let (_, events) = get_exchange(&mut checker);
    let mut doubled = events.clone();
    doubled.push(Event::Idle);
    assert_eq!(
        feed(&mut checker, &doubled),
        Some(ViolationKind::UnexpectedIdle)
    );
}

#[test]
fn events_for_unsent_requests_and_after_closed_are_caught() {
    // Events of one connection fed to a checker that saw no request.
    let mut other = Checker::new();
    let (_, events) = get_exchange(&mut other);
    let mut checker = Checker::new();
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::UnknownRequest { .. })
    ));

    let mut checker = Checker::new();
    let (mut conn, mut events) = get_exchange(&mut checker);
    conn.close().unwrap();
    checker.call(Call::Close, Ok(())).unwrap();
    events.extend(std::iter::from_fn(|| conn.poll_event()));
    events.push(Event::Idle);
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::EventAfterClosed { .. })
    ));
}

#[test]
fn a_dropped_closed_is_caught() {
    let mut checker = Checker::new();
    let (mut conn, mut events) = get_exchange(&mut checker);
    let r = conn.handle_eof(NOW);
    checker.call(Call::Eof, r).unwrap();
    events.extend(std::iter::from_fn(|| conn.poll_event()));
    assert!(matches!(events.pop(), Some(Event::Closed { .. })));
    assert_eq!(
        feed(&mut checker, &events),
        Some(ViolationKind::MissingClosed {
            cause: "handle_eof"
        })
    );
}

#[test]
fn not_sent_after_a_transmit_is_caught() {
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
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::BadProgress {
            progress: h1conn::Progress::NotSent,
            ..
        })
    ));
}

#[test]
fn an_uncaused_failure_is_caught() {
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
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::Uncaused { .. })
    ));
}

#[test]
fn a_call_accepted_after_close_is_caught() {
    let mut checker = Checker::new();
    checker.call(Call::Abort, Ok(())).unwrap();
    assert!(matches!(
        checker.call(Call::Eof, Ok(())),
        Err(v) if v.kind == ViolationKind::CallAfterClosed { call: "handle_eof" }
    ));
}

#[test]
fn a_reuse_the_head_does_not_call_for_is_caught() {
    let mut checker = Checker::new();
    let (_, mut events) = get_exchange(&mut checker);
    for e in &mut events {
        if let Event::End { reuse, .. } = e {
            *reuse = h1conn::Reuse::Close(h1conn::CloseReason::Http10);
        }
    }
    assert!(matches!(
        feed(&mut checker, &events),
        Some(ViolationKind::BadReuse { .. })
    ));
}

#[test]
fn a_response_to_an_untransmitted_request_is_caught() {
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
    assert_eq!(
        feed(&mut checker, &events),
        Some(ViolationKind::ResponseBeforeTransmit { id })
    );
}
