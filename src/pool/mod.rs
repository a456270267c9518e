//! The connection pool's policy, sans-IO: which connection a request gets, when one goes back,
//! when one is evicted, who waits in which order, and whether a failed request is sent again.
//!
//! [`Pool`] decides from its inputs and the `Instant`s it is given; it holds the idle
//! connections as opaque values of the adapter's type `C` and never does I/O. An adapter's
//! `Client` adds the sockets and the waiting (`h1conn::blocking::Client`). The rules, next to
//! what Go's Transport, hyper-util's legacy client and ureq do, are in `docs/pool.md`.
//!
//! ```
//! use h1conn::pool::{Checkout, Pool, PoolConfig};
//! use h1conn::Instant;
//!
//! let mut pool: Pool<&str, &str> = Pool::new(PoolConfig::default());
//! let now = Instant::ZERO;
//! // Nothing idle: the caller is told to connect, under a connection id.
//! let Checkout::Connect { id } = pool.checkout(&"example.com:80", now) else { unreachable!() };
//! // The response ended and the core said the connection may carry on: back it goes.
//! assert!(pool.checkin(&"example.com:80", id, "conn", true, None, now).is_none());
//! // The next request reuses it.
//! assert!(matches!(pool.checkout(&"example.com:80", now), Checkout::Reuse { conn: "conn", .. }));
//! ```

use crate::error::{FailureKind, RequestError};
use crate::time::Instant;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use core::time::Duration;

/// Which connections may serve a request: scheme, host and port, plus a key of the caller's for
/// anything else that makes two connections different (TLS settings, a client certificate).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolKey {
    /// `http`, `https`, ...
    pub scheme: String,
    /// The host, as connected to.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The caller's own distinction (0 when there is none).
    pub user: u64,
}

impl PoolKey {
    /// A plain-HTTP key.
    pub fn http(host: &str, port: u16) -> PoolKey {
        PoolKey {
            scheme: "http".into(),
            host: host.into(),
            port,
            user: 0,
        }
    }
}

/// Limits and rules of a [`Pool`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    max_idle_per_host: usize,
    max_idle_total: usize,
    idle_timeout: Option<Duration>,
    max_per_host: Option<usize>,
    keep_alive_margin: Duration,
    retry: bool,
    drain_limit: u64,
    drain_timeout: Duration,
}

impl Default for PoolConfig {
    /// 8 idle connections per host, 100 in all, a 90 s idle timeout (Go's), no limit on
    /// connections per host, eviction 1 s before a server's `Keep-Alive: timeout`, one retry on
    /// a stale connection, and up to 64 KiB drained from a dropped response within 1 s.
    fn default() -> Self {
        PoolConfig {
            max_idle_per_host: 8,
            max_idle_total: 100,
            idle_timeout: Some(Duration::from_secs(90)),
            max_per_host: None,
            keep_alive_margin: Duration::from_secs(1),
            retry: true,
            drain_limit: 64 * 1024,
            drain_timeout: Duration::from_secs(1),
        }
    }
}

impl PoolConfig {
    /// The most idle connections kept per key; the least recently used goes first.
    pub fn max_idle_per_host(mut self, n: usize) -> Self {
        self.max_idle_per_host = n;
        self
    }

    /// The most idle connections kept in all.
    pub fn max_idle_total(mut self, n: usize) -> Self {
        self.max_idle_total = n;
        self
    }

    /// How long a connection may stay idle in the pool (`None`: no limit of ours; a server's
    /// `Keep-Alive: timeout` still applies).
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The most connections per key, idle, busy or connecting (`None`: unlimited). Requests
    /// beyond it wait, and are served in arrival order.
    pub fn max_per_host(mut self, n: Option<usize>) -> Self {
        self.max_per_host = n.map(|n| n.max(1));
        self
    }

    /// How long before a server's stated `Keep-Alive: timeout` an idle connection is evicted
    /// (so the pool never hands out one the server is about to close).
    pub fn keep_alive_margin(mut self, margin: Duration) -> Self {
        self.keep_alive_margin = margin;
        self
    }

    /// Whether a request that failed on a reused connection is sent once more on a fresh one
    /// when the core says it is safe ([`Pool::should_retry`]). On by default.
    pub fn retry(mut self, on: bool) -> Self {
        self.retry = on;
        self
    }

    /// How many body bytes an adapter reads and discards from a response dropped before its end
    /// to keep the connection; a longer rest closes the connection instead.
    pub fn drain_limit(mut self, bytes: u64) -> Self {
        self.drain_limit = bytes;
        self
    }

    /// See [`PoolConfig::drain_limit`](Self::drain_limit()).
    pub fn drain_limit_value(&self) -> u64 {
        self.drain_limit
    }

    /// How long an adapter waits for the rest of a response dropped before its end (the bytes
    /// of [`drain_limit`](Self::drain_limit)); a rest that has not arrived by then closes the
    /// connection instead. Bounds the wait when a server stalls mid-body, or streams slowly
    /// and without end (server-sent events): dropping a response never waits longer.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// See [`PoolConfig::drain_timeout`](Self::drain_timeout()).
    pub fn drain_timeout_value(&self) -> Duration {
        self.drain_timeout
    }
}

