//! The blocking adapter: an HTTP/1.1 client connection over any [`Transport`] (a `TcpStream`,
//! a TLS stream, a Unix socket), driven by the threads that wait on it. No thread of its own.
//!
//! ```
//! use h1conn::blocking::{Body, Connection};
//! use h1conn::{Config, Request};
//! use std::io::Read;
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
//! let conn = Connection::connect(addr, Config::default())?;
//! for path in ["/a", "/b"] {
//!     // Keep-alive: both requests go over the one connection when the server allows it.
//!     let request = Request::get(path).header("Host", "127.0.0.1");
//!     let mut response = conn.send(&request, Body::Empty)?;
//!     let mut body = String::new();
//!     response.read_to_string(&mut body)?;
//!     println!("{path}: {} {body:?}", response.status()); // "/a: 200 \"hello\""
//! }
//! if let Some(reason) = conn.close_reason() {
//!     println!("closed: {reason}"); // the server asked for it
//! }
//! # server.join().unwrap()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Who runs the reader side
//! The thread that waits. A caller waiting for its response head or body bytes takes the
//! transport, reads, hands the bytes to the core machine, and moves the resulting events into
//! the connection's inbox, in event order, then raises the close signal if the machine decided
//! the close, all under one lock. A caller that finds its inbox empty and the close signal up
//! looks at the inbox once more under that same lock before it reports anything, so a response
//! whose bytes arrived is never lost to the close that followed it (the Go 2014 race). When
//! another thread is already reading, a waiter sleeps on a condition variable until the reader
//! has delivered. On the hot path (one thread sends and reads) there is no thread hop at all.
//! `docs/adapters.md` has the full design and what `tests/loom_handoff.rs` model-checks.
//!
//! ## Failures
//! Every request failure is the core's [`RequestError`], retry verdict intact; a read error is
//! handed to [`Connection::handle_read_error`](crate::Connection::handle_read_error), a write
//! error to [`handle_write_error`](crate::Connection::handle_write_error), EOF to
//! [`handle_eof`](crate::Connection::handle_eof). Nothing waits on a timer or polls: a hang-up
//! wakes the blocked read at once.

mod client;
mod sync;
mod transport;

pub use crate::pool::PoolKey;
pub use client::{Client, PooledResponse};
pub use transport::Transport;

use self::sync::{Arc, Condvar, Mutex, MutexGuard, lock, wait};
use crate::adapter_trace::trace_debug;
use crate::{
    Bytes, BytesMut, CloseReason, Config, Event, Headers, Instant, Request, RequestBody,
    RequestError, RequestId, ResponseHead, Reuse, UsageError,
};
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::vec::Vec;

/// How much the reader asks of the transport at a time.
const READ_SIZE: usize = 64 * 1024;

/// The body of a request.
#[non_exhaustive]
pub enum Body<'a> {
    /// No body.
    Empty,
    /// The whole body, in memory. Framed with `Content-Length` unless the request declares
    /// [`RequestBody::Chunked`].
    Bytes(Bytes),
    /// A body streamed from a reader, in pieces of up to 64 KiB. Framed as the request
    /// declares; chunked when it declares nothing.
    Reader(&'a mut (dyn Read + Send)),
}

impl fmt::Debug for Body<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Reader(_) => f.write_str("Reader"),
        }
    }
}

