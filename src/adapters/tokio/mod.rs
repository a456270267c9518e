//! The tokio adapter: an HTTP/1.1 client connection over any `AsyncRead + AsyncWrite`
//! transport (a `TcpStream`, a TLS stream, a Unix socket, an in-memory `tokio::io::duplex`),
//! driven by one task of its own.
//!
//! ```
//! use h1conn::tokio::{Body, Connection};
//! use h1conn::{Config, Request};
//!
//! # use std::io::{BufRead, BufReader, Write};
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! # let addr = listener.local_addr()?;
//! # let server = std::thread::spawn(move || -> std::io::Result<()> {
//! #     let (mut stream, _) = listener.accept()?;
//! #     let mut reader = BufReader::new(stream.try_clone()?);
//! #     for (body, close) in [("hello", ""), ("world", "Connection: close\r\n")] {
//! #         let mut line = String::new();
//! #         while reader.read_line(&mut line)? > 2 { // the request head, to its empty line
//! #             line.clear();
//! #         }
//! #         let length = body.len();
//! #         write!(stream, "HTTP/1.1 200 OK\r\n{close}Content-Length: {length}\r\n\r\n{body}")?;
//! #     }
//! #     Ok(())
//! # });
//! // `addr`: a tiny loopback server on a thread (the hidden lines of this example): it
//! // answers two requests on one connection and closes after the second.
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let conn = Connection::connect(addr, Config::default()).await?;
//!     for path in ["/a", "/b"] {
//!         // Keep-alive: both requests go over the one connection when the server allows it.
//!         let request = Request::get(path).header("Host", "127.0.0.1");
//!         let mut response = conn.send(&request, Body::Empty).await?;
//!         let body = response.body().await?;
//!         let text = String::from_utf8_lossy(&body);
//!         println!("{path}: {} {text:?}", response.status()); // "/a: 200 \"hello\""
//!     }
//!     println!("closed: {}", conn.closed().await); // the server asked for it
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # server.join().unwrap()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Who runs the reader side
//! The connection task, spawned by [`Connection::new`] with `tokio::spawn` (one task per
//! connection, no thread of its own). It owns the transport and, in one poll loop:
//! - writes what the core polls out (only what the next write takes: bytes count as sent once
//!   polled; pieces are gathered into one vectored write when the transport supports it);
//! - keeps a read pending at all times (idle, waiting, uploading), reading into one `BytesMut`
//!   and handing what it read to the core with
//!   [`handle_input_buf`](crate::Connection::handle_input_buf), without a copy: body pieces are
//!   views of that buffer. So a server's idle close or `408` is noticed without a request
//!   (closing with `PeerClosedIdle` or `UnsolicitedBytes`), and an early response during an
//!   upload is seen at once;
//! - arms one `tokio::time::Sleep` for [`poll_timeout`](crate::Connection::poll_timeout) and
//!   calls [`handle_timeout`](crate::Connection::handle_timeout) when it fires. Time is the
//!   runtime's clock (`tokio::time::Instant`, so paused test time works) since the connection
//!   was created; the core never reads a clock.
//!
//! Callers send requests on the core themselves, under the lock the task shares with them,
//! and wake the task to write.
//!
//! ## The channel and the close signal
//! After every input, the task moves the core's events, in the core's order, into the
//! connection's inbox (the response channel: one per connection, reused by every request; each
//! request's consumer takes its own events) and only then raises the close signal: the
//! `closed` flag in the same critical section, then a `watch` channel for
//! [`Connection::closed`]. The core yields `Closed` after every other event, so a response
//! whose bytes arrived is in the inbox before the close is signalled. A caller that finds no
//! event for its request looks at the close signal only after looking at the inbox, under the
//! same lock, so a response that arrived is never lost to the close that followed it (the race
//! Go's `net/http` papered over with a 100 ms wait). Nothing waits on a timer: a hang-up wakes
//! the pending read, the core fails the request, and the caller is woken at once.
//!
//! ## Backpressure and speed
//! - The task stops reading while more than 256 KiB of body waits in the inbox, and the caller
//!   wakes it when it has read some: a slow reader is not sent the whole body into memory.
//! - A streamed request body is read one piece (up to 64 KiB) at a time, the next only once
//!   the task has polled the last out of the core: a body the core holds back for
//!   `Expect: 100-continue` waits in the caller's stream, not in memory.
//! - Body bytes are never copied after the read (pieces are views of the read buffer; uploaded
//!   pieces are handed to the core as they were read). Read buffers come back for reuse once
//!   their views are dropped, and the inbox, the close signal and the task are allocated once
//!   per connection: a keep-alive request/response cycle allocates nothing in steady state
//!   (`tests/tokio_alloc.rs`). Pieces of a request are gathered into one vectored write.
//!
//! ## Cancellation and the end of the task
//! Dropping the [`send`](Connection::send) future before the head, or a [`Response`] before
//! its body ended, calls the core's [`cancel`](crate::Connection::cancel): the core withdraws
//! the request if none of it was written (the connection stays usable), else closes the
//! connection ([`CloseReason::Canceled`]: HTTP/1.1 cannot abandon a response). When the core
//! reports `Closed` the task ends and drops the transport (or keeps it for
//! [`Response::into_upgraded`]): no task, channel or socket is left. When every handle is
//! dropped the task closes the connection and ends too; if the runtime drops the task first,
//! the connection is aborted so no caller waits forever.
//!
//! ## Failures
//! Every request failure is the core's [`RequestError`], retry verdict intact; a read error is
//! handed to [`handle_read_error`](crate::Connection::handle_read_error), a write error to
//! [`handle_write_error`](crate::Connection::handle_write_error), EOF to
//! [`handle_eof`](crate::Connection::handle_eof).
//!
//! ## Runtime needs
//! [`Connection::new`] must be called inside a tokio runtime (it spawns the task), and the
//! runtime needs its time driver (`enable_time`, or `enable_all`) for the connection's
//! deadlines: the default [`Config`] has an idle timeout.
//!
//! ## The pooled client
//! [`Client`] is the sans-IO pool policy ([`h1conn::pool`](crate::pool), `docs/pool.md`) over
//! these connections, the async twin of `h1conn::blocking::Client` with the same rules:
//! connections per [`PoolKey`], reused while the core says they may be, at most
//! [`max_per_host`](crate::pool::PoolConfig::max_per_host) per key with the rest waiting in
//! arrival order, and Go's retry rule for the stale keep-alive race. A [`PooledResponse`]
//! returns its connection at the body's end; dropped before it, it drains a short rest (in a
//! task, on the runtime it is dropped in) or closes the connection. Dropping a `send` future
//! at any point (waiting, connecting, sending) keeps the pool's count and queue right.
//!
//! ```
//! use h1conn::pool::PoolConfig;
//! use h1conn::tokio::{Body, Client, PoolKey};
//! use h1conn::{Config, Request};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use tokio::net::TcpListener;
//!
//! #[tokio::main(flavor = "current_thread")] // a plain #[tokio::main] needs tokio's rt-multi-thread
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // A small keep-alive server on loopback: "ok" to every request (bodiless requests only).
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let port = listener.local_addr()?.port();
//!     tokio::spawn(async move {
//!         while let Ok((mut socket, _)) = listener.accept().await {
//!             tokio::spawn(async move {
//!                 let (mut seen, mut buf) = (Vec::new(), [0u8; 1024]);
//!                 while let Ok(n @ 1..) = socket.read(&mut buf).await {
//!                     seen.extend_from_slice(&buf[..n]);
//!                     while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
//!                         seen.drain(..end + 4);
//!                         let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
//!                         if socket.write_all(ok).await.is_err() {
//!                             return;
//!                         }
//!                     }
//!                 }
//!             });
//!         }
//!     });
//!
//!     // Eight requests from eight tasks over at most two connections.
//!     let client = Client::new(Config::default(), PoolConfig::default().max_per_host(Some(2)));
//!     let key = PoolKey::http("127.0.0.1", port);
//!     let mut tasks = Vec::new();
//!     for _ in 0..8 {
//!         let (client, key) = (client.clone(), key.clone());
//!         tasks.push(tokio::spawn(async move {
//!             let request = Request::get("/").header("Host", "127.0.0.1");
//!             let mut response = client.send(&key, &request, Body::Empty).await?;
//!             // At the body's end the connection goes back to the pool, or to a waiting task.
//!             let body = response.body().await?;
//!             Ok::<_, h1conn::tokio::Error>((response.status(), body))
//!         }));
//!     }
//!     for task in tasks {
//!         let (status, body) = task.await??;
//!         assert_eq!((status, &body[..]), (200, &b"ok"[..]));
//!     }
//!     assert!((1..=2).contains(&client.idle(&key)));
//!     assert_eq!(client.retries(), 0);
//!     Ok(())
//! }
//! ```