/// Names one connection of a pool (minted by [`Pool::checkout`] or [`Pool::release`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionId(u64);

/// Names one waiting request (minted by [`Pool::checkout`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WaiterId(u64);

/// What a request gets from [`Pool::checkout`]. Complete by design (reuse, connect or wait), so
/// adapters match it exhaustively.
#[derive(Debug, PartialEq, Eq)]
pub enum Checkout<C> {
    /// An idle connection, most recently used first. Check that it is still open (the adapter's
    /// `check_idle`) before using it; if not, [`Pool::release`] it and check out again.
    Reuse {
        /// The connection's id.
        id: ConnectionId,
        /// The connection.
        conn: C,
    },
    /// Open a new connection; report it with [`Pool::checkin`] (or [`Pool::release`] if the
    /// connect failed).
    Connect {
        /// The id the new connection takes.
        id: ConnectionId,
    },
    /// The key is at [`PoolConfig::max_per_host`]: wait for a [`Handoff`] naming this waiter.
    Wait {
        /// The waiter.
        waiter: WaiterId,
    },
}

/// A waiter's turn: what [`Pool::checkin`] or [`Pool::release`] gives to the first waiter.
#[derive(Debug, PartialEq, Eq)]
pub struct Handoff<C> {
    /// Who gets it.
    pub waiter: WaiterId,
    /// A connection to reuse, or permission to open one.
    pub checkout: Checkout<C>,
}

#[derive(Debug)]
struct Idle<C> {
    id: ConnectionId,
    conn: C,
    since: Instant,
    deadline: Option<Instant>,
}

#[derive(Debug)]
struct Host<C> {
    /// Least recently used first.
    idle: VecDeque<Idle<C>>,
    /// Connections counted against `max_per_host`: idle, in use and connecting.
    open: usize,
    waiters: VecDeque<WaiterId>,
}

impl<C> Default for Host<C> {
    fn default() -> Self {
        Host {
            idle: VecDeque::new(),
            open: 0,
            waiters: VecDeque::new(),
        }
    }
}

/// The pool's policy: idle connections per key, limits, waiters and the retry rule.
#[derive(Debug)]
pub struct Pool<K, C> {
    config: PoolConfig,
    hosts: BTreeMap<K, Host<C>>,
    idle_total: usize,
    next_id: u64,
    evicted: VecDeque<C>,
}

