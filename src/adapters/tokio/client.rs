//! A pooled client on the tokio adapter: the sans-IO [`Pool`] policy plus connecting and
//! waiting, async. Every decision (reuse, eviction, waiter order, retry) is the policy's or the
//! core's; this module connects, checks idle connections for a server's close, and waits. It
//! mirrors `h1conn::blocking::Client` (`src/adapters/blocking/client.rs`) rule for rule.
//!
//! - The policy is called under a `std::sync::Mutex`, in short critical sections that never
//!   span an `.await`. Connections the pool evicts are dropped after the lock is released.
//! - A request told to wait ([`Checkout::Wait`]) waits on a `tokio::sync::oneshot` of its own.
//!   A turn handed on by [`Pool::checkin`] or [`Pool::release`] is sent to its waiter; if the
//!   waiter is gone, the turn goes back to the pool (a connection through `checkin`, leave to
//!   connect through `release`), which may hand it on again. A waiting `send` future that is
//!   dropped leaves the queue ([`Pool::cancel_wait`]) and gives back a turn that reached it
//!   before it was dropped.
//! - A dropped `send` future never leaks a place in the pool's count: a guard releases the
//!   connection's id while connecting and while sending.
//! - Reuse check: a connection's task keeps a read pending while idle, so a connection the
//!   server closed shows a close reason (or is not ready): it is stale, leaves the pool, and
//!   the request checks out again (not a retry). A reused connection that refuses the request
//!   as closed ([`UsageError::Closed`]: the task saw the close just after the check; nothing
//!   was sent) is stale the same way.
//! - A [`PooledResponse`] dropped before its body's end drains up to
//!   [`PoolConfig::drain_limit`](crate::pool::PoolConfig::drain_limit) bytes: what already
//!   arrived at once, the rest in a task spawned on the current runtime, which gives up after
//!   [`PoolConfig::drain_timeout`](crate::pool::PoolConfig::drain_timeout). Without a runtime
//!   it is dropped, which cancels it (the core closes the connection).

use super::{Body, Connection, Error, Response};
use crate::adapter_trace::trace_debug;
use crate::pool::{Checkout, ConnectionId, Handoff, Pool, PoolConfig, PoolKey, WaiterId};
use crate::{
    Bytes, CloseReason, Config, Headers, Instant, Request, ResponseHead, Reuse, UsageError,
};
use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use ::tokio::net::TcpStream;
use ::tokio::sync::oneshot;
use core::time::Duration;
use std::boxed::Box;
use std::collections::BTreeMap;
use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker, ready};
use std::vec::Vec;

/// A connection being opened.
type Connecting<T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send>>;
type Connector<T> = dyn Fn(PoolKey) -> Connecting<T> + Send + Sync;

/// A turn handed to a waiter: a connection to reuse (with the server's `Keep-Alive: timeout`
/// it came back with, for when it goes back to the pool unused) or leave to connect.
type Turn<T> = (Checkout<Connection<T>>, Option<Duration>);

struct State<T> {
    pool: Pool<PoolKey, Connection<T>>,
    /// The waiters' channels, until their turn is sent or they give up.
    waiters: BTreeMap<WaiterId, oneshot::Sender<Turn<T>>>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    config: Config,
    connector: Box<Connector<T>>,
    retries: AtomicU64,
    /// The pool's clock origin (the runtime's clock, so paused test time works).
    epoch: ::tokio::time::Instant,
}