mod client;
#[cfg(feature = "http-body")]
mod http_body;
mod task;

pub use self::client::{Client, PooledResponse};
pub use crate::pool::PoolKey;

use self::task::{Driver, READ_SIZE, Shared, State};
use crate::{
    Bytes, BytesMut, CloseReason, Config, Event, Headers, Request, RequestBody, RequestError,
    RequestId, ResponseHead, Reuse, UsageError,
};
use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use ::tokio::net::{TcpStream, ToSocketAddrs};
use std::boxed::Box;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};
use std::vec::Vec;

/// The body of a request.
#[non_exhaustive]
pub enum Body<'a> {
    /// No body.
    Empty,
    /// The whole body, in memory. Framed with `Content-Length` unless the request declares
    /// [`RequestBody::Chunked`].
    Bytes(Bytes),
    /// A body streamed from a reader, in pieces of up to 64 KiB (handed to the connection
    /// without a copy). Framed as the request declares; chunked when it declares nothing.
    /// While the task has not taken the last piece, the next is not read (backpressure).
    Stream(Pin<Box<dyn AsyncRead + Send + 'a>>),
}

impl fmt::Debug for Body<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// Why a call of the tokio adapter failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request failed: the core's verdict, with [`RequestError::is_retryable`].
    Request(RequestError),
    /// The call was refused (for example [`UsageError::Busy`] while another request is in
    /// flight, or [`UsageError::Closed`]); nothing was sent.
    Usage(UsageError),
    /// Reading the request body from the caller's stream failed; the request was canceled.
    Body(io::Error),
    /// The response's trailers could not become an `http::HeaderMap` (a field `http` refuses),
    /// so the `http_body::Body` frame could not be made (feature `http-body` only). The body
    /// itself had ended and the connection carries on as [`Response::reuse`] says.
    #[cfg(feature = "http-body")]
    Trailers(crate::HttpConversionError),
    /// Opening a connection failed ([`Client`] only); nothing was sent.
    Connect(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Request(e) => write!(f, "request failed: {e}"),
            Error::Usage(e) => write!(f, "refused: {e}"),
            Error::Body(e) => write!(f, "reading the request body failed: {e}"),
            #[cfg(feature = "http-body")]
            Error::Trailers(e) => write!(f, "the trailers do not convert to http: {e}"),
            Error::Connect(e) => write!(f, "connecting failed: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Request(e) => Some(e),
            Error::Usage(e) => Some(e),
            Error::Body(e) => Some(e),
            #[cfg(feature = "http-body")]
            Error::Trailers(e) => Some(e),
            Error::Connect(e) => Some(e),
        }
    }
}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Error::Usage(e)
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        match e {
            Error::Body(e) | Error::Connect(e) => e,
            other => io::Error::other(other),
        }
    }
}

