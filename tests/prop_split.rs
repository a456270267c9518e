//! Split invariance: any partition of the response bytes — including one-byte and empty pieces —
//! yields the same events (body data compared concatenated), for valid responses and for
//! corrupted ones.
//!
//! Long run: `PROPTEST_CASES=20000 cargo test --all-features --test prop_split`.

mod common;

use common::{cut, gen_response, observe, run, run_with};
use proptest::collection::vec;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_partition_gives_the_same_events(
        g in gen_response(),
        sizes in vec(any::<usize>(), 0..40),
        max in prop_oneof![Just(1usize), Just(3), Just(16), Just(200)],
        drain_each in any::<bool>(),
    ) {
        let enc = g.encode();
        let whole = run(&g.request(), &[&enc.wire], false);
        let split = run(&g.request(), &cut(&enc.wire, &sizes, max), drain_each);
        prop_assert_eq!(observe(whole.events()), enc.expected.clone());
        prop_assert_eq!(observe(split.events()), enc.expected);
    }

    #[test]
    fn one_byte_at_a_time_gives_the_same_events(g in gen_response()) {
        let enc = g.encode();
        let pieces: Vec<&[u8]> = enc.wire.chunks(1).collect();
        let split = run(&g.request(), &pieces, true);
        prop_assert_eq!(observe(split.events()), enc.expected);
    }

    /// Corrupted responses: whatever the machine decides, it decides the same however the bytes
    /// are cut.
    #[test]
    fn corrupted_responses_split_the_same(
        g in gen_response(),
        edits in vec((any::<usize>(), any::<u8>()), 1..4),
        sizes in vec(any::<usize>(), 0..40),
        max in prop_oneof![Just(1usize), Just(7), Just(64)],
        config in any::<u8>(),
    ) {
        let mut wire = g.encode().wire;
        for (at, byte) in edits {
            let i = at % wire.len();
            wire[i] = byte;
        }
        // Small limits too (see `config_of`): a limit must trip the same way however the bytes
        // are cut.
        let config = h1conn::testing::fuzz::config_of(config);
        let whole = run_with(config.clone(), &g.request(), &[&wire], false);
        let split = run_with(config, &g.request(), &cut(&wire, &sizes, max), true);
        prop_assert_eq!(observe(whole.events()), observe(split.events()));
    }
}
