//! The adapter scenario list, written once: every adapter runs every scenario through the
//! [`Adapter`] trait (`tests/blocking.rs`, `tests/tokio_adapter.rs`, via
//! [`adapter_scenarios!`](crate::adapter_scenarios)). Each scenario starts its own loopback server, checks what
//! the client saw and what the server counted, and leaves nothing running.

use super::server::{Peer, Server};
use h1conn::{
    CloseReason, Config, FailureKind, Progress, Request, RequestBody, RequestError, Reuse,
    UsageError,
};
use std::net::SocketAddr;
use std::time::Duration;

/// A request body, as a scenario asks for it.
#[derive(Clone, Debug)]
pub enum TestBody {
    Empty,
    Bytes(Vec<u8>),
    /// Streamed to the adapter in pieces (the adapter's streaming path).
    Stream(Vec<u8>),
}

/// A complete response, as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Got {
    pub status: u16,
    pub informational: Vec<u16>,
    /// The final head's fields, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub trailers: Vec<(String, Vec<u8>)>,
    pub reuse: Option<Reuse>,
}

/// Why a request did not give a complete response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failed {
    Request(RequestError),
    Usage(UsageError),
    Other(String),
}

impl Failed {
    pub fn request(&self) -> RequestError {
        match self {
            Failed::Request(e) => *e,
            other => panic!("expected a request failure, got {other:?}"),
        }
    }
}

/// What a scenario needs of an adapter. Implemented once per adapter, in its test file.
pub trait Adapter {
    type Conn;
    fn connect(&self, addr: SocketAddr, config: Config) -> Self::Conn;
    /// Sends and reads the whole response (body, trailers).
    fn send(&self, conn: &Self::Conn, request: &Request<'_>, body: TestBody)
    -> Result<Got, Failed>;
    /// Sends, reads the head, then drops the response before its body ended.
    fn send_and_drop(&self, conn: &Self::Conn, request: &Request<'_>) -> Result<u16, Failed>;
    /// For an upgrade or a tunnel: the status, the bytes after the head, and the transport, on
    /// which it writes `write` and reads until EOF.
    fn upgrade(
        &self,
        conn: &Self::Conn,
        request: &Request<'_>,
        write: &[u8],
    ) -> Result<(u16, Vec<u8>, Vec<u8>), Failed>;
    fn close_reason(&self, conn: &Self::Conn) -> Option<CloseReason>;
    /// Notices, without a request, whether an idle connection was closed by the server.
    fn check_idle(&self, conn: &Self::Conn) -> Option<CloseReason>;
    /// Sends `first`, reads its head, sends `second` (once the core accepts it: at once if the
    /// first body already arrived, else after reading it), reads the second body, then the
    /// first's; returns both bodies.
    fn send_two(
        &self,
        conn: &Self::Conn,
        first: &Request<'_>,
        second: &Request<'_>,
    ) -> (Vec<u8>, Vec<u8>);
}

fn get(path: &str) -> Request<'_> {
    Request::get(path).header("Host", "test")
}

const CLOSE_EMPTY: &[u8] = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/// Go's `TestTransportResponseCloseRace`, black-box: every response is empty, says
/// `Connection: close`, and the server closes at once. `rounds` fresh connections, zero errors.
pub fn close_race<A: Adapter>(a: &A, rounds: usize) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(CLOSE_EMPTY);
        }
    });
    for i in 0..rounds {
        let conn = a.connect(server.addr(), Config::default());
        let got = a
            .send(&conn, &get("/"), TestBody::Empty)
            .unwrap_or_else(|e| panic!("round {i}: {e:?}"));
        assert_eq!(got.status, 200, "round {i}");
        assert_eq!(
            got.reuse,
            Some(Reuse::Close(CloseReason::ServerRequestedClose))
        );
    }
    assert_eq!(server.requests(), rounds);
}

/// A bodied response, then the server closes at once: the whole body, then the close.
pub fn bodied_then_close<A: Adapter>(a: &A, rounds: usize) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        }
    });
    for i in 0..rounds {
        let conn = a.connect(server.addr(), Config::default());
        let got = a
            .send(&conn, &get("/"), TestBody::Empty)
            .unwrap_or_else(|e| panic!("round {i}: {e:?}"));
        assert_eq!(got.body, b"hello", "round {i}");
    }
}

