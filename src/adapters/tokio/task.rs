//! The connection task: the reader side. It owns the transport, reads into one `BytesMut`,
//! hands what it read to the core, writes what the core polls out, arms the core's deadline,
//! and moves the core's events to the handles in event order: the request's events into the
//! inbox first, then the close signal.

use crate::{Bytes, BytesMut, CloseReason, Event, Instant};
use bytes::Buf;
use std::boxed::Box;
use std::collections::VecDeque;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use ::tokio::sync::watch;
use ::tokio::time::Sleep;

/// How much the task asks of the transport at a time, at first and whenever reads are small.
pub(super) const READ_SIZE: usize = 64 * 1024;
/// The most it asks for: after a read that filled all it was offered (a long body is arriving)
/// the next read is offered twice as much, up to this; fewer reads per megabyte, fewer wake-ups.
const MAX_READ_SIZE: usize = 4 * READ_SIZE;
/// Body bytes waiting in the inbox above which the task stops reading (backpressure: a caller
/// that reads slowly is not sent the whole body into memory).
const MAX_BACKLOG: usize = 4 * READ_SIZE;
/// Read buffers kept for reuse while the core's events still view them: enough to cover the
/// backlog, so a long body is read without allocating once they are all in use.
const SPARE_BUFFERS: usize = MAX_BACKLOG / READ_SIZE + 2;
/// Most pieces gathered into one vectored write.
const MAX_IOV: usize = 8;
/// Progress steps in one poll before the task yields to the runtime.
const MAX_STEPS: usize = 64;

/// What the handles and the task share, under one lock.
pub(super) struct State<T> {
    pub(super) machine: crate::Connection,
    /// Events of requests, in the order the machine reported them: the response channel.
    /// Each consumer takes the events of its own request.
    pub(super) inbox: VecDeque<Event>,
    /// Body bytes in `inbox`.
    inbox_bytes: usize,
    /// The close signal: set after every event before it was put in the inbox.
    pub(super) closed: Option<CloseReason>,
    /// `StopSending` was reported for the request in flight (reset by `send`).
    pub(super) stopped: bool,
    /// The task stopped reading because of `MAX_BACKLOG`; a consumer wakes it.
    read_paused: bool,
    /// Body bytes an uploader handed to the core that the task has not polled out yet (less
    /// the framing polled meanwhile: an estimate that errs on the low side). Bytes the core
    /// holds back for `Expect: 100-continue` stay counted, so an uploader waits for the `100`
    /// (or the core's expect-continue timer) instead of queueing its whole body.
    pub(super) unsent: usize,
    /// An uploader waits for `unsent` to reach zero.
    pub(super) drain_waiting: bool,
    /// The connection task, woken for writes, cancels, closes and backpressure release.
    task: Option<Waker>,
    /// The one caller waiting on this connection (for an event, an upload slot, the upgraded
    /// transport): one request is in flight at a time.
    waiter: Option<Waker>,
    /// The task has ended (the transport is dropped, or handed over in `upgraded`).
    pub(super) task_done: bool,
    /// The transport, after an accepted upgrade, for `Response::into_upgraded`.
    pub(super) upgraded: Option<T>,
    /// The upgraded response was dropped without taking the transport: it is dropped too.
    pub(super) upgrade_abandoned: bool,
}

pub(super) struct Shared<T> {
    state: Mutex<State<T>>,
    /// The close signal for `Connection::closed`, sent (under the lock) right after `closed`
    /// was set.
    pub(super) close_tx: watch::Sender<Option<CloseReason>>,
    /// The runtime clock's origin for the core's `Instant`s.
    epoch: ::tokio::time::Instant,
    /// Live `Connection` handles (a `Response` holds one). At zero the task closes and ends.
    pub(super) handles: AtomicUsize,
}

/// Locks, ignoring poisoning: every core call is atomic, so a panic elsewhere left the state
/// consistent.
fn lock<X>(mutex: &Mutex<X>) -> MutexGuard<'_, X> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Registers `cx`'s waker in `slot`, cloning only when it changed.
pub(super) fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(w) if w.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

