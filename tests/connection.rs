//! Scenario tests of the connection API: commands, inputs, timers and the retry verdicts.
//! Each test drives the machine by hand, as a runtime would, with a virtual clock, through
//! `h1conn::testing::Checked`: every call and output is also checked against the whole event
//! contract, and each harness drains and asserts it when it is dropped.

use h1conn::testing::Checked;
use h1conn::{
    Bytes, CloseReason, Config, EofPhase, Event, FailureKind, Instant, Progress, Request,
    RequestBody, RequestError, RequestId, Reuse, UsageError,
};
use std::time::Duration;

struct Harness {
    /// The connection under check. Its getters are reached through `conn.connection()`.
    conn: Checked,
    now: Instant,
}

impl Harness {
    fn new() -> Harness {
        Harness::with(Config::default())
    }

    fn with(config: Config) -> Harness {
        Harness {
            conn: Checked::new(config),
            now: Instant::ZERO,
        }
    }

    fn send(&mut self, req: &Request<'_>) -> RequestId {
        self.conn
            .send_request(req, self.now)
            .expect("request accepted")
    }

    fn get(&mut self) -> RequestId {
        let id = self.send(&Request::get("/").header("Host", "h"));
        self.flush();
        id
    }

    /// `POST /` with `body` framing.
    fn post(&mut self, body: RequestBody) -> RequestId {
        self.send(&Request::new("POST", "/").header("Host", "h").body(body))
    }

    /// `POST /` with `body` framing and `Expect: 100-continue`.
    fn post_expecting_continue(&mut self, body: RequestBody) -> RequestId {
        let req = Request::new("POST", "/")
            .header("Host", "h")
            .header("Expect", "100-continue")
            .body(body);
        self.send(&req)
    }

    /// Hands over body bytes; they must be accepted.
    fn body(&mut self, id: RequestId, bytes: &'static [u8]) {
        let now = self.now;
        self.conn
            .send_body(id, Bytes::from_static(bytes), now)
            .expect("body accepted");
    }

    fn flush(&mut self) -> Vec<u8> {
        let mut wire = Vec::new();
        while let Some(b) = self.conn.poll_transmit() {
            wire.extend_from_slice(&b);
        }
        wire
    }

    fn input(&mut self, bytes: &[u8]) {
        self.conn
            .handle_input(bytes, self.now)
            .expect("input accepted");
    }

    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.conn.poll_event()).collect()
    }

    fn advance(&mut self, d: Duration) {
        self.now = self.now + d;
        self.conn.handle_timeout(self.now);
    }
}

impl Drop for Harness {
    /// The end of every scenario: drain what is left (transmits, then events, as the driving
    /// loop does) and assert that the whole run kept the contract. Skipped while a test is
    /// already panicking, so a failed assertion is reported as itself and never aborts.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        self.conn.drain();
        self.conn.assert_ok();
    }
}

/// Event names, for compact comparisons.
fn names(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Informational { head, .. } => format!("info {}", head.status()),
            Event::Head { head, .. } => format!("head {}", head.status()),
            Event::Data { data, .. } => format!("data {}", String::from_utf8_lossy(data)),
            Event::End {
                reuse: Reuse::KeepAlive,
                ..
            } => "end keep-alive".into(),
            Event::End {
                reuse: Reuse::Close(r),
                ..
            } => format!("end close {}", r.name()),
            Event::Upgraded { buffered, .. } => format!("upgraded {}", buffered.len()),
            Event::StopSending { .. } => "stop-sending".into(),
            Event::RequestFailed { error, .. } => {
                format!("failed {} {:?}", error.kind().name(), error.progress())
            }
            Event::Idle => "idle".into(),
            Event::Closed { reason } => format!("closed {}", reason.name()),
            other => format!("{other:?}"),
        })
        .collect()
}

fn failure(events: &[Event]) -> RequestError {
    events
        .iter()
        .find_map(|e| match e {
            Event::RequestFailed { error, .. } => Some(*error),
            _ => None,
        })
        .expect("a failed request")
}

const OK_EMPTY: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

