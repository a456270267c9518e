//! TLS as the user's transport, on both adapters, against a loopback TLS server written here
//! (rustls, with a certificate for `localhost` made by rcgen at start-up and trusted by the
//! client's root store alone). The blocking adapter runs over `examples/tls.rs`'s `TlsStream`
//! (a rustls `StreamOwned` over a `TcpStream`, with `Transport` forwarded to the socket), so
//! these tests check the wrapper the example tells users to copy; the tokio adapter runs over
//! `tokio_rustls::client::TlsStream` as it is.
//!
//! Beyond "requests work over TLS", each `Transport` method is shown to reach the socket under
//! the TLS layer (a deadline, an early response during an upload, a thread released from a
//! blocked read: each of these would hang without it), and TLS's end-of-stream rule holds: a
//! server that drops TCP without `close_notify` is a read error, so a close-delimited body is
//! failed, never accepted truncated; with `close_notify` it is a clean EOF.

// Test code keeps real time: a server waits a bounded while, a watcher is given time to block.
#![allow(clippy::disallowed_methods)]

#[path = "../examples/tls.rs"]
#[allow(dead_code)]
mod example;

use example::{TlsStream, loopback_pki};
use h1conn::blocking;
use h1conn::{CloseReason, Config, FailureKind, Request, RequestError, Reuse};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ServerConfig, ServerConnection, StreamOwned};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

/// The safety net: every test finishes long before it; a hang is a failure, not a stuck run.
const NET: Duration = Duration::from_secs(30);

/// One accepted TLS connection, the server's side.
struct Peer {
    stream: StreamOwned<ServerConnection, TcpStream>,
    buf: Vec<u8>,
}

impl Peer {
    /// Reads one request head (these tests send no bodies it must skip) and returns its path;
    /// `None` at EOF or on an error (the client went away).
    fn read_request(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                self.buf.drain(..end + 4);
                return head.split_whitespace().nth(1).map(str::to_owned);
            }
            let mut piece = [0u8; 16 * 1024];
            match self.stream.read(&mut piece) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&piece[..n]),
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("server write");
        self.stream.flush().expect("server flush");
    }

    /// Ends TLS properly (`close_notify`), then TCP.
    fn close_notify(mut self) {
        self.stream.conn.send_close_notify();
        let _ = self.stream.flush();
    }

    /// Drops TCP without `close_notify`: a truncation, as TLS sees it.
    fn hang_up(self) {
        let _ = self.stream.sock.shutdown(Shutdown::Both);
    }
}

/// A TLS server on loopback serving `connections` connections one after another, each with
/// `handler` on the server's thread.
struct TlsServer {
    addr: SocketAddr,
    thread: JoinHandle<()>,
}

impl TlsServer {
    fn start(
        config: Arc<ServerConfig>,
        connections: usize,
        handler: impl Fn(Peer) + Send + 'static,
    ) -> TlsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let thread = std::thread::spawn(move || {
            for _ in 0..connections {
                let (socket, _) = listener.accept().expect("accept");
                let tls = ServerConnection::new(config.clone()).expect("server TLS");
                handler(Peer {
                    stream: StreamOwned::new(tls, socket),
                    buf: Vec::new(),
                });
            }
        });
        TlsServer { addr, thread }
    }

    /// Waits for the server to finish, re-raising a handler's panic.
    fn join(self) {
        if let Err(panic) = self.thread.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

/// Runs `test` on a thread of its own and fails if it does not finish within [`NET`].
fn guarded(test: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        test();
        let _ = done.send(());
    });
    match finished.recv_timeout(NET) {
        Ok(()) => thread.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The test panicked: report its panic.
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test hung (over {NET:?})"),
    }
}

fn get(path: &str) -> Request<'_> {
    Request::get(path).header("Host", "localhost")
}

const HELLO: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
const CHUNKED_WITH_TRAILER: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: 3e25\r\n\r\n";
const BYE_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye";
/// A close-delimited body: no framing, the body ends with the connection.
const UNTIL_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\n\r\npartial";

/// Serves `/a` (Content-Length), `/b` (chunked, with a trailer), then `/c` with
/// `Connection: close`, and ends TLS with `close_notify`.
fn three_responses(mut peer: Peer) {
    for (path, response) in [
        ("/a", HELLO),
        ("/b", CHUNKED_WITH_TRAILER),
        ("/c", BYE_CLOSE),
    ] {
        assert_eq!(peer.read_request().as_deref(), Some(path));
        peer.write(response);
    }
    peer.close_notify();
}