impl<T> Shared<T> {
    pub(super) fn new(machine: crate::Connection) -> Self {
        Shared {
            state: Mutex::new(State {
                machine,
                inbox: VecDeque::new(),
                inbox_bytes: 0,
                closed: None,
                stopped: false,
                read_paused: false,
                unsent: 0,
                drain_waiting: false,
                task: None,
                waiter: None,
                task_done: false,
                upgraded: None,
                upgrade_abandoned: false,
            }),
            close_tx: watch::Sender::new(None),
            epoch: ::tokio::time::Instant::now(),
            handles: AtomicUsize::new(1),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        lock(&self.state)
    }

    /// The core's `now`: the runtime clock since this connection was created.
    pub(super) fn now(&self) -> Instant {
        Instant::from_duration(self.epoch.elapsed())
    }

    /// Moves the machine's events into the inbox, in order, then raises the close signal
    /// (`closed`, then the watch): the order the Go fix needs, by construction, because the
    /// machine yields `Closed` last. Wakes the waiter (after the lock is released, by
    /// [`Wake`]) when anything was delivered.
    pub(super) fn pump(&self, st: &mut State<T>) -> Wake {
        let mut delivered = false;
        while let Some(event) = st.machine.poll_event() {
            delivered |= !matches!(event, Event::Idle);
            match event {
                Event::Closed { reason } => {
                    st.closed = Some(reason);
                    self.close_tx.send_replace(Some(reason));
                }
                Event::Idle => {}
                Event::StopSending { .. } => st.stopped = true,
                other => {
                    if let Event::Data { data, .. } = &other {
                        st.inbox_bytes += data.len();
                    }
                    st.inbox.push_back(other);
                }
            }
        }
        Wake::one(if delivered { st.waiter.take() } else { None })
    }

    /// Takes the next event of request `id` from the inbox; with none there, `None` once the
    /// close signal is up (the inbox was looked at first, under the same lock), else registers
    /// `cx` and waits.
    pub(super) fn poll_event(&self, id: crate::RequestId, cx: &Context<'_>) -> Poll<Option<Event>> {
        let mut st = self.lock();
        // Usually the front event is the caller's: take it without a search or a shift.
        let found = if st.inbox.front().is_some_and(|e| e.request_id() == Some(id)) {
            st.inbox.pop_front()
        } else {
            let at = st.inbox.iter().position(|e| e.request_id() == Some(id));
            at.and_then(|at| st.inbox.remove(at))
        };
        if let Some(event) = found {
            let wake = match &event {
                Event::Data { data, .. } => st.consumed(data.len()),
                _ => Wake::default(),
            };
            drop(st);
            wake.now();
            return Poll::Ready(Some(event));
        }
        if st.closed.is_some() {
            return Poll::Ready(None);
        }
        register(&mut st.waiter, cx);
        Poll::Pending
    }

    /// Drops every inbox event of request `id` (its consumer is gone).
    pub(super) fn discard(&self, st: &mut State<T>, id: crate::RequestId) -> Wake {
        let mut freed = 0;
        st.inbox.retain(|e| match e {
            Event::Data { id: of, data } if *of == id => {
                freed += data.len();
                false
            }
            e => e.request_id() != Some(id),
        });
        st.consumed(freed)
    }

    /// Wakes the task (after the lock is released, by [`Wake`]).
    pub(super) fn wake_task(st: &mut State<T>) -> Wake {
        Wake::one(st.task.take())
    }

    /// Registers the waiter.
    pub(super) fn wait(st: &mut State<T>, cx: &Context<'_>) {
        register(&mut st.waiter, cx);
    }
}

impl<T> State<T> {
    /// `n` body bytes left the inbox: resumes a task paused by backpressure.
    fn consumed(&mut self, n: usize) -> Wake {
        self.inbox_bytes -= n;
        if self.read_paused && self.inbox_bytes < MAX_BACKLOG / 2 {
            self.read_paused = false;
            return Wake::one(self.task.take());
        }
        Wake::default()
    }
}

/// Wakers to wake once the lock is released (a woken thread then does not meet it held): at
/// most the task and the waiter.
#[must_use]
#[derive(Default)]
pub(super) struct Wake([Option<Waker>; 2]);

impl Wake {
    pub(super) fn one(waker: Option<Waker>) -> Self {
        Wake([waker, None])
    }

    /// Both sets of wakers (a waker in both is woken once).
    pub(super) fn and(mut self, other: Wake) -> Self {
        for waker in other.0.into_iter().flatten() {
            match self
                .0
                .iter_mut()
                .find(|w| w.as_ref().is_none_or(|w| w.will_wake(&waker)))
            {
                Some(slot) => *slot = Some(waker),
                // Not reached (there are two kinds of waker); woken at once all the same.
                None => waker.wake(),
            }
        }
        self
    }

