//! The tokio adapter against real loopback servers: the shared scenario list, then what only an
//! async adapter has (the hang-up error without a timer, cancellation by dropping futures).

mod support;

use support::tokio_adapter::Tokio;

adapter_scenarios!(Tokio::new());

/// The ordering scenarios again with the caller and the connection task on one thread.
mod current_thread {
    use super::support;
    use super::support::tokio_adapter::Tokio;

    #[test]
    fn close_race_10000() {
        support::scenarios::close_race(&Tokio::current_thread(), 10_000);
    }

    #[test]
    fn bodied_then_close() {
        support::scenarios::bodied_then_close(&Tokio::current_thread(), 1_000);
    }

    #[test]
    fn hang_up_at_every_offset() {
        support::scenarios::hang_up_at_every_offset(&Tokio::current_thread());
    }

    #[test]
    fn hang_up_before_response() {
        support::scenarios::hang_up_before_response(&Tokio::current_thread());
    }
}

use h1conn::tokio::{Body, Connection, Error};
use h1conn::{CloseReason, Config, EofPhase, FailureKind, Progress, Request, Reuse, UsageError};
use std::time::Duration;
use support::server::{Peer, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio::time::{Instant, timeout};

fn get(path: &str) -> Request<'_> {
    Request::get(path).header("Host", "test")
}