fn tls_connect(addr: SocketAddr, client: Arc<ClientConfig>) -> blocking::Connection<TlsStream> {
    let tls = TlsStream::connect(addr, "localhost", client).expect("connect");
    blocking::Connection::new(tls, Config::default())
}

fn request_error(e: blocking::Error) -> RequestError {
    match e {
        blocking::Error::Request(e) => e,
        other => panic!("expected a request failure, got {other:?}"),
    }
}

// ---- The blocking adapter over rustls -------------------------------------------------------

/// Keep-alive over one TLS connection: a Content-Length body, a chunked body with its trailer,
/// then the server's close after `Connection: close` and its `close_notify`.
#[test]
fn blocking_keep_alive_trailers_and_close() {
    guarded(|| {
        let (server_config, client) = loopback_pki().unwrap();
        let server = TlsServer::start(server_config, 1, three_responses);
        let conn = tls_connect(server.addr, client);

        let mut response = conn.send(&get("/a"), blocking::Body::Empty).unwrap();
        assert_eq!(response.body().unwrap(), b"hello");
        assert_eq!(response.reuse(), Some(Reuse::KeepAlive));

        let mut response = conn.send(&get("/b"), blocking::Body::Empty).unwrap();
        assert_eq!(response.body().unwrap(), b"hello world");
        let trailers = response.trailers().expect("trailers");
        assert_eq!(trailers.get("checksum"), Some(&b"3e25"[..]));

        let mut response = conn.send(&get("/c"), blocking::Body::Empty).unwrap();
        assert_eq!(response.body().unwrap(), b"bye");
        assert_eq!(
            response.reuse(),
            Some(Reuse::Close(CloseReason::ServerRequestedClose))
        );
        assert_eq!(conn.wait_closed(), CloseReason::ServerRequestedClose);
        server.join();
    });
}

/// A large body through TLS records: every byte arrives, in order.
#[test]
fn blocking_large_body() {
    guarded(|| {
        const SIZE: usize = 8 << 20;
        let (server_config, client) = loopback_pki().unwrap();
        let server = TlsServer::start(server_config, 1, |mut peer| {
            assert!(peer.read_request().is_some());
            peer.write(format!("HTTP/1.1 200 OK\r\nContent-Length: {SIZE}\r\n\r\n").as_bytes());
            let pattern: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
            for _ in 0..SIZE / pattern.len() {
                peer.write(&pattern);
            }
            // Waits for the client to go away.
            let _ = peer.read_request();
        });
        let conn = tls_connect(server.addr, client);
        let mut response = conn.send(&get("/big"), blocking::Body::Empty).unwrap();
        let mut at = 0usize;
        while let Some(piece) = response.chunk().unwrap() {
            for (i, byte) in piece.iter().enumerate() {
                assert_eq!(
                    *byte,
                    ((at + i) % (64 * 1024) % 251) as u8,
                    "byte {}",
                    at + i
                );
            }
            at += piece.len();
        }
        assert_eq!(at, SIZE);
        conn.close();
        drop(conn);
        server.join();
    });
}

/// `set_read_timeout`, forwarded to the socket: a server that never answers meets the
/// response-head deadline (without the forwarding the read would block until the server left,
/// and the server waits for the client).
#[test]
fn blocking_deadline_reaches_the_socket() {
    guarded(|| {
        let (server_config, client) = loopback_pki().unwrap();
        let server = TlsServer::start(server_config, 1, |mut peer| {
            assert!(peer.read_request().is_some());
            // Silence until the client goes away.
            assert_eq!(peer.read_request(), None);
        });
        let tls = TlsStream::connect(server.addr, "localhost", client).unwrap();
        let config = Config::default().response_head_timeout(Some(Duration::from_millis(200)));
        let conn = blocking::Connection::new(tls, config);
        let error = request_error(conn.send(&get("/"), blocking::Body::Empty).unwrap_err());
        assert_eq!(error.kind(), FailureKind::ResponseTimeout);
        assert_eq!(conn.close_reason(), Some(CloseReason::ResponseTimeout));
        drop(conn);
        server.join();
    });
}

