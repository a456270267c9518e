//! Golden transcripts of the response-side rules, through the trace tool's own code.
//!
//! Every case runs whole, in 1-byte pieces and in 7-byte pieces, and must print the same lines:
//! the output must not depend on how the bytes were split. With the `testing` feature, each of
//! those runs is also replayed through `h1conn::testing::Checked` (the same request, pieces and
//! calls as the tool makes), which must find no breach of the event contract.

#[path = "../examples/trace.rs"]
mod trace_tool;

use trace_tool::{Options, trace};

fn opts(method: &str, upgrade: bool) -> Options {
    Options {
        method: method.into(),
        upgrade,
        split: None,
    }
}

fn check(name: &str, o: Options, input: &str, want: &str) {
    let whole = trace(&o, input.as_bytes());
    assert_eq!(whole, want, "{name}: whole input");
    replay_checked(name, &o, input.as_bytes());
    for split in [1, 7] {
        let split_opts = Options {
            split: Some(split),
            ..o.clone()
        };
        assert_eq!(
            trace(&split_opts, input.as_bytes()),
            want,
            "{name}: split {split}"
        );
        replay_checked(name, &split_opts, input.as_bytes());
    }
}

/// Makes the calls `trace_tool::trace` makes for `o` and `input` (the same request, the same
/// pieces, events drained after each piece, EOF unless closed), then drains what is left, on a
/// `Checked` connection, and panics with the first contract violation if there is one.
///
/// This mirrors the tool's code rather than calling it (the tool drives a bare `Connection` and
/// prints only the facts of its format); keep the two in step when the tool's calls change.
fn replay_checked(name: &str, o: &Options, input: &[u8]) {
    use h1conn::testing::Checked;
    use h1conn::{Config, Instant, Request};

    let now = Instant::ZERO;
    // "A rejected call changes nothing" formats the whole connection around every call: for the
    // 70 KB head fed a byte at a time that is minutes. The tool only calls inputs on an open
    // connection, so a rejection is unexpected anyway; the law is checked for inputs up to 4 KiB.
    let mut c = Checked::new(Config::default()).check_rejections(input.len() <= 4096);
    let target = if o.method == "CONNECT" {
        "example.com:443"
    } else {
        "/"
    };
    let mut request = Request::new(&o.method, target).header("Host", "example.com");
    if o.upgrade {
        request = request
            .header("Connection", "upgrade")
            .header("Upgrade", "websocket");
    }
    if c.send_request(&request, now).is_ok() {
        c.drain_transmit();
        let piece = o.split.unwrap_or(input.len()).max(1);
        let mut fed = 0;
        while fed < input.len() && !c.connection().is_closed() {
            let end = (fed + piece).min(input.len());
            let accepted = c.handle_input(&input[fed..end], now).is_ok();
            if accepted {
                fed = end;
            }
            c.drain_events();
            assert!(
                accepted || c.connection().is_closed(),
                "{name} (split {:?}): input rejected on an open connection; the tool would spin",
                o.split
            );
        }
        if !c.connection().is_closed() {
            let _ = c.handle_eof(now);
        }
    }
    c.drain();
    if let Err(v) = c.result() {
        panic!(
            "{name} (split {:?}): contract violation {v}\nevents: {:#?}",
            o.split,
            c.events()
        );
    }
}

fn get(name: &str, input: &str, want: &str) {
    check(name, opts("GET", false), input, want);
}

#[test]
fn content_length_keep_alive_then_peer_close() {
    get(
        "cl",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "response 200 HTTP/1.1\nheader Content-Length: 5\nbody hello\nend\nidle\nclosed peer-closed-idle\n",
    );
}