/// An HTTP/1.1 client connection on tokio: one transport, one request at a time.
///
/// Cheap to clone (a reference count): clones are handles to the same connection, usable from
/// any task; `Connection` and [`Response`] are `Send + Sync`. The connection's task runs until
/// the connection closes or every handle (including those held by responses) is dropped.
pub struct Connection<T = TcpStream> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for Connection<T> {
    fn clone(&self) -> Self {
        self.shared.handles.fetch_add(1, Ordering::Relaxed);
        Connection {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Connection<T> {
    fn drop(&mut self) {
        if self.shared.handles.fetch_sub(1, Ordering::AcqRel) == 1 {
            // The last handle: the task closes the connection and ends.
            let mut st = self.shared.lock();
            let wake = Shared::wake_task(&mut st);
            drop(st);
            wake.now();
        }
    }
}

impl<T> fmt::Debug for Connection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("Connection")
            .field("in_flight", &st.machine.in_flight())
            .field("closed", &st.closed)
            .finish()
    }
}

impl Connection<TcpStream> {
    /// Opens a plain TCP connection to `addr` (with `TCP_NODELAY`: a request head must not wait
    /// for Nagle's algorithm) and starts its task.
    pub async fn connect(addr: impl ToSocketAddrs, config: Config) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection::new(stream, config))
    }
}

