//! Shared by both adapters' pool tests (`tests/pool_blocking.rs`, `tests/pool_tokio.rs`): a
//! loopback server's pool key, a request, and the server handlers.

use super::server::{Peer, Server};
use h1conn::Request;
use h1conn::pool::PoolKey;

pub fn key(server: &Server) -> PoolKey {
    PoolKey::http("127.0.0.1", server.addr().port())
}

pub fn get(path: &str) -> Request<'_> {
    Request::get(path).header("Host", "test")
}

/// Answers every request on a connection with a 2-byte body.
pub fn serve_keep_alive(mut peer: Peer) {
    while peer.read_request().is_some() {
        if !peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
            return;
        }
    }
}

/// Answers `/N` with N bytes of body.
pub fn serve_sized(mut peer: Peer) {
    while let Some(req) = peer.read_request() {
        let size: usize = req.path[1..].parse().unwrap_or(0);
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n");
        if !peer.write(head.as_bytes()) || !peer.write(&vec![b'x'; size]) {
            return;
        }
    }
}

/// Answers the first request on each connection; a later request on the same connection finds
/// the server's idle close racing it: read, then closed without a byte.
pub fn serve_one_then_close_on_reuse(mut peer: Peer) {
    if peer.read_request().is_some() {
        peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        let _ = peer.read_request();
    }
}

/// A handler for the pool tests: `/stall` gets half a 100-byte body and then nothing until the
/// client goes away; any other path an empty `200`.
pub fn stalls_on_stall(mut peer: Peer) {
    while let Some(req) = peer.read_request() {
        if req.path == "/stall" {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf");
            let _ = peer.read_request();
            return;
        }
        if !peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") {
            return;
        }
    }
}