#[test]
fn request_head_is_encoded_with_declared_framing() {
    let mut h = Harness::new();
    let id = h.send(
        &Request::new("POST", "/up")
            .header("Host", "h")
            .body(RequestBody::Chunked),
    );
    h.body(id, b"hello");
    h.conn.send_body(id, Bytes::new(), h.now).unwrap();
    h.body(id, b"0123456789abcdefg");
    h.conn.finish_body(id, h.now).unwrap();
    assert_eq!(
        String::from_utf8(h.flush()).unwrap(),
        "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n11\r\n0123456789abcdefg\r\n0\r\n\r\n"
    );
    assert_eq!(h.conn.finish_body(id, h.now), Err(UsageError::BodyFinished));
}

#[test]
fn length_body_finishes_itself_and_rejects_excess() {
    let mut h = Harness::new();
    let id = h.send(
        &Request::new("PUT", "/")
            .header("Host", "h")
            .body(RequestBody::Length(5)),
    );
    assert_eq!(
        h.conn.finish_body(id, h.now),
        Err(UsageError::BodyTooShort {
            declared: 5,
            sent: 0
        })
    );
    h.body(id, b"abc");
    assert_eq!(
        h.conn.send_body(id, Bytes::from_static(b"def"), h.now),
        Err(UsageError::BodyTooLong {
            declared: 5,
            attempted: 6
        })
    );
    h.body(id, b"de");
    assert_eq!(
        h.conn.send_body(id, Bytes::from_static(b"x"), h.now),
        Err(UsageError::BodyFinished)
    );
    // Finishing a complete Content-Length body is always allowed, and queues nothing.
    assert_eq!(h.conn.finish_body(id, h.now), Ok(()));
    assert_eq!(h.conn.finish_body(id, h.now), Ok(()));
    assert!(
        String::from_utf8(h.flush())
            .unwrap()
            .ends_with("Content-Length: 5\r\n\r\nabcde")
    );
    h.input(OK_EMPTY);
    assert_eq!(names(&h.events()), ["head 200", "end keep-alive", "idle"]);
}

#[test]
fn rejected_commands_change_nothing() {
    // Two machines get the same valid calls; one also gets invalid ones in between. Their
    // outputs must be identical.
    let mut plain = Harness::new();
    let mut poked = Harness::new();
    let req = Request::new("POST", "/")
        .header("Host", "h")
        .body(RequestBody::Length(4));
    let id = plain.send(&req);
    let id2 = poked.send(&req);
    assert_eq!(id, id2);
    let bogus = Request::get("/").header("Host", "h");
    assert_eq!(
        poked.conn.send_request(&bogus, poked.now),
        Err(UsageError::Busy)
    );
    assert_eq!(
        poked.conn.send_request(&Request::get("/"), poked.now),
        Err(UsageError::Busy)
    );
    assert_eq!(
        poked
            .conn
            .send_body(id, Bytes::from_static(b"12345"), poked.now),
        Err(UsageError::BodyTooLong {
            declared: 4,
            attempted: 5
        })
    );
    assert_eq!(
        poked.conn.finish_body(id, poked.now),
        Err(UsageError::BodyTooShort {
            declared: 4,
            sent: 0
        })
    );
    for h in [&mut plain, &mut poked] {
        h.body(id, b"1234");
    }
    assert_eq!(plain.flush(), poked.flush());
    for h in [&mut plain, &mut poked] {
        h.input(OK_EMPTY);
    }
    assert_eq!(
        poked
            .conn
            .send_body(id, Bytes::from_static(b"x"), poked.now),
        Err(UsageError::UnknownRequest)
    );
    assert_eq!(
        poked.conn.cancel(id, poked.now),
        Err(UsageError::UnknownRequest)
    );
    assert_eq!(plain.events(), poked.events());
    assert_eq!(
        plain.conn.connection().poll_timeout(),
        poked.conn.connection().poll_timeout()
    );

    let mut h = Harness::new();
    let id = h.send(&Request::get("/").header("Host", "h"));
    assert_eq!(
        h.conn.send_body(id, Bytes::from_static(b"x"), h.now),
        Err(UsageError::NoRequestBody)
    );
    let mut h = Harness::new();
    assert_eq!(
        h.conn
            .send_request(&Request::get("/").header("Host", "a\r\nX: y"), h.now),
        Err(UsageError::InvalidHeaderValue { index: 0 })
    );
    assert!(h.flush().is_empty() && h.events().is_empty() && h.conn.connection().is_ready());
}