impl<T> Connection<T> {
    /// Why the connection closed, once it has (no request in flight will be answered then).
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.shared.lock().closed
    }

    /// Whether a request sent now would be accepted: open, nothing in flight.
    pub fn is_ready(&self) -> bool {
        let st = self.shared.lock();
        st.closed.is_none() && st.machine.is_ready()
    }

    /// Waits until the connection closes and returns why. The task reads an idle connection
    /// too, so this learns of a server's idle close (`PeerClosedIdle`) without a request.
    pub async fn closed(&self) -> CloseReason {
        let mut signal = self.shared.close_tx.subscribe();
        loop {
            if let Some(reason) = *signal.borrow_and_update() {
                return reason;
            }
            if signal.changed().await.is_err() {
                // Not reached: the sender lives as long as this handle.
                return self.close_reason().unwrap_or(CloseReason::Aborted);
            }
        }
    }

    /// Closes the connection once the request in flight (if any) is complete; at once when
    /// idle. The task drops the transport when the close is decided.
    pub fn close(&self) {
        let mut st = self.shared.lock();
        let _ = st.machine.close();
        let wake = self.shared.pump(&mut st).and(Shared::wake_task(&mut st));
        drop(st);
        wake.now();
    }

    /// Cancels request `id` (its consumer is gone): the core decides between withdrawing it and
    /// closing; its undelivered events are dropped.
    fn cancel(&self, id: RequestId) {
        let shared = &*self.shared;
        let mut st = shared.lock();
        let _ = st.machine.cancel(id, shared.now());
        let wake = shared
            .pump(&mut st)
            .and(shared.discard(&mut st, id))
            .and(Shared::wake_task(&mut st));
        drop(st);
        wake.now();
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Connection<T> {
    /// A connection over a transport the caller has just opened; spawns its task with
    /// `tokio::spawn`.
    ///
    /// # Panics
    /// Outside a tokio runtime (as `tokio::spawn` does).
    pub fn new(io: T, config: Config) -> Self {
        let shared = Arc::new(Shared::new(crate::Connection::new(config)));
        ::tokio::spawn(Driver::new(shared.clone(), io));
        Connection { shared }
    }

    /// Sends a request and waits for its final response head (informational responses before
    /// it are kept in [`Response::informational`]). The connection's task writes it; a
    /// streamed body is read from its stream here, as the task takes it.
    ///
    /// Dropping the future before it returns cancels the request (see the module docs).
    ///
    /// Errors: [`Error::Usage`] when the connection refuses the request (closed, or a request
    /// in flight: this connection does not pipeline); [`Error::Request`] when it failed, with
    /// the core's retry verdict; [`Error::Body`] when `body`'s stream failed.
    pub async fn send(&self, request: &Request<'_>, body: Body<'_>) -> Result<Response<T>, Error> {
        let (id, stream) = self.start(request, body)?;
        let mut pending = Cancel {
            conn: self,
            id,
            armed: true,
        };
        if let Some(stream) = stream {
            self.upload(id, stream).await?;
        }
        let mut informational = Vec::new();
        loop {
            match poll_fn(|cx| self.shared.poll_event(id, cx)).await {
                Some(Event::Informational { head, .. }) => informational.push(head),
                Some(Event::Head { head, .. }) => {
                    pending.armed = false;
                    return Ok(Response {
                        conn: self.clone(),
                        id,
                        head,
                        informational,
                        chunk: Bytes::new(),
                        end: None,
                        upgraded: None,
                        frames_done: false,
                    });
                }
                Some(Event::RequestFailed { error, .. }) => {
                    pending.armed = false;
                    return Err(Error::Request(error));
                }
                Some(_) => {}
                None => {
                    pending.armed = false;
                    return Err(Error::Usage(UsageError::Closed));
                }
            }
        }
    }

    /// Queues the request (and an in-memory body) on the core and wakes the task to write.
    #[allow(clippy::type_complexity)]
    fn start<'b>(
        &self,
        request: &Request<'_>,
        body: Body<'b>,
    ) -> Result<(RequestId, Option<Pin<Box<dyn AsyncRead + Send + 'b>>>), Error> {
        let framed;
        let request = match (&body, request.body_framing()) {
            (Body::Bytes(b), RequestBody::None) if !b.is_empty() => {
                framed = request.clone().body(RequestBody::Length(b.len() as u64));
                &framed
            }
            (Body::Stream(_), RequestBody::None) => {
                framed = request.clone().body(RequestBody::Chunked);
                &framed
            }
            _ => request,
        };
        let shared = &*self.shared;
        let mut st = shared.lock();
        let now = shared.now();
        let id = st.machine.send_request(request, now)?;
        st.stopped = false;
        st.unsent = 0;
        let declared = request.body_framing() != RequestBody::None;
        let (bytes, stream) = match body {
            Body::Empty => (None, None),
            Body::Bytes(bytes) if bytes.is_empty() => (None, None),
            Body::Bytes(bytes) => (Some(bytes), None),
            Body::Stream(stream) => (None, Some(stream)),
        };
        if stream.is_none() {
            // A whole body in memory is finished here: a chunked one gets its last chunk, a
            // Content-Length one must be complete (else `BodyTooShort`).
            let sent = bytes
                .map_or(Ok(()), |b| st.machine.send_body(id, b, now))
                .and_then(|()| {
                    if declared {
                        st.machine.finish_body(id, now)
                    } else {
                        Ok(())
                    }
                });
            if let Err(e) = sent {
                // The declared framing does not fit the bytes: withdraw the request.
                let _ = st.machine.cancel(id, now);
                let wake = shared.pump(&mut st).and(shared.discard(&mut st, id));
                drop(st);
                wake.now();
                return Err(e.into());
            }
        }
        let wake = Shared::wake_task(&mut st);
        drop(st);
        wake.now();
        Ok((id, stream))
    }

    /// Streams `stream` as the body of request `id`: one piece at a time, the next read once the
    /// task has taken the last (so a body held for `Expect: 100-continue` waits in the stream,
    /// not in memory); stops early when the connection closes or the body is no
    /// longer wanted (an early response).
    async fn upload(
        &self,
        id: RequestId,
        mut stream: Pin<Box<dyn AsyncRead + Send + '_>>,
    ) -> Result<(), Error> {
        let shared = &*self.shared;
        let mut piece = BytesMut::new();
        loop {
            let go = poll_fn(|cx| {
                let mut st = shared.lock();
                if st.closed.is_some() || st.stopped {
                    Poll::Ready(false)
                } else if st.unsent == 0 {
                    Poll::Ready(true)
                } else {
                    st.drain_waiting = true;
                    Shared::wait(&mut st, cx);
                    Poll::Pending
                }
            })
            .await;
            if !go {
                return Ok(());
            }
            if piece.capacity() < READ_SIZE / 4 {
                piece.reserve(READ_SIZE);
            }
            let read = poll_fn(|cx| {
                if let Poll::Ready(result) = pin!(stream.read_buf(&mut piece)).poll(cx) {
                    return Poll::Ready(Some(result));
                }
                let mut st = shared.lock();
                if st.closed.is_some() || st.stopped {
                    return Poll::Ready(None);
                }
                Shared::wait(&mut st, cx);
                Poll::Pending
            })
            .await;
            let n = match read {
                None => return Ok(()),
                Some(Ok(n)) => n,
                Some(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The `Cancel` guard of `send` cancels the request.
                Some(Err(e)) => return Err(Error::Body(e)),
            };
            let mut st = shared.lock();
            let now = shared.now();
            let sent = if n == 0 {
                st.machine.finish_body(id, now)
            } else {
                let sent = st.machine.send_body(id, piece.split().freeze(), now);
                if sent.is_ok() {
                    st.unsent += n;
                }
                sent
            };
            let wake = Shared::wake_task(&mut st);
            drop(st);
            wake.now();
            match sent {
                // The core wants no more of it (an early response, a write error, the close):
                // a normal end of the upload; the response says the rest.
                Err(UsageError::BodyNotWanted | UsageError::Closed) => return Ok(()),
                // The body does not fit its declared framing: the `Cancel` guard of `send`
                // cancels the request.
                Err(e) => return Err(Error::Usage(e)),
                Ok(()) if n == 0 => return Ok(()),
                Ok(()) => {}
            }
        }
    }
}

/// Cancels a request whose `send` future is dropped before it returned.
struct Cancel<'a, T> {
    conn: &'a Connection<T>,
    id: RequestId,
    armed: bool,
}