impl<K: Ord + Clone, C> Pool<K, C> {
    /// An empty pool.
    pub fn new(config: PoolConfig) -> Self {
        Pool {
            config,
            hosts: BTreeMap::new(),
            idle_total: 0,
            next_id: 0,
            evicted: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// A connection for a request to `key`: an idle one (most recently used first), leave to
    /// connect, or a place in the queue. Expired idle connections are evicted first.
    pub fn checkout(&mut self, key: &K, now: Instant) -> Checkout<C> {
        self.handle_timeout(now);
        let max = self.config.max_per_host;
        let next = self.next_id + 1;
        let host = self.hosts.entry(key.clone()).or_default();
        if let Some(idle) = host.idle.pop_back() {
            self.idle_total -= 1;
            return Checkout::Reuse {
                id: idle.id,
                conn: idle.conn,
            };
        }
        if max.is_some_and(|max| host.open >= max) {
            host.waiters.push_back(WaiterId(next));
            self.next_id = next;
            return Checkout::Wait {
                waiter: WaiterId(next),
            };
        }
        host.open += 1;
        self.next_id = next;
        Checkout::Connect {
            id: ConnectionId(next),
        }
    }

    /// A waiter gave up (its request was dropped): it leaves the queue.
    pub fn cancel_wait(&mut self, key: &K, waiter: WaiterId) {
        if let Some(host) = self.hosts.get_mut(key) {
            host.waiters.retain(|w| *w != waiter);
        }
    }

    /// A connection's response ended. `reusable` is the core's verdict (`Reuse::KeepAlive`, the
    /// connection ready, nothing unread); `keep_alive` the server's `Keep-Alive: timeout`
    /// ([`ResponseHead::keep_alive_timeout`](crate::ResponseHead::keep_alive_timeout)).
    ///
    /// A reusable connection goes to the first waiter, if any, or becomes idle (limits enforced
    /// by evicting the least recently used); one that is not is dropped (see
    /// [`poll_evicted`](Self::poll_evicted)) and its place goes to the first waiter.
    pub fn checkin(
        &mut self,
        key: &K,
        id: ConnectionId,
        conn: C,
        reusable: bool,
        keep_alive: Option<Duration>,
        now: Instant,
    ) -> Option<Handoff<C>> {
        if !reusable {
            self.evicted.push_back(conn);
            return self.release(key, id);
        }
        let host = self.hosts.entry(key.clone()).or_default();
        if let Some(waiter) = host.waiters.pop_front() {
            return Some(Handoff {
                waiter,
                checkout: Checkout::Reuse { id, conn },
            });
        }
        let ours = self.config.idle_timeout;
        let theirs = keep_alive.map(|t| t.saturating_sub(self.config.keep_alive_margin));
        let lifetime = match (ours, theirs) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if lifetime == Some(Duration::ZERO) || self.config.max_idle_per_host == 0 {
            // The server's stated timeout leaves no safe time to reuse it.
            host.open = host.open.saturating_sub(1);
            self.evicted.push_back(conn);
            return None;
        }
        host.idle.push_back(Idle {
            id,
            conn,
            since: now,
            deadline: lifetime.map(|t| now + t),
        });
        self.idle_total += 1;
        if host.idle.len() > self.config.max_idle_per_host {
            if let Some(old) = host.idle.pop_front() {
                host.open = host.open.saturating_sub(1);
                self.idle_total -= 1;
                self.evicted.push_back(old.conn);
            }
        }
        while self.idle_total > self.config.max_idle_total {
            self.evict_least_recent();
        }
        None
    }

    /// A connection left the pool's count: it closed, failed to connect, or was found stale.
    /// Its place goes to the first waiter, as leave to connect.
    pub fn release(&mut self, key: &K, _id: ConnectionId) -> Option<Handoff<C>> {
        let next = self.next_id + 1;
        let host = self.hosts.get_mut(key)?;
        host.open = host.open.saturating_sub(1);
        let waiter = host.waiters.pop_front()?;
        host.open += 1;
        self.next_id = next;
        Some(Handoff {
            waiter,
            checkout: Checkout::Connect {
                id: ConnectionId(next),
            },
        })
    }

    fn evict_least_recent(&mut self) {
        let oldest = self
            .hosts
            .iter()
            .filter_map(|(k, h)| h.idle.front().map(|i| (i.since, k.clone())))
            .min_by_key(|(since, _)| *since);
        if let Some((_, key)) = oldest {
            if let Some(host) = self.hosts.get_mut(&key) {
                if let Some(idle) = host.idle.pop_front() {
                    host.open = host.open.saturating_sub(1);
                    self.idle_total -= 1;
                    self.evicted.push_back(idle.conn);
                }
            }
        }
    }

    /// Evicts every idle connection whose deadline passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        for host in self.hosts.values_mut() {
            let before = host.idle.len();
            let mut kept = VecDeque::with_capacity(before);
            for idle in host.idle.drain(..) {
                if idle.deadline.is_some_and(|d| d <= now) {
                    self.evicted.push_back(idle.conn);
                } else {
                    kept.push_back(idle);
                }
            }
            let gone = before - kept.len();
            host.idle = kept;
            host.open = host.open.saturating_sub(gone);
            self.idle_total -= gone;
        }
        self.hosts
            .retain(|_, h| h.open > 0 || !h.waiters.is_empty() || !h.idle.is_empty());
    }

    /// The earliest idle deadline, or `None`.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.hosts
            .values()
            .flat_map(|h| h.idle.iter().filter_map(|i| i.deadline))
            .min()
    }

    /// The next connection the pool let go (over a limit, expired, not reusable): close it.
    pub fn poll_evicted(&mut self) -> Option<C> {
        self.evicted.pop_front()
    }

    /// Idle connections for `key`.
    pub fn idle(&self, key: &K) -> usize {
        self.hosts.get(key).map_or(0, |h| h.idle.len())
    }

    /// Connections counted for `key`: idle, in use and connecting.
    pub fn open(&self, key: &K) -> usize {
        self.hosts.get(key).map_or(0, |h| h.open)
    }

    /// Idle connections in all.
    pub fn idle_total(&self) -> usize {
        self.idle_total
    }

    /// Requests waiting for `key`.
    pub fn waiting(&self, key: &K) -> usize {
        self.hosts.get(key).map_or(0, |h| h.waiters.len())
    }

    /// Whether a request that failed with `error` on attempt `attempt` (0 for the first) is
    /// sent once more, on a fresh connection. Go's Transport rule, on the core's facts: only
    /// after a failure on a **reused** connection (the stale keep-alive race), only once, and
    /// only when the core says it is safe ([`RequestError::is_retryable`]: nothing was sent, or
    /// it was sent, no response byte came, and the request is replayable). A POST that may have
    /// reached the server is never sent again.
    pub fn should_retry(&self, error: &RequestError, attempt: u32) -> bool {
        self.config.retry
            && attempt == 0
            && error.reused_connection()
            && error.is_retryable()
            && !matches!(error.kind(), FailureKind::Protocol(_))
    }

    /// Whether a `408` answer is the server's idle close racing the request, to be treated like
    /// a stale connection (RFC 9110 §15.5.9 allows repeating the request): it came on a reused
    /// connection, closes it, and the request is replayable; and only once.
    pub fn should_retry_408(
        &self,
        reused: bool,
        closes: bool,
        replayable: bool,
        attempt: u32,
    ) -> bool {
        self.config.retry && attempt == 0 && reused && closes && replayable
    }
}

#[cfg(test)]
mod tests;