/// `read_now`, a TLS read on the non-blocking socket: a `413` sent after the head is noticed
/// between the writes of a 64 MiB upload, and the upload stops early. (Without it the `413`
/// would only be read once the whole body was written: the server keeps reading, so no write
/// fails.)
#[test]
fn blocking_early_response_during_upload() {
    guarded(|| {
        const SIZE: u64 = 64 << 20;
        let (server_config, client) = loopback_pki().unwrap();
        let (received, server_received) = mpsc::channel();
        let server = TlsServer::start(server_config, 1, move |mut peer| {
            assert_eq!(peer.read_request().as_deref(), Some("/upload"));
            peer.write(
                b"HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbig!",
            );
            // Reads (and drops) what the client still sends, until it goes away.
            let mut total = peer.buf.len() as u64;
            let mut sink = vec![0u8; 64 * 1024];
            while let Ok(n @ 1..) = peer.stream.read(&mut sink) {
                total += n as u64;
            }
            received.send(total).unwrap();
        });
        let conn = tls_connect(server.addr, client);
        let mut body = std::io::repeat(b'u').take(SIZE);
        let upload = Request::new("PUT", "/upload")
            .header("Host", "localhost")
            .body(h1conn::RequestBody::Length(SIZE));
        let mut response = conn
            .send(&upload, blocking::Body::Reader(&mut body))
            .unwrap();
        assert_eq!(response.status(), 413);
        assert_eq!(response.body().unwrap(), b"big!");
        assert!(matches!(response.reuse(), Some(Reuse::Close(_))));
        drop(response);
        drop(conn);
        let sent = server_received.recv().unwrap();
        // Stopped early: a few pieces of 64 KiB went out before the 413 was seen, not 64 MiB.
        assert!(
            body.limit() > SIZE / 2,
            "{} bytes left unread",
            body.limit()
        );
        assert!(sent < SIZE / 2, "the server received {sent} bytes");
        server.join();
    });
}

/// `interrupter`, forwarded to the socket: a thread blocked in a TLS read (here `wait_closed`)
/// is released when another thread gives its response up.
#[test]
fn blocking_giving_up_releases_a_blocked_tls_read() {
    guarded(|| {
        let (server_config, client) = loopback_pki().unwrap();
        let server = TlsServer::start(server_config, 1, |mut peer| {
            assert!(peer.read_request().is_some());
            // Half a body, then silence until the client goes away.
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf");
            assert_eq!(peer.read_request(), None);
        });
        let conn = tls_connect(server.addr, client);
        let mut response = conn.send(&get("/"), blocking::Body::Empty).unwrap();
        assert_eq!(response.chunk().unwrap().as_deref(), Some(&b"half"[..]));
        let watcher = {
            let conn = conn.clone();
            std::thread::spawn(move || conn.wait_closed())
        };
        // Let the watcher block in its read (or wait for the token: the outcome is the same).
        std::thread::sleep(Duration::from_millis(50));
        drop(response);
        assert_eq!(watcher.join().unwrap(), CloseReason::Canceled);
        drop(conn);
        server.join();
    });
}

/// TLS's end of stream: a server that drops TCP without `close_notify` cut the body short as
/// far as anyone can tell, so the close-delimited body fails (a read error: rustls reports
/// `UnexpectedEof`); with `close_notify` the same bytes are a complete body.
#[test]
fn blocking_truncation_is_an_error_close_notify_is_the_end() {
    guarded(|| {
        let (server_config, client) = loopback_pki().unwrap();
        let server = TlsServer::start(server_config, 2, |mut peer| {
            let path = peer.read_request();
            peer.write(UNTIL_CLOSE);
            match path.as_deref() {
                Some("/cut") => peer.hang_up(),
                _ => peer.close_notify(),
            }
        });
        let conn = tls_connect(server.addr, client.clone());
        let mut response = conn.send(&get("/cut"), blocking::Body::Empty).unwrap();
        let error = request_error(response.body().unwrap_err());
        assert_eq!(error.kind(), FailureKind::ReadFailed);
        assert!(!error.is_retryable());

        let conn = tls_connect(server.addr, client);
        let mut response = conn.send(&get("/clean"), blocking::Body::Empty).unwrap();
        assert_eq!(response.body().unwrap(), b"partial");
        assert_eq!(response.reuse(), Some(Reuse::Close(CloseReason::EndOfBody)));
        server.join();
    });
}