/// Why a call of the blocking adapter failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request failed: the core's verdict, with [`RequestError::is_retryable`].
    Request(RequestError),
    /// The call was refused (for example [`UsageError::Busy`] while another request is in
    /// flight, or [`UsageError::Closed`]); nothing was sent.
    Usage(UsageError),
    /// Reading the request body from the caller's reader failed; the request was canceled.
    Body(io::Error),
    /// Opening a connection failed ([`Client`] only); nothing was sent.
    Connect(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Request(e) => write!(f, "request failed: {e}"),
            Error::Usage(e) => write!(f, "refused: {e}"),
            Error::Body(e) => write!(f, "reading the request body failed: {e}"),
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

/// What the threads share, under one lock: the machine and what it reported.
struct State {
    machine: crate::Connection,
    /// Events of the request in flight, in the order the machine reported them: its channel.
    inbox: VecDeque<Event>,
    /// The close signal: set after every event before it was put in the inbox.
    closed: Option<CloseReason>,
    /// A thread holds the transport (reading, or writing a request).
    io_busy: bool,
    /// The request's body is being written by its sender: nobody else may take the transport.
    uploading: bool,
    /// Threads sleeping on `changed`: a notify costs a system call, so it is skipped without.
    waiters: usize,
}

/// See [`Transport::interrupter`].
type Interrupter = std::boxed::Box<dyn Fn() + Send + Sync>;

/// The transport and the read buffer, used by the thread that holds the I/O token.
struct Io<T> {
    /// `None` once the connection closed (the transport is dropped then) or was upgraded.
    transport: Option<T>,
    /// Read buffer: its length is its initialised capacity; reads fill its front, and what was
    /// read is split off and handed to the machine without a copy.
    buf: BytesMut,
    /// The read timeout last set on the transport (`None`: never set). Setting it is a system
    /// call for a socket; without a deadline it is `Some(None)` on every read, so it is set
    /// only when it changes.
    read_timeout: Option<Option<std::time::Duration>>,
}

struct Shared<T> {
    state: Mutex<State>,
    /// Signalled whenever the state changes in a way a waiter may be waiting for: events
    /// delivered, the close decided, the I/O token or the upload flag released.
    changed: Condvar,
    io: Mutex<Io<T>>,
    /// Ends a blocked read or write from another thread ([`Transport::interrupter`]); dropped
    /// with the transport (it may hold a duplicate of the socket).
    interrupt: Mutex<Option<Interrupter>>,
    epoch: std::time::Instant,
}

impl<T> Shared<T> {
    /// Sleeps until the state changes.
    fn sleep<'a>(&self, mut st: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        st.waiters += 1;
        let mut st = wait(&self.changed, st);
        st.waiters -= 1;
        st
    }

    /// Wakes every sleeper, if there is one.
    fn wake(&self, st: &State) {
        if st.waiters > 0 {
            self.changed.notify_all();
        }
    }
}

/// A blocking HTTP/1.1 client connection: one transport, one request at a time.
///
/// Cheap to clone (a reference count): clones are handles to the same connection and may be
/// used from several threads; [`Response`] handles are owned and `Send`.
pub struct Connection<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for Connection<T> {
    fn clone(&self) -> Self {
        Connection {
            shared: self.shared.clone(),
        }
    }
}

impl<T> fmt::Debug for Connection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.shared.state);
        f.debug_struct("Connection")
            .field("in_flight", &st.machine.in_flight())
            .field("closed", &st.closed)
            .finish()
    }
}

impl Connection<TcpStream> {
    /// Opens a plain TCP connection to `addr` (with `TCP_NODELAY`: a request head must not wait
    /// for Nagle's algorithm).
    pub fn connect(addr: impl ToSocketAddrs, config: Config) -> io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Connection::new(stream, config))
    }
}

