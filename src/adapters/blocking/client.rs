//! A pooled client on the blocking adapter: the sans-IO [`Pool`] policy plus the sockets and
//! the waiting. Every decision (reuse, eviction, waiter order, retry) is the policy's or the
//! core's; this module connects, checks idle connections for a server's close, and blocks.

use super::{Body, Connection, Error, Response, Transport};
use crate::adapter_trace::trace_debug;
use crate::pool::{Checkout, ConnectionId, Handoff, Pool, PoolConfig, PoolKey, WaiterId};
use crate::{Bytes, CloseReason, Config, Headers, Instant, Request, ResponseHead, Reuse};
use std::boxed::Box;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::vec::Vec;

type Connector<T> = dyn Fn(&PoolKey) -> io::Result<T> + Send + Sync;

struct State<T> {
    pool: Pool<PoolKey, Connection<T>>,
    /// Turns handed to waiters, until they pick them up.
    handoffs: BTreeMap<WaiterId, Checkout<Connection<T>>>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Signalled when a handoff is posted.
    handed: Condvar,
    config: Config,
    connector: Box<Connector<T>>,
    retries: AtomicU64,
    epoch: std::time::Instant,
}

/// A pooled HTTP/1.1 client: connections per [`PoolKey`], reused whenever the core says they
/// may be, and Go's retry rule for the stale keep-alive race. Cheap to clone; share it between
/// threads. Dropping every clone (and every [`PooledResponse`]) closes every connection.
///
/// ```no_run
/// use h1conn::blocking::{Body, Client, PoolKey};
/// use h1conn::pool::PoolConfig;
/// use h1conn::{Config, Request};
///
/// let client = Client::new(Config::default(), PoolConfig::default().max_per_host(Some(4)));
/// let key = PoolKey::http("127.0.0.1", 8080);
/// for _ in 0..3 {
///     let request = Request::get("/").header("Host", "127.0.0.1:8080");
///     let mut response = client.send(&key, &request, Body::Empty)?;
///     let body = response.body()?; // the connection goes back to the pool at the body's end
///     println!("{} ({} bytes)", response.status(), body.len());
/// }
/// println!("retries: {}", client.retries());
/// # Ok::<(), h1conn::blocking::Error>(())
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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Client<TcpStream> {
    /// A client over plain TCP (`TCP_NODELAY` on).
    pub fn new(config: Config, pool: PoolConfig) -> Self {
        Client::with_connector(config, pool, |key: &PoolKey| {
            let stream = TcpStream::connect((key.host.as_str(), key.port))?;
            stream.set_nodelay(true)?;
            Ok(stream)
        })
    }
}