/// A current-thread runtime: the caller and the connection task share one thread.
fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Lets the connection tasks of a current-thread runtime run until none is left.
async fn settle() {
    for _ in 0..1000 {
        if tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
            == 0
        {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("a connection task did not end");
}

/// The safety net of the tests below: they must finish long before it (a hang is a failure).
const NET: Duration = Duration::from_secs(5);

/// The hang-up wakes the waiting caller through its pending read: with no deadline configured
/// at all (no idle, head or expect-continue timer can fire), the error arrives as soon as the
/// server closes. Current-thread runtime: no other thread helps.
#[test]
fn hang_up_error_arrives_without_a_timer() {
    let (closed_tx, closed_rx) = std::sync::mpsc::channel::<Instant>();
    let server = Server::start(move |mut peer: Peer| {
        if peer.read_request().is_some() {
            // Give the client time to be waiting for the head, then hang up.
            let _ = peer
                .stream
                .set_read_timeout(Some(Duration::from_millis(100)));
            let _ = peer.read_request();
            let _ = closed_tx.send(Instant::now());
        }
    });
    let config = Config::default()
        .idle_timeout(None)
        .response_head_timeout(None);
    current_thread().block_on(async {
        let conn = Connection::connect(server.addr(), config).await.unwrap();
        let sent = timeout(NET, conn.send(&get("/"), Body::Empty)).await;
        let failed_at = Instant::now();
        let Err(Error::Request(e)) = sent.expect("the hang-up must wake the caller") else {
            panic!("expected a request failure");
        };
        assert_eq!(e.kind(), FailureKind::Eof(EofPhase::BeforeResponse));
        assert_eq!(e.progress(), Progress::SentNoResponse);
        let hung_up_at = closed_rx.recv().unwrap();
        let latency = failed_at.saturating_duration_since(hung_up_at);
        assert!(latency < Duration::from_secs(1), "took {latency:?}");
        assert_eq!(
            conn.closed().await,
            CloseReason::Eof(EofPhase::BeforeResponse)
        );
        settle().await;
    });
}

/// The task keeps a read pending while idle: a server's idle close, or a `408` before it,
/// closes the connection without a request (`closed()` learns it, and why).
#[test]
fn idle_close_and_408_are_noticed_without_a_request() {
    for (after, reason) in [
        (&b""[..], CloseReason::PeerClosedIdle),
        (
            &b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"[..],
            CloseReason::UnsolicitedBytes,
        ),
    ] {
        let server = Server::start(move |mut peer: Peer| {
            if peer.read_request().is_some() {
                peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                peer.write(after);
            }
        });
        current_thread().block_on(async {
            let conn = Connection::connect(server.addr(), Config::default())
                .await
                .unwrap();
            let mut response = conn.send(&get("/"), Body::Empty).await.unwrap();
            assert_eq!(&response.body().await.unwrap()[..], b"ok");
            assert_eq!(response.reuse(), Some(Reuse::KeepAlive));
            assert_eq!(timeout(NET, conn.closed()).await, Ok(reason));
            assert!(!conn.is_ready());
            let refused = conn.send(&get("/"), Body::Empty).await.unwrap_err();
            assert!(matches!(refused, Error::Usage(UsageError::Closed)));
            settle().await;
        });
    }
}

/// Dropping the `send` future before the connection task wrote a byte withdraws the request:
/// the connection stays usable. Dropping it after the request was written closes it.
#[test]
fn dropping_send_cancels_as_the_core_decides() {
    let server = Server::start(|mut peer: Peer| {
        while let Some(req) = peer.read_request() {
            if req.path == "/silent" {
                continue;
            }
            if !peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
                break;
            }
        }
    });
    current_thread().block_on(async {
        let conn = Connection::connect(server.addr(), Config::default())
            .await
            .unwrap();
        // Polled once (the request is queued and the task woken), then dropped before the task
        // ran: nothing was written.
        let withdrawn = get("/withdrawn");
        tokio::select! {
            biased;
            _ = conn.send(&withdrawn, Body::Empty) => panic!("no answer yet"),
            () = std::future::ready(()) => {}
        }
        assert_eq!(conn.close_reason(), None);
        assert!(conn.is_ready());
        let mut response = conn.send(&get("/next"), Body::Empty).await.unwrap();
        assert_eq!(&response.body().await.unwrap()[..], b"ok");
        // Written, then given up: the core closes (HTTP/1.1 cannot abandon a response).
        let waited = timeout(
            Duration::from_millis(50),
            conn.send(&get("/silent"), Body::Empty),
        )
        .await;
        assert!(waited.is_err());
        assert_eq!(conn.closed().await, CloseReason::Canceled);
        settle().await;
    });
    assert_eq!(
        server.requests(),
        2,
        "the withdrawn request never reached the server"
    );
}

/// The body through `AsyncRead` and as a `Stream`, the trailers after it.
#[test]
fn body_as_async_read_and_as_stream() {
    let server = Server::start(|mut peer: Peer| {
        while peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n");
        }
    });
    current_thread().block_on(async {
        let conn = Connection::connect(server.addr(), Config::default())
            .await
            .unwrap();
        let mut response = conn.send(&get("/"), Body::Empty).await.unwrap();
        let mut text = String::new();
        response.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "hello world");
        assert_eq!(response.trailers().map(|t| t.len()), Some(1));

        let mut response = conn.send(&get("/"), Body::Empty).await.unwrap();
        let mut pieces = Vec::new();
        while let Some(piece) =
            std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut response), cx))
                .await
        {
            pieces.push(piece.unwrap());
        }
        assert_eq!(pieces.concat(), b"hello world");
        assert_eq!(response.reuse(), Some(Reuse::KeepAlive));
        conn.close();
        assert_eq!(conn.closed().await, CloseReason::LocalClose);
        settle().await;
    });
}

use std::pin::Pin;

