//! The blocking adapter's pooled `Client` against loopback servers, counted on the server.

mod support;

use h1conn::blocking::{Body, Client, Error};
use h1conn::pool::PoolConfig;
use h1conn::{Config, Progress, Request};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::pool::{
    get, key, serve_keep_alive, serve_one_then_close_on_reuse, serve_sized, stalls_on_stall,
};
use support::server::{Peer, Server};

fn client() -> Client {
    Client::new(Config::default(), PoolConfig::default())
}

#[test]
fn keep_alive_requests_share_one_connection() {
    let server = Server::start(serve_keep_alive);
    let client = client();
    for _ in 0..50 {
        let mut r = client.send(&key(&server), &get("/"), Body::Empty).unwrap();
        assert_eq!(r.body().unwrap(), b"ok");
    }
    assert_eq!((server.connections(), server.requests()), (1, 50));
    assert_eq!(client.retries(), 0);
}

#[test]
fn a_get_on_a_connection_closed_under_it_is_retried_once_and_succeeds() {
    let server = Server::start(serve_one_then_close_on_reuse);
    let client = client();
    for _ in 0..10 {
        let mut r = client.send(&key(&server), &get("/"), Body::Empty).unwrap();
        assert_eq!(r.body().unwrap(), b"ok");
    }
    // Every request after the first met the close on its reused connection: one retry each.
    assert_eq!(client.retries(), 9);
    assert_eq!(server.connections(), 10);
}

#[test]
fn a_post_that_may_have_reached_the_server_is_never_retried() {
    let server = Server::start(serve_one_then_close_on_reuse);
    let client = client();
    let post = Request::new("POST", "/").header("Host", "test");
    let mut r = client
        .send(&key(&server), &post, Body::Bytes("a".into()))
        .unwrap();
    assert_eq!(r.body().unwrap(), b"ok");
    match client.send(&key(&server), &post, Body::Bytes("b".into())) {
        Err(Error::Request(e)) => {
            assert_eq!(e.progress(), Progress::SentNoResponse);
            assert!(e.reused_connection() && !e.is_retryable());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.retries(), 0);
    // With an Idempotency-Key and a replayable body, the same POST is retried.
    let keyed = Request::new("POST", "/")
        .header("Host", "test")
        .header("Idempotency-Key", "k1")
        .replayable_body(true);
    client
        .send(&key(&server), &keyed, Body::Bytes("c".into()))
        .unwrap()
        .body()
        .unwrap();
    let mut r = client
        .send(&key(&server), &keyed, Body::Bytes("d".into()))
        .unwrap();
    assert_eq!(r.body().unwrap(), b"ok");
    assert_eq!(client.retries(), 1);
}

#[test]
fn a_408_closing_a_reused_connection_is_retried_once() {
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            if peer.read_request().is_some() {
                peer.write(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            }
        }
    });
    let client = client();
    for _ in 0..3 {
        let mut r = client.send(&key(&server), &get("/"), Body::Empty).unwrap();
        assert_eq!((r.status(), r.body().unwrap()), (200, b"ok".to_vec()));
    }
    assert_eq!(client.retries(), 2);
}

#[test]
fn a_servers_keep_alive_timeout_is_honoured() {
    // timeout=1 leaves no safe time after the 1 s margin: the connection is not kept.
    let server = Server::start(|mut peer: Peer| {
        while peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok");
        }
    });
    let client = client();
    for _ in 0..3 {
        client
            .send(&key(&server), &get("/"), Body::Empty)
            .unwrap()
            .body()
            .unwrap();
    }
    assert_eq!(server.connections(), 3);
    assert_eq!(client.retries(), 0);
}

#[test]
fn a_dropped_response_is_drained_when_short_and_closed_when_long() {
    let server = Server::start(serve_sized);
    let pool = PoolConfig::default().drain_limit(1000);
    let client = Client::new(Config::default(), pool);
    drop(
        client
            .send(&key(&server), &get("/500"), Body::Empty)
            .unwrap(),
    );
    client
        .send(&key(&server), &get("/0"), Body::Empty)
        .unwrap()
        .body()
        .unwrap();
    assert_eq!(
        server.connections(),
        1,
        "a 500-byte rest was drained and the connection kept"
    );
    drop(
        client
            .send(&key(&server), &get("/1000000"), Body::Empty)
            .unwrap(),
    );
    client
        .send(&key(&server), &get("/0"), Body::Empty)
        .unwrap()
        .body()
        .unwrap();
    assert_eq!(server.connections(), 2, "a long rest closes the connection");
}

#[test]
fn concurrent_requests_respect_the_per_host_limit() {
    let server = Server::start(serve_keep_alive);
    let pool = PoolConfig::default().max_per_host(Some(4));
    let client = Client::new(Config::default(), pool);
    let done = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..64)
        .map(|i| {
            let (client, key, done) = (client.clone(), key(&server), done.clone());
            std::thread::spawn(move || {
                let request = Request::get("/").header("Host", "test");
                let mut r = client.send(&key, &request, Body::Empty).unwrap();
                assert_eq!(r.body().unwrap(), b"ok", "request {i}");
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(done.load(Ordering::SeqCst), 64);
    assert_eq!(server.requests(), 64);
    assert!(server.max_active() <= 4, "{} at once", server.max_active());
}

/// A response dropped while its server stalls mid-body (or streams without end) is drained for
/// at most the drain timeout: the drop returns, the connection is closed, not pooled.
#[test]
fn a_dropped_response_of_a_stalled_server_is_given_up_after_the_drain_timeout() {
    let server = Server::start(stalls_on_stall);
    let pool = PoolConfig::default().drain_timeout(std::time::Duration::from_millis(200));
    let client = Arc::new(Client::new(Config::default(), pool));
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let client = client.clone();
        let key = key(&server);
        std::thread::spawn(move || {
            let response = client.send(&key, &get("/stall"), Body::Empty).unwrap();
            drop(response);
            let _ = tx.send(());
        });
    }
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("dropping the response waited for a body that never comes");
    assert_eq!(
        client.idle(&key(&server)),
        0,
        "the stalled connection is not pooled"
    );
    client
        .send(&key(&server), &get("/0"), Body::Empty)
        .unwrap()
        .body()
        .unwrap();
    assert_eq!(
        server.connections(),
        2,
        "a new connection for the next request"
    );
}
