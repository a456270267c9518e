//! Replays every committed fuzz input through the same logic the fuzz targets run, on the
//! stable toolchain: the hand-written seeds (`fuzz/seeds/<target>/`) and the minimised corpus
//! of the campaigns (`fuzz/cmin/<target>/`, made with `cargo fuzz cmin`; see docs/fuzzing.md).
//! `fuzz/corpus/` is local campaign output (ignored by git), so what a local campaign found
//! changes what this runs only once it is minimised and committed.

use h1conn::testing::fuzz::{self, Finding};
use std::path::Path;

fn replay(target: &str, run: fn(&[u8]) -> Result<(), Finding>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut entries: Vec<_> = ["fuzz/seeds", "fuzz/cmin"]
        .iter()
        .flat_map(|kind| {
            let dir = root.join(kind).join(target);
            std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.expect("directory entry").path())
        })
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(
        entries.len() > 100,
        "seeds and minimised corpus of {target}: {}",
        entries.len()
    );
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
