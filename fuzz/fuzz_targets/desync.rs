//! The desync property on raw bytes, `[flags] response…` (format in
//! `tests/desync_check/mod.rs`): whenever h1conn keeps the connection alive, the independent
//! strict oracle (`tests/desync_oracle/mod.rs`) agrees that the response was valid, on its body
//! length and on where it ends. The same check runs on stable over the committed seeds
//! (`fuzz/seeds/desync/`, replayed by `tests/prop_desync.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/desync_oracle/mod.rs"]
mod desync_oracle;

#[path = "../../tests/desync_check/mod.rs"]
mod desync_check;

fuzz_target!(|data: &[u8]| {
    let Some((req, piece, strict, response)) = desync_check::fuzz_input(data) else {
        return;
    };
    if let Err(e) = desync_check::check(req, response, piece, strict) {
        panic!(
            "desync property: {e}\nresponse: {}",
            response.escape_ascii()
        );
    }
});
