//! The tokio adapter's pooled `Client` against loopback servers, counted on the server: the
//! scenarios of tests/pool_blocking.rs, async, then what only futures have (a waiting or
//! connecting `send` dropped, a response dropped outside a runtime).
//!
//! Each test runs on a multi-thread runtime (two workers): the connection tasks must keep
//! running while a server's drop joins its handler threads, which end when the client closes.

mod support;

use h1conn::pool::PoolConfig;
use h1conn::tokio::{Body, Client, Error, PoolKey};
use h1conn::{Config, Progress, Request};
use std::future::{Future, poll_fn};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::Poll;
use std::time::Duration;
use support::pool::{
    get, key, serve_keep_alive, serve_one_then_close_on_reuse, serve_sized, stalls_on_stall,
};
use support::server::{Peer, Server};
use tokio::runtime::Runtime;
use tokio::time::timeout;

/// The safety net: every test finishes long before it (a hang is a failure).
const NET: Duration = Duration::from_secs(10);

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs a test on a fresh multi-thread runtime, within `NET`.
fn run(test: impl Future<Output = ()>) {
    runtime().block_on(async { timeout(NET, test).await.expect("the test hung") });
}

/// Waits (boundedly) until `cond` holds: a connection task or a drain task finishes on a
/// worker thread a moment later.
async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let until = tokio::time::Instant::now() + NET;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < until,
            "never happened: {what}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn client() -> Client {
    Client::new(Config::default(), PoolConfig::default())
}

#[test]
fn keep_alive_requests_share_one_connection() {
    run(async {
        let server = Server::start(serve_keep_alive);
        let client = client();
        for _ in 0..50 {
            let mut r = client
                .send(&key(&server), &get("/"), Body::Empty)
                .await
                .unwrap();
            assert_eq!(r.body().await.unwrap(), "ok");
        }
        assert_eq!((server.connections(), server.requests()), (1, 50));
        assert_eq!(client.retries(), 0);
        assert_eq!(client.idle(&key(&server)), 1);
    });
}

#[test]
fn a_get_on_a_connection_closed_under_it_is_retried_once_and_succeeds() {
    run(async {
        let server = Server::start(serve_one_then_close_on_reuse);
        let client = client();
        for _ in 0..10 {
            let mut r = client
                .send(&key(&server), &get("/"), Body::Empty)
                .await
                .unwrap();
            assert_eq!(r.body().await.unwrap(), "ok");
        }
        // Every request after the first met the close on its reused connection: one retry each.
        assert_eq!(client.retries(), 9);
        assert_eq!(server.connections(), 10);
    });
}

#[test]
fn a_post_that_may_have_reached_the_server_is_never_retried() {
    run(async {
        let server = Server::start(serve_one_then_close_on_reuse);
        let client = client();
        let post = Request::new("POST", "/").header("Host", "test");
        let mut r = client
            .send(&key(&server), &post, Body::Bytes("a".into()))
            .await
            .unwrap();
        assert_eq!(r.body().await.unwrap(), "ok");
        match client
            .send(&key(&server), &post, Body::Bytes("b".into()))
            .await
        {
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
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        let mut r = client
            .send(&key(&server), &keyed, Body::Bytes("d".into()))
            .await
            .unwrap();
        assert_eq!(r.body().await.unwrap(), "ok");
        assert_eq!(client.retries(), 1);
    });
}

#[test]
fn a_streamed_body_is_never_sent_twice() {
    run(async {
        let server = Server::start(serve_one_then_close_on_reuse);
        let client = client();
        let keyed = Request::new("PUT", "/")
            .header("Host", "test")
            .replayable_body(true);
        let stream = |b: &'static [u8]| Body::Stream(Box::pin(std::io::Cursor::new(b)));
        client
            .send(&key(&server), &keyed, stream(b"a"))
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        match client.send(&key(&server), &keyed, stream(b"b")).await {
            Err(Error::Request(e)) => assert!(e.reused_connection()),
            other => panic!("{other:?}"),
        }
        assert_eq!(client.retries(), 0);
    });
}

#[test]
fn a_408_closing_a_reused_connection_is_retried_once() {
    run(async {
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
            let mut r = client
                .send(&key(&server), &get("/"), Body::Empty)
                .await
                .unwrap();
            assert_eq!((r.status(), r.body().await.unwrap()), (200, "ok".into()));
        }
        assert_eq!(client.retries(), 2);
    });
}

