//! Generated valid responses (every framing kind, 1xx first, HEAD/204/304, keep-alive or
//! close) decode to exactly what was generated, and the event contract holds throughout.
//!
//! Default case counts keep the run to a few seconds; for a long run set e.g.
//! `PROPTEST_CASES=20000 cargo test --all-features --test prop_generated`.

mod common;

use common::{Obs, gen_response, observe, run};
use h1conn::testing::Checked;
use h1conn::{CloseReason, Config, Instant};
use proptest::collection::vec;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_response_decodes_to_what_was_generated(g in gen_response()) {
        let enc = g.encode();
        let c = run(&g.request(), &[&enc.wire], false);
        prop_assert_eq!(observe(c.events()), enc.expected.clone());

        // Rule 3: all of it is reported before EOF, except what only EOF can decide (the end of
        // a close-delimited body, the close of a keep-alive connection).
        let now = Instant::ZERO;
        let mut c = Checked::new(Config::default());
        c.send_request(&g.request(), now).unwrap();
        c.drain();
        c.handle_input(&enc.wire, now).unwrap();
        c.drain();
        let mut want = enc.expected;
        if want.contains(&Obs::Idle) {
            want.pop();
        } else if want.last() == Some(&Obs::Closed(CloseReason::EndOfBody)) {
            want.truncate(want.len() - 2);
        }
        prop_assert_eq!(observe(c.events()), want);
        c.assert_ok();
    }

    /// Several responses on one keep-alive connection: each request after the previous `Idle`.
    #[test]
    fn keep_alive_sequence_decodes(gs in vec(gen_response(), 1..5)) {
        let now = Instant::ZERO;
        let mut c = Checked::new(Config::default()).check_rejections(false);
        let mut expected = Vec::new();
        for g in &gs {
            let enc = g.encode();
            c.send_request(&g.request(), now).expect("accepted: the previous response left the connection idle");
            c.drain();
            let before = c.events().len();
            c.handle_input(&enc.wire, now).unwrap();
            c.drain();
            // Everything but what only EOF can bring.
            let keep_alive = enc.expected.contains(&Obs::Idle);
            let mut want = enc.expected.clone();
            if keep_alive {
                want.pop(); // Closed(PeerClosedIdle)
            } else {
                // The last response of the run: hand in EOF (refused if the connection already
                // closed itself) and stop.
                let _ = c.handle_eof(now);
                c.drain();
                prop_assert_eq!(observe(&c.events()[before..]), want.clone());
                expected.extend(want);
                break;
            }
            prop_assert_eq!(observe(&c.events()[before..]), want.clone());
            expected.extend(want);
        }
        if !c.checker().closed_seen() {
            c.handle_eof(now).unwrap();
            c.drain();
            expected.push(Obs::Closed(CloseReason::PeerClosedIdle));
        }
        c.assert_ok();
        prop_assert_eq!(observe(c.events()), expected);
    }
}
