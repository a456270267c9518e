//! `handle_read_error`: a read that fails (reset, TLS alert, read timeout) is not an EOF. It
//! never ends a close-delimited body successfully, and it keeps the retry verdict of how far the
//! request got. Every case runs through the contract checker.

use h1conn::testing::Checked;
use h1conn::{
    CloseReason, Config, Event, FailureKind, Instant, Progress, Request, RequestBody, Reuse,
    UsageError,
};

const NOW: Instant = Instant::ZERO;

fn sent(request: &Request<'_>) -> Checked {
    let mut c = Checked::new(Config::default());
    c.send_request(request, NOW).unwrap();
    c.drain();
    c
}

fn get() -> Request<'static> {
    Request::get("/").header("Host", "h")
}

/// The failure of the one request, and the close reason, after draining.
fn outcome(c: &mut Checked) -> (Option<(FailureKind, Progress, bool)>, Option<CloseReason>) {
    c.drain();
    c.assert_ok();
    let failure = c.events().iter().find_map(|e| match e {
        Event::RequestFailed { error, .. } => {
            Some((error.kind(), error.progress(), error.is_retryable()))
        }
        _ => None,
    });
    let closed = c.events().iter().find_map(|e| match e {
        Event::Closed { reason } => Some(*reason),
        _ => None,
    });
    (failure, closed)
}

#[test]
fn sent_without_response_keeps_the_retry_verdict_of_its_method() {
    let mut c = sent(&get());
    c.handle_read_error(NOW).unwrap();
    assert_eq!(
        outcome(&mut c),
        (
            Some((FailureKind::ReadFailed, Progress::SentNoResponse, true)),
            Some(CloseReason::ReadFailed)
        )
    );
    let post = Request::new("POST", "/")
        .header("Host", "h")
        .body(RequestBody::Length(0));
    let mut c = sent(&post);
    c.handle_read_error(NOW).unwrap();
    assert_eq!(
        outcome(&mut c).0,
        Some((FailureKind::ReadFailed, Progress::SentNoResponse, false))
    );
}

#[test]
fn a_reset_never_completes_a_close_delimited_body() {
    let head = b"HTTP/1.1 200 OK\r\n\r\npartial";
    // EOF: the body ends there, successfully.
    let mut c = sent(&get());
    c.handle_input(head, NOW).unwrap();
    c.handle_eof(NOW).unwrap();
    c.drain();
    c.assert_ok();
    assert!(c.events().iter().any(|e| matches!(
        e,
        Event::End {
            reuse: Reuse::Close(CloseReason::EndOfBody),
            ..
        }
    )));
    // A read error: the body so far is delivered, then the request fails.
    let mut c = sent(&get());
    c.handle_input(head, NOW).unwrap();
    c.handle_read_error(NOW).unwrap();
    assert_eq!(
        outcome(&mut c),
        (
            Some((FailureKind::ReadFailed, Progress::ResponseStarted, false)),
            Some(CloseReason::ReadFailed)
        )
    );
    assert!(
        c.events()
            .iter()
            .any(|e| matches!(e, Event::Data { data, .. } if &data[..] == b"partial"))
    );
    assert!(!c.events().iter().any(|e| matches!(e, Event::End { .. })));
}

#[test]
fn a_complete_response_is_reported_before_the_read_error() {
    let mut c = sent(&get());
    c.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", NOW)
        .unwrap();
    c.handle_read_error(NOW).unwrap();
    assert_eq!(outcome(&mut c), (None, Some(CloseReason::ReadFailed)));
    let names: Vec<&str> = c
        .events()
        .iter()
        .map(|e| match e {
            Event::Head { .. } => "head",
            Event::Data { .. } => "data",
            Event::End { .. } => "end",
            Event::Idle => "idle",
            Event::Closed { .. } => "closed",
            _ => "other",
        })
        .collect();
    assert_eq!(names, ["head", "data", "end", "idle", "closed"]);
}

#[test]
fn unsent_requests_fail_not_sent_and_idle_connections_just_close() {
    let mut c = Checked::new(Config::default());
    c.send_request(&get(), NOW).unwrap();
    c.handle_read_error(NOW).unwrap();
    assert_eq!(
        outcome(&mut c),
        (
            Some((
                FailureKind::ConnectionClosed(CloseReason::ReadFailed),
                Progress::NotSent,
                true
            )),
            Some(CloseReason::ReadFailed)
        )
    );
    let mut c = Checked::new(Config::default());
    c.handle_read_error(NOW).unwrap();
    assert_eq!(outcome(&mut c), (None, Some(CloseReason::ReadFailed)));
    assert_eq!(c.handle_read_error(NOW), Err(UsageError::Closed));
    assert_eq!(c.handle_eof(NOW), Err(UsageError::Closed));
}
