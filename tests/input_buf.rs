//! The zero-copy input path: `handle_input_buf` gives the same events as `handle_input` for
//! the same bytes however they are cut, whether the pieces come from one read buffer (joined
//! without copying) or from separate buffers (copied); and body bytes are views of the caller's
//! buffer, not copies.
//!
//! Long run: `PROPTEST_CASES=20000 cargo test --test input_buf`.

mod common;

use common::{cut, gen_response, observe, run};
use h1conn::testing::Checked;
use h1conn::{BytesMut, Config, Event, Instant, Request, RequestBody};
use proptest::collection::vec;
use proptest::prelude::*;

/// [`common::run`], handing each piece in with `handle_input_buf`: cut from one read buffer
/// when `one_buffer` (the adapters' way), or each in a buffer of its own.
fn run_buf(request: &Request<'_>, pieces: &[&[u8]], one_buffer: bool) -> Checked {
    let now = Instant::ZERO;
    let mut c = Checked::new(Config::default()).check_rejections(false);
    let id = c.send_request(request, now).expect("request accepted");
    if let RequestBody::Length(n) = request.body_framing() {
        c.send_body(id, vec![b'x'; n as usize].into(), now)
            .expect("body accepted");
    }
    c.drain_transmit();
    let mut read_buffer = BytesMut::new();
    if one_buffer {
        for piece in pieces {
            read_buffer.extend_from_slice(piece);
        }
    }
    for piece in pieces {
        let data = if one_buffer {
            read_buffer.split_to(piece.len())
        } else {
            BytesMut::from(*piece)
        };
        let _ = c.handle_input_buf(data, now);
        c.drain_events();
    }
    let _ = c.handle_eof(now);
    c.drain();
    c.assert_ok();
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn owned_input_gives_the_same_events(
        g in gen_response(),
        sizes in vec(any::<usize>(), 0..40),
        max in prop_oneof![Just(1usize), Just(7), Just(200)],
        one_buffer in any::<bool>(),
    ) {
        let enc = g.encode();
        let whole = run(&g.request(), &[&enc.wire], false);
        let pieces = cut(&enc.wire, &sizes, max);
        let owned = run_buf(&g.request(), &pieces, one_buffer);
        prop_assert_eq!(observe(owned.events()), observe(whole.events()));
        prop_assert_eq!(observe(owned.events()), enc.expected);
    }
}

#[test]
fn body_bytes_from_one_read_buffer_are_not_copied() {
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n";
    let mut wire = head.to_vec();
    wire.resize(head.len() + 65536, b'x');
    let mut c = Checked::new(Config::default());
    c.send_request(&Request::get("/").header("Host", "h"), Instant::ZERO)
        .unwrap();
    c.drain();
    // One read buffer, filled by "reads" of 4 KiB, each piece handed in as it is split off.
    let mut read_buffer = BytesMut::from(&wire[..]);
    let range = read_buffer.as_ptr() as usize..read_buffer.as_ptr() as usize + wire.len();
    while !read_buffer.is_empty() {
        let n = read_buffer.len().min(4096);
        c.handle_input_buf(read_buffer.split_to(n), Instant::ZERO)
            .unwrap();
    }
    c.drain();
    c.assert_ok();
    let mut body = 0;
    for event in c.events() {
        if let Event::Data { data, .. } = event {
            let at = data.as_ptr() as usize;
            assert!(
                range.contains(&at) && range.contains(&(at + data.len() - 1)),
                "body bytes were copied out of the read buffer"
            );
            body += data.len();
        }
    }
    assert_eq!(body, 65536);
}
