//! A hang-up leaves no file descriptor and no thread behind (its own test binary: the counts are
//! process-wide).

mod support;

use h1conn::Config;
use support::blocking_adapter::Blocking;
use support::scenarios::{Adapter, TestBody, fds_and_threads, fds_and_threads_settled};
use support::server::{Peer, Server};

#[test]
fn nothing_left_behind() {
    nothing_left_after_hang_ups();
    nothing_left_after_the_pooled_client_is_dropped();
}

fn nothing_left_after_the_pooled_client_is_dropped() {
    use h1conn::blocking::{Body, Client, PoolKey};
    use h1conn::pool::PoolConfig;
    use h1conn::{Request, RequestBody};
    let before = fds_and_threads();
    {
        let server = Server::start(|mut peer: Peer| {
            while peer.read_request().is_some() {
                if !peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
                    return;
                }
            }
        });
        let key = PoolKey::http("127.0.0.1", server.addr().port());
        let client = Client::new(Config::default(), PoolConfig::default());
        let get = Request::get("/").header("Host", "test");
        for _ in 0..5 {
            client
                .send(&key, &get, Body::Empty)
                .unwrap()
                .body()
                .unwrap();
        }
        assert_eq!(client.idle(&key), 1);
        let upload = Request::new("PUT", "/")
            .header("Host", "test")
            .body(RequestBody::Length(3));
        client
            .send(&key, &upload, Body::Bytes("abc".into()))
            .unwrap()
            .body()
            .unwrap();
    }
    assert_eq!(fds_and_threads(), before);
}

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