/// Keep-alive: `rounds` requests over one connection, counted on the server.
pub fn keep_alive<A: Adapter>(a: &A, rounds: usize) {
    let server = Server::start(|mut peer: Peer| {
        while peer.read_request().is_some() {
            if !peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
                break;
            }
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    for i in 0..rounds {
        let got = a
            .send(&conn, &get("/"), TestBody::Empty)
            .unwrap_or_else(|e| panic!("request {i}: {e:?}"));
        assert_eq!((got.status, got.body.as_slice()), (200, &b"ok"[..]));
        assert_eq!(got.reuse, Some(Reuse::KeepAlive));
    }
    assert_eq!(server.connections(), 1);
    assert_eq!(server.requests(), rounds);
}

/// The server reads the request and hangs up without a byte: "sent, no response", retryable for
/// GET, not for POST.
pub fn hang_up_before_response<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        let _ = peer.read_request();
    });
    let conn = a.connect(server.addr(), Config::default());
    let e = a
        .send(&conn, &get("/"), TestBody::Empty)
        .unwrap_err()
        .request();
    assert_eq!(e.progress(), Progress::SentNoResponse);
    assert!(matches!(
        e.kind(),
        FailureKind::Eof(_) | FailureKind::ReadFailed
    ));
    assert!(e.is_retryable());
    let conn = a.connect(server.addr(), Config::default());
    let post = Request::new("POST", "/").header("Host", "test");
    let e = a
        .send(&conn, &post, TestBody::Bytes(b"data".to_vec()))
        .unwrap_err()
        .request();
    assert_eq!(e.progress(), Progress::SentNoResponse);
    assert!(!e.is_retryable());
}

/// The server hangs up after every byte offset of a valid response: the client gets the whole
/// response or a typed error, never a shortened body passed off as complete, and never hangs.
pub fn hang_up_at_every_offset<A: Adapter>(a: &A) {
    let responses: [(&[u8], bool); 3] = [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", false),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n0123\r\n6\r\n456789\r\n0\r\nT: x\r\n\r\n",
            false,
        ),
        // Close-delimited: any cut after the head is a complete (shorter) body.
        (b"HTTP/1.1 200 OK\r\n\r\n0123456789", true),
    ];
    for (response, close_delimited) in responses {
        let head_end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        for cut in 0..=response.len() {
            let bytes = response[..cut].to_vec();
            let server = Server::start(move |mut peer: Peer| {
                if peer.read_request().is_some() {
                    peer.write(&bytes);
                }
            });
            let conn = a.connect(server.addr(), Config::default());
            match a.send(&conn, &get("/"), TestBody::Empty) {
                Ok(got) => {
                    assert!(cut >= head_end, "a response from {cut} bytes of head");
                    if close_delimited {
                        assert_eq!(got.body, &response[head_end..cut]);
                    } else {
                        assert_eq!(cut, response.len(), "complete from a cut at {cut}");
                        assert_eq!(got.body, b"0123456789");
                    }
                }
                Err(Failed::Request(e)) => {
                    assert!(!close_delimited || cut < head_end, "cut {cut}: {e:?}");
                    let want = if cut == 0 {
                        Progress::SentNoResponse
                    } else {
                        Progress::ResponseStarted
                    };
                    assert_eq!(e.progress(), want, "cut {cut}");
                }
                Err(other) => panic!("cut {cut}: {other:?}"),
            }
        }
    }
}

/// 1xx responses before the final one are reported, in order.
pub fn informational_then_final<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let got = a.send(&conn, &get("/"), TestBody::Empty).unwrap();
    assert_eq!(
        (got.informational, got.status, got.body),
        (vec![103, 102], 200, b"x".to_vec())
    );
}