#[test]
fn response_is_reported_before_server_close() {
    get(
        "close",
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
        "response 200 HTTP/1.1\nheader Connection: close\nheader Content-Length: 2\nbody ok\nend\nclosed server-requested-close\n",
    );
    get(
        "close no body",
        "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
        "response 204 HTTP/1.1\nheader Connection: close\nend\nclosed server-requested-close\n",
    );
    get(
        "close tokens",
        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: foo, CLOSE\r\nContent-Length: 0\r\n\r\n",
        "response 200 HTTP/1.1\nheader Connection: keep-alive\nheader Connection: foo, CLOSE\nheader Content-Length: 0\nend\nclosed server-requested-close\n",
    );
}

#[test]
fn chunked_with_extensions_and_trailers() {
    get(
        "chunked",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n2 ; q=\"x y\"\r\nde\r\n0\r\nExpires: never\r\n\r\n",
        "response 200 HTTP/1.1\nheader Transfer-Encoding: chunked\nbody abcde\ntrailer Expires: never\nend\nidle\nclosed peer-closed-idle\n",
    );
}

#[test]
fn chunked_errors() {
    get(
        "missing crlf",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
        "response 200 HTTP/1.1\nheader Transfer-Encoding: chunked\nbody abc\nerror protocol: chunk data followed by 'X' instead of CRLF\nclosed protocol-error\n",
    );
    get(
        "empty size line",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "response 200 HTTP/1.1\nheader Transfer-Encoding: chunked\nerror protocol: invalid byte '\\r' in chunk size\nclosed protocol-error\n",
    );
    get(
        "overflow",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
        "response 200 HTTP/1.1\nheader Transfer-Encoding: chunked\nerror protocol: chunk size overflows 64 bits\nclosed protocol-error\n",
    );
    get(
        "eof before last chunk",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
        "response 200 HTTP/1.1\nheader Transfer-Encoding: chunked\nbody abc\nerror eof: connection closed inside a chunked body after 3 data bytes\nclosed eof-in-chunked-body\n",
    );
}

#[test]
fn close_delimited_body_ends_at_eof() {
    get(
        "until close",
        "HTTP/1.1 200 OK\r\n\r\nall of it",
        "response 200 HTTP/1.1\nbody all of it\nend\nclosed end-of-body\n",
    );
    get(
        "te not chunked",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz",
        "response 200 HTTP/1.1\nheader Transfer-Encoding: gzip\nbody zz\nend\nclosed end-of-body\n",
    );
}

#[test]
fn te_wins_over_cl_and_closes() {
    get(
        "te+cl",
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
        "response 200 HTTP/1.1\nheader Content-Length: 100\nheader Transfer-Encoding: chunked\nbody x\nend\nclosed ambiguous-framing\n",
    );
}

#[test]
fn framing_errors() {
    get(
        "http10 te",
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "error protocol: Transfer-Encoding in an HTTP/1.0 response\nclosed protocol-error\n",
    );
    get(
        "cl differ",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
        "error protocol: conflicting Content-Length values 1 and 2\nclosed protocol-error\n",
    );
    get(
        "cl sign",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "error protocol: invalid Content-Length value\nclosed protocol-error\n",
    );
    get(
        "bad status",
        "HTTP/1.1 20 OK\r\n\r\n",
        "error protocol: malformed status line\nclosed protocol-error\n",
    );
    get(
        "chunked twice",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        "error protocol: invalid Transfer-Encoding\nclosed protocol-error\n",
    );
}

#[test]
fn eof_phases_are_distinct() {
    get(
        "before",
        "",
        "error eof: connection closed before any response byte\nclosed eof-before-response\n",
    );
    get(
        "in head",
        "HTTP/1.1 200 OK\r\nContent-Le",
        "error eof: connection closed after 27 bytes of response head\nclosed eof-in-head\n",
    );
    get(
        "in body",
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab",
        "response 200 HTTP/1.1\nheader Content-Length: 4\nbody ab\nerror eof: connection closed after 2 of 4 body bytes\nclosed eof-in-length-body\n",
    );
}