/// Feature `http-body`: the response as an `http_body::Body`. `BodyExt::collect` gets the data
/// and the trailers; frame by frame, data frames come as they arrive, then one trailers frame,
/// then the end; a body without trailers ends with its data; a body cut off is an error.
#[test]
fn body_as_http_body() {
    use http_body::Body as _;
    use http_body_util::BodyExt;
    let server = Server::start(|mut peer: Peer| {
        while let Some(req) = peer.read_request() {
            let _ = match req.path.as_str() {
                "/trailers" => peer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: 3e25\r\nX-Two: a\r\n\r\n"),
                "/plain" => peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain"),
                _ => {
                    peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
                    return;
                }
            };
        }
    });
    current_thread().block_on(async {
        let conn = Connection::connect(server.addr(), Config::default())
            .await
            .unwrap();

        // Collected: data and trailers both arrive; the head converts to `http` alongside.
        let response = conn.send(&get("/trailers"), Body::Empty).await.unwrap();
        let response = http::Response::from_parts(response.head().to_http().unwrap(), response);
        assert_eq!(response.status(), http::StatusCode::OK);
        let collected = response.into_body().collect().await.unwrap();
        let trailers = collected.trailers().cloned().expect("trailers");
        assert_eq!(collected.to_bytes(), "hello world");
        assert_eq!(trailers.len(), 2);
        assert_eq!(trailers["checksum"], "3e25");
        assert_eq!(trailers["x-two"], "a");

        // Frame by frame.
        let mut response = conn.send(&get("/trailers"), Body::Empty).await.unwrap();
        let mut data = Vec::new();
        let mut trailer_frames = 0;
        while let Some(frame) = response.frame().await {
            let frame = frame.unwrap();
            assert_eq!(trailer_frames, 0, "a frame after the trailers");
            if let Some(piece) = frame.data_ref() {
                data.extend_from_slice(piece);
            } else {
                assert_eq!(frame.trailers_ref().unwrap()["checksum"], "3e25");
                trailer_frames += 1;
            }
        }
        assert_eq!((data.as_slice(), trailer_frames), (&b"hello world"[..], 1));
        assert!(response.is_end_stream());
        assert_eq!(response.size_hint().exact(), Some(0));
        assert!(response.frame().await.is_none());

        // No trailers: the data, then the end.
        let response = conn.send(&get("/plain"), Body::Empty).await.unwrap();
        let collected = response.collect().await.unwrap();
        assert!(collected.trailers().is_none());
        assert_eq!(collected.to_bytes(), "plain");

        // Cut off mid-body: the failure, with the core's verdict, then nothing more.
        let mut response = conn.send(&get("/cut"), Body::Empty).await.unwrap();
        let mut got = Vec::new();
        let error = loop {
            match response.frame().await.expect("an error before the end") {
                Ok(frame) => got.extend_from_slice(frame.data_ref().unwrap()),
                Err(e) => break e,
            }
        };
        assert_eq!(got, b"half");
        match error {
            Error::Request(e) => assert_eq!(e.progress(), Progress::ResponseStarted),
            other => panic!("expected a request failure, got {other:?}"),
        }
        assert!(response.frame().await.is_none());
        assert!(response.is_end_stream());
    });
}

/// A caller that does not read is not sent the whole body into memory: the task stops reading,
/// the socket buffers fill, and the server's writes block.
#[test]
fn slow_reader_backpressure() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const SIZE: usize = 256 << 20;
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    let server = Server::start(move |mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(format!("HTTP/1.1 200 OK\r\nContent-Length: {SIZE}\r\n\r\n").as_bytes());
            let block = vec![b'z'; 1 << 20];
            for _ in 0..SIZE >> 20 {
                if !peer.write(&block) {
                    return;
                }
                counter.fetch_add(block.len(), Ordering::SeqCst);
            }
        }
    });
    let a = support::tokio_adapter::Tokio::new();
    a.rt.block_on(async {
        let conn = Connection::connect(server.addr(), Config::default())
            .await
            .unwrap();
        let mut response = conn.send(&get("/"), Body::Empty).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let stalled = written.load(Ordering::SeqCst);
        assert!(
            stalled < 64 << 20,
            "{stalled} bytes were sent to a caller that read none"
        );
        let mut total = 0;
        while let Some(piece) = response.chunk().await.unwrap() {
            total += piece.len();
        }
        assert_eq!(total, SIZE);
    });
}

