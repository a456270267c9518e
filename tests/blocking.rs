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