#[test]
fn expect_continue_holds_body_until_100() {
    let mut h = Harness::new();
    let id = h.post_expecting_continue(RequestBody::Length(5));
    h.body(id, b"hello");
    assert!(
        String::from_utf8(h.flush()).unwrap().ends_with("\r\n\r\n"),
        "only the head goes out"
    );
    assert!(h.conn.connection().awaiting_continue());
    h.input(b"HTTP/1.1 100 Continue\r\n\r\n");
    assert!(!h.conn.connection().awaiting_continue());
    assert_eq!(h.flush(), b"hello");
    h.input(OK_EMPTY);
    assert_eq!(
        names(&h.events()),
        ["info 100", "head 200", "end keep-alive", "idle"]
    );
}

#[test]
fn expect_continue_timeout_releases_body() {
    let mut h =
        Harness::with(Config::default().expect_continue_timeout(Duration::from_millis(500)));
    let id = h.post_expecting_continue(RequestBody::Chunked);
    h.body(id, b"ab");
    h.conn.finish_body(id, h.now).unwrap();
    h.flush();
    assert_eq!(
        h.conn.connection().poll_timeout(),
        Some(Instant::from_millis(500))
    );
    h.advance(Duration::from_millis(499));
    assert!(h.flush().is_empty());
    assert!(h.conn.connection().awaiting_continue());
    h.advance(Duration::from_millis(1));
    assert!(!h.conn.connection().awaiting_continue());
    assert_eq!(h.flush(), b"2\r\nab\r\n0\r\n\r\n");
    assert_eq!(
        h.conn.connection().poll_timeout(),
        None,
        "no timer left: head timeout is off by default"
    );
}