/// Any `AsyncRead + AsyncWrite` transport: an in-memory duplex pipe, a server task on the same
/// runtime, an upgrade that hands the pipe back.
#[test]
fn in_memory_transport_and_upgrade() {
    current_thread().block_on(async {
        let (client, mut server) = tokio::io::duplex(1024);
        let serving = tokio::spawn(async move {
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                let mut byte = [0u8; 1];
                server.read_exact(&mut byte).await.unwrap();
                head.push(byte[0]);
            }
            server
                .write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\nhi")
                .await
                .unwrap();
            let mut ping = [0u8; 4];
            server.read_exact(&mut ping).await.unwrap();
            server.write_all(&ping).await.unwrap();
        });
        let conn = Connection::new(client, Config::default());
        let request = get("/")
            .header("Connection", "upgrade")
            .header("Upgrade", "echo");
        let response = conn.send(&request, Body::Empty).await.unwrap();
        assert_eq!(response.status(), 101);
        let (mut pipe, buffered) = response.into_upgraded().await.unwrap();
        assert_eq!(&buffered[..], b"hi");
        assert_eq!(conn.close_reason(), Some(CloseReason::Upgraded));
        pipe.write_all(b"ping").await.unwrap();
        let mut echoed = [0u8; 4];
        pipe.read_exact(&mut echoed).await.unwrap();
        assert_eq!(&echoed, b"ping");
        serving.await.unwrap();
        drop(conn);
        settle().await;
    });
}

/// One request at a time: a second `send` while a response is unfinished is refused `Busy`
/// and changes nothing; handles work from other tasks and threads.
#[test]
fn busy_while_in_flight_and_handles_across_tasks() {
    use std::sync::{Arc, Mutex, mpsc};
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    let gate = Arc::new(Mutex::new(gate_rx));
    let server = Server::start(move |mut peer: Peer| {
        let mut first = true;
        while peer.read_request().is_some() {
            if first {
                // Half the body, then the rest once the test says so.
                peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no");
                let _ = gate.lock().unwrap().recv();
                first = false;
                peer.write(b"k");
            } else if !peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
                break;
            }
        }
    });
    let a = support::tokio_adapter::Tokio::new();
    a.rt.block_on(async {
        let conn = Connection::connect(server.addr(), Config::default())
            .await
            .unwrap();
        let mut first = conn.send(&get("/1"), Body::Empty).await.unwrap();
        let refused = conn.send(&get("/2"), Body::Empty).await.unwrap_err();
        assert!(matches!(refused, Error::Usage(UsageError::Busy)));
        gate_tx.send(()).unwrap();
        assert_eq!(&first.body().await.unwrap()[..], b"ok");
        let handle = conn.clone();
        let other = tokio::spawn(async move {
            let mut response = handle.send(&get("/3"), Body::Empty).await.unwrap();
            response.body().await.unwrap()
        });
        assert_eq!(&other.await.unwrap()[..], b"ok");
    });
    assert_eq!(server.requests(), 2);
}