// ---- The tokio adapter over tokio-rustls ----------------------------------------------------

type TokioTls = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

async fn tokio_connect(
    addr: SocketAddr,
    client: Arc<ClientConfig>,
) -> h1conn::tokio::Connection<TokioTls> {
    let socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
    socket.set_nodelay(true).unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let tls = tokio_rustls::TlsConnector::from(client)
        .connect(name, socket)
        .await
        .expect("handshake");
    h1conn::tokio::Connection::new(tls, Config::default())
}

fn tokio_test(test: impl Future<Output = ()>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        tokio::time::timeout(NET, test)
            .await
            .expect("the test hung")
    });
}

fn tokio_request_error(e: h1conn::tokio::Error) -> RequestError {
    match e {
        h1conn::tokio::Error::Request(e) => e,
        other => panic!("expected a request failure, got {other:?}"),
    }
}

/// The same three responses over tokio-rustls; the chunked one's trailer arrives through
/// `http_body::Body` as well.
#[test]
fn tokio_keep_alive_trailers_and_close() {
    use http_body_util::BodyExt;
    let (server_config, client) = loopback_pki().unwrap();
    let server = TlsServer::start(server_config, 1, three_responses);
    tokio_test(async {
        let conn = tokio_connect(server.addr, client).await;
        let body = h1conn::tokio::Body::Empty;
        let mut response = conn.send(&get("/a"), body).await.unwrap();
        assert_eq!(response.body().await.unwrap(), "hello");
        assert_eq!(response.reuse(), Some(Reuse::KeepAlive));

        let response = conn
            .send(&get("/b"), h1conn::tokio::Body::Empty)
            .await
            .unwrap();
        let collected = response.collect().await.unwrap();
        assert_eq!(collected.trailers().unwrap()["checksum"], "3e25");
        assert_eq!(collected.to_bytes(), "hello world");

        let mut response = conn
            .send(&get("/c"), h1conn::tokio::Body::Empty)
            .await
            .unwrap();
        assert_eq!(response.body().await.unwrap(), "bye");
        assert_eq!(conn.closed().await, CloseReason::ServerRequestedClose);
    });
    server.join();
}

/// The task's pending read works through TLS: a server's `close_notify` on an idle
/// connection is noticed without a request.
#[test]
fn tokio_idle_close_notify_is_noticed() {
    let (server_config, client) = loopback_pki().unwrap();
    let server = TlsServer::start(server_config, 1, |mut peer| {
        assert!(peer.read_request().is_some());
        peer.write(HELLO);
        peer.close_notify();
    });
    tokio_test(async {
        let conn = tokio_connect(server.addr, client).await;
        let mut response = conn
            .send(&get("/"), h1conn::tokio::Body::Empty)
            .await
            .unwrap();
        assert_eq!(response.body().await.unwrap(), "hello");
        assert_eq!(conn.closed().await, CloseReason::PeerClosedIdle);
    });
    server.join();
}

/// TLS's end of stream on tokio-rustls: no `close_notify` fails the close-delimited body,
/// `close_notify` ends it.
#[test]
fn tokio_truncation_is_an_error_close_notify_is_the_end() {
    let (server_config, client) = loopback_pki().unwrap();
    let server = TlsServer::start(server_config, 2, |mut peer| {
        let path = peer.read_request();
        peer.write(UNTIL_CLOSE);
        match path.as_deref() {
            Some("/cut") => peer.hang_up(),
            _ => peer.close_notify(),
        }
    });
    tokio_test(async {
        let conn = tokio_connect(server.addr, client.clone()).await;
        let mut response = conn
            .send(&get("/cut"), h1conn::tokio::Body::Empty)
            .await
            .unwrap();
        let error = tokio_request_error(response.body().await.unwrap_err());
        assert_eq!(error.kind(), FailureKind::ReadFailed);

        let conn = tokio_connect(server.addr, client).await;
        let mut response = conn
            .send(&get("/clean"), h1conn::tokio::Body::Empty)
            .await
            .unwrap();
        assert_eq!(response.body().await.unwrap(), "partial");
        assert_eq!(response.reuse(), Some(Reuse::Close(CloseReason::EndOfBody)));
    });
    server.join();
}
