//! The command-line contracts of the example tools (`docs/trace.md`, `docs/compliance.md`).
//!
//! Cargo gives integration tests no path to example binaries (`CARGO_BIN_EXE_*` is only set for
//! `[[bin]]` targets), so these tests compile each tool's own source as a module and call the
//! function its `main` calls. For `trace`, `main` turns every `Err` of `parse_args` into a
//! message on stderr and exit status 2; for `conformance`, `main` does the same with the `Err`
//! of `parse_args` and `load`. These tests therefore pin down which argument lists
//! (and unreadable files) exit with status 2.

#[path = "../examples/trace.rs"]
#[allow(dead_code)] // `main` and `trace` are not called here
mod trace_tool;

#[path = "../examples/conformance.rs"]
#[allow(dead_code)] // `main` and the runner are not called here
mod conformance_tool;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn trace_accepts_its_documented_options() {
    let opts = trace_tool::parse_args(&args(&[
        "--method",
        "HEAD",
        "--upgrade",
        "--split",
        "7",
        "--requests",
        "1",
    ]))
    .expect("valid arguments");
    assert_eq!(opts.method, "HEAD");
    assert!(opts.upgrade);
    assert_eq!(opts.split, Some(7));
    let connect = trace_tool::parse_args(&args(&["--method", "CONNECT"])).expect("CONNECT");
    assert_eq!(connect.method, "CONNECT");
}

#[test]
fn trace_split_zero_is_a_usage_error() {
    let err = trace_tool::parse_args(&args(&["--split", "0"])).unwrap_err();
    assert!(err.contains("--split"), "{err}");
    assert!(trace_tool::parse_args(&args(&["--split", "1"])).is_ok());
}

#[test]
fn trace_method_must_be_a_token() {
    for bad in ["G T", "", "GET\r\n", "G\u{e9}T", "(GET)"] {
        let err = trace_tool::parse_args(&args(&["--method", bad]))
            .expect_err(&format!("{bad:?} is not a token"));
        assert!(err.contains("--method"), "{bad:?}: {err}");
    }
    for good in ["GET", "PATCH", "M-SEARCH", "x!#$%&'*+-.^_`|~9"] {
        assert!(
            trace_tool::parse_args(&args(&["--method", good])).is_ok(),
            "{good:?} is a token"
        );
    }
}

#[test]
fn trace_rejects_unknown_and_incomplete_arguments() {
    for bad in [
        &["--bogus"][..],
        &["--method"],
        &["--split"],
        &["--split", "x"],
        &["--requests", "2"],
    ] {
        assert!(trace_tool::parse_args(&args(bad)).is_err(), "{bad:?}");
    }
}

#[test]
fn conformance_rejects_unknown_options() {
    for bad in [
        &["cases.jsonl", "--verbose"][..],
        &["--markdwon", "cases.jsonl"],
        &["cases.jsonl", "-q"],
        &["cases.jsonl", "--aux"],
        &["cases.jsonl", "--mode"],
        &["a.jsonl", "b.jsonl"],
        &[],
    ] {
        assert!(
            conformance_tool::parse_args(&args(bad)).is_err(),
            "{bad:?} must be a usage error"
        );
    }
    let ok = conformance_tool::parse_args(&args(&[
        "cases.jsonl",
        "--aux",
        "aux.jsonl",
        "--mode",
        "strict",
        "--source",
        "llhttp",
        "--markdown",
        "--quiet",
    ]))
    .expect("valid arguments");
    assert_eq!(ok.path, "cases.jsonl");
    assert_eq!(ok.aux.as_deref(), Some("aux.jsonl"));
}

/// An empty directory of its own, so the tests do not depend on what exists elsewhere.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("h1conn-tools-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

#[test]
fn conformance_missing_vectors_say_where_they_belong() {
    let dir = scratch("missing");
    let missing = dir.join("response_cases.jsonl");
    let opts = conformance_tool::parse_args(&args(&[missing.to_str().expect("utf-8 path")]))
        .expect("valid arguments");
    let err = conformance_tool::load(&opts)
        .err()
        .expect("unreadable input");
    for needle in [
        "not in this repository",
        "../shared/conformance/response_cases.jsonl",
        "one JSON object per line",
        "raw_b64",
        "expect",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn conformance_unreadable_aux_is_fatal() {
    let dir = scratch("aux");
    let cases = dir.join("cases.jsonl");
    std::fs::write(&cases, "").expect("write empty cases");
    let missing = dir.join("aux_cases.jsonl");
    let opts = conformance_tool::parse_args(&args(&[
        cases.to_str().expect("utf-8 path"),
        "--aux",
        missing.to_str().expect("utf-8 path"),
    ]))
    .expect("valid arguments");
    let err = conformance_tool::load(&opts)
        .err()
        .expect("unreadable --aux");
    assert!(err.contains("--aux"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
