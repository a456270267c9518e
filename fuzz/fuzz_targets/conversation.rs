//! Thin wrapper: the logic lives in `h1conn::testing::fuzz::conversation`, shared with the stable corpus
//! replay in `tests/fuzz_corpus.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    h1conn::testing::assert_ok(h1conn::testing::fuzz::conversation(data));
});
