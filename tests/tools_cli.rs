//! The command-line contracts of the example tools (`docs/trace.md`).
//!
//! Cargo gives integration tests no path to example binaries (`CARGO_BIN_EXE_*` is only set for
//! `[[bin]]` targets), so these tests compile each tool's own source as a module and call the
//! function its `main` calls. For `trace`, `main` turns every `Err` of `parse_args` into a
//! message on stderr and exit status 2. These tests therefore pin down which argument lists
//! exit with status 2.

#[path = "../examples/trace.rs"]
#[allow(dead_code)] // `main` and `trace` are not called here
mod trace_tool;

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