#[test]
fn bodiless_responses_then_unsolicited_bytes() {
    check(
        "head",
        opts("HEAD", false),
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "response 200 HTTP/1.1\nheader Content-Length: 5\nend\nidle\nclosed unsolicited-bytes\n",
    );
    get(
        "304",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
        "response 304 HTTP/1.1\nheader Content-Length: 5\nend\nidle\nclosed peer-closed-idle\n",
    );
    get(
        "408 after response",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 408 Request Timeout\r\n\r\n",
        "response 200 HTTP/1.1\nheader Content-Length: 0\nend\nidle\nclosed unsolicited-bytes\n",
    );
}

#[test]
fn informational_then_final() {
    get(
        "1xx",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
        "informational 100\ninformational 103\nresponse 200 HTTP/1.1\nheader Content-Length: 1\nbody x\nend\nidle\nclosed peer-closed-idle\n",
    );
    let many: String = "HTTP/1.1 102 Processing\r\n\r\n".repeat(17);
    let want = format!(
        "{}error protocol: more than 16 informational responses\nclosed protocol-error\n",
        "informational 102\n".repeat(16)
    );
    get("too many 1xx", &many, &want);
}

#[test]
fn upgrade_only_when_asked() {
    check(
        "101 asked",
        opts("GET", true),
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x01\x05hello",
        "response 101 HTTP/1.1\nheader Upgrade: websocket\nend\nupgrade 7\nclosed upgraded\n",
    );
    get(
        "101 not asked",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "error protocol: 101 Switching Protocols without an upgrade request\nclosed protocol-error\n",
    );
    check(
        "connect",
        opts("CONNECT", false),
        "HTTP/1.1 200 Connection Established\r\nContent-Length: 10\r\n\r\ntunnel",
        "response 200 HTTP/1.1\nheader Content-Length: 10\nend\nupgrade 6\nclosed upgraded\n",
    );
    check(
        "connect refused",
        opts("CONNECT", false),
        "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 0\r\n\r\n",
        "response 407 HTTP/1.1\nheader Content-Length: 0\nend\nidle\nclosed peer-closed-idle\n",
    );
}

#[test]
fn http10_keep_alive_rules() {
    get(
        "1.0 default close",
        "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
        "response 200 HTTP/1.0\nheader Content-Length: 1\nbody x\nend\nclosed http10\n",
    );
    get(
        "1.0 keep-alive",
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx",
        "response 200 HTTP/1.0\nheader Connection: Keep-Alive\nheader Content-Length: 1\nbody x\nend\nidle\nclosed peer-closed-idle\n",
    );
}

#[test]
fn obs_fold_and_missing_reason() {
    get(
        "fold",
        "HTTP/1.1 200\r\nX-Long: a\r\n   b\r\nContent-Length: 0\r\n\r\n",
        "response 200 HTTP/1.1\nheader X-Long: a b\nheader Content-Length: 0\nend\nclosed lenient missing-reason-separator\n",
    );
    get(
        "fold only",
        "HTTP/1.1 200 OK\r\nX-Long: a\r\n   b\r\nContent-Length: 0\r\n\r\n",
        "response 200 HTTP/1.1\nheader X-Long: a b\nheader Content-Length: 0\nend\nclosed lenient obs-fold\n",
    );
}

#[test]
fn header_bytes_are_escaped() {
    get(
        "escape",
        "HTTP/1.1 200 OK\r\nX: café\tok\r\nContent-Length: 0\r\n\r\n",
        "response 200 HTTP/1.1\nheader X: caf\\xc3\\xa9\\tok\nheader Content-Length: 0\nend\nidle\nclosed peer-closed-idle\n",
    );
}

#[test]
fn head_limit_is_typed() {
    let big = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(70_000));
    get(
        "too large",
        &big,
        "error protocol: response head exceeds 65536 bytes\nclosed protocol-error\n",
    );
}

#[test]
fn requests_flag_reports_no_pipelining() {
    let args: Vec<String> = ["--requests", "3"].iter().map(|s| s.to_string()).collect();
    assert!(
        trace_tool::parse_args(&args)
            .unwrap_err()
            .contains("pipelining is not built")
    );
}
