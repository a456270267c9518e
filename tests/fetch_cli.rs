//! The `fetch` example's output contract (`docs/fetch.md`), against loopback servers: the
//! example's own code, compiled here as a module.

mod support;

#[path = "../examples/fetch.rs"]
#[allow(dead_code)]
mod fetch;

use support::server::{Peer, Server};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Runs the example with both adapters (the server must answer alike each time) and checks
/// that they print the same lines: `--tokio` changes the adapter, never the output.
fn run(server: &Server, extra: &[&str], path: &str) -> Vec<String> {
    let url = format!("http://{}{path}", server.addr());
    let mut a = args(extra);
    a.push(url);
    let opts = fetch::parse_args(&a).expect("valid arguments");
    let blocking = fetch::run_blocking(&opts);
    let tokio = fetch::run_tokio(&opts);
    assert_eq!(blocking, tokio, "the two adapters disagree");
    blocking
}

#[test]
fn keep_alive_reuses_one_connection() {
    let server = Server::start(|mut peer: Peer| {
        while peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        }
    });
    let lines = run(&server, &["--repeat", "3"], "/x");
    assert_eq!(
        lines,
        [
            "response 200 3",
            "response 200 3",
            "response 200 3",
            "connections 1"
        ]
    );
    // Both adapters ran: one connection each.
    assert_eq!((server.connections(), server.requests()), (2, 6));
}

#[test]
fn a_closed_connection_is_replaced_for_the_next_request() {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        }
    });
    let lines = run(&server, &["--repeat", "2"], "/");
    assert_eq!(lines, ["response 204 0", "response 204 0", "connections 2"]);
}

#[test]
fn failures_print_kind_and_progress() {
    // Hang-up without a byte: no-response. After a 1xx: the response had started.
    let server = Server::start(|mut peer: Peer| {
        if let Some(req) = peer.read_request() {
            if req.path == "/info" {
                peer.write(b"HTTP/1.1 103 Early Hints\r\n\r\n");
            }
        }
    });
    assert_eq!(
        run(&server, &[], "/"),
        ["error eof no-response", "connections 1"]
    );
    assert_eq!(
        run(&server, &[], "/info"),
        ["error eof partial", "connections 1"]
    );
    // POST with --data; the server reads it and answers with its length.
    let server = Server::start(|mut peer: Peer| {
        if let Some(req) = peer.read_request() {
            let answer = format!(
                "HTTP/1.1 201 Created\r\nContent-Length: {}\r\n\r\n{}",
                req.body.len() + req.method.len(),
                req.method
            );
            peer.write(answer.as_bytes());
            peer.write(&req.body);
        }
    });
    assert_eq!(
        run(&server, &["--data", "hello"], "/"),
        ["response 201 9", "connections 1"]
    );
}

#[test]
fn a_timed_out_connection_is_never_reused() {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            // Never answers; holds the connection until the client goes.
            let _ = peer.read_request();
        }
    });
    let lines = run(&server, &["--timeout-ms", "50", "--repeat", "2"], "/");
    assert_eq!(
        lines,
        [
            "error timeout no-response",
            "error timeout no-response",
            "connections 2"
        ]
    );
}

#[test]
fn bad_arguments_are_refused() {
    for bad in [
        &[][..],
        &["ftp://x/"],
        &["--repeat"],
        &["--repeat", "x", "http://a/"],
        &["-H", "novalue", "http://a/"],
        &["--bogus", "http://a/"],
        &["--method", "G T", "http://a/"],
    ] {
        assert!(fetch::parse_args(&args(bad)).is_err(), "{bad:?}");
    }
    let o = fetch::parse_args(&args(&["--data", "x", "http://h:81/p?q"])).unwrap();
    assert_eq!(
        (o.method.as_str(), o.urls[0].clone()),
        ("POST", ("h:81".into(), "/p?q".into()))
    );
    let o = fetch::parse_args(&args(&["http://h"])).unwrap();
    assert_eq!(o.urls[0], ("h:80".into(), "/".into()));
}

/// `--pool` with both adapters' pooled clients: the same lines.
fn run_pooled(server: &Server, extra: &[&str], path: &str) -> Vec<String> {
    let url = format!("http://{}{path}", server.addr());
    let mut a = args(&["--pool"]);
    a.extend(args(extra));
    a.push(url);
    let opts = fetch::parse_args(&a).expect("valid arguments");
    let blocking = fetch::run_pool(&opts);
    let tokio = fetch::run_tokio_pool(&opts);
    assert_eq!(blocking, tokio, "the two pooled clients disagree");
    blocking
}

#[test]
fn pooled_requests_retry_a_stale_connection_and_keep_request_order() {
    // The first request on each connection is answered; a later one meets the idle close.
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
            let _ = peer.read_request();
        }
    });
    let lines = run_pooled(&server, &["--repeat", "3"], "/");
    assert_eq!(
        lines,
        [
            "response 200 3",
            "response 200 3",
            "response 200 3",
            "connections 3",
            "retries 2"
        ]
    );
    // A POST is not retried: its error reaches the output.
    let lines = run_pooled(&server, &["--repeat", "2", "--data", "x"], "/");
    assert_eq!(
        lines,
        [
            "response 200 3",
            "error eof no-response",
            "connections 1",
            "retries 0"
        ]
    );
}

#[test]
fn concurrent_pooled_requests_print_in_request_order() {
    let server = Server::start(|mut peer: Peer| {
        while let Some(req) = peer.read_request() {
            let body = req.path.trim_start_matches('/').to_owned();
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if !peer.write(answer.as_bytes()) {
                return;
            }
        }
    });
    let a = format!("http://{}/a", server.addr());
    let bb = format!("http://{}/bb", server.addr());
    let opts = fetch::parse_args(&args(&[
        "--pool",
        "--concurrency",
        "4",
        "--repeat",
        "5",
        &a,
        &bb,
    ]))
    .unwrap();
    let lines = fetch::run_pool(&opts);
    assert_eq!(&fetch::run_tokio_pool(&opts)[..10], &lines[..10]);
    let mut want: Vec<String> = std::iter::repeat_n("response 200 1".to_owned(), 5)
        .chain(std::iter::repeat_n("response 200 2".to_owned(), 5))
        .collect();
    assert_eq!(&lines[..10], &want[..]);
    want.clear();
    assert!(lines[10].starts_with("connections "));
    assert_eq!(lines[11], "retries 0");
    assert!(fetch::parse_args(&args(&["--concurrency", "2", "http://a/"])).is_err());
}
