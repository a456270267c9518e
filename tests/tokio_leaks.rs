//! The tokio adapter leaves nothing behind: after hang-ups, after every handle is dropped, after
//! a canceled request, and after the pooled client is dropped, the process has the file
//! descriptors and threads it had before and the runtime has no task alive (its own test
//! binary: the counts are process-wide).

mod support;

use h1conn::tokio::{Body, Connection};
use h1conn::{CloseReason, Config, Request};
use std::time::Duration;
use support::scenarios::{Adapter, TestBody, fds_and_threads, fds_and_threads_settled};
use support::server::{Peer, Server};
use support::tokio_adapter::Tokio;

fn get() -> Request<'static> {
    Request::get("/").header("Host", "t")
}

/// Waits (boundedly) until the runtime has no task alive: a connection task ends on its worker
/// thread a moment after the caller saw the close.
fn settle(a: &Tokio) -> usize {
    for _ in 0..1000 {
        if a.alive_tasks() == 0 {
            break;
        }
        std::thread::yield_now();
        a.rt.block_on(async { tokio::time::sleep(Duration::from_millis(1)).await });
    }
    a.alive_tasks()
}

/// One test: the counts are process-wide, so the parts must not run in parallel.
#[test]
fn nothing_left_behind() {
    let a = Tokio::new();
    nothing_left_after_hang_ups(&a);
    nothing_left_when_every_handle_is_dropped(&a);
    nothing_left_after_a_canceled_request(&a);
    nothing_left_after_an_unclaimed_upgrade(&a);
    nothing_left_after_the_pooled_client_is_dropped(&a);
}

fn nothing_left_after_hang_ups(a: &Tokio) {
    support::scenarios::nothing_left_after_hang_up(a);
    assert_eq!(settle(a), 0, "a connection task outlived its hang-up");
}

fn nothing_left_when_every_handle_is_dropped(a: &Tokio) {
    let before = fds_and_threads();
    {
        // A keep-alive server that reads until the client closes: its handler thread (joined
        // when the server drops) ends only when the connection's socket is closed.
        let server = Server::start(|mut peer: Peer| {
            while peer.read_request().is_some() {
                if !peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
                    break;
                }
            }
        });
        let conn = a.connect(server.addr(), Config::default());
        let clone = conn.clone();
        a.send(&conn, &get(), TestBody::Empty).unwrap();
        assert_eq!(a.alive_tasks(), 1, "one task per connection");
        drop(conn);
        assert_eq!(clone.close_reason(), None, "a handle is left: still open");
        drop(clone);
        assert_eq!(settle(a), 0);
    }
    assert_eq!(fds_and_threads_settled(before), before);
}

fn nothing_left_after_a_canceled_request(a: &Tokio) {
    let before = fds_and_threads();
    {
        // The server reads the request and never answers; the caller gives up.
        let server = Server::start(|mut peer: Peer| {
            let _ = peer.read_request();
            let _ = peer.read_request();
        });
        let conn = a.connect(server.addr(), Config::default());
        a.rt.block_on(async {
            let waited =
                tokio::time::timeout(Duration::from_millis(50), conn.send(&get(), Body::Empty))
                    .await;
            assert!(waited.is_err(), "no answer was sent");
        });
        // The request was written: the core closes the connection.
        assert_eq!(conn.close_reason(), Some(CloseReason::Canceled));
        assert_eq!(settle(a), 0);
        // A response dropped mid-body, the same.
        let server = Server::start(|mut peer: Peer| {
            if peer.read_request().is_some() {
                peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
                let _ = peer.read_request();
            }
        });
        let conn = Connection::clone(&a.connect(server.addr(), Config::default()));
        let status = a.rt.block_on(async {
            let response = conn.send(&get(), Body::Empty).await.unwrap();
            response.status()
        });
        assert_eq!(status, 200);
        assert_eq!(conn.close_reason(), Some(CloseReason::Canceled));
        assert_eq!(settle(a), 0);
    }
    assert_eq!(fds_and_threads_settled(before), before);
}

