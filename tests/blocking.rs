//! The blocking adapter against real loopback servers: the shared scenario list.

mod support;

use support::blocking_adapter::Blocking;

adapter_scenarios!(Blocking);

/// A thread blocked reading for a response (here `wait_closed`) is released when another
/// thread gives the response up: the socket is shut down under it, nobody waits for the server.
#[test]
fn giving_up_releases_a_thread_blocked_reading() {
    use h1conn::blocking::{Body, Connection};
    use h1conn::{CloseReason, Config, Request};
    use support::server::{Peer, Server};
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            // Half a body, then silence until the client goes away.
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf");
            let _ = peer.read_request();
        }
    });
    let conn = Connection::connect(server.addr(), Config::default()).unwrap();
    let mut response = conn
        .send(&Request::get("/").header("Host", "t"), Body::Empty)
        .unwrap();
    assert_eq!(response.chunk().unwrap().as_deref(), Some(&b"half"[..]));
    let watcher = {
        let conn = conn.clone();
        std::thread::spawn(move || conn.wait_closed())
    };
    // Let the watcher block in its read (it may also still be waiting for the token: either
    // way the outcome is the same).
    #[allow(clippy::disallowed_methods)] // test code: give the watcher time to block
    std::thread::sleep(std::time::Duration::from_millis(50));
    drop(response);
    assert_eq!(watcher.join().unwrap(), CloseReason::Canceled);
}

/// A transport that panics on its first read (the caller's code: a TLS library, a test double).
struct PanickingTransport(std::net::TcpStream);

impl std::io::Read for PanickingTransport {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        panic!("the transport's own bug");
    }
}

impl std::io::Write for PanickingTransport {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl h1conn::blocking::Transport for PanickingTransport {}

/// `f` on another thread, with a bound on how long a hang may go unnoticed: the test fails (it
/// does not pass) if `f` has not returned by then.
fn within_a_minute<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the call hung: the I/O token was never given back")
}

/// A panic in the transport while this thread holds the I/O token gives the token back and
/// closes the connection: the next caller gets an error at once instead of waiting forever.
#[test]
fn a_panicking_transport_does_not_leave_the_token_held() {
    use h1conn::blocking::{Body, Connection, Error};
    use h1conn::{CloseReason, Config, Request, UsageError};
    use support::server::{Peer, Server};
    let server = Server::start(|mut peer: Peer| while peer.read_request().is_some() {});
    let stream = std::net::TcpStream::connect(server.addr()).unwrap();
    let conn = Connection::new(PanickingTransport(stream), Config::default());
    let first = {
        let conn = conn.clone();
        std::thread::spawn(move || {
            let _ = conn.send(&Request::get("/").header("Host", "t"), Body::Empty);
        })
    };
    assert!(first.join().is_err(), "the first caller's thread panicked");
    let second = within_a_minute(move || {
        let result = conn.send(&Request::get("/").header("Host", "t"), Body::Empty);
        (result.map(|_| ()), conn.close_reason())
    });
    assert!(
        matches!(second.0, Err(Error::Usage(UsageError::Closed))),
        "{:?}",
        second.0
    );
    assert_eq!(second.1, Some(CloseReason::Aborted));
}

/// The same for a body reader that panics mid-upload (the upload flag is given back too).
#[test]
fn a_panicking_body_reader_does_not_leave_the_upload_flag_held() {
    use h1conn::blocking::{Body, Connection, Error};
    use h1conn::{Config, Request, RequestBody, UsageError};
    use support::server::{Peer, Server};
    struct Panics;
    impl std::io::Read for Panics {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            panic!("the body reader's own bug");
        }
    }
    let server = Server::start(|mut peer: Peer| while peer.read_request().is_some() {});
    let conn = Connection::connect(server.addr(), Config::default()).unwrap();
    let first = {
        let conn = conn.clone();
        std::thread::spawn(move || {
            let request = Request::new("PUT", "/")
                .header("Host", "t")
                .body(RequestBody::Chunked);
            let _ = conn.send(&request, Body::Reader(&mut Panics));
        })
    };
    assert!(first.join().is_err(), "the uploader's thread panicked");
    let second = within_a_minute(move || {
        conn.send(&Request::get("/").header("Host", "t"), Body::Empty)
            .map(|_| ())
    });
    assert!(
        matches!(second, Err(Error::Usage(UsageError::Closed))),
        "{second:?}"
    );
}