/// HEAD, 204 and 304 have no body whatever their headers say; the connection is reused.
pub fn bodiless_responses<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        while let Some(req) = peer.read_request() {
            let response: &[u8] = match req.path.as_str() {
                "/head" => b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
                "/204" => b"HTTP/1.1 204 No Content\r\n\r\n",
                _ => b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 50\r\n\r\n",
            };
            peer.write(response);
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let head = Request::new("HEAD", "/head").header("Host", "test");
    for (request, status) in [(head, 200), (get("/204"), 204), (get("/304"), 304)] {
        let got = a.send(&conn, &request, TestBody::Empty).unwrap();
        assert_eq!((got.status, got.body.len()), (status, 0));
        assert_eq!(got.reuse, Some(Reuse::KeepAlive));
    }
    assert_eq!(server.connections(), 1);
}

/// A chunked body with trailers.
pub fn chunked_with_trailers<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: abc\r\n\r\n");
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let got = a.send(&conn, &get("/"), TestBody::Empty).unwrap();
    assert_eq!(got.body, b"hello world");
    assert_eq!(got.trailers, vec![("Checksum".to_owned(), b"abc".to_vec())]);
}

/// `101 Switching Protocols`: the caller gets the transport back plus the bytes that came with
/// the head, and talks the new protocol on it.
pub fn upgrade<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\nhi!");
            let mut buf = [0u8; 5];
            use std::io::Read;
            if peer.stream.read_exact(&mut buf).is_ok() {
                peer.write(&buf);
            }
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let request = get("/")
        .header("Connection", "upgrade")
        .header("Upgrade", "echo");
    let (status, buffered, echoed) = a.upgrade(&conn, &request, b"ping!").unwrap();
    assert_eq!(
        (status, buffered.as_slice(), echoed.as_slice()),
        (101, &b"hi!"[..], &b"ping!"[..])
    );
}

/// CONNECT answered `200`: a tunnel.
pub fn connect_tunnel<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_head().is_some() {
            peer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n");
            let mut buf = [0u8; 4];
            use std::io::Read;
            if peer.stream.read_exact(&mut buf).is_ok() {
                peer.write(&buf);
            }
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let request = Request::new("CONNECT", "example.com:443").header("Host", "example.com:443");
    let (status, buffered, echoed) = a.upgrade(&conn, &request, b"tls!").unwrap();
    assert_eq!(
        (status, buffered.len(), echoed.as_slice()),
        (200, 0, &b"tls!"[..])
    );
}

/// A 1 GiB body streams through in bounded memory (the scenario only counts bytes).
pub fn large_body<A: Adapter>(a: &A, size: u64) {
    let server = Server::start(move |mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").as_bytes());
            let block = vec![b'z'; 1 << 20];
            let mut left = size;
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                if !peer.write(&block[..n]) {
                    return;
                }
                left -= n as u64;
            }
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    // The adapter's `send` of the scenario trait collects the body; for the large body the
    // adapter test counts instead (see `Adapter::send` implementations: a body over 16 MiB is
    // counted, not kept).
    let got = a.send(&conn, &get("/big"), TestBody::Empty).unwrap();
    assert_eq!(got.body.len() as u64, size.min(16 << 20));
    assert_eq!(got.reuse, Some(Reuse::KeepAlive));
}

/// An early response during a large upload: the server answers `413` after the head and stops
/// reading; the client gets the `413`, and the connection is not reused.
pub fn early_response_during_upload<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_head().is_some() {
            peer.write(b"HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbig!");
            peer.linger_close();
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let upload = Request::new("PUT", "/up").header("Host", "test");
    let got = a
        .send(&conn, &upload, TestBody::Stream(vec![b'u'; 8 << 20]))
        .unwrap();
    assert_eq!((got.status, got.body.as_slice()), (413, &b"big!"[..]));
    assert!(matches!(got.reuse, Some(Reuse::Close(_))));
}

