//! The tokio adapter's steady state allocates nothing: a keep-alive request/response cycle
//! through `send` and `chunk`, once the connection's buffers have grown (the caller drops each
//! response before the next request).
//!
//! A counting global allocator, in its own test binary. It counts the test thread's allocations
//! only: the runtime is a current-thread one, so the caller, the connection task and tokio's
//! I/O driver all run there; the loopback server runs on threads of its own.

mod counting_alloc;
mod support;

use counting_alloc::{ALLOCATIONS, COUNTED};
use h1conn::tokio::{Body, Connection};
use h1conn::{Config, Request};
use std::sync::atomic::Ordering;
use support::server::{Peer, Server};

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Fri, 27 Nov 2026 12:00:00 GMT\r\nServer: test\r\nContent-Type: text/plain\r\n\
Content-Length: 13\r\n\r\nhello, world!";

#[test]
fn keep_alive_cycle_allocates_nothing() {
    let server = Server::start(|mut peer: Peer| {
        while peer.read_request().is_some() {
            if !peer.write(RESPONSE) {
                break;
            }
        }
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let request = Request::get("/index.html")
        .header("Host", "example.com")
        .header("User-Agent", "h1conn-test");
    let counted = rt.block_on(async {
        let conn = Connection::connect(server.addr(), Config::default())
            .await
            .unwrap();
        let cycle = async || {
            let mut response = conn.send(&request, Body::Empty).await.unwrap();
            let mut body = 0;
            while let Some(piece) = response.chunk().await.unwrap() {
                body += piece.len();
            }
            assert_eq!((response.status(), body), (200, 13));
        };
        for _ in 0..2_000 {
            cycle().await;
        }
        COUNTED.with(|c| c.set(true));
        for _ in 0..1_000 {
            cycle().await;
        }
        COUNTED.with(|c| c.set(false));
        conn.close();
        conn.closed().await;
        ALLOCATIONS.load(Ordering::Relaxed)
    });
    // Let the connection task end (it drops the socket) before the server joins its threads.
    rt.block_on(async {
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
    });
    assert_eq!(counted, 0, "{counted} allocations in 1,000 cycles");
}