/// A pooled HTTP/1.1 client on tokio: connections per [`PoolKey`], reused whenever the core
/// says they may be, and Go's retry rule for the stale keep-alive race. The async twin of
/// `h1conn::blocking::Client`, with the same rules (`docs/pool.md`).
///
/// Cheap to clone (a reference count); `Send + Sync`, share it between tasks. Dropping every
/// clone (and every [`PooledResponse`], and letting a dropped response's drain finish) closes
/// every connection and ends every connection task.
///
/// ```no_run
/// use h1conn::pool::PoolConfig;
/// use h1conn::tokio::{Body, Client, Error, PoolKey};
/// use h1conn::{Config, Request};
///
/// #[tokio::main(flavor = "current_thread")] // a plain #[tokio::main] needs tokio's rt-multi-thread
/// async fn main() -> Result<(), Error> {
///     let client = Client::new(Config::default(), PoolConfig::default().max_per_host(Some(4)));
///     let key = PoolKey::http("127.0.0.1", 8080);
///     for _ in 0..3 {
///         let request = Request::get("/").header("Host", "127.0.0.1");
///         let mut response = client.send(&key, &request, Body::Empty).await?;
///         // The connection goes back to the pool at the body's end.
///         let body = response.body().await?;
///         println!("{} ({} bytes)", response.status(), body.len());
///     }
///     println!("retries: {}", client.retries());
///     Ok(())
/// }
/// ```
pub struct Client<T = TcpStream> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for Client<T> {
    fn clone(&self) -> Self {
        Client {
            shared: self.shared.clone(),
        }
    }
}

impl<T> fmt::Debug for Client<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("retries", &self.shared.retries.load(Ordering::Relaxed))
            .finish()
    }
}

fn lock<X>(mutex: &Mutex<X>) -> MutexGuard<'_, X> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Client<TcpStream> {
    /// A client over plain TCP (`TCP_NODELAY` on). Connections are opened with
    /// `tokio::net::TcpStream::connect((host, port))`.
    pub fn new(config: Config, pool: PoolConfig) -> Self {
        Client::with_connector(config, pool, |key: PoolKey| async move {
            let stream = TcpStream::connect((key.host.as_str(), key.port)).await?;
            stream.set_nodelay(true)?;
            Ok(stream)
        })
    }
}