impl<T> Drop for Cancel<'_, T> {
    fn drop(&mut self) {
        if self.armed {
            self.conn.cancel(self.id);
        }
    }
}

/// A response: its head at once, its body as it arrives (as `Bytes` pieces through
/// [`chunk`](Self::chunk), as a [`Stream`](futures_core::Stream), or through
/// [`AsyncRead`]), then its trailers. With feature `http-body` it is also an
/// `http_body::Body`: data frames, then a trailers frame.
///
/// Dropping it before the body ended cancels the request: HTTP/1.1 cannot abandon a response,
/// so the connection closes ([`CloseReason::Canceled`]), as the core decides.
pub struct Response<T = TcpStream> {
    conn: Connection<T>,
    id: RequestId,
    head: ResponseHead,
    informational: Vec<ResponseHead>,
    /// What is left of the last piece, for `AsyncRead`.
    chunk: Bytes,
    end: Option<Result<(Headers, Reuse), RequestError>>,
    upgraded: Option<Bytes>,
    /// As an `http_body::Body`: the last frame (the trailers, or an error) was yielded.
    #[cfg_attr(not(feature = "http-body"), allow(dead_code))]
    frames_done: bool,
}

impl<T> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("id", &self.id)
            .field("head", &self.head)
            .field("end", &self.end)
            .finish()
    }
}