#[test]
fn a_servers_keep_alive_timeout_is_honoured() {
    run(async {
        // timeout=1 leaves no safe time after the 1 s margin: the connection is not kept.
        let server = Server::start(|mut peer: Peer| {
            while peer.read_request().is_some() {
                peer.write(
                    b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok",
                );
            }
        });
        let client = client();
        for _ in 0..3 {
            client
                .send(&key(&server), &get("/"), Body::Empty)
                .await
                .unwrap()
                .body()
                .await
                .unwrap();
        }
        assert_eq!(server.connections(), 3);
        assert_eq!(client.retries(), 0);
        assert_eq!(client.idle(&key(&server)), 0);
    });
}

#[test]
fn a_dropped_response_is_drained_when_short_and_closed_when_long() {
    run(async {
        let server = Server::start(serve_sized);
        let pool = PoolConfig::default().drain_limit(1000);
        let client = Client::new(Config::default(), pool);
        let key = key(&server);
        drop(client.send(&key, &get("/500"), Body::Empty).await.unwrap());
        // Drained at once, or by a task a moment later.
        eventually("the drained connection is back", || client.idle(&key) == 1).await;
        client
            .send(&key, &get("/0"), Body::Empty)
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        assert_eq!(
            server.connections(),
            1,
            "a 500-byte rest was drained and the connection kept"
        );
        drop(
            client
                .send(&key, &get("/1000000"), Body::Empty)
                .await
                .unwrap(),
        );
        client
            .send(&key, &get("/0"), Body::Empty)
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        assert_eq!(server.connections(), 2, "a long rest closes the connection");
        // The first connection's handler ends as the client closes it.
        eventually("the long response's connection closed", || {
            server.active() == 1
        })
        .await;
        assert_eq!(client.idle(&key), 1);
    });
}

#[test]
fn a_response_dropped_outside_a_runtime_is_canceled() {
    let rt = runtime();
    // Half a body, then nothing until the client closes.
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
            let _ = peer.read_request();
        }
    });
    let client = client();
    for round in 1..=2 {
        let response = rt
            .block_on(client.send(&key(&server), &get("/"), Body::Empty))
            .unwrap();
        assert_eq!((response.status(), response.close_reason()), (200, None));
        // No runtime here: no drain; the core closes the connection, its place is released.
        drop(response);
        rt.block_on(eventually("the canceled connection closed", || {
            server.active() == 0
        }));
        assert_eq!(client.idle(&key(&server)), 0);
        assert_eq!(server.connections(), round);
    }
}