impl<T: Transport> Connection<T> {
    /// A connection over a transport the caller has just opened.
    pub fn new(transport: T, config: Config) -> Self {
        let interrupt = transport.interrupter();
        // The adapter owns the clock: the core only ever sees `Instant`s.
        #[allow(clippy::disallowed_methods)]
        let epoch = std::time::Instant::now();
        Connection {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    machine: crate::Connection::new(config),
                    inbox: VecDeque::new(),
                    closed: None,
                    io_busy: false,
                    uploading: false,
                    waiters: 0,
                }),
                changed: Condvar::new(),
                io: Mutex::new(Io {
                    transport: Some(transport),
                    buf: BytesMut::new(),
                    read_timeout: None,
                }),
                interrupt: Mutex::new(interrupt),
                epoch,
            }),
        }
    }

    fn now(&self) -> Instant {
        Instant::from_duration(self.shared.epoch.elapsed())
    }

    /// Why the connection closed, once it has (no request in flight will be answered then).
    pub fn close_reason(&self) -> Option<CloseReason> {
        lock(&self.shared.state).closed
    }

    /// Whether a request sent now would be accepted: open, nothing in flight.
    pub fn is_ready(&self) -> bool {
        let st = lock(&self.shared.state);
        st.closed.is_none() && st.machine.is_ready()
    }

    /// Sends a request and waits for its final response head (informational responses before
    /// it are kept in [`Response::informational`]). Writing and reading happen on this thread.
    ///
    /// Errors: [`Error::Usage`] when the connection refuses the request (closed, or a request
    /// in flight: this connection does not pipeline); [`Error::Request`] when it failed, with
    /// the core's retry verdict; [`Error::Body`] when `body`'s reader failed.
    pub fn send(&self, request: &Request<'_>, body: Body<'_>) -> Result<Response<T>, Error> {
        let framed;
        let request = match (&body, request.body_framing()) {
            (Body::Bytes(b), RequestBody::None) if !b.is_empty() => {
                framed = request.clone().body(RequestBody::Length(b.len() as u64));
                &framed
            }
            (Body::Reader(_), RequestBody::None) => {
                framed = request.clone().body(RequestBody::Chunked);
                &framed
            }
            _ => request,
        };
        let id = {
            let mut st = self.take_io(false);
            let id = match st.machine.send_request(request, self.now()) {
                Ok(id) => id,
                Err(e) => {
                    self.give_io(st);
                    return Err(e.into());
                }
            };
            // (Events of an earlier response still unread stay in the inbox for their own
            // `Response`: every lookup is by request id.)
            st.uploading = matches!(body, Body::Reader(_));
            if !matches!(body, Body::Reader(_)) {
                let bytes = match &body {
                    Body::Bytes(bytes) if !bytes.is_empty() => Some(bytes.clone()),
                    _ => None,
                };
                let declared = request.body_framing() != RequestBody::None;
                let sent = bytes
                    .map_or(Ok(()), |b| st.machine.send_body(id, b, self.now()))
                    .and_then(|()| {
                        // A whole body in memory is finished here: a chunked one gets its last
                        // chunk, a Content-Length one must be complete (else `BodyTooShort`).
                        if declared {
                            st.machine.finish_body(id, self.now())
                        } else {
                            Ok(())
                        }
                    });
                if let Err(e) = sent {
                    // The declared framing does not fit the bytes: withdraw the request.
                    let _ = st.machine.cancel(id, self.now());
                    pump(&mut st);
                    self.give_io(st);
                    self.drop_transport_if_closed();
                    return Err(e.into());
                }
            }
            let st = self.flush(st);
            self.give_io(st);
            id
        };
        if let Body::Reader(reader) = body {
            self.upload(id, reader)?;
        }
        let mut informational = Vec::new();
        loop {
            match self.next_event(id) {
                Some(Event::Informational { head, .. }) => informational.push(head),
                Some(Event::Head { head, .. }) => {
                    return Ok(Response {
                        conn: self.clone(),
                        id,
                        head,
                        informational,
                        chunk: Bytes::new(),
                        pending: VecDeque::new(),
                        end: None,
                        upgraded: None,
                    });
                }
                Some(Event::RequestFailed { error, .. }) => return Err(Error::Request(error)),
                Some(_) => {}
                None => return Err(Error::Usage(UsageError::Closed)),
            }
        }
    }

    /// Streams `reader` as the body of request `id`, watching for an early response between
    /// writes.
    fn upload(&self, id: RequestId, reader: &mut (dyn Read + Send)) -> Result<(), Error> {
        let mut piece = std::vec![0u8; READ_SIZE];
        let result = loop {
            let unwind = ReleaseOnUnwind::new(&self.shared);
            let read = reader.read(&mut piece);
            drop(unwind);
            let n = match read {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(Error::Body(e)),
            };
            let mut st = self.take_io(true);
            let sent = if n == 0 {
                st.machine.finish_body(id, self.now())
            } else {
                st.machine
                    .send_body(id, Bytes::copy_from_slice(&piece[..n]), self.now())
            };
            let mut st = self.flush(st);
            if sent.is_ok() && n > 0 {
                st = self.read_available(st);
            }
            // While the core holds the body for `Expect: 100-continue`, read no more of it:
            // wait (reading) for the `100`, a final head, or the expect-continue deadline
            // (the read timeout is set to it), so a large body never piles up in memory.
            while st.machine.awaiting_continue() && st.closed.is_none() {
                st = self.read_once(st, None);
            }
            let stop = sent.is_err() || n == 0 || st.closed.is_some();
            self.give_io(st);
            match sent {
                // The core wants no more of it (an early response, a write error, the close):
                // a normal end of the upload; the response says the rest.
                Err(UsageError::BodyNotWanted | UsageError::Closed) => break Ok(()),
                // The body does not fit its declared framing (too long or too short).
                Err(e) => break Err(Error::Usage(e)),
                Ok(()) if stop => break Ok(()),
                Ok(()) => {}
            }
        };
        let mut st = lock(&self.shared.state);
        st.uploading = false;
        self.shared.wake(&st);
        if let Err(e) = result {
            let _ = st.machine.cancel(id, self.now());
            pump(&mut st);
            drop(st);
            self.drop_transport_if_closed();
            return Err(e);
        }
        Ok(())
    }

    /// Waits for the next event of request `id`, reading the transport itself when nobody else
    /// is. `None` when the connection closed with nothing more for the request.
    fn next_event(&self, id: RequestId) -> Option<Event> {
        self.next_event_and_data(id, None, None)
    }

    /// [`next_event`](Self::next_event); when that is a `Data` event at the front of the inbox
    /// and `more` is given, every `Data` of the same request right behind it is moved into
    /// `more` under the same lock (one lock per read instead of one per chunk; the order is
    /// kept, and nothing of another request is touched). With `until`, gives up (`None`, as
    /// for a close) once that time has passed: reads wait no longer than it.
    fn next_event_and_data(
        &self,
        id: RequestId,
        more: Option<&mut VecDeque<Bytes>>,
        until: Option<Instant>,
    ) -> Option<Event> {
        let mut st = lock(&self.shared.state);
        loop {
            // The inbox first, then the close signal, under one lock: a response delivered
            // before the close is always seen (Go's rule, made structural).
            // Usually the front event is the caller's: take it without a search or a shift.
            if st.inbox.front().is_some_and(|e| e.request_id() == Some(id)) {
                let event = st.inbox.pop_front();
                if let (Some(Event::Data { .. }), Some(more)) = (&event, more) {
                    while matches!(st.inbox.front(), Some(Event::Data { id: of, .. }) if *of == id)
                    {
                        if let Some(Event::Data { data, .. }) = st.inbox.pop_front() {
                            more.push_back(data);
                        }
                    }
                }
                return event;
            }
            if let Some(at) = st.inbox.iter().position(|e| e.request_id() == Some(id)) {
                return st.inbox.remove(at);
            }
            if st.closed.is_some() || until.is_some_and(|until| self.now() >= until) {
                return None;
            }
            if st.io_busy || st.uploading {
                st = self.shared.sleep(st);
                continue;
            }
            st.io_busy = true;
            st = self.read_once(st, until);
            st.io_busy = false;
            self.shared.wake(&st);
        }
    }

    /// One read of the transport (the caller holds the I/O token), handed to the machine,
    /// events pumped into the inbox.
    fn read_once<'a>(
        &'a self,
        st: MutexGuard<'a, State>,
        until: Option<Instant>,
    ) -> MutexGuard<'a, State> {
        // The read waits until the core's next deadline, or `until` if that comes first.
        let deadline = crate::time::earliest(st.machine.poll_timeout(), until);
        drop(st);
        let mut io = lock(&self.shared.io);
        let io = &mut *io;
        let result = match io.transport.as_mut() {
            None => Ok(None),
            Some(transport) => {
                let _unwind = ReleaseOnUnwind::new(&self.shared);
                let timeout = deadline.map(|d| d.saturating_duration_since(self.now()));
                if io.read_timeout != Some(timeout) {
                    let set = transport.set_read_timeout(timeout);
                    io.read_timeout = set.is_ok().then_some(timeout);
                }
                if io.buf.len() < READ_SIZE / 4 {
                    io.buf = BytesMut::zeroed(READ_SIZE);
                }
                read_into(transport, &mut io.buf).map(Some)
            }
        };
        let mut st = lock(&self.shared.state);
        let now = self.now();
        // `Err(Closed)` from an input is routine once the close was decided: ignored.
        let _ = match result {
            Ok(Some(bytes)) if bytes.is_empty() => st.machine.handle_eof(now),
            Ok(Some(bytes)) => st.machine.handle_input_buf(bytes, now),
            Ok(None) => Ok(()),
            Err(e) if is_timeout(&e) => Ok(()),
            Err(_) => st.machine.handle_read_error(now),
        };
        st.machine.handle_timeout(now);
        // A read with no transport left (closed elsewhere) is an EOF.
        if io.transport.is_none() {
            let _ = st.machine.handle_eof(now);
        }
        let st = self.write_pending(st, io);
        self.drop_transport_locked(&st, io);
        st
    }

    /// While uploading (the I/O token held): reads whatever already arrived, without waiting,
    /// so an early response is noticed between writes.
    fn read_available<'a>(&'a self, st: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        drop(st);
        let mut io = lock(&self.shared.io);
        let io = &mut *io;
        let mut got = None;
        if let Some(transport) = io.transport.as_mut() {
            let _unwind = ReleaseOnUnwind::new(&self.shared);
            if io.buf.len() < READ_SIZE / 4 {
                io.buf = BytesMut::zeroed(READ_SIZE);
            }
            got = match transport.read_now(&mut io.buf[..]) {
                Ok(Some(n)) => Some(Ok(io.buf.split_to(n))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            };
        }
        let mut st = lock(&self.shared.state);
        let now = self.now();
        let _ = match got {
            Some(Ok(bytes)) if bytes.is_empty() => st.machine.handle_eof(now),
            Some(Ok(bytes)) => st.machine.handle_input_buf(bytes, now),
            Some(Err(_)) => st.machine.handle_read_error(now),
            None => Ok(()),
        };
        pump(&mut st);
        self.drop_transport_locked(&st, io);
        st
    }

    /// Writes every byte the machine has to send (the I/O token held), in order.
    fn flush<'a>(&'a self, st: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let mut io = lock(&self.shared.io);
        let st = self.write_pending(st, &mut io);
        self.drop_transport_locked(&st, &mut io);
        st
    }

    fn write_pending<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        io: &mut Io<T>,
    ) -> MutexGuard<'a, State> {
        loop {
            // Poll only what is written next: bytes count as sent once polled.
            let Some(bytes) = st.machine.poll_transmit() else {
                break;
            };
            drop(st);
            let unwind = ReleaseOnUnwind::new(&self.shared);
            let written = match io.transport.as_mut() {
                Some(t) => t.write_all(&bytes).and_then(|()| t.flush()),
                None => Err(io::ErrorKind::NotConnected.into()),
            };
            drop(unwind);
            st = lock(&self.shared.state);
            if written.is_err() {
                let _ = st.machine.handle_write_error(self.now());
                break;
            }
        }
        pump(&mut st);
        st
    }

    /// Drops the transport once the machine decided the close (the socket is released even
    /// while handles to the connection remain). Needs the I/O token or the `io` lock held.
    fn drop_transport_locked(&self, st: &State, io: &mut Io<T>) {
        if st.closed.is_some() && st.closed != Some(CloseReason::Upgraded) {
            io.transport = None;
            lock(&self.shared.interrupt).take();
        }
    }

    /// After a close decided by a thread that does not hold the I/O token: drops the transport
    /// now, or, when another thread is blocked on it, interrupts that read or write (it then
    /// drops the transport itself at the end of its round). Never waits.
    fn drop_transport_if_closed(&self) {
        let st = lock(&self.shared.state);
        if st.closed.is_none() {
            return;
        }
        if st.io_busy {
            if let Some(interrupt) = lock(&self.shared.interrupt).as_ref() {
                interrupt();
            }
            return;
        }
        let mut io = lock(&self.shared.io);
        self.drop_transport_locked(&st, &mut io);
    }

    /// Takes the I/O token: waits while another thread holds it, and, unless the caller is the
    /// uploader itself, while a body is being uploaded.
    fn take_io(&self, uploader: bool) -> MutexGuard<'_, State> {
        let mut st = lock(&self.shared.state);
        while st.io_busy || (st.uploading && !uploader) {
            st = self.shared.sleep(st);
        }
        st.io_busy = true;
        st
    }

    fn give_io(&self, mut st: MutexGuard<'_, State>) {
        st.io_busy = false;
        self.shared.wake(&st);
    }

    /// Closes the connection once the request in flight (if any) is complete; at once when
    /// idle. The transport is dropped when the close is decided.
    pub fn close(&self) {
        let mut st = lock(&self.shared.state);
        let _ = st.machine.close();
        pump(&mut st);
        self.shared.wake(&st);
        drop(st);
        self.drop_transport_if_closed();
    }

    /// Notices, without waiting, whether the server closed this idle connection or sent bytes
    /// on it (a `408`, for example): reads what already arrived, if the transport can tell
    /// ([`Transport::read_now`]). Returns the close reason if the connection is closed now. A
    /// pool calls it before reusing a connection.
    pub fn check_idle(&self) -> Option<CloseReason> {
        let mut st = lock(&self.shared.state);
        if st.closed.is_none() && !st.io_busy && !st.uploading && st.machine.is_ready() {
            // Nobody reads an idle blocking connection, so its idle deadline is checked here.
            st.machine.handle_timeout(self.now());
            pump(&mut st);
        }
        if st.closed.is_none() && !st.io_busy && !st.uploading && st.machine.is_ready() {
            st.io_busy = true;
            st = self.read_available(st);
            st.io_busy = false;
            self.shared.wake(&st);
        }
        st.closed
    }

    /// Waits until the connection closes and returns why. While a request is in flight and no
    /// other thread is reading, this thread reads for it (delivering its events first, then the
    /// close). It does not read an idle connection (a send would then wait for that read): use
    /// [`check_idle`](Self::check_idle) to notice an idle close.
    pub fn wait_closed(&self) -> CloseReason {
        let mut st = lock(&self.shared.state);
        loop {
            if let Some(reason) = st.closed {
                return reason;
            }
            if st.io_busy || st.uploading || st.machine.in_flight().is_none() {
                st = self.shared.sleep(st);
                continue;
            }
            st.io_busy = true;
            st = self.read_once(st, None);
            st.io_busy = false;
            self.shared.wake(&st);
        }
    }
}

