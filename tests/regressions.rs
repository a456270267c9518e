//! Minimized inputs for contract problems found by the property tests and fuzz targets. Each
//! test says where it came from; one that fails marks a problem still open.
#![cfg(feature = "testing")]

use h1conn::testing::Checked;
use h1conn::{Bytes, Config, Event, Instant, Request, RequestBody};

const NOW: Instant = Instant::ZERO;

// OPEN (found by reading the checker's sequence rule against the crate docs, confirmed by
// `prop_conversation`): the crate docs' rule 1 says `StopSending` comes "after the request's
// `Head` (or before its `RequestFailed`)", while `Event::StopSending`'s own docs list "writing
// failed" as a cause, and a write error before any response byte emits it *before* the `Head`.
// Input: POST with Content-Length 5, 2 body bytes sent and transmitted, `handle_write_error`,
// then `HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`. Events: StopSending, Head, End, Closed.
// Either rule 1's wording or `handle_write_error` must change; the checker accepts both orders
// until then. Delete or invert this test with the fix.
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
    let stop = c
        .events()
        .iter()
        .position(|e| matches!(e, Event::StopSending { .. }));
    let head = c
        .events()
        .iter()
        .position(|e| matches!(e, Event::Head { .. }));
    assert!(
        stop > head,
        "crate docs rule 1: StopSending after Head; got {:#?}",
        c.events()
    );
}