impl<T: Transport> Client<T> {
    /// A client whose connections `connector` opens (TLS, a Unix socket, a proxy tunnel).
    pub fn with_connector(
        config: Config,
        pool: PoolConfig,
        connector: impl Fn(&PoolKey) -> io::Result<T> + Send + Sync + 'static,
    ) -> Self {
        #[allow(clippy::disallowed_methods)] // the adapter owns the clock
        let epoch = std::time::Instant::now();
        Client {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    pool: Pool::new(pool),
                    handoffs: BTreeMap::new(),
                }),
                handed: Condvar::new(),
                config,
                connector: Box::new(connector),
                retries: AtomicU64::new(0),
                epoch,
            }),
        }
    }

    fn now(&self) -> Instant {
        Instant::from_duration(self.shared.epoch.elapsed())
    }

    /// Requests sent again after a failure the retry rule allowed, so far.
    pub fn retries(&self) -> u64 {
        self.shared.retries.load(Ordering::Relaxed)
    }

    /// Idle connections for `key` now.
    pub fn idle(&self, key: &PoolKey) -> usize {
        lock(&self.shared.state).pool.idle(key)
    }

    /// Sends `request` to `key` on a pooled connection and waits for the response head.
    ///
    /// Retries (once, on a fresh connection) follow the pool's rule on the core's verdict:
    /// after a failure on a reused connection before any response byte, when nothing was sent
    /// or the request is replayable; and after a `408` with `Connection: close` on a reused
    /// connection for a replayable request. A streamed body ([`Body::Reader`]) is never sent
    /// twice.
    pub fn send(
        &self,
        key: &PoolKey,
        request: &Request<'_>,
        body: Body<'_>,
    ) -> Result<PooledResponse<T>, Error> {
        let (bytes, mut reader) = match body {
            Body::Empty => (None, None),
            Body::Bytes(b) => (Some(b), None),
            Body::Reader(r) => (None, Some(r)),
        };
        let replayable_body = reader.is_none();
        let mut attempt = 0u32;
        loop {
            let (id, conn, reused) = self.checkout(key)?;
            let body = match (reader.take(), &bytes) {
                (Some(r), _) => Body::Reader(r),
                (None, Some(b)) => Body::Bytes(b.clone()),
                (None, None) => Body::Empty,
            };
            match conn.send(request, body) {
                Ok(response) => {
                    let closes = response
                        .head()
                        .headers()
                        .contains_token("connection", "close");
                    let retry_408 = response.status() == 408
                        && replayable_body
                        && lock(&self.shared.state).pool.should_retry_408(
                            reused,
                            closes,
                            request.is_replayable(),
                            attempt,
                        );
                    if retry_408 {
                        trace_debug!("408 on a reused connection: retrying");
                        drop(response);
                        self.release(key, id);
                        self.shared.retries.fetch_add(1, Ordering::Relaxed);
                        attempt += 1;
                        continue;
                    }
                    return Ok(PooledResponse {
                        response,
                        conn: Some(conn),
                        client: self.clone(),
                        key: key.clone(),
                        id,
                    });
                }
                Err(Error::Request(e)) => {
                    drop(conn);
                    self.release(key, id);
                    let retry =
                        replayable_body && lock(&self.shared.state).pool.should_retry(&e, attempt);
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
                Err(other) => {
                    drop(conn);
                    self.release(key, id);
                    return Err(other);
                }
            }
        }
    }

    /// A connection for `key`: a reused one still open, a new one, or one handed over after a
    /// wait. Returns its id and whether it was reused.
    fn checkout(&self, key: &PoolKey) -> Result<(ConnectionId, Connection<T>, bool), Error> {
        let mut st = lock(&self.shared.state);
        let mut turn = st.pool.checkout(key, self.now());
        loop {
            let evicted: Vec<_> = std::iter::from_fn(|| st.pool.poll_evicted()).collect();
            match turn {
                Checkout::Reuse { id, conn } => {
                    drop(st);
                    drop(evicted);
                    // Stale: the server closed it (or sent a 408) while it was idle. Not a
                    // failure, not a retry: it leaves the pool and the request looks again.
                    if conn.check_idle().is_none() && conn.is_ready() {
                        trace_debug!(host = %key.host, port = key.port, "connection reused");
                        return Ok((id, conn, true));
                    }
                    trace_debug!(host = %key.host, port = key.port, "idle connection was stale");
                    drop(conn);
                    self.release(key, id);
                    st = lock(&self.shared.state);
                    turn = st.pool.checkout(key, self.now());
                }
                Checkout::Connect { id } => {
                    drop(st);
                    drop(evicted);
                    return match (self.shared.connector)(key) {
                        Ok(transport) => {
                            trace_debug!(host = %key.host, port = key.port, "connection opened");
                            Ok((
                                id,
                                Connection::new(transport, self.shared.config.clone()),
                                false,
                            ))
                        }
                        Err(e) => {
                            self.release(key, id);
                            Err(Error::Connect(e))
                        }
                    };
                }
                Checkout::Wait { waiter } => {
                    drop(evicted);
                    turn = loop {
                        if let Some(turn) = st.handoffs.remove(&waiter) {
                            break turn;
                        }
                        st = self
                            .shared
                            .handed
                            .wait(st)
                            .unwrap_or_else(|p| p.into_inner());
                    };
                }
            }
        }
    }

    fn post(&self, st: &mut State<T>, handoff: Option<Handoff<Connection<T>>>) {
        if let Some(Handoff { waiter, checkout }) = handoff {
            st.handoffs.insert(waiter, checkout);
            self.shared.handed.notify_all();
        }
    }

    /// A connection leaves the pool's count (closed, failed, stale): its place may go to a
    /// waiter.
    fn release(&self, key: &PoolKey, id: ConnectionId) {
        let mut st = lock(&self.shared.state);
        let handoff = st.pool.release(key, id);
        self.post(&mut st, handoff);
    }

    fn checkin(&self, key: &PoolKey, id: ConnectionId, conn: Connection<T>, head: &ResponseHead) {
        let reusable = conn.is_ready();
        let hint = head.keep_alive_timeout();
        let mut st = lock(&self.shared.state);
        let handoff = st.pool.checkin(key, id, conn, reusable, hint, self.now());
        self.post(&mut st, handoff);
        let evicted: Vec<_> = std::iter::from_fn(|| st.pool.poll_evicted()).collect();
        drop(st);
        drop(evicted);
    }
}