    pub(super) fn now(self) {
        for waker in self.0.into_iter().flatten() {
            waker.wake();
        }
    }
}

/// The connection task's future.
pub(super) struct Driver<T> {
    shared: std::sync::Arc<Shared<T>>,
    /// `None` once the task ended.
    io: Option<T>,
    /// The read buffer: reads fill its spare capacity; what was read is split off and handed
    /// to the core without a copy, and the capacity comes back once the core's views are gone.
    buf: BytesMut,
    /// Earlier read buffers, reused once every view of them is dropped.
    spare: VecDeque<BytesMut>,
    /// What the next read is offered: `READ_SIZE` to `MAX_READ_SIZE` (see `MAX_READ_SIZE`).
    read_size: usize,
    /// Polled bytes not yet written, in order (bytes count as sent once polled: only what
    /// the next write takes is polled).
    writing: VecDeque<Bytes>,
    flush: bool,
    vectored: bool,
    /// The deadline timer, created at the first deadline.
    sleep: Option<Pin<Box<Sleep>>>,
    /// The deadline `sleep` is set for (`None`: fired, or never set).
    armed: Option<Instant>,
    done: bool,
}

enum Step {
    Progress,
    Idle,
    Done,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Driver<T> {
    pub(super) fn new(shared: std::sync::Arc<Shared<T>>, io: T) -> Self {
        Driver {
            vectored: io.is_write_vectored(),
            shared,
            io: Some(io),
            buf: BytesMut::new(),
            spare: VecDeque::new(),
            read_size: READ_SIZE,
            writing: VecDeque::new(),
            flush: false,
            sleep: None,
            armed: None,
            done: false,
        }
    }

    /// One turn: take the state's news, then try to write, read and fire the timer once each.
    fn step(&mut self, cx: &mut Context<'_>) -> Step {
        let shared = &*self.shared;
        let mut st = shared.lock();
        register(&mut st.task, cx);
        let mut wake = Wake::default();
        if shared.handles.load(Ordering::Acquire) == 0 && st.closed.is_none() {
            // No handle is left to send or read: close now (nothing can be in flight, as a
            // `Response` holds a handle; `abort` fails anything that is, all the same).
            let _ = st.machine.abort();
            wake = shared.pump(&mut st);
        }
        if let Some(reason) = st.closed {
            self.done = true;
            let io = self.io.take();
            let (kept, dropped) = if reason == CloseReason::Upgraded && !st.upgrade_abandoned {
                (io, None)
            } else {
                (None, io)
            };
            st.upgraded = kept;
            st.task_done = true;
            let waiter = Wake::one(st.waiter.take());
            drop(st);
            drop(dropped);
            wake.now();
            waiter.now();
            return Step::Done;
        }
        let mut gathered = 0;
        if self.writing.is_empty() {
            while self.writing.len() < if self.vectored { MAX_IOV } else { 1 }
                && gathered < READ_SIZE
            {
                let Some(bytes) = st.machine.poll_transmit() else {
                    break;
                };
                gathered += bytes.len();
                self.writing.push_back(bytes);
            }
        }
        st.unsent = st.unsent.saturating_sub(gathered);
        if st.drain_waiting && st.unsent == 0 {
            st.drain_waiting = false;
            wake = wake.and(Wake::one(st.waiter.take()));
        }
        let read = st.inbox_bytes < MAX_BACKLOG;
        st.read_paused = !read;
        let deadline = st.machine.poll_timeout();
        drop(st);
        wake.now();

        let Some(io) = self.io.as_mut() else {
            return Step::Done;
        };
        let mut progressed = false;

        // Write.
        if !self.writing.is_empty() {
            let result = if self.vectored && self.writing.len() > 1 {
                let mut iov = [IoSlice::new(&[]); MAX_IOV];
                for (slot, bytes) in iov.iter_mut().zip(&self.writing) {
                    *slot = IoSlice::new(bytes);
                }
                Pin::new(&mut *io).poll_write_vectored(cx, &iov[..self.writing.len()])
            } else {
                Pin::new(&mut *io).poll_write(cx, &self.writing[0])
            };
            match result {
                Poll::Ready(Ok(n)) if n > 0 => {
                    advance(&mut self.writing, n);
                    self.flush = true;
                    progressed = true;
                }
                Poll::Ready(_) => {
                    self.write_failed();
                    progressed = true;
                }
                Poll::Pending => {}
            }
        } else if self.flush {
            match Pin::new(&mut *io).poll_flush(cx) {
                Poll::Ready(Ok(())) => self.flush = false,
                Poll::Ready(Err(_)) => {
                    self.write_failed();
                    progressed = true;
                }
                Poll::Pending => {}
            }
        }

        // Read, idle or not: an idle close, a 408 or an early response is noticed at once.
        if read {
            self.make_room();
            let Some(io) = self.io.as_mut() else {
                return Step::Done;
            };
            let offered = self.buf.capacity() - self.buf.len();
            let result = pin!(io.read_buf(&mut self.buf)).poll(cx);
            if let Poll::Ready(result) = result {
                progressed = true;
                self.read_size = match result {
                    Ok(n) if n == offered => (self.read_size * 2).min(MAX_READ_SIZE),
                    Ok(n) if n < self.read_size / 4 => READ_SIZE,
                    _ => self.read_size,
                };
                let shared = &*self.shared;
                let mut st = shared.lock();
                let now = shared.now();
                // `Err(Closed)` from an input is routine once the close was decided.
                let _ = match result {
                    Ok(0) => st.machine.handle_eof(now),
                    Ok(_) => st.machine.handle_input_buf(self.buf.split(), now),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
                    Err(_) => st.machine.handle_read_error(now),
                };
                let wake = shared.pump(&mut st);
                drop(st);
                wake.now();
            }
        }

        // The core's deadline on the runtime's timer. A later deadline leaves an earlier timer
        // armed: it fires early, which is harmless, and is re-armed then.
        if let Some(deadline) = deadline {
            let at = self.shared.epoch + deadline.duration_since_epoch();
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(::tokio::time::sleep_until(at)));
            match self.armed {
                Some(armed) if armed <= deadline => {}
                _ => {
                    sleep.as_mut().reset(at);
                    self.armed = Some(deadline);
                }
            }
            if sleep.as_mut().poll(cx).is_ready() {
                let fired = self.armed.take().unwrap_or(deadline);
                progressed = true;
                let shared = &*self.shared;
                let mut st = shared.lock();
                // The timer said the deadline passed: never hand the core an earlier `now`.
                let now = shared.now().max(fired);
                st.machine.handle_timeout(now);
                let wake = shared.pump(&mut st);
                drop(st);
                wake.now();
            }
        }

        if progressed {
            Step::Progress
        } else {
            Step::Idle
        }
    }

