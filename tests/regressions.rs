//! Minimized inputs for contract problems found by the property tests and fuzz targets. Each
//! test says where it came from; one that fails marks a problem still open.

use h1conn::testing::Checked;
use h1conn::{Bytes, Config, Event, Instant, Request, RequestBody};

const NOW: Instant = Instant::ZERO;

// FIXED in the docs (6ffc56e): found by the checker's sequence rule against the crate docs.
// Rule 1 used to say `StopSending` comes "after the request's `Head` (or before its
// `RequestFailed`)", yet a write error before any response byte emits it at once, before the
// `Head`. The wording changed (the caller must stop writing now); this pins the documented order.
// Input: POST with Content-Length 5, 2 body bytes sent and transmitted, `handle_write_error`,
// then `HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`. Events: StopSending, Head, End, Closed.
#[test]
fn stop_sending_before_head_after_a_write_error() {
    let mut c = Checked::new(Config::default());
    let request = Request::new("POST", "/")
        .header("Host", "h")
        .body(RequestBody::Length(5));
    let id = c.send_request(&request, NOW).unwrap();
    c.send_body(id, Bytes::from_static(b"ab"), NOW).unwrap();
    c.drain();
    c.handle_write_error(NOW).unwrap();
    c.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", NOW)
        .unwrap();
    c.drain();
    c.assert_ok();
    let kinds: Vec<&str> = c
        .events()
        .iter()
        .map(|e| match e {
            Event::StopSending { .. } => "StopSending",
            Event::Head { .. } => "Head",
            Event::End { .. } => "End",
            Event::Closed { .. } => "Closed",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["StopSending", "Head", "End", "Closed"]);
}