impl<T> Response<T> {
    /// The final response head.
    pub fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.head.status()
    }

    /// The informational (1xx) heads that came before the final one.
    pub fn informational(&self) -> &[ResponseHead] {
        &self.informational
    }

    /// The trailer fields, once the body ended (empty unless the body was chunked and had
    /// some).
    pub fn trailers(&self) -> Option<&Headers> {
        match &self.end {
            Some(Ok((trailers, _))) => Some(trailers),
            _ => None,
        }
    }

    /// Whether the connection carries on after this response, once the body ended.
    pub fn reuse(&self) -> Option<Reuse> {
        match &self.end {
            Some(Ok((_, reuse))) => Some(*reuse),
            _ => None,
        }
    }

    /// The next piece of the body, `Ok(None)` once it ended. Pieces are views of the read
    /// buffer, not copies; their boundaries carry no meaning.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// [`chunk`](Self::chunk), as a poll function.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, Error>> {
        if !self.chunk.is_empty() {
            return Poll::Ready(Ok(Some(std::mem::take(&mut self.chunk))));
        }
        loop {
            match &self.end {
                Some(Ok(_)) => return Poll::Ready(Ok(None)),
                Some(Err(e)) => return Poll::Ready(Err(Error::Request(*e))),
                None => {}
            }
            match ready!(self.conn.shared.poll_event(self.id, cx)) {
                Some(Event::Data { data, .. }) => return Poll::Ready(Ok(Some(data))),
                Some(Event::End {
                    trailers, reuse, ..
                }) => {
                    self.end = Some(Ok((trailers, reuse)));
                    if reuse == Reuse::Close(CloseReason::Upgraded) {
                        // Queued with `End`, in the same delivery.
                        if let Poll::Ready(Some(Event::Upgraded { buffered, .. })) =
                            self.conn.shared.poll_event(self.id, cx)
                        {
                            self.upgraded = Some(buffered);
                        }
                    }
                }
                Some(Event::RequestFailed { error, .. }) => self.end = Some(Err(error)),
                Some(_) => {}
                None => return Poll::Ready(Err(Error::Usage(UsageError::Closed))),
            }
        }
    }

    /// Reads the rest of the body into one buffer: the piece itself when the body came in
    /// one, else the pieces concatenated.
    pub async fn body(&mut self) -> Result<Bytes, Error> {
        let Some(first) = self.chunk().await? else {
            return Ok(Bytes::new());
        };
        let Some(second) = self.chunk().await? else {
            return Ok(first);
        };
        let mut out = BytesMut::with_capacity(first.len() + second.len());
        out.extend_from_slice(&first);
        out.extend_from_slice(&second);
        while let Some(piece) = self.chunk().await? {
            out.extend_from_slice(&piece);
        }
        Ok(out.freeze())
    }

    /// For an accepted `101` or a `2xx` to CONNECT: the transport, and the bytes that arrived
    /// after the head (they belong to the new protocol). Fails with [`UsageError::Closed`]
    /// when the response did not switch protocols.
    pub async fn into_upgraded(mut self) -> Result<(T, Bytes), Error> {
        while self.end.is_none() {
            if self.chunk().await?.is_none() {
                break;
            }
        }
        if self.upgraded.is_none() {
            return Err(Error::Usage(UsageError::Closed));
        }
        // The task hands the transport over as it ends. (Dropped while waiting, `self` releases
        // the transport: see `Drop`.)
        let shared = &*self.conn.shared;
        let transport = poll_fn(|cx| {
            let mut st: std::sync::MutexGuard<'_, State<T>> = shared.lock();
            if let Some(transport) = st.upgraded.take() {
                return Poll::Ready(Some(transport));
            }
            if st.task_done {
                return Poll::Ready(None);
            }
            Shared::wait(&mut st, cx);
            Poll::Pending
        })
        .await;
        let buffered = self.upgraded.take().unwrap_or_default();
        transport
            .map(|t| (t, buffered))
            .ok_or(Error::Usage(UsageError::Closed))
    }
}