/// What a request gets from the pool, with the waiting part ready to await.
enum Next<'a, T: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    Go(Checkout<Connection<T>>),
    Wait(Waiting<'a, T>),
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Client<T> {
    /// A client whose connections `connector` opens (TLS, a Unix socket, a proxy tunnel): an
    /// async function of the key, called for each new connection.
    pub fn with_connector<F, Fut>(config: Config, pool: PoolConfig, connector: F) -> Self
    where
        F: Fn(PoolKey) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = io::Result<T>> + Send + 'static,
    {
        let connector: Box<Connector<T>> =
            Box::new(move |key| Box::pin(connector(key)) as Connecting<T>);
        Client {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    pool: Pool::new(pool),
                    waiters: BTreeMap::new(),
                }),
                config,
                connector,
                retries: AtomicU64::new(0),
                epoch: ::tokio::time::Instant::now(),
            }),
        }
    }

    fn now(&self) -> Instant {
        Instant::from_duration(self.shared.epoch.elapsed())
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        lock(&self.shared.state)
    }

    /// Releases the lock, then drops the connections the pool evicted (each closes as its last
    /// handle goes).
    fn unlock(st: MutexGuard<'_, State<T>>) {
        let mut st = st;
        let evicted: Vec<_> = std::iter::from_fn(|| st.pool.poll_evicted()).collect();
        drop(st);
        drop(evicted);
    }

    /// Requests sent again after a failure the retry rule allowed, so far.
    pub fn retries(&self) -> u64 {
        self.shared.retries.load(Ordering::Relaxed)
    }

    /// Idle connections for `key` now.
    pub fn idle(&self, key: &PoolKey) -> usize {
        self.lock().pool.idle(key)
    }

    /// Requests waiting for a connection to `key` now (at
    /// [`PoolConfig::max_per_host`](crate::pool::PoolConfig::max_per_host)).
    pub fn waiting(&self, key: &PoolKey) -> usize {
        self.lock().pool.waiting(key)
    }

    /// Sends `request` to `key` on a pooled connection and waits for the response head.
    ///
    /// Retries (once, on a fresh connection) follow the pool's rule on the core's verdict:
    /// after a failure on a reused connection before any response byte, when nothing was sent
    /// or the request is replayable; and after a `408` with `Connection: close` on a reused
    /// connection for a replayable request. A streamed body ([`Body::Stream`]) is never sent
    /// twice.
    ///
    /// Dropping the future gives up: a place in the queue is left, a connection being opened
    /// or a request in flight is canceled (the core decides whether the connection closes),
    /// and the pool's count is kept right.
    ///
    /// Errors: [`Error::Connect`] when opening a connection failed; otherwise as
    /// [`Connection::send`].
    pub async fn send(
        &self,
        key: &PoolKey,
        request: &Request<'_>,
        body: Body<'_>,
    ) -> Result<PooledResponse<T>, Error> {
        let (bytes, mut stream) = match body {
            Body::Empty => (None, None),
            Body::Bytes(b) => (Some(b), None),
            Body::Stream(s) => (None, Some(s)),
        };
        let replayable_body = stream.is_none();
        let mut attempt = 0u32;
        loop {
            let lease = self.checkout(key).await?;
            let body = match (stream.take(), &bytes) {
                (Some(s), _) => Body::Stream(s),
                (None, Some(b)) => Body::Bytes(b.clone()),
                (None, None) => Body::Empty,
            };
            match lease.conn.send(request, body).await {
                Ok(response) => {
                    let closes = response
                        .head()
                        .headers()
                        .contains_token("connection", "close");
                    let retry_408 = response.status() == 408
                        && replayable_body
                        && self.lock().pool.should_retry_408(
                            lease.reused,
                            closes,
                            request.is_replayable(),
                            attempt,
                        );
                    if retry_408 {
                        trace_debug!("408 on a reused connection: retrying");
                        drop(response);
                        drop(lease);
                        self.shared.retries.fetch_add(1, Ordering::Relaxed);
                        attempt += 1;
                        continue;
                    }
                    return Ok(lease.into_response(response));
                }
                Err(Error::Request(e)) => {
                    drop(lease);
                    let retry = replayable_body && self.lock().pool.should_retry(&e, attempt);
                    trace_debug!(
                        error = %e,
                        progress = ?e.progress(),
                        reused = e.reused_connection(),
                        retry,
                        "request failed"
                    );
                    if !retry {
                        return Err(Error::Request(e));
                    }
                    self.shared.retries.fetch_add(1, Ordering::Relaxed);
                    attempt += 1;
                }
                Err(Error::Usage(UsageError::Closed)) if lease.reused && replayable_body => {
                    // The task saw the server's close between the reuse check and the send;
                    // nothing was sent: stale, like a close seen by the check. Not a retry.
                    trace_debug!(host = %key.host, port = key.port, "idle connection was stale");
                    drop(lease);
                }
                Err(other) => {
                    drop(lease);
                    return Err(other);
                }
            }
        }
    }

    /// Asks the pool for a turn; a waiter's channel is registered under the same lock.
    fn take_turn<'a>(&'a self, key: &'a PoolKey) -> Next<'a, T> {
        let mut st = self.lock();
        let next = match st.pool.checkout(key, self.now()) {
            Checkout::Wait { waiter } => {
                let (tx, rx) = oneshot::channel();
                st.waiters.insert(waiter, tx);
                Next::Wait(Waiting {
                    client: self,
                    key,
                    waiter,
                    rx,
                    done: false,
                })
            }
            other => Next::Go(other),
        };
        Client::unlock(st);
        next
    }

    /// A connection for `key`: a reused one still open, a new one, or one handed over after a
    /// wait.
    async fn checkout<'a>(&'a self, key: &'a PoolKey) -> Result<Lease<'a, T>, Error> {
        let mut next = self.take_turn(key);
        loop {
            let turn = match next {
                Next::Go(turn) => turn,
                Next::Wait(mut waiting) => match (&mut waiting.rx).await {
                    // The keep-alive hint matters only to a turn given back unused.
                    Ok((turn, _hint)) => {
                        waiting.done = true;
                        turn
                    }
                    // Not reached: a waiter's sender is only dropped by sending its turn (or
                    // by the waiter itself). Leave the queue and ask again.
                    Err(_) => {
                        drop(waiting);
                        next = self.take_turn(key);
                        continue;
                    }
                },
            };
            match turn {
                Checkout::Reuse { id, conn } => {
                    let place = Place {
                        client: self,
                        key,
                        id,
                        armed: true,
                    };
                    // Stale: the server closed it (or sent a 408) while it was idle; the
                    // connection's task saw it. Not a failure, not a retry: it leaves the pool
                    // and the request looks again.
                    if conn.close_reason().is_none() && conn.is_ready() {
                        trace_debug!(host = %key.host, port = key.port, "connection reused");
                        return Ok(Lease {
                            conn,
                            place,
                            reused: true,
                        });
                    }
                    trace_debug!(host = %key.host, port = key.port, "idle connection was stale");
                    drop(conn);
                    drop(place);
                    next = self.take_turn(key);
                }
                Checkout::Connect { id } => {
                    // Released if opening fails or the future is dropped meanwhile.
                    let place = Place {
                        client: self,
                        key,
                        id,
                        armed: true,
                    };
                    return match (self.shared.connector)(key.clone()).await {
                        Ok(transport) => {
                            trace_debug!(host = %key.host, port = key.port, "connection opened");
                            Ok(Lease {
                                conn: Connection::new(transport, self.shared.config.clone()),
                                place,
                                reused: false,
                            })
                        }
                        Err(e) => Err(Error::Connect(e)),
                    };
                }
                // Not reached: a handoff is a connection or leave to connect.
                Checkout::Wait { .. } => next = self.take_turn(key),
            }
        }
    }

    /// Sends each turn the pool hands on to its waiter; a turn whose waiter is gone goes back
    /// (which may hand it on again).
    fn deliver(
        &self,
        st: &mut State<T>,
        key: &PoolKey,
        handoff: Option<Handoff<Connection<T>>>,
        hint: Option<Duration>,
    ) {
        let mut handoff = handoff;
        while let Some(Handoff { waiter, checkout }) = handoff.take() {
            let unsent = match st.waiters.remove(&waiter) {
                Some(tx) => tx.send((checkout, hint)).err(),
                None => Some((checkout, hint)),
            };
            if let Some(turn) = unsent {
                handoff = self.give_back(st, key, turn);
            }
        }
    }

    /// Returns a turn nobody took: a connection through `checkin`, leave to connect through
    /// `release`.
    fn give_back(
        &self,
        st: &mut State<T>,
        key: &PoolKey,
        (turn, hint): Turn<T>,
    ) -> Option<Handoff<Connection<T>>> {
        match turn {
            Checkout::Reuse { id, conn } => {
                let reusable = conn.is_ready();
                st.pool.checkin(key, id, conn, reusable, hint, self.now())
            }
            Checkout::Connect { id } => st.pool.release(key, id),
            Checkout::Wait { .. } => None,
        }
    }

    /// A connection leaves the pool's count (closed, failed, stale): its place may go to a
    /// waiter.
    fn release(&self, key: &PoolKey, id: ConnectionId) {
        let mut st = self.lock();
        let handoff = st.pool.release(key, id);
        self.deliver(&mut st, key, handoff, None);
        Client::unlock(st);
    }

    /// A response ended and the core said the connection may carry on: back to the pool.
    fn checkin(&self, key: &PoolKey, id: ConnectionId, conn: Connection<T>, head: &ResponseHead) {
        let reusable = conn.is_ready();
        let hint = head.keep_alive_timeout();
        let mut st = self.lock();
        let handoff = st.pool.checkin(key, id, conn, reusable, hint, self.now());
        self.deliver(&mut st, key, handoff, hint);
        Client::unlock(st);
    }
}