/// `Expect: 100-continue`: a server that answers 100, one that answers a final status at once,
/// and one that says nothing (the core's timer releases the body).
pub fn expect_continue<A: Adapter>(a: &A) {
    let body = b"payload".to_vec();
    // 1. 100 Continue, then the final answer after reading the body.
    let server = Server::start(|mut peer: Peer| {
        if let Some(mut req) = peer.read_head() {
            peer.write(b"HTTP/1.1 100 Continue\r\n\r\n");
            peer.read_body(&mut req);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                req.body.len()
            );
            peer.write(answer.as_bytes());
            peer.write(&req.body);
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let request = Request::new("PUT", "/")
        .header("Host", "test")
        .header("Expect", "100-continue")
        .body(RequestBody::Length(body.len() as u64));
    let got = a
        .send(&conn, &request, TestBody::Bytes(body.clone()))
        .unwrap();
    assert_eq!((got.informational, got.body), (vec![100], body.clone()));

    // 2. A final status at once, closing: the body is never sent.
    let server = Server::start(|mut peer: Peer| {
        if peer.read_head().is_some() {
            peer.write(
                b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            );
            peer.linger_close();
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let got = a
        .send(&conn, &request, TestBody::Bytes(body.clone()))
        .unwrap();
    assert_eq!(got.status, 401);

    // 3. Silence: after the expect-continue timeout the body goes anyway.
    let server = Server::start(|mut peer: Peer| {
        if let Some(mut req) = peer.read_head() {
            peer.read_body(&mut req);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                req.body.len()
            );
            peer.write(answer.as_bytes());
            peer.write(&req.body);
        }
    });
    let config = Config::default().expect_continue_timeout(Duration::from_millis(50));
    let conn = a.connect(server.addr(), config);
    let got = a
        .send(&conn, &request, TestBody::Bytes(body.clone()))
        .unwrap();
    assert_eq!((got.status, got.body), (200, body));

    // 4. A streamed 4 MiB body behind `Expect: 100-continue`, answered `100` after the head:
    // the adapter waits for the `100` before streaming (it never reads the whole body into
    // memory first), then the server counts every byte.
    let server = Server::start(|mut peer: Peer| {
        if let Some(mut req) = peer.read_head() {
            peer.write(b"HTTP/1.1 100 Continue\r\n\r\n");
            peer.read_body(&mut req);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                req.body.len().to_string().len()
            );
            peer.write(answer.as_bytes());
            peer.write(req.body.len().to_string().as_bytes());
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    let streamed = Request::new("PUT", "/")
        .header("Host", "test")
        .header("Expect", "100-continue");
    let got = a
        .send(&conn, &streamed, TestBody::Stream(vec![b's'; 4 << 20]))
        .unwrap();
    assert_eq!(
        (got.informational, got.body),
        (vec![100], (4 << 20).to_string().into_bytes())
    );
}

/// Bodies that do not fit their declared framing are refused with a typed error, never a hang:
/// a chunked body given whole is finished (its last chunk sent), a Content-Length body given
/// short (whole or streamed) is `BodyTooShort`. The response-head timeout is only a guard here.
pub fn bodies_are_finished_or_refused<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        while let Some(req) = peer.read_request() {
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                req.body.len()
            );
            if !peer.write(answer.as_bytes()) || !peer.write(&req.body) {
                return;
            }
        }
    });
    let config = Config::default().response_head_timeout(Some(Duration::from_secs(10)));
    let conn = a.connect(server.addr(), config.clone());
    let chunked = Request::new("PUT", "/")
        .header("Host", "test")
        .body(RequestBody::Chunked);
    let got = a
        .send(&conn, &chunked, TestBody::Bytes(b"hello".to_vec()))
        .unwrap();
    assert_eq!(got.body, b"hello");
    let short = Request::new("PUT", "/")
        .header("Host", "test")
        .body(RequestBody::Length(10));
    for body in [
        TestBody::Bytes(b"hello".to_vec()),
        TestBody::Empty,
        TestBody::Stream(b"hello".to_vec()),
    ] {
        let conn = a.connect(server.addr(), config.clone());
        match a.send(&conn, &short, body.clone()) {
            Err(Failed::Usage(UsageError::BodyTooShort { declared: 10, .. })) => {}
            other => panic!("{body:?}: {other:?}"),
        }
    }
}

/// A second request sent before the first response's body was read (the core allows it once
/// the first response is complete): each response keeps its own body.
pub fn responses_keep_their_own_events<A: Adapter>(a: &A) {
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
    let conn = a.connect(server.addr(), Config::default());
    for _ in 0..20 {
        let (first, second) = a.send_two(&conn, &get("/first"), &get("/second"));
        assert_eq!(
            (first.as_slice(), second.as_slice()),
            (&b"first"[..], &b"second"[..])
        );
    }
}

/// Dropping a response mid-body closes the connection, as the core decides (HTTP/1.1 cannot
/// abandon a response); the next request fails `Closed` without touching the network.
pub fn drop_mid_body<A: Adapter>(a: &A) {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            let _ = peer.read_request();
        }
    });
    let conn = a.connect(server.addr(), Config::default());
    assert_eq!(a.send_and_drop(&conn, &get("/")), Ok(200));
    assert_eq!(a.close_reason(&conn), Some(CloseReason::Canceled));
    assert_eq!(
        a.send(&conn, &get("/"), TestBody::Empty),
        Err(Failed::Usage(UsageError::Closed))
    );
}