    /// Gives the read buffer room for a read: its own memory back if every view of it was
    /// dropped, else a spare buffer whose views were, else a new one (the old one waits in the
    /// spares, or is freed with its last view).
    fn make_room(&mut self) {
        let want = self.read_size;
        if self.buf.capacity() - self.buf.len() >= want / 4 || self.buf.try_reclaim(want) {
            return;
        }
        let old = std::mem::take(&mut self.buf);
        for _ in 0..self.spare.len() {
            let Some(mut spare) = self.spare.pop_front() else {
                break;
            };
            if spare.try_reclaim(want) {
                self.buf = spare;
                break;
            }
            self.spare.push_back(spare);
        }
        if self.spare.len() < SPARE_BUFFERS {
            self.spare.push_back(old);
        }
        if self.buf.capacity() - self.buf.len() < want / 4 {
            self.buf.reserve(want);
        }
    }

    fn write_failed(&mut self) {
        self.writing.clear();
        self.flush = false;
        let shared = &*self.shared;
        let mut st = shared.lock();
        let _ = st.machine.handle_write_error(shared.now());
        let wake = shared.pump(&mut st);
        drop(st);
        wake.now();
    }
}

/// Drops `n` written bytes from the front of `queue`.
fn advance(queue: &mut VecDeque<Bytes>, mut n: usize) {
    while n > 0 {
        let Some(front) = queue.front_mut() else {
            return;
        };
        if n >= front.len() {
            n -= front.len();
            queue.pop_front();
        } else {
            front.advance(n);
            n = 0;
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> Future for Driver<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        for _ in 0..MAX_STEPS {
            match this.step(cx) {
                Step::Progress => {}
                Step::Idle => return Poll::Pending,
                Step::Done => return Poll::Ready(()),
            }
        }
        // Busy: let the runtime run others, then carry on.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl<T> Drop for Driver<T> {
    /// The task ends on `Closed`; dropped before that (the runtime shut down), it closes the
    /// connection so no caller waits forever.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let shared = &*self.shared;
        let mut st = shared.lock();
        let _ = st.machine.abort();
        let wake = shared.pump(&mut st);
        st.task_done = true;
        let waiter = Wake::one(st.waiter.take());
        drop(st);
        wake.now();
        waiter.now();
    }
}