#[test]
fn concurrent_requests_respect_the_per_host_limit() {
    run(async {
        let server = Server::start(serve_keep_alive);
        let pool = PoolConfig::default().max_per_host(Some(4));
        let client = Client::new(Config::default(), pool);
        let done = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let (client, key, done) = (client.clone(), key(&server), done.clone());
                tokio::spawn(async move {
                    let request = Request::get("/").header("Host", "test");
                    let mut r = client.send(&key, &request, Body::Empty).await.unwrap();
                    assert_eq!(r.body().await.unwrap(), "ok", "request {i}");
                    done.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(done.load(Ordering::SeqCst), 64);
        assert_eq!(server.requests(), 64);
        assert!(server.max_active() <= 4, "{} at once", server.max_active());
        assert_eq!(client.waiting(&key(&server)), 0);
    });
}

#[test]
fn a_dropped_waiting_send_leaves_the_queue() {
    run(async {
        let server = Server::start(serve_keep_alive);
        let client = Client::new(
            Config::default(),
            PoolConfig::default().max_per_host(Some(1)),
        );
        let key = key(&server);
        let request = get("/");
        // The only connection is busy until this body is read.
        let mut first = client.send(&key, &request, Body::Empty).await.unwrap();
        // A waiter that gives up leaves the queue.
        let gave_up = timeout(
            Duration::from_millis(50),
            client.send(&key, &request, Body::Empty),
        )
        .await;
        assert!(gave_up.is_err(), "no connection was free");
        assert_eq!(client.waiting(&key), 0, "the dropped waiter left the queue");
        // The next waiter is served when the connection comes back.
        let next = tokio::spawn({
            let (client, key) = (client.clone(), key.clone());
            async move {
                let request = Request::get("/").header("Host", "test");
                let mut r = client.send(&key, &request, Body::Empty).await.unwrap();
                r.body().await.unwrap()
            }
        });
        eventually("the next request waits", || client.waiting(&key) == 1).await;
        assert_eq!(first.body().await.unwrap(), "ok");
        assert_eq!(timeout(NET, next).await.unwrap().unwrap(), "ok");
        assert_eq!(server.connections(), 1);
        assert_eq!(client.idle(&key), 1);
    });
}

#[test]
fn a_turn_handed_to_a_dropped_waiter_goes_back_to_the_pool() {
    run(async {
        let server = Server::start(serve_keep_alive);
        let client = Client::new(
            Config::default(),
            PoolConfig::default().max_per_host(Some(1)),
        );
        let key = key(&server);
        let request = get("/");
        let mut first = client.send(&key, &request, Body::Empty).await.unwrap();
        let mut waiter = Box::pin(client.send(&key, &request, Body::Empty));
        // Polled once: it is queued.
        let queued = poll_fn(|cx| Poll::Ready(waiter.as_mut().poll(cx).is_pending())).await;
        assert!(queued);
        assert_eq!(client.waiting(&key), 1);
        // The body's end hands the connection to the waiter...
        assert_eq!(first.body().await.unwrap(), "ok");
        assert_eq!((client.waiting(&key), client.idle(&key)), (0, 0));
        // ...which is dropped before it runs again: the connection goes back to the pool.
        drop(waiter);
        assert_eq!(client.idle(&key), 1);
        let mut r = client.send(&key, &request, Body::Empty).await.unwrap();
        assert_eq!(r.body().await.unwrap(), "ok");
        assert_eq!(server.connections(), 1);
    });
}

#[test]
fn a_failed_or_abandoned_connect_gives_its_place_back() {
    run(async {
        let server = Server::start(serve_keep_alive);
        let port = server.addr().port();
        // The first connect never completes; the second is refused; the rest connect.
        let calls = Arc::new(AtomicUsize::new(0));
        let connector = {
            let calls = calls.clone();
            move |key: PoolKey| {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    match call {
                        0 => std::future::pending().await,
                        1 => Err(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
                        _ => tokio::net::TcpStream::connect((key.host.as_str(), port)).await,
                    }
                }
            }
        };
        let pool = PoolConfig::default().max_per_host(Some(1));
        let client = Client::with_connector(Config::default(), pool, connector);
        let key = PoolKey::http("127.0.0.1", port);
        let abandoned = timeout(
            Duration::from_millis(50),
            client.send(&key, &get("/"), Body::Empty),
        )
        .await;
        assert!(abandoned.is_err(), "the first connect never completes");
        match client.send(&key, &get("/"), Body::Empty).await {
            Err(Error::Connect(e)) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused)
            }
            other => panic!("{other:?}"),
        }
        // With one connection allowed, this would wait forever had a place leaked.
        let mut r = client.send(&key, &get("/"), Body::Empty).await.unwrap();
        assert_eq!(r.body().await.unwrap(), "ok");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn a_connection_the_server_closed_while_idle_is_not_reused() {
    run(async {
        // The first connection: one response; once the client has it back in the pool, the
        // server closes it. The next ones: keep-alive.
        let idle = Arc::new(Barrier::new(2));
        let seen = AtomicUsize::new(0);
        let server = Server::start({
            let idle = idle.clone();
            move |mut peer: Peer| {
                if seen.fetch_add(1, Ordering::SeqCst) > 0 {
                    return serve_keep_alive(peer);
                }
                if peer.read_request().is_some() {
                    peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
                idle.wait();
            }
        });
        let client = client();
        let key = key(&server);
        let mut r = client.send(&key, &get("/"), Body::Empty).await.unwrap();
        assert_eq!(r.body().await.unwrap(), "ok");
        assert_eq!(client.idle(&key), 1);
        tokio::task::spawn_blocking(move || idle.wait())
            .await
            .unwrap();
        eventually("the server closed", || server.active() == 0).await;
        // The connection's task sees the close while it is idle in the pool (a moment later).
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut r = client.send(&key, &get("/"), Body::Empty).await.unwrap();
        assert_eq!(r.body().await.unwrap(), "ok");
        assert_eq!(client.retries(), 0, "a stale connection is not a retry");
        assert_eq!(server.connections(), 2);
    });
}

/// A response dropped while its server stalls mid-body (or streams without end): the drain task
/// gives up after the drain timeout and the connection is closed, not pooled.
#[test]
fn a_dropped_response_of_a_stalled_server_is_given_up_after_the_drain_timeout() {
    run(async {
        let server = Server::start(stalls_on_stall);
        let pool = PoolConfig::default().drain_timeout(Duration::from_millis(200));
        let client = Client::new(Config::default(), pool);
        let key = key(&server);
        drop(
            client
                .send(&key, &get("/stall"), Body::Empty)
                .await
                .unwrap(),
        );
        // The drain task ends after the timeout; the stalled connection's handler ends as the
        // client closes it.
        eventually("the stalled connection closed", || server.active() == 0).await;
        assert_eq!(client.idle(&key), 0, "the stalled connection is not pooled");
        client
            .send(&key, &get("/0"), Body::Empty)
            .await
            .unwrap()
            .body()
            .await
            .unwrap();
        assert_eq!(server.connections(), 2);
    });
}
