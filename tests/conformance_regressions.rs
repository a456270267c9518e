//! Differences from peer implementations found by `examples/conformance.rs` that point at the
//! connection state machine (`src/conn.rs`) rather than a codec. Each test states the behaviour
//! the peers show.

use h1conn::{Config, Connection, Event, Instant, Request};

/// A connection with one GET transmitted, ready for response bytes.
fn sent_get() -> Connection {
    let mut conn = Connection::new(Config::default());
    conn.send_request(
        &Request::get("/").header("Host", "example.com"),
        Instant::ZERO,
    )
    .expect("request accepted");
    while conn.poll_transmit().is_some() {}
    conn
}

fn events(conn: &mut Connection) -> Vec<Event> {
    core::iter::from_fn(|| conn.poll_event()).collect()
}

/// h11 (`test_early_detection_of_invalid_response`), llhttp and hyper reject a response whose
/// first bytes cannot begin a status line as soon as they arrive; so does h1conn
/// (`head::check_start`, called on every input while a head is awaited). A plaintext client
/// talking to a TLS port fails at the first byte, not after `max_head_bytes`, EOF or a timeout.
#[test]
fn early_rejection_of_non_http() {
    let cases: &[&[u8]] = &[
        b"\x16\x03\x03\x001",              // a TLS ServerHello (h11-018)
        b"\x00",                           // NUL (h11-016)
        b" ",                              // space (h11-017)
        b"Baguettes are super delicious.", // hyper-044
    ];
    for raw in cases {
        let mut conn = sent_get();
        conn.handle_input(raw, Instant::ZERO).expect("open");
        let got = events(&mut conn);
        assert!(
            got.iter().any(|e| matches!(e, Event::RequestFailed { .. })),
            "{:?}: expected an early RequestFailed, got {got:?}",
            String::from_utf8_lossy(raw)
        );
    }
}

/// The behaviour that does hold today: a status line that starts with CR or LF fails at once
/// (h11-015), without waiting for more bytes.
#[test]
fn leading_empty_line_fails_at_once() {
    let mut conn = sent_get();
    conn.handle_input(b"\r\n", Instant::ZERO).expect("open");
    let got = events(&mut conn);
    assert!(
        matches!(got.first(), Some(Event::RequestFailed { .. })),
        "{got:?}"
    );
    assert!(matches!(got.last(), Some(Event::Closed { .. })), "{got:?}");
}