/// Moves the machine's events into the inbox, in order, and raises the close signal last.
fn pump(st: &mut State) {
    while let Some(event) = st.machine.poll_event() {
        match event {
            Event::Closed { reason } => {
                trace_debug!(%reason, "connection closed");
                st.closed = Some(reason);
            }
            Event::Idle => {}
            other => st.inbox.push_back(other),
        }
    }
}

/// Armed around every call into the caller's code made while this thread holds the I/O token
/// or the upload flag (the transport's reads and writes, a body reader): if that code panics,
/// the unwinding gives both back and closes the connection (its transport is in an unknown
/// state), so no other thread waits for the token forever. Must be created while the state
/// lock is not held by this thread (its drop takes it).
struct ReleaseOnUnwind<'a>(&'a Mutex<State>, &'a Condvar);

impl ReleaseOnUnwind<'_> {
    fn new<T>(shared: &Shared<T>) -> ReleaseOnUnwind<'_> {
        ReleaseOnUnwind(&shared.state, &shared.changed)
    }
}

impl Drop for ReleaseOnUnwind<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let mut st = lock(self.0);
        st.io_busy = false;
        st.uploading = false;
        let _ = st.machine.abort();
        pump(&mut st);
        self.1.notify_all();
    }
}

/// Reads once into the front of `buf` and splits off what was read (empty at EOF).
fn read_into<T: Read + ?Sized>(transport: &mut T, buf: &mut BytesMut) -> io::Result<BytesMut> {
    loop {
        match transport.read(&mut buf[..]) {
            Ok(n) => return Ok(buf.split_to(n)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A response: its head at once, its body as it arrives (as `Bytes` chunks, or through
/// [`Read`]), then its trailers.
///
/// Dropping it before the body ended cancels the request: HTTP/1.1 cannot abandon a response,
/// so the connection closes ([`CloseReason::Canceled`]), as the core decides.
pub struct Response<T: Transport> {
    conn: Connection<T>,
    id: RequestId,
    head: ResponseHead,
    informational: Vec<ResponseHead>,
    /// What is left of the last chunk, for `Read`.
    chunk: Bytes,
    /// Body pieces already taken from the inbox, in order (see `next_event_and_data`).
    pending: VecDeque<Bytes>,
    end: Option<Result<(Headers, Reuse), RequestError>>,
    upgraded: Option<Bytes>,
}

impl<T: Transport> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("id", &self.id)
            .field("head", &self.head)
            .field("end", &self.end)
            .finish()
    }
}

impl<T: Transport> Response<T> {
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

    /// The next piece of the body, `Ok(None)` once it ended. Pieces are views of the read
    /// buffer, not copies; their boundaries carry no meaning.
    pub fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        self.chunk_until(None)
    }

    /// [`chunk`](Self::chunk), giving up with [`UsageError::Closed`] once `until` has passed
    /// (the connection stays as it is: dropping the response then cancels it). For a pool's
    /// bounded drain.
    pub(crate) fn chunk_until(&mut self, until: Option<Instant>) -> Result<Option<Bytes>, Error> {
        if !self.chunk.is_empty() {
            return Ok(Some(std::mem::take(&mut self.chunk)));
        }
        if let Some(piece) = self.pending.pop_front() {
            return Ok(Some(piece));
        }
        loop {
            match &self.end {
                Some(Ok(_)) => return Ok(None),
                Some(Err(e)) => return Err(Error::Request(*e)),
                None => {}
            }
            match self
                .conn
                .next_event_and_data(self.id, Some(&mut self.pending), until)
            {
                Some(Event::Data { data, .. }) => return Ok(Some(data)),
                Some(Event::End {
                    trailers, reuse, ..
                }) => {
                    self.end = Some(Ok((trailers, reuse)));
                    if reuse == Reuse::Close(CloseReason::Upgraded) {
                        if let Some(Event::Upgraded { buffered, .. }) =
                            self.conn.next_event(self.id)
                        {
                            self.upgraded = Some(buffered);
                        }
                    }
                }
                Some(Event::RequestFailed { error, .. }) => self.end = Some(Err(error)),
                Some(_) => {}
                None => return Err(Error::Usage(UsageError::Closed)),
            }
        }
    }

    /// Reads the rest of the body into one buffer (the body's pieces are concatenated).
    pub fn body(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        while let Some(piece) = self.chunk()? {
            out.extend_from_slice(&piece);
        }
        Ok(out)
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

    /// For an accepted `101` or a `2xx` to CONNECT: the transport, and the bytes that arrived
    /// after the head (they belong to the new protocol). Fails with
    /// [`UsageError::Closed`] when the response did not switch protocols.
    pub fn into_upgraded(mut self) -> Result<(T, Bytes), Error> {
        while self.end.is_none() {
            if self.chunk()?.is_none() {
                break;
            }
        }
        let Some(buffered) = self.upgraded.take() else {
            return Err(Error::Usage(UsageError::Closed));
        };
        let shared = &self.conn.shared;
        let mut st = lock(&shared.state);
        while st.io_busy {
            st = shared.sleep(st);
        }
        let transport = lock(&shared.io).transport.take();
        lock(&shared.interrupt).take();
        drop(st);
        // The transport goes back as it came: without the read timeout the adapter set for the
        // machine's deadlines.
        transport
            .map(|mut t| {
                let _ = t.set_read_timeout(None);
                (t, buffered)
            })
            .ok_or(Error::Usage(UsageError::Closed))
    }
}

impl<T: Transport> Read for Response<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.chunk.is_empty() {
            match self.chunk()? {
                Some(piece) => self.chunk = piece,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        bytes::Buf::advance(&mut self.chunk, n);
        Ok(n)
    }
}

impl<T: Transport> Iterator for Response<T> {
    type Item = Result<Bytes, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.chunk().transpose()
    }
}

impl<T: Transport> Drop for Response<T> {
    fn drop(&mut self) {
        let shared = &self.conn.shared;
        let mut st = lock(&shared.state);
        if self.end.is_none() {
            let now = Instant::from_duration(shared.epoch.elapsed());
            // The core decides: a sent request cannot be abandoned, so the connection closes.
            let _ = st.machine.cancel(self.id, now);
            pump(&mut st);
        }
        // Nobody will read this response's events any more.
        let id = self.id;
        st.inbox.retain(|e| e.request_id() != Some(id));
        shared.wake(&st);
        drop(st);
        self.conn.drop_transport_if_closed();
    }
}
