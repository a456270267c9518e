//! Replays every committed fuzz seed (`fuzz/seeds/<target>/*`) through the same logic the fuzz
//! targets run, on the stable toolchain. It reads `fuzz/seeds/` only: `fuzz/corpus/` is local
//! campaign output (ignored by git), so what a local campaign found cannot change what this runs.

use h1conn::testing::fuzz::{self, Finding};
use std::path::Path;

fn replay(target: &str, run: fn(&[u8]) -> Result<(), Finding>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no seeds in {}", dir.display());
    let mut failures = Vec::new();
    for path in &entries {
        let data = std::fs::read(path).expect("readable seed");
        if let Err(finding) = run(&data) {
            failures.push(format!("{}: {finding}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} seeds failed:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

#[test]
fn response_bytes_corpus() {
    replay("response_bytes", fuzz::response_bytes);
}

#[test]
fn conversation_corpus() {
    replay("conversation", fuzz::conversation);
}

#[test]
fn request_encode_corpus() {
    replay("request_encode", fuzz::request_encode);
}