/// A place in the queue; dropped before its turn came, it leaves the queue and gives back a
/// turn that reached it meanwhile.
struct Waiting<'a, T: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    client: &'a Client<T>,
    key: &'a PoolKey,
    waiter: WaiterId,
    rx: oneshot::Receiver<Turn<T>>,
    /// The turn was received.
    done: bool,
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Drop for Waiting<'_, T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let client = self.client;
        let mut st = client.lock();
        st.pool.cancel_wait(self.key, self.waiter);
        st.waiters.remove(&self.waiter);
        // Turns are sent under this lock: one sent before the cancel is in the channel now.
        self.rx.close();
        if let Ok(turn) = self.rx.try_recv() {
            trace_debug!("a waiter gave up: its turn goes back");
            let hint = turn.1;
            let handoff = client.give_back(&mut st, self.key, turn);
            client.deliver(&mut st, self.key, handoff, hint);
        }
        Client::unlock(st);
    }
}

/// A connection's place in the pool's count, released unless it goes on to a response.
struct Place<'a, T: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    client: &'a Client<T>,
    key: &'a PoolKey,
    id: ConnectionId,
    armed: bool,
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Drop for Place<'_, T> {
    fn drop(&mut self) {
        if self.armed {
            self.client.release(self.key, self.id);
        }
    }
}

