//! A hang-up leaves no file descriptor and no thread behind (its own test binary: the counts are
//! process-wide).

mod support;

use h1conn::Config;
use support::blocking_adapter::Blocking;
use support::scenarios::{Adapter, TestBody, fds_and_threads, fds_and_threads_settled};
use support::server::{Peer, Server};

#[test]
fn nothing_left_after_hang_ups() {
    support::scenarios::nothing_left_after_hang_up(&Blocking);
    // And a connection whose handles are all dropped mid-exchange releases its socket.
    let before = fds_and_threads();
    {
        let server = Server::start(|mut peer: Peer| {
            let _ = peer.read_request();
        });
        let a = Blocking;
        let conn = a.connect(server.addr(), Config::default());
        let request = h1conn::Request::get("/").header("Host", "t");
        assert!(a.send(&conn, &request, TestBody::Empty).is_err());
    }
    assert_eq!(fds_and_threads_settled(before), before);
}