/// A response from a [`Client`]: a [`Response`] whose connection goes back to the pool when the
/// body ends (and the core says the connection may carry on).
///
/// Dropped before its end, it drains up to [`PoolConfig::drain_limit`] bytes, waiting at most
/// [`PoolConfig::drain_timeout`] for them, to keep the connection; a longer rest, or one that
/// has not arrived in time, closes the connection instead (never reused with unread bytes), so
/// the drop never waits longer than the drain timeout.
pub struct PooledResponse<T: Transport> {
    response: Response<T>,
    conn: Option<Connection<T>>,
    client: Client<T>,
    key: PoolKey,
    id: ConnectionId,
}

impl<T: Transport> fmt::Debug for PooledResponse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledResponse")
            .field("response", &self.response)
            .field("key", &self.key)
            .finish()
    }
}

impl<T: Transport> PooledResponse<T> {
    /// The final response head.
    pub fn head(&self) -> &ResponseHead {
        self.response.head()
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.response.status()
    }

    /// The next piece of the body, `Ok(None)` at its end (the connection is back in the pool
    /// then).
    pub fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let piece = self.response.chunk();
        if matches!(piece, Ok(None) | Err(_)) {
            self.finish();
        }
        piece
    }

    /// The rest of the body in one buffer.
    pub fn body(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        while let Some(piece) = self.chunk()? {
            out.extend_from_slice(&piece);
        }
        Ok(out)
    }

    /// The trailers, once the body ended.
    pub fn trailers(&self) -> Option<&Headers> {
        self.response.trailers()
    }

    /// Whether the connection carried on after this response, once the body ended.
    pub fn reuse(&self) -> Option<Reuse> {
        self.response.reuse()
    }

    /// Why the connection closed, if it has.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.conn
            .as_ref()
            .and_then(Connection::close_reason)
            .or_else(|| self.response.conn.close_reason())
    }

    /// Returns the connection to the pool (or lets it go), once.
    fn finish(&mut self) {
        if let Some(conn) = self.conn.take() {
            if self.response.reuse() == Some(Reuse::KeepAlive) {
                self.client
                    .checkin(&self.key, self.id, conn, self.response.head());
            } else {
                drop(conn);
                self.client.release(&self.key, self.id);
            }
        }
    }
}

impl<T: Transport> Read for PooledResponse<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.response.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.finish();
        }
        Ok(n)
    }
}

impl<T: Transport> Iterator for PooledResponse<T> {
    type Item = Result<Bytes, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.chunk().transpose()
    }
}

impl<T: Transport> Drop for PooledResponse<T> {
    fn drop(&mut self) {
        if self.conn.is_none() {
            return;
        }
        // Drain a short rest to keep the connection; a long one, or one that does not arrive
        // within the drain timeout, is not worth waiting for.
        let (limit, timeout) = {
            let st = lock(&self.client.shared.state);
            let config = st.pool.config();
            (config.drain_limit_value(), config.drain_timeout_value())
        };
        let until = self.response.conn.now() + timeout;
        let mut drained = 0u64;
        while drained <= limit {
            match self.response.chunk_until(Some(until)) {
                Ok(Some(piece)) => drained += piece.len() as u64,
                Ok(None) | Err(_) => break,
            }
        }
        // Ended: back to the pool. Not ended: dropping the response cancels it (the core closes
        // the connection), and the connection leaves the pool's count.
        if self.response.reuse().is_some() {
            self.finish();
        } else if let Some(conn) = self.conn.take() {
            drop(conn);
            self.client.release(&self.key, self.id);
        }
    }
}