/// A connection checked out for one request. Dropped, the connection handle goes first, then
/// its place in the count.
struct Lease<'a, T: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    conn: Connection<T>,
    place: Place<'a, T>,
    reused: bool,
}

impl<'a, T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Lease<'a, T> {
    fn into_response(self, response: Response<T>) -> PooledResponse<T> {
        let Lease {
            conn, mut place, ..
        } = self;
        place.armed = false;
        PooledResponse {
            response: Some(response),
            conn: Some(conn),
            client: place.client.clone(),
            key: place.key.clone(),
            id: place.id,
            drain: true,
        }
    }
}

/// A response from a [`Client`]: a [`Response`] whose connection goes back to the pool when
/// the body ends (and the core says the connection may carry on).
///
/// Dropped before its end, it drains up to
/// [`PoolConfig::drain_limit`](crate::pool::PoolConfig::drain_limit) bytes to keep the
/// connection: what already arrived at once, the rest in a task spawned on the current tokio
/// runtime, for at most [`PoolConfig::drain_timeout`](crate::pool::PoolConfig::drain_timeout).
/// A longer rest, or one not arrived in time, closes the connection instead (never reused with
/// unread bytes);
/// dropped outside a runtime, it is canceled (the core closes the connection).
pub struct PooledResponse<T: AsyncRead + AsyncWrite + Unpin + Send + 'static = TcpStream> {
    /// `None` only once it went to the drain task.
    response: Option<Response<T>>,
    /// The pool's handle, until the body ended (or the response was given up).
    conn: Option<Connection<T>>,
    client: Client<T>,
    key: PoolKey,
    id: ConnectionId,
    /// Whether a drop drains the rest (not in the drain task itself).
    drain: bool,
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> fmt::Debug for PooledResponse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledResponse")
            .field("response", &self.response)
            .field("key", &self.key)
            .finish()
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> PooledResponse<T> {
    fn response(&self) -> &Response<T> {
        match &self.response {
            Some(r) => r,
            None => unreachable!("taken by the drop only"),
        }
    }

    fn response_mut(&mut self) -> &mut Response<T> {
        match &mut self.response {
            Some(r) => r,
            None => unreachable!("taken by the drop only"),
        }
    }

    /// The final response head.
    pub fn head(&self) -> &ResponseHead {
        self.response().head()
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.response().status()
    }

    /// The informational (1xx) heads that came before the final one.
    pub fn informational(&self) -> &[ResponseHead] {
        self.response().informational()
    }

    /// The next piece of the body, `Ok(None)` at its end (the connection is back in the pool
    /// then).
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// [`chunk`](Self::chunk), as a poll function.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, Error>> {
        let piece = ready!(self.response_mut().poll_chunk(cx));
        if matches!(piece, Ok(None) | Err(_)) {
            self.finish();
        }
        Poll::Ready(piece)
    }

    /// The rest of the body in one buffer (see [`Response::body`]); the connection is back in
    /// the pool when it returns `Ok`.
    pub async fn body(&mut self) -> Result<Bytes, Error> {
        let result = self.response_mut().body().await;
        self.finish();
        result
    }

    /// The trailers, once the body ended.
    pub fn trailers(&self) -> Option<&Headers> {
        self.response().trailers()
    }

    /// Whether the connection carried on after this response, once the body ended.
    pub fn reuse(&self) -> Option<Reuse> {
        self.response().reuse()
    }

    /// Why the connection closed, if it has.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.response().conn.close_reason()
    }

    /// Returns the connection to the pool (or lets it go), once, after the body ended or
    /// failed.
    fn finish(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let response = self.response();
        if response.reuse() == Some(Reuse::KeepAlive) {
            self.client
                .checkin(&self.key, self.id, conn, response.head());
        } else {
            drop(conn);
            self.client.release(&self.key, self.id);
        }
    }

    /// Reads and discards the rest, up to `limit` bytes in all and for at most `timeout`; the
    /// drop that follows checks the connection in (the body ended) or closes and releases it.
    async fn drain_rest(mut self, mut drained: u64, limit: u64, timeout: std::time::Duration) {
        let drain = async {
            while drained <= limit && self.conn.is_some() {
                match self.chunk().await {
                    Ok(Some(piece)) => drained += piece.len() as u64,
                    Ok(None) | Err(_) => break,
                }
            }
        };
        // A rest that has not arrived in time (a stalled server, an endless stream) is given
        // up: the drop below closes the connection.
        let _ = ::tokio::time::timeout(timeout, drain).await;
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> AsyncRead for PooledResponse<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = ready!(Pin::new(this.response_mut()).poll_read(cx, buf));
        if result.is_err() || (buf.filled().len() == before && buf.remaining() > 0) {
            this.finish();
        }
        Poll::Ready(result)
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> futures_core::Stream
    for PooledResponse<T>
{
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx).map(Result::transpose)
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Drop for PooledResponse<T> {
    fn drop(&mut self) {
        if self.conn.is_none() {
            return;
        }
        if self.drain {
            // Drain a short rest to keep the connection; a long one is not worth reading. What
            // already arrived is taken now (a no-op waker: nothing waits here)...
            let (limit, timeout) = {
                let st = self.client.lock();
                let config = st.pool.config();
                (config.drain_limit_value(), config.drain_timeout_value())
            };
            let mut drained = 0u64;
            let mut cx = Context::from_waker(Waker::noop());
            while drained <= limit {
                match self.poll_chunk(&mut cx) {
                    Poll::Ready(Ok(Some(piece))) => drained += piece.len() as u64,
                    Poll::Ready(Ok(None) | Err(_)) => return,
                    Poll::Pending => break,
                }
            }
            // ...the rest by a task, on the runtime this is dropped in.
            if drained <= limit {
                if let Ok(runtime) = ::tokio::runtime::Handle::try_current() {
                    let rest = PooledResponse {
                        response: self.response.take(),
                        conn: self.conn.take(),
                        client: self.client.clone(),
                        key: self.key.clone(),
                        id: self.id,
                        drain: false,
                    };
                    drop(runtime.spawn(rest.drain_rest(drained, limit, timeout)));
                    return;
                }
            }
        }
        // Not ended: dropping the response cancels it (the core closes the connection), and the
        // connection leaves the pool's count.
        drop(self.response.take());
        drop(self.conn.take());
        self.client.release(&self.key, self.id);
    }
}

/// Compile-time checks: the client, its responses and its `send` future cross tasks.
#[allow(dead_code)]
fn assert_send_sync() {
    fn is<X: Send + Sync>() {}
    is::<Client>();
    is::<PooledResponse>();
    fn future_is_send(client: &Client, key: &PoolKey, request: &Request<'_>) -> impl Send {
        client.send(key, request, Body::Empty)
    }
}