/// The number of open file descriptors and threads of this process (Linux `/proc`).
pub fn fds_and_threads() -> (usize, usize) {
    let count = |dir: &str| std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    (count("/proc/self/fd"), count("/proc/self/task"))
}

/// The counts of [`fds_and_threads`] once they are back to `before`, or after 2 s. A thread
/// whose function returned (a joined server thread, or a finished handler whose handle was
/// dropped) stays listed in `/proc/self/task` until the kernel has reaped it, a moment later:
/// counting at once made the leak tests fail now and then with one thread too many.
pub fn fds_and_threads_settled(before: (usize, usize)) -> (usize, usize) {
    let until = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        let now = fds_and_threads();
        if now == before || std::time::Instant::now() >= until {
            return now;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A hang-up leaves nothing behind: after the failure (and the server's shutdown), the process
/// has the file descriptors and threads it had before.
pub fn nothing_left_after_hang_up<A: Adapter>(a: &A) {
    let before = fds_and_threads();
    {
        let server = Server::start(|mut peer: Peer| {
            let _ = peer.read_request();
        });
        for _ in 0..20 {
            let conn = a.connect(server.addr(), Config::default());
            assert!(a.send(&conn, &get("/"), TestBody::Empty).is_err());
            assert!(a.close_reason(&conn).is_some());
        }
    }
    assert_eq!(fds_and_threads_settled(before), before);
}

/// Generates one `#[test]` per scenario for an adapter.
#[macro_export]
macro_rules! adapter_scenarios {
    ($adapter:expr) => {
        #[test]
        fn close_race_10000() {
            support::scenarios::close_race(&$adapter, 10_000);
        }
        #[test]
        fn bodied_then_close() {
            support::scenarios::bodied_then_close(&$adapter, 1_000);
        }
        #[test]
        fn keep_alive_10000() {
            support::scenarios::keep_alive(&$adapter, 10_000);
        }
        #[test]
        fn hang_up_before_response() {
            support::scenarios::hang_up_before_response(&$adapter);
        }
        #[test]
        fn hang_up_at_every_offset() {
            support::scenarios::hang_up_at_every_offset(&$adapter);
        }
        #[test]
        fn informational_then_final() {
            support::scenarios::informational_then_final(&$adapter);
        }
        #[test]
        fn bodiless_responses() {
            support::scenarios::bodiless_responses(&$adapter);
        }
        #[test]
        fn chunked_with_trailers() {
            support::scenarios::chunked_with_trailers(&$adapter);
        }
        #[test]
        fn upgrade() {
            support::scenarios::upgrade(&$adapter);
        }
        #[test]
        fn connect_tunnel() {
            support::scenarios::connect_tunnel(&$adapter);
        }
        #[test]
        fn large_body_1_gib() {
            support::scenarios::large_body(&$adapter, 1 << 30);
        }
        #[test]
        fn early_response_during_upload() {
            support::scenarios::early_response_during_upload(&$adapter);
        }
        #[test]
        fn expect_continue() {
            support::scenarios::expect_continue(&$adapter);
        }
        #[test]
        fn bodies_are_finished_or_refused() {
            support::scenarios::bodies_are_finished_or_refused(&$adapter);
        }
        #[test]
        fn responses_keep_their_own_events() {
            support::scenarios::responses_keep_their_own_events(&$adapter);
        }
        #[test]
        fn drop_mid_body() {
            support::scenarios::drop_mid_body(&$adapter);
        }
    };
}