impl<T> AsyncRead for Response<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.chunk.is_empty() {
            match ready!(this.poll_chunk(cx)) {
                Ok(Some(piece)) => this.chunk = piece,
                Ok(None) => return Poll::Ready(Ok(())),
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
        let n = buf.remaining().min(this.chunk.len());
        buf.put_slice(&this.chunk[..n]);
        bytes::Buf::advance(&mut this.chunk, n);
        Poll::Ready(Ok(()))
    }
}

impl<T> futures_core::Stream for Response<T> {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx).map(Result::transpose)
    }
}

impl<T> Drop for Response<T> {
    fn drop(&mut self) {
        if self.upgraded.is_some() {
            // Switched protocols, and the transport was not taken: release it.
            let mut st = self.conn.shared.lock();
            st.upgrade_abandoned = true;
            let transport = st.upgraded.take();
            drop(st);
            drop(transport);
            return;
        }
        if self.end.is_some() {
            return;
        }
        // The core decides: a sent request cannot be abandoned, so the connection closes.
        self.conn.cancel(self.id);
    }
}

/// Compile-time checks: handles and responses cross tasks and threads.
#[allow(dead_code)]
fn assert_send_sync() {
    fn is<X: Send + Sync>() {}
    is::<Connection>();
    is::<Response>();
    fn future_is_send(conn: &Connection, request: &Request<'_>) -> impl Send {
        conn.send(request, Body::Empty)
    }
}