/// A `101` response dropped without taking the transport releases it at once, while handles to
/// the connection remain (the server sees EOF).
fn nothing_left_after_an_unclaimed_upgrade(a: &Tokio) {
    let before = fds_and_threads();
    {
        let (eof_tx, eof_rx) = std::sync::mpsc::channel::<()>();
        let server = Server::start(move |mut peer: Peer| {
            if peer.read_request().is_some() {
                peer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n");
                // Returns at the client's close.
                let _ = std::io::Read::read(&mut peer.stream, &mut [0u8; 1]);
                let _ = eof_tx.send(());
            }
        });
        let conn = a.connect(server.addr(), Config::default());
        let request = get().header("Connection", "upgrade").header("Upgrade", "x");
        let status = a.rt.block_on(async {
            let mut response = conn.send(&request, Body::Empty).await.unwrap();
            assert_eq!(response.chunk().await.unwrap(), None);
            response.status()
        });
        assert_eq!(status, 101);
        assert_eq!(conn.close_reason(), Some(CloseReason::Upgraded));
        assert!(
            eof_rx.recv_timeout(Duration::from_secs(5)).is_ok(),
            "the transport outlived its response"
        );
        assert_eq!(settle(a), 0);
        drop(conn);
    }
    assert_eq!(fds_and_threads_settled(before), before);
}

fn nothing_left_after_the_pooled_client_is_dropped(a: &Tokio) {
    use h1conn::RequestBody;
    use h1conn::pool::PoolConfig;
    use h1conn::tokio::{Client, PoolKey};
    let before = fds_and_threads();
    {
        // Keep-alive; `/N` is answered with N bytes of body.
        let server = Server::start(|mut peer: Peer| {
            while let Some(req) = peer.read_request() {
                let size: usize = req.path[1..].parse().unwrap_or(2);
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n");
                if !peer.write(head.as_bytes()) || !peer.write(&vec![b'x'; size]) {
                    return;
                }
            }
        });
        let key = PoolKey::http("127.0.0.1", server.addr().port());
        let sized = |path| Request::get(path).header("Host", "t");
        a.rt.block_on(async {
            let pool = PoolConfig::default().max_per_host(Some(2));
            let client = Client::new(Config::default(), pool);
            for _ in 0..5 {
                client
                    .send(&key, &get(), Body::Empty)
                    .await
                    .unwrap()
                    .body()
                    .await
                    .unwrap();
            }
            assert_eq!(client.idle(&key), 1);
            let upload = Request::new("PUT", "/")
                .header("Host", "t")
                .body(RequestBody::Length(3));
            client
                .send(&key, &upload, Body::Bytes("abc".into()))
                .await
                .unwrap()
                .body()
                .await
                .unwrap();
            // Responses dropped before their end: a short rest drained (perhaps by a task), a
            // long one closing its connection.
            drop(
                client
                    .send(&key, &sized("/1000"), Body::Empty)
                    .await
                    .unwrap(),
            );
            drop(
                client
                    .send(&key, &sized("/1000000"), Body::Empty)
                    .await
                    .unwrap(),
            );
            // A waiting send given up while both connections are busy.
            let busy = (
                client.send(&key, &sized("/10"), Body::Empty).await.unwrap(),
                client.send(&key, &sized("/10"), Body::Empty).await.unwrap(),
            );
            let waited = tokio::time::timeout(
                Duration::from_millis(20),
                client.send(&key, &get(), Body::Empty),
            )
            .await;
            assert!(waited.is_err(), "both connections were busy");
            drop(busy);
            drop(client);
        });
        assert_eq!(
            settle(a),
            0,
            "a connection or drain task outlived the client"
        );
    }
    assert_eq!(fds_and_threads(), before);
}