#[test]
fn expect_continue_final_close_skips_body() {
    let mut h = Harness::new();
    let id = h.post_expecting_continue(RequestBody::Length(5));
    h.body(id, b"hel");
    h.flush();
    h.input(b"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    assert!(h.flush().is_empty(), "the held body is never sent");
    assert_eq!(
        names(&h.events()),
        [
            "head 417",
            "stop-sending",
            "end close server-requested-close",
            "closed server-requested-close"
        ]
    );
    assert_eq!(
        h.conn.send_body(id, Bytes::from_static(b"lo"), h.now),
        Err(UsageError::Closed)
    );
}

#[test]
fn expect_continue_final_keep_alive_sends_body_to_stay_in_sync() {
    let mut h = Harness::new();
    let id = h.post_expecting_continue(RequestBody::Length(2));
    h.body(id, b"ok");
    h.flush();
    h.input(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(h.flush(), b"ok");
    assert_eq!(names(&h.events()), ["head 401", "end keep-alive", "idle"]);
}

#[test]
fn early_response_stops_the_upload() {
    // The server answers (and closes) while the body is still being written.
    let mut h = Harness::new();
    let id = h.post(RequestBody::Length(10));
    h.body(id, b"abc");
    h.flush();
    h.input(b"HTTP/1.1 413 Too Large\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno");
    assert_eq!(
        names(&h.events()),
        [
            "head 413",
            "stop-sending",
            "data no",
            "end close server-requested-close",
            "closed server-requested-close"
        ]
    );

    // A keep-alive early response: delivered, but the connection is not reused because the
    // body never finished.
    let mut h = Harness::new();
    let id = h.post(RequestBody::Chunked);
    h.body(id, b"abc");
    h.flush();
    h.input(OK_EMPTY);
    assert_eq!(
        names(&h.events()),
        [
            "head 200",
            "stop-sending",
            "end close request-body-unfinished",
            "closed request-body-unfinished"
        ]
    );
}

#[test]
fn early_response_keeps_connection_when_body_finishes_first() {
    // The response head arrives mid-upload, but the body is finished before the response ends:
    // the connection stays reusable.
    let mut h = Harness::new();
    let id = h.post(RequestBody::Length(4));
    h.body(id, b"ab");
    h.flush();
    h.input(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nxy");
    h.body(id, b"cd");
    assert_eq!(h.flush(), b"cd");
    h.input(b"zw");
    assert_eq!(
        names(&h.events()),
        ["head 200", "data xy", "data zw", "end keep-alive", "idle"]
    );
}

#[test]
fn write_error_before_any_byte_is_retryable_for_any_method() {
    let mut h = Harness::new();
    h.post(RequestBody::Length(1));
    h.conn.handle_write_error(h.now).unwrap();
    let events = h.events();
    assert_eq!(
        names(&events),
        ["failed write NotSent", "closed write-failed"]
    );
    assert!(failure(&events).is_retryable());
}

#[test]
fn write_error_after_sending_still_reads_the_response() {
    let mut h = Harness::new();
    let id = h.post(RequestBody::Length(10));
    h.body(id, b"abc");
    h.flush();
    h.conn.handle_write_error(h.now).unwrap();
    assert_eq!(
        h.conn.send_body(id, Bytes::from_static(b"d"), h.now),
        Err(UsageError::BodyNotWanted)
    );
    h.input(b"HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        names(&h.events()),
        [
            "stop-sending",
            "head 413",
            "end close write-failed",
            "closed write-failed"
        ]
    );

    // No response at all: the write failure is the error, and a GET may be retried.
    let mut h = Harness::new();
    h.get();
    h.conn.handle_write_error(h.now).unwrap();
    h.conn.handle_eof(h.now).unwrap();
    let events = h.events();
    assert_eq!(
        names(&events),
        ["failed write SentNoResponse", "closed write-failed"]
    );
    assert!(failure(&events).is_retryable());
}

#[test]
fn retry_verdicts_follow_what_was_sent_and_read() {
    // A stale keep-alive connection: the second GET is sent, the server had already closed.
    let mut h = Harness::new();
    h.get();
    h.input(OK_EMPTY);
    h.events();
    h.get();
    h.conn.handle_eof(h.now).unwrap();
    let events = h.events();
    assert_eq!(
        names(&events),
        ["failed eof SentNoResponse", "closed eof-before-response"]
    );
    let e = failure(&events);
    assert!(e.reused_connection() && e.is_replayable() && e.is_retryable());
    assert_eq!(e.kind(), FailureKind::Eof(EofPhase::BeforeResponse));

    // POST: not replayable, unless it carries an Idempotency-Key (and no or a replayable body).
    for (req, retryable) in [
        (Request::new("POST", "/").header("Host", "h"), false),
        (
            Request::new("POST", "/")
                .header("Host", "h")
                .header("Idempotency-Key", "k1"),
            true,
        ),
        (
            Request::new("POST", "/")
                .header("Host", "h")
                .header("Idempotency-Key", "k1")
                .body(RequestBody::Length(1)),
            false,
        ),
        (Request::new("DELETE", "/").header("Host", "h"), false),
        (Request::new("OPTIONS", "*").header("Host", "h"), true),
    ] {
        let mut h = Harness::new();
        let id = h.send(&req);
        let _ = h.conn.send_body(id, Bytes::from_static(b"x"), h.now);
        h.flush();
        h.conn.handle_eof(h.now).unwrap();
        let e = failure(&h.events());
        assert_eq!(e.progress(), Progress::SentNoResponse);
        assert!(!e.reused_connection());
        assert_eq!(e.is_retryable(), retryable, "{req:?}");
    }

    // Once a response byte arrived, never.
    let mut h = Harness::new();
    h.get();
    h.input(b"H");
    h.conn.handle_eof(h.now).unwrap();
    let e = failure(&h.events());
    assert_eq!(
        (e.progress(), e.is_retryable()),
        (Progress::ResponseStarted, false)
    );
    assert_eq!(e.kind(), FailureKind::Eof(EofPhase::InHead { received: 1 }));
}

#[test]
fn bytes_before_the_request_is_sent_are_unsolicited() {
    // A 408 racing a new request: the request was queued but not one byte of it written.
    let mut h = Harness::new();
    h.get();
    h.input(OK_EMPTY);
    h.events();
    h.send(&Request::get("/").header("Host", "h"));
    h.input(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    let events = h.events();
    assert_eq!(
        names(&events),
        ["failed closed NotSent", "closed unsolicited-bytes"]
    );
    assert!(failure(&events).is_retryable());
    assert!(h.flush().is_empty(), "nothing is written after the close");

    // The same with EOF instead.
    let mut h = Harness::new();
    h.send(&Request::get("/").header("Host", "h"));
    h.conn.handle_eof(h.now).unwrap();
    assert_eq!(
        names(&h.events()),
        ["failed closed NotSent", "closed peer-closed-idle"]
    );
}

#[test]
fn unsolicited_408_on_idle_connection_fails_nothing() {
    let mut h = Harness::new();
    h.get();
    h.input(OK_EMPTY);
    h.input(b"HTTP/1.1 408 Request Timeout\r\n\r\n");
    assert_eq!(
        names(&h.events()),
        [
            "head 200",
            "end keep-alive",
            "idle",
            "closed unsolicited-bytes"
        ]
    );
    assert_eq!(h.conn.handle_input(b"x", h.now), Err(UsageError::Closed));
}

#[test]
fn response_head_timeout_fails_the_request() {
    let mut h =
        Harness::with(Config::default().response_head_timeout(Some(Duration::from_secs(5))));
    h.get();
    assert_eq!(
        h.conn.connection().poll_timeout(),
        Some(Instant::from_millis(5000))
    );
    h.advance(Duration::from_millis(4999));
    assert!(h.events().is_empty());
    h.advance(Duration::from_millis(1));
    let events = h.events();
    assert_eq!(
        names(&events),
        ["failed timeout SentNoResponse", "closed response-timeout"]
    );
    assert_eq!(h.conn.connection().poll_timeout(), None);
}

#[test]
fn idle_timeout_closes_without_failing_anything() {
    let mut h = Harness::new();
    h.get();
    h.input(OK_EMPTY);
    h.events();
    assert_eq!(
        h.conn.connection().poll_timeout(),
        Some(Instant::from_millis(90_000))
    );
    h.advance(Duration::from_secs(90));
    assert_eq!(names(&h.events()), ["closed idle-timeout"]);
    // A new request cancels the idle timer.
    let mut h = Harness::new();
    h.get();
    h.input(OK_EMPTY);
    h.get();
    assert_eq!(h.conn.connection().poll_timeout(), None);
}

#[test]
fn cancel_before_sending_keeps_the_connection() {
    let mut h = Harness::new();
    let id = h.send(&Request::get("/").header("Host", "h"));
    h.conn.cancel(id, h.now).unwrap();
    assert!(h.flush().is_empty(), "a withdrawn request is never written");
    let events = h.events();
    assert_eq!(names(&events), ["failed canceled NotSent", "idle"]);
    assert!(!failure(&events).is_retryable());
    h.get();
    h.input(OK_EMPTY);
    assert_eq!(names(&h.events()), ["head 200", "end keep-alive", "idle"]);
}

#[test]
fn cancel_after_sending_closes() {
    let mut h = Harness::new();
    let id = h.get();
    h.input(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\npart");
    h.conn.cancel(id, h.now).unwrap();
    assert_eq!(
        names(&h.events()),
        [
            "head 200",
            "data part",
            "failed canceled ResponseStarted",
            "closed canceled"
        ]
    );
}

#[test]
fn close_waits_for_the_response_and_abort_does_not() {
    let mut h = Harness::new();
    h.conn.close().unwrap();
    assert_eq!(names(&h.events()), ["closed local-close"]);

    let mut h = Harness::new();
    h.get();
    h.conn.close().unwrap();
    assert_eq!(h.conn.close(), Err(UsageError::Closing));
    assert_eq!(
        h.conn
            .send_request(&Request::get("/").header("Host", "h"), h.now),
        Err(UsageError::Closing)
    );
    h.input(OK_EMPTY);
    assert_eq!(
        names(&h.events()),
        ["head 200", "end close local-close", "closed local-close"]
    );

    let mut h = Harness::new();
    h.get();
    h.conn.abort().unwrap();
    assert_eq!(
        names(&h.events()),
        ["failed aborted SentNoResponse", "closed aborted"]
    );
    assert_eq!(h.conn.abort(), Err(UsageError::Closed));
}

#[test]
fn nothing_after_closed() {
    let mut h = Harness::new();
    h.get();
    h.conn.handle_eof(h.now).unwrap();
    let events = h.events();
    assert!(matches!(events.last(), Some(Event::Closed { .. })));
    for _ in 0..3 {
        assert_eq!(h.conn.poll_event(), None);
    }
    assert_eq!(h.conn.handle_eof(h.now), Err(UsageError::Closed));
    assert_eq!(h.conn.handle_write_error(h.now), Err(UsageError::Closed));
    assert_eq!(
        h.conn
            .send_request(&Request::get("/").header("Host", "h"), h.now),
        Err(UsageError::Closed)
    );
    h.conn.handle_timeout(Instant::from_nanos(u64::MAX));
    assert_eq!(h.conn.poll_event(), None);
    assert_eq!(h.conn.connection().poll_timeout(), None);
}

#[test]
fn keep_alive_connection_serves_many_requests() {
    let mut h = Harness::new();
    for i in 0..5 {
        let id = h.get();
        h.input(format!("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{i}").as_bytes());
        let events = h.events();
        assert!(
            events
                .iter()
                .filter_map(Event::request_id)
                .all(|got| got == id)
        );
        assert_eq!(
            names(&events),
            ["head 200", &format!("data {i}"), "end keep-alive", "idle"]
        );
    }
    assert_eq!(h.conn.connection().responses_completed(), 5);
}

#[test]
fn client_connection_close_closes_after_response() {
    let mut h = Harness::new();
    h.send(
        &Request::get("/")
            .header("Host", "h")
            .header("Connection", "close"),
    );
    h.flush();
    h.input(OK_EMPTY);
    assert_eq!(
        names(&h.events()),
        [
            "head 200",
            "end close client-requested-close",
            "closed client-requested-close"
        ]
    );
}

#[test]
fn body_bytes_are_views_of_the_input_not_copies_per_event() {
    let mut h = Harness::new();
    h.get();
    h.input(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef");
    let events = h.events();
    let (head, data) = match (&events[0], &events[1]) {
        (Event::Head { head, .. }, Event::Data { data, .. }) => {
            (head.headers().as_bytes().clone(), data.clone())
        }
        other => panic!("{other:?}"),
    };
    // Head and body were cut from one receive buffer: they are adjacent in memory.
    assert_eq!(head.as_ptr() as usize + head.len(), data.as_ptr() as usize);
}

#[test]
fn close_reason_is_clean_only_for_orderly_ends() {
    assert!(CloseReason::PeerClosedIdle.is_clean());
    assert!(CloseReason::EndOfBody.is_clean());
    assert!(!CloseReason::Eof(EofPhase::BeforeResponse).is_clean());
}

#[test]
fn configured_limits_fail_with_typed_errors() {
    use h1conn::ProtocolError;
    let cases: [(Config, &[u8], ProtocolError); 5] = [
        (
            Config::default().max_headers(2),
            b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
            ProtocolError::TooManyHeaders { limit: 2 },
        ),
        (
            Config::default().max_head_bytes(32),
            b"HTTP/1.1 200 OK\r\nX-Long: aaaaaaaaaaaaaaaaaaaa",
            ProtocolError::HeadTooLarge { limit: 32 },
        ),
        (
            Config::default().max_informational(1),
            b"HTTP/1.1 103 Early\r\n\r\nHTTP/1.1 103 Early\r\n\r\n",
            ProtocolError::TooManyInformational { limit: 1 },
        ),
        (
            Config::default().max_chunk_extension_bytes(8),
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;name=value\r\nx\r\n",
            ProtocolError::ChunkExtensionsTooLarge { limit: 8 },
        ),
        (
            Config::default().max_trailer_bytes(16),
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: 0123456789\r\n\r\n",
            ProtocolError::TrailersTooLarge { limit: 16 },
        ),
    ];
    for (config, input, want) in cases {
        for piece in [input.len(), 1] {
            let mut h = Harness::with(config.clone());
            h.get();
            for chunk in input.chunks(piece) {
                if h.conn.handle_input(chunk, h.now).is_err() {
                    break; // closed: the rest is not needed
                }
            }
            let events = h.events();
            assert_eq!(
                failure(&events).kind(),
                FailureKind::Protocol(want),
                "piece {piece}"
            );
            assert_eq!(
                events.last(),
                Some(&Event::Closed {
                    reason: CloseReason::Protocol(want)
                })
            );
        }
    }
}