/// A response complete on the wire frees the connection before its body is read: the next
/// request goes out, and each response reads its own events.
#[test]
fn next_request_while_the_last_body_is_unread() {
    let server = Server::start(|mut peer: Peer| {
        while let Some(req) = peer.read_request() {
            let body = req.path.as_bytes();
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
            if !(peer.write(head.as_bytes()) && peer.write(body)) {
                break;
            }
        }
    });
    let a = support::tokio_adapter::Tokio::new();
    a.rt.block_on(async {
        let conn = Connection::connect(server.addr(), Config::default())
            .await
            .unwrap();
        let mut first = conn.send(&get("/first"), Body::Empty).await.unwrap();
        let mut second = loop {
            match conn.send(&get("/second"), Body::Empty).await {
                Ok(response) => break response,
                Err(Error::Usage(UsageError::Busy)) => tokio::task::yield_now().await,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(&second.body().await.unwrap()[..], b"/second");
        assert_eq!(&first.body().await.unwrap()[..], b"/first");
    });
}

/// A streamed body for an `Expect: 100-continue` request waits in its stream, not in memory:
/// while the server has not answered, the adapter reads at most a piece or two of it.
#[test]
fn expect_continue_stream_waits_in_the_stream() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll};
    use tokio::io::{AsyncRead, ReadBuf};

    struct Counted(std::io::Cursor<Vec<u8>>, Arc<AtomicUsize>);
    impl AsyncRead for Counted {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let before = buf.filled().len();
            let polled = Pin::new(&mut self.0).poll_read(cx, buf);
            let n = buf.filled().len() - before;
            self.1.fetch_add(n, Ordering::SeqCst);
            polled
        }
    }

    const SIZE: usize = 8 << 20;
    let taken = Arc::new(AtomicUsize::new(0));
    let taken_then = Arc::new(AtomicUsize::new(usize::MAX));
    let (counter, record) = (taken.clone(), taken_then.clone());
    let server = Server::start(move |mut peer: Peer| {
        if let Some(mut req) = peer.read_head() {
            // Silence for a while (a read that must time out: no body byte before the `100`).
            let _ = peer
                .stream
                .set_read_timeout(Some(Duration::from_millis(200)));
            let mut byte = [0u8; 1];
            assert!(std::io::Read::read(&mut peer.stream, &mut byte).is_err());
            let _ = peer.stream.set_read_timeout(None);
            record.store(counter.load(Ordering::SeqCst), Ordering::SeqCst);
            peer.write(b"HTTP/1.1 100 Continue\r\n\r\n");
            peer.read_body(&mut req);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                req.body.len()
            );
            peer.write(answer.as_bytes());
        }
    });
    let config = Config::default().expect_continue_timeout(Duration::from_secs(30));
    let a = support::tokio_adapter::Tokio::new();
    let status = a.rt.block_on(async {
        let conn = Connection::connect(server.addr(), config).await.unwrap();
        let request = Request::new("PUT", "/")
            .header("Host", "test")
            .header("Expect", "100-continue");
        let body = Body::Stream(Box::pin(Counted(
            std::io::Cursor::new(vec![b'e'; SIZE]),
            taken.clone(),
        )));
        let response = timeout(NET, conn.send(&request, body))
            .await
            .unwrap()
            .unwrap();
        (response.status(), response.informational().len())
    });
    assert_eq!(status, (200, 1));
    let then = taken_then.load(Ordering::SeqCst);
    assert!(then <= 128 << 10, "{then} bytes were read before the 100");
    assert_eq!(taken.load(Ordering::SeqCst), SIZE);
}

/// A transport that panics on its first read (the caller's code). The connection's task
/// panics; the runtime drops it, and dropping the task closes the connection, so a caller gets
/// an error instead of waiting forever.
#[tokio::test]
async fn a_panicking_transport_closes_the_connection() {
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};
    struct Panics(DuplexStream);
    impl AsyncRead for Panics {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            panic!("the transport's own bug");
        }
    }
    impl AsyncWrite for Panics {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            Pin::new(&mut self.0).poll_write(cx, buf)
        }
        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.0).poll_flush(cx)
        }
        fn poll_shutdown(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.0).poll_shutdown(cx)
        }
    }
    let (client, _server) = tokio::io::duplex(1024);
    let conn = Connection::new(Panics(client), Config::default());
    let sent = timeout(
        Duration::from_secs(60),
        conn.send(&Request::get("/").header("Host", "t"), Body::Empty),
    )
    .await
    .expect("the send hung after the connection task panicked");
    // Whether the request was written before the task's first read or not, it fails: with
    // the core's `Aborted` verdict, or as sent to a closed connection.
    match sent.map(|_| ()) {
        Err(Error::Request(e)) => assert_eq!(e.kind(), FailureKind::Aborted),
        Err(Error::Usage(UsageError::Closed)) => {}
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(conn.close_reason(), Some(CloseReason::Aborted));
}
