//! The connection state machine. It parses nothing itself: heads, framing and bodies are decided
//! by the codec modules; this module decides *when* things happen and in which order they are
//! reported.
//!
//! Ordering is structural:
//! - every input and command appends to one event queue, in the order things happened, so a
//!   response whose bytes were handed in before an EOF is queued before the failure or close the
//!   EOF causes;
//! - the close is never queued: it sits in its own slot and `poll_event` yields it only once the
//!   queue is empty, so `Closed` is last by construction (as quinn-proto does);
//! - once a close is decided, inputs and commands return `UsageError::Closed` and queue nothing.

use crate::body::{BodyDecoder, BodyLimits, BodyStep};
use crate::config::Config;
use crate::error::{
    CloseReason, EofPhase, FailureKind, Progress, ProtocolError, RequestError, UsageError,
};
use crate::event::{Event, RequestId, Reuse};
use crate::framing::bodiless_leniency;
use crate::framing::{Decision, Framing, decide};
use crate::head::{ResponseHead, check_start, parse_head, parse_whole_head};
use crate::headers::Headers;
use crate::leniency::Leniency;
use crate::recv_buf::RecvBuf;
use crate::request::{Request, RequestBody, RequestMeta, encode_head, put_hex};
use crate::time::{Instant, earliest};
use alloc::collections::VecDeque;
use bytes::{Bytes, BytesMut};

/// Where the request body stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SendBody {
    /// More bytes may come. `declared` is `None` for chunked.
    Open { declared: Option<u64>, sent: u64 },
    /// Every byte was handed over (or there was no body).
    Finished,
    /// The machine will send no more (see `Event::StopSending`).
    Stopped,
}

/// `Expect: 100-continue` state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Not asked, or already resolved: body bytes go straight to the transmit queue.
    No,
    /// Body bytes are held until `100`, a final head, or the deadline.
    Waiting { deadline: Instant },
}

/// The one request in flight and what is known about its response.
#[derive(Debug)]
struct Exchange {
    id: RequestId,
    meta: RequestMeta,
    reused: bool,
    /// At least one byte of the request was handed out by `poll_transmit`.
    transmitted: bool,
    /// At least one response byte arrived.
    response_started: bool,
    body: SendBody,
    expect: Expect,
    head_deadline: Option<Instant>,
    informational: usize,
    decision: Option<Decision>,
    /// The first leniency any head or the framing of this response needed: the connection
    /// closes after it (`CloseReason::Lenient`).
    leniency: Option<Leniency>,
}

impl Exchange {
    fn progress(&self) -> Progress {
        if self.response_started {
            Progress::ResponseStarted
        } else if self.transmitted {
            Progress::SentNoResponse
        } else {
            Progress::NotSent
        }
    }
}

/// Bytes waiting to be written, each tagged with the request it belongs to.
#[derive(Debug, Default)]
struct TransmitQueue {
    scratch: BytesMut,
    ready: VecDeque<(RequestId, Bytes)>,
    /// Body bytes held back by `Expect: 100-continue`.
    held: VecDeque<Bytes>,
}

impl TransmitQueue {
    fn clear(&mut self) {
        self.ready.clear();
        self.held.clear();
    }

    fn drop_request(&mut self, id: RequestId) {
        self.ready.retain(|(owner, _)| *owner != id);
        self.held.clear();
    }

    fn release_held(&mut self, id: RequestId) {
        self.ready.extend(self.held.drain(..).map(|b| (id, b)));
    }
}

/// Which part of a response the read side expects next.
#[derive(Debug)]
enum ReadState {
    /// A head (informational or final), or nothing when idle.
    Head,
    /// Body bytes of the final response.
    Body(BodyDecoder),
}

/// A sans-IO HTTP/1.1 client connection: one transport, one request at a time.
///
/// See the [crate documentation](crate) for the driving loop, and [`contract`](crate::contract)
/// for the event contract (E1–E8) and the rules for driving a real transport. Method families,
/// as in quinn-proto:
/// - inputs from the world: [`handle_input`](Self::handle_input), [`handle_eof`](Self::handle_eof),
///   [`handle_write_error`](Self::handle_write_error), [`handle_timeout`](Self::handle_timeout);
/// - commands from the application: [`send_request`](Self::send_request),
///   [`send_body`](Self::send_body), [`finish_body`](Self::finish_body),
///   [`cancel`](Self::cancel), [`close`](Self::close), [`abort`](Self::abort);
/// - outputs: [`poll_transmit`](Self::poll_transmit), [`poll_event`](Self::poll_event),
///   [`poll_timeout`](Self::poll_timeout);
/// - getters.
///
/// Every decision is taken inside an input or command call; outputs only hand over what was
/// decided. The one output that informs the machine is `poll_transmit`: bytes it returned count
/// as sent when a failure's [`Progress`] is judged.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    limits: BodyLimits,
    next_id: u64,
    recv: RecvBuf,
    transmit: TransmitQueue,
    exchange: Option<Exchange>,
    read: ReadState,
    events: VecDeque<Event>,
    /// The decided close. `Some` means no more input or commands are taken.
    close: Option<CloseReason>,
    close_reported: bool,
    write_failed: bool,
    local_close: bool,
    completed: u64,
    idle_deadline: Option<Instant>,
}

impl Connection {
    /// A new connection over a transport the caller has just opened. It is ready for
    /// [`send_request`](Self::send_request); no [`Event::Idle`] is reported for this first state.
    pub fn new(config: Config) -> Connection {
        let limits = BodyLimits {
            chunk_extension_bytes: config.max_chunk_extension_bytes,
            trailer_bytes: config.max_trailer_bytes,
            trailer_fields: config.max_headers,
            strict: config.strict,
        };
        Connection {
            config,
            limits,
            next_id: 0,
            recv: RecvBuf::new(),
            transmit: TransmitQueue::default(),
            exchange: None,
            read: ReadState::Head,
            events: VecDeque::new(),
            close: None,
            close_reported: false,
            write_failed: false,
            local_close: false,
            completed: 0,
            idle_deadline: None,
        }
    }

    // ----- getters -------------------------------------------------------------------------

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The request in flight (sent or queued, response not yet complete), if any.
    pub fn in_flight(&self) -> Option<RequestId> {
        self.exchange.as_ref().map(|e| e.id)
    }

    /// Whether a new request would be accepted now: open, not closing, nothing in flight.
    pub fn is_ready(&self) -> bool {
        self.close.is_none() && !self.local_close && self.exchange.is_none()
    }

    /// Whether the close has been decided. [`Event::Closed`] may still be waiting in
    /// [`poll_event`](Self::poll_event).
    pub fn is_closed(&self) -> bool {
        self.close.is_some()
    }

    /// The decided close reason, if any.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.close
    }

    /// Responses completed on this connection so far.
    pub fn responses_completed(&self) -> u64 {
        self.completed
    }

    /// Whether the request in flight holds its body back for `Expect: 100-continue`: until a
    /// `100`, a final head, or the expect-continue deadline. Body bytes given to
    /// [`send_body`](Self::send_body) meanwhile are queued, not transmitted, so a runtime
    /// streaming a large body should wait for this to turn `false` before reading more of it.
    pub fn awaiting_continue(&self) -> bool {
        self.exchange
            .as_ref()
            .is_some_and(|e| matches!(e.expect, Expect::Waiting { .. }))
    }

    /// Whether [`poll_transmit`](Self::poll_transmit) has bytes to hand out.
    pub fn wants_write(&self) -> bool {
        !self.transmit.ready.is_empty()
    }

    // ----- commands --------------------------------------------------------------------------

    fn check_open(&self) -> Result<(), UsageError> {
        if self.close.is_some() {
            Err(UsageError::Closed)
        } else {
            Ok(())
        }
    }

    /// Queues a request. Its head is encoded now; the bytes come out of
    /// [`poll_transmit`](Self::poll_transmit). Body bytes, if declared, follow with
    /// [`send_body`](Self::send_body).
    ///
    /// Errors, with nothing changed: [`UsageError::Closed`], [`UsageError::Closing`],
    /// [`UsageError::Busy`] (a request is in flight: this connection does not pipeline), or a
    /// validation error naming the bad part of `request`.
    ///
    /// `now` starts the expect-continue timer and, for a request without a body, the
    /// response-head timer.
    pub fn send_request(
        &mut self,
        request: &Request<'_>,
        now: Instant,
    ) -> Result<RequestId, UsageError> {
        self.check_open()?;
        if self.local_close {
            return Err(UsageError::Closing);
        }
        if self.exchange.is_some() {
            // E2: one request at a time, so responses are in request order by construction.
            return Err(UsageError::Busy);
        }
        // E7: everything that can fail is checked before anything changes.
        let meta = encode_head(request, &mut self.transmit.scratch)?;
        let id = RequestId(self.next_id);
        self.next_id += 1;
        let head = self.transmit.scratch.split().freeze();
        self.transmit.ready.push_back((id, head));
        let body = match meta.body {
            RequestBody::None | RequestBody::Length(0) => SendBody::Finished,
            RequestBody::Length(n) => SendBody::Open {
                declared: Some(n),
                sent: 0,
            },
            RequestBody::Chunked => SendBody::Open {
                declared: None,
                sent: 0,
            },
        };
        let expect = if meta.expect_continue {
            Expect::Waiting {
                deadline: now + self.config.expect_continue_timeout,
            }
        } else {
            Expect::No
        };
        let mut exchange = Exchange {
            id,
            meta,
            reused: self.completed > 0,
            transmitted: false,
            response_started: false,
            body,
            expect,
            head_deadline: None,
            informational: 0,
            decision: None,
            leniency: None,
        };
        if body == SendBody::Finished {
            exchange.head_deadline = self.config.response_head_timeout.map(|t| now + t);
        }
        self.idle_deadline = None;
        self.read = ReadState::Head;
        self.exchange = Some(exchange);
        Ok(id)
    }

    fn open_body(
        &mut self,
        id: RequestId,
    ) -> Result<(&mut Exchange, Option<u64>, u64), UsageError> {
        self.check_open()?;
        let exchange = self
            .exchange
            .as_mut()
            .filter(|e| e.id == id)
            .ok_or(UsageError::UnknownRequest)?;
        match exchange.body {
            SendBody::Open { declared, sent } => Ok((exchange, declared, sent)),
            SendBody::Finished if exchange.meta.body == RequestBody::None => {
                Err(UsageError::NoRequestBody)
            }
            SendBody::Finished => Err(UsageError::BodyFinished),
            SendBody::Stopped => Err(UsageError::BodyNotWanted),
        }
    }

    /// Queues request body bytes (without copying them). For a `Content-Length` body the body
    /// finishes by itself with its last declared byte; a chunked body needs
    /// [`finish_body`](Self::finish_body). Empty `data` is accepted and sends nothing.
    ///
    /// Bytes are held back while an `Expect: 100-continue` request waits for the server.
    ///
    /// ```
    /// use h1conn::{Bytes, Config, Connection, Instant, Request, RequestBody};
    ///
    /// let mut conn = Connection::new(Config::default());
    /// let upload = Request::new("PUT", "/f").header("Host", "a").body(RequestBody::Chunked);
    /// let id = conn.send_request(&upload, Instant::ZERO)?;
    /// conn.send_body(id, Bytes::from_static(b"hello"), Instant::ZERO)?;
    /// conn.finish_body(id, Instant::ZERO)?;
    /// let wire: Vec<u8> = std::iter::from_fn(|| conn.poll_transmit()).flatten().collect();
    /// assert!(wire.ends_with(b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    /// # Ok::<(), h1conn::UsageError>(())
    /// ```
    ///
    /// Errors, with nothing changed: [`UsageError::Closed`], [`UsageError::UnknownRequest`],
    /// [`UsageError::NoRequestBody`], [`UsageError::BodyFinished`],
    /// [`UsageError::BodyNotWanted`], [`UsageError::BodyTooLong`].
    pub fn send_body(
        &mut self,
        id: RequestId,
        data: Bytes,
        now: Instant,
    ) -> Result<(), UsageError> {
        let head_timeout = self.config.response_head_timeout;
        let (exchange, declared, sent) = self.open_body(id)?;
        let attempted = sent.saturating_add(data.len() as u64);
        if let Some(declared) = declared {
            if attempted > declared {
                return Err(UsageError::BodyTooLong {
                    declared,
                    attempted,
                });
            }
        }
        exchange.body = if declared == Some(attempted) {
            exchange.head_deadline = head_timeout.map(|t| now + t);
            SendBody::Finished
        } else {
            SendBody::Open {
                declared,
                sent: attempted,
            }
        };
        let holding = matches!(exchange.expect, Expect::Waiting { .. });
        if data.is_empty() {
            return Ok(());
        }
        let mut segments: [Option<Bytes>; 3] = [None, Some(data), None];
        if declared.is_none() {
            put_hex(
                &mut self.transmit.scratch,
                segments[1].as_ref().map_or(0, |d| d.len() as u64),
            );
            self.transmit.scratch.extend_from_slice(b"\r\n");
            segments[0] = Some(self.transmit.scratch.split().freeze());
            segments[2] = Some(Bytes::from_static(b"\r\n"));
        }
        for segment in segments.into_iter().flatten() {
            if holding {
                self.transmit.held.push_back(segment);
            } else {
                self.transmit.ready.push_back((id, segment));
            }
        }
        Ok(())
    }

    /// Ends the request body. A chunked body gets its last chunk queued, and `now` starts the
    /// response-head timer. A `Content-Length` body finishes by itself with its last declared
    /// byte, so finishing a complete one is `Ok` and changes nothing: callers may always finish.
    ///
    /// Errors, with nothing changed: those of [`send_body`](Self::send_body) (but not
    /// [`UsageError::BodyFinished`] for a complete `Content-Length` body), and
    /// [`UsageError::BodyTooShort`] for a `Content-Length` body still missing bytes.
    pub fn finish_body(&mut self, id: RequestId, now: Instant) -> Result<(), UsageError> {
        let head_timeout = self.config.response_head_timeout;
        let complete_length_body = self.exchange.as_ref().is_some_and(|e| {
            e.id == id
                && e.body == SendBody::Finished
                && matches!(e.meta.body, RequestBody::Length(_))
        });
        if complete_length_body {
            return self.check_open();
        }
        let (exchange, declared, sent) = self.open_body(id)?;
        if let Some(declared) = declared {
            return Err(UsageError::BodyTooShort { declared, sent });
        }
        exchange.body = SendBody::Finished;
        exchange.head_deadline = head_timeout.map(|t| now + t);
        let last = Bytes::from_static(b"0\r\n\r\n");
        if matches!(exchange.expect, Expect::Waiting { .. }) {
            self.transmit.held.push_back(last);
        } else {
            self.transmit.ready.push_back((id, last));
        }
        Ok(())
    }

    /// Cancels the request in flight. If none of it was handed out yet it is withdrawn and the
    /// connection stays usable ([`Event::Idle`] follows); otherwise the connection must close
    /// (HTTP/1.1 cannot abandon a response), with [`CloseReason::Canceled`]. Either way the
    /// request ends with [`Event::RequestFailed`] and [`FailureKind::Canceled`].
    ///
    /// Errors, with nothing changed: [`UsageError::Closed`], [`UsageError::UnknownRequest`]
    /// (including a request whose response already ended).
    ///
    /// ```
    /// use h1conn::{Config, Connection, Event, Instant, Request};
    ///
    /// let mut conn = Connection::new(Config::default());
    /// let id = conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
    /// conn.cancel(id, Instant::ZERO)?; // nothing was written yet: withdrawn, connection kept
    /// assert!(matches!(conn.poll_event(), Some(Event::RequestFailed { .. })));
    /// assert_eq!(conn.poll_event(), Some(Event::Idle));
    /// assert!(conn.is_ready());
    /// # Ok::<(), h1conn::UsageError>(())
    /// ```
    pub fn cancel(&mut self, id: RequestId, now: Instant) -> Result<(), UsageError> {
        self.check_open()?;
        let exchange = self
            .exchange
            .as_ref()
            .filter(|e| e.id == id)
            .ok_or(UsageError::UnknownRequest)?;
        if exchange.transmitted {
            self.fail(FailureKind::Canceled, CloseReason::Canceled);
            return Ok(());
        }
        self.transmit.drop_request(id);
        self.fail_request(FailureKind::Canceled);
        self.become_idle(now);
        Ok(())
    }

    /// Closes gracefully: no new request is accepted; the connection closes with
    /// [`CloseReason::LocalClose`] now if nothing is in flight, else after the current response.
    ///
    /// Errors: [`UsageError::Closed`], or [`UsageError::Closing`] if already called.
    pub fn close(&mut self) -> Result<(), UsageError> {
        self.check_open()?;
        if self.local_close {
            return Err(UsageError::Closing);
        }
        self.local_close = true;
        if self.exchange.is_none() {
            self.close_now(CloseReason::LocalClose);
        }
        Ok(())
    }

    /// Closes now: the request in flight fails with [`FailureKind::Aborted`], then
    /// [`CloseReason::Aborted`].
    ///
    /// Errors: [`UsageError::Closed`].
    pub fn abort(&mut self) -> Result<(), UsageError> {
        self.check_open()?;
        self.fail(FailureKind::Aborted, CloseReason::Aborted);
        Ok(())
    }

    // ----- inputs ----------------------------------------------------------------------------

    /// Hands in bytes read from the transport. Every complete piece of response in them is
    /// decided now and queued as events; malformed bytes become a failed request and a close
    /// (events), never an `Err`.
    ///
    /// Bytes that arrive while no request is in flight (none sent, or the last response ended
    /// on a keep-alive connection) are unsolicited: the connection closes with
    /// [`CloseReason::UnsolicitedBytes`].
    ///
    /// Errors, with nothing changed: [`UsageError::Closed`] once the close is decided (the bytes
    /// are not needed: the caller should stop reading).
    pub fn handle_input(&mut self, data: &[u8], now: Instant) -> Result<(), UsageError> {
        self.check_open()?;
        // E3: every event for these bytes is queued now, before any later input can add its own.
        // E8: limits in `Config` bound the buffer (see `read_head` and the body decoders).
        if !data.is_empty() {
            self.recv.extend(data);
            self.process(now);
        }
        Ok(())
    }

    /// [`handle_input`](Self::handle_input) for bytes read into a buffer the caller owns: the
    /// zero-copy input path. The connection takes `data` without copying it when nothing is
    /// buffered, or when `data` directly follows the buffered bytes in memory; body bytes then
    /// reach [`Event::Data`] as views of the caller's own buffer. Otherwise it is copied.
    ///
    /// The way to use it: read into one `BytesMut`, split off what was filled
    /// (`buf.split_to(n)`) and hand that in. The rest of `buf` keeps its capacity for the next
    /// read, and memory comes back to it (`BytesMut::reserve` reclaims) once the caller has
    /// dropped the events that view it. Same errors and the same events as `handle_input`
    /// with the same bytes.
    ///
    /// ```
    /// use h1conn::{Config, Connection, Event, Instant, Request};
    /// use h1conn::BytesMut;
    ///
    /// let mut conn = Connection::new(Config::default());
    /// conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
    /// while conn.poll_transmit().is_some() {}
    /// let mut buf = BytesMut::zeroed(4096); // the adapter's read buffer, filled by a read
    /// let response = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    /// buf[..response.len()].copy_from_slice(response);
    /// let filled = buf.split_to(response.len());
    /// let start = filled.as_ptr() as usize;
    /// conn.handle_input_buf(filled, Instant::ZERO)?;
    /// let data = std::iter::from_fn(|| conn.poll_event())
    ///     .find_map(|e| match e { Event::Data { data, .. } => Some(data), _ => None })
    ///     .unwrap();
    /// // The body is a view of the caller's buffer, not a copy.
    /// assert_eq!(data.as_ptr() as usize, start + response.len() - 5);
    /// # Ok::<(), h1conn::UsageError>(())
    /// ```
    pub fn handle_input_buf(&mut self, data: BytesMut, now: Instant) -> Result<(), UsageError> {
        self.check_open()?;
        if !data.is_empty() {
            self.recv.extend_owned(data);
            self.process(now);
        }
        Ok(())
    }

    /// Reports that the peer closed its sending side (a read returned 0). Decides the close now:
    /// a close-delimited body ends successfully; anything else in flight fails with the phase it
    /// was in ([`EofPhase`]); an idle connection closes with [`CloseReason::PeerClosedIdle`].
    ///
    /// Errors, with nothing changed: [`UsageError::Closed`].
    ///
    /// ```
    /// use h1conn::{CloseReason, Config, Connection, Event, Instant, Request, Reuse};
    ///
    /// // No framing header: the body runs until the server closes.
    /// let mut conn = Connection::new(Config::default());
    /// conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
    /// while conn.poll_transmit().is_some() {}
    /// conn.handle_input(b"HTTP/1.1 200 OK\r\n\r\nall of it", Instant::ZERO)?;
    /// conn.handle_eof(Instant::ZERO)?;
    /// let events: Vec<Event> = std::iter::from_fn(|| conn.poll_event()).collect();
    /// assert!(matches!(events[2], Event::End { reuse: Reuse::Close(CloseReason::EndOfBody), .. }));
    /// # Ok::<(), h1conn::UsageError>(())
    /// ```
    pub fn handle_eof(&mut self, now: Instant) -> Result<(), UsageError> {
        self.check_open()?;
        let Some(exchange) = self.exchange.as_ref().filter(|e| e.transmitted) else {
            self.close_now(CloseReason::PeerClosedIdle);
            return Ok(());
        };
        let phase = match &self.read {
            ReadState::Body(decoder) => match decoder.eof_phase() {
                None => {
                    self.end_response(Headers::default(), now);
                    return Ok(());
                }
                Some(phase) => phase,
            },
            ReadState::Head if !exchange.response_started => EofPhase::BeforeResponse,
            ReadState::Head => EofPhase::InHead {
                received: self.recv.len(),
            },
        };
        if self.write_failed && phase == EofPhase::BeforeResponse {
            self.fail(FailureKind::WriteFailed, CloseReason::WriteFailed);
        } else {
            self.fail(FailureKind::Eof(phase), CloseReason::Eof(phase));
        }
        Ok(())
    }

    /// Reports that reading from the transport failed with an error that is not an orderly end
    /// of stream: a connection reset, a TLS alert or decryption error, a read timeout the caller
    /// enforces. Nothing more will be read. Decides the close now, with
    /// [`CloseReason::ReadFailed`]:
    /// - a request that was (partly) sent fails with [`FailureKind::ReadFailed`], its
    ///   [`Progress`] as far as it got (so its retry verdict is the same as for an EOF at that
    ///   point). Unlike [`handle_eof`](Self::handle_eof), this never ends a close-delimited body
    ///   successfully: a reset cannot say the body was complete;
    /// - a request queued but not sent fails with [`FailureKind::ConnectionClosed`]
    ///   ([`Progress::NotSent`]); an idle connection just closes.
    ///
    /// Responses whose bytes were handed in before are reported first (rule E3).
    ///
    /// Errors, with nothing changed: [`UsageError::Closed`].
    pub fn handle_read_error(&mut self, _now: Instant) -> Result<(), UsageError> {
        self.check_open()?;
        if self.exchange.as_ref().is_some_and(|e| e.transmitted) {
            self.fail(FailureKind::ReadFailed, CloseReason::ReadFailed);
        } else {
            self.close_now(CloseReason::ReadFailed);
        }
        Ok(())
    }

    /// Reports that writing to the transport failed. Nothing more is transmitted. A request
    /// none of whose bytes went out fails now ([`Progress::NotSent`]); one that was (partly)
    /// sent keeps its read side, because the server may have answered before it stopped
    /// reading: keep reading until its response ends or EOF.
    ///
    /// Errors, with nothing changed: [`UsageError::Closed`].
    pub fn handle_write_error(&mut self, _now: Instant) -> Result<(), UsageError> {
        self.check_open()?;
        self.write_failed = true;
        self.transmit.clear();
        match &self.exchange {
            Some(exchange) if exchange.transmitted => self.stop_body(),
            Some(_) => self.fail(FailureKind::WriteFailed, CloseReason::WriteFailed),
            None => self.close_now(CloseReason::WriteFailed),
        }
        Ok(())
    }

    /// Advances timers to `now`. Call when [`poll_timeout`](Self::poll_timeout)'s deadline has
    /// passed (calling earlier or more often is harmless). Expired: the idle timeout closes an
    /// idle connection; the expect-continue timeout releases a held body; the response-head
    /// timeout fails the request ([`FailureKind::ResponseTimeout`]) and closes.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.close.is_some() {
            return;
        }
        if self.idle_deadline.is_some_and(|d| d <= now) {
            self.close_now(CloseReason::IdleTimeout);
            return;
        }
        let Some(exchange) = self.exchange.as_mut() else {
            return;
        };
        if let Expect::Waiting { deadline } = exchange.expect {
            if deadline <= now {
                exchange.expect = Expect::No;
                self.transmit.release_held(exchange.id);
            }
        }
        if exchange.head_deadline.is_some_and(|d| d <= now) {
            self.fail(FailureKind::ResponseTimeout, CloseReason::ResponseTimeout);
        }
    }

    // ----- outputs ---------------------------------------------------------------------------

    /// The next bytes to write, in order, or `None`. Write them all (a partial write is the
    /// caller's to finish); on failure call [`handle_write_error`](Self::handle_write_error).
    /// Bytes handed out here count as sent for [`Progress`].
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        // E6: the one output that informs the machine; it records what was sent and decides
        // nothing (a failure's `Progress` reads this flag later).
        let (id, bytes) = self.transmit.ready.pop_front()?;
        if let Some(exchange) = self.exchange.as_mut().filter(|e| e.id == id) {
            exchange.transmitted = true;
        }
        Some(bytes)
    }

    /// The next event, or `None`. Drain after every input or command; draining later, or
    /// interleaved with `poll_transmit`, yields the same events in the same order.
    /// [`Event::Closed`] is yielded only after every other event, exactly once; then `None`
    /// forever.
    pub fn poll_event(&mut self) -> Option<Event> {
        // E3: one queue, in the order things were decided. E4: the close lives in its own slot
        // and is yielded only once the queue is empty, exactly once.
        if let Some(event) = self.events.pop_front() {
            return Some(event);
        }
        match self.close {
            Some(reason) if !self.close_reported => {
                self.close_reported = true;
                Some(Event::Closed { reason })
            }
            _ => None,
        }
    }

    /// The earliest deadline at which [`handle_timeout`](Self::handle_timeout) has work, or
    /// `None`. Changes only when an input or command is called.
    ///
    /// ```
    /// use h1conn::{Config, Connection, Event, FailureKind, Instant, Request};
    /// use std::time::Duration;
    ///
    /// let config = Config::default().response_head_timeout(Some(Duration::from_secs(5)));
    /// let mut conn = Connection::new(config);
    /// conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
    /// while conn.poll_transmit().is_some() {}
    /// let deadline = conn.poll_timeout().expect("a response-head deadline");
    /// assert_eq!(deadline, Instant::from_millis(5_000));
    /// conn.handle_timeout(deadline); // the runtime's timer fired
    /// let Some(Event::RequestFailed { error, .. }) = conn.poll_event() else { unreachable!() };
    /// assert_eq!(error.kind(), FailureKind::ResponseTimeout);
    /// # Ok::<(), h1conn::UsageError>(())
    /// ```
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.close.is_some() {
            return None;
        }
        // Adapters ask after every input: plain comparisons, no iterator chain.
        let Some(exchange) = &self.exchange else {
            return self.idle_deadline;
        };
        let expect = match exchange.expect {
            Expect::Waiting { deadline } => Some(deadline),
            Expect::No => None,
        };
        earliest(self.idle_deadline, earliest(expect, exchange.head_deadline))
    }

    // ----- the read side ---------------------------------------------------------------------

    /// Decides everything the buffered bytes allow.
    fn process(&mut self, now: Instant) {
        while self.close.is_none() {
            // E2: a response belongs to a request only once one of its bytes was handed out.
            let Some(exchange) = self.exchange.as_mut().filter(|e| e.transmitted) else {
                if !self.recv.is_empty() {
                    // E5: nothing was asked: a stale keep-alive answer (a 408), or garbage.
                    self.close_now(CloseReason::UnsolicitedBytes);
                }
                return;
            };
            let decoder = match &mut self.read {
                ReadState::Body(decoder) => decoder,
                ReadState::Head if self.recv.is_empty() => return,
                ReadState::Head => {
                    exchange.response_started = true;
                    match self.read_head() {
                        Ok(Some(head)) => self.on_head(head, now),
                        Ok(None) => return,
                        Err(e) => self.fail_protocol(e),
                    }
                    continue;
                }
            };
            // Body data in a tight loop: nothing but the decoder changes between two pieces.
            let id = exchange.id;
            loop {
                match decoder.next(&mut self.recv, &self.limits) {
                    Ok(BodyStep::Data(data)) => self.events.push_back(Event::Data { id, data }),
                    Ok(BodyStep::End(trailers)) => {
                        self.end_response(trailers, now);
                        break;
                    }
                    Ok(BodyStep::NeedMore) => return,
                    Err(e) => {
                        self.fail_protocol(e);
                        break;
                    }
                }
            }
        }
    }

    /// Cuts a complete head off the buffer, if one is there.
    fn read_head(&mut self) -> Result<Option<ResponseHead>, ProtocolError> {
        let limit = self.config.max_head_bytes;
        check_start(self.recv.as_slice())?;
        // A whole strict head in a buffer not searched yet: one httparse call, no search.
        if self.recv.search_is_fresh() {
            let max_headers = self.config.max_headers;
            if let Some(head) = parse_whole_head(self.recv.bytes_mut(), limit, max_headers) {
                return Ok(Some(head));
            }
        }
        match self.recv.find_section_end() {
            Some(end) if end > limit => Err(ProtocolError::HeadTooLarge { limit }),
            Some(end) => {
                let lines = self.recv.line_flags();
                parse_head(self.recv.bytes_mut(), end, self.config.max_headers, lines).map(Some)
            }
            None if self.recv.len() > limit => Err(ProtocolError::HeadTooLarge { limit }),
            None => Ok(None),
        }
    }

    fn on_head(&mut self, head: ResponseHead, now: Instant) {
        let limit = self.config.max_informational;
        let strict = self.config.strict;
        let Some(exchange) = self.exchange.as_mut() else {
            return;
        };
        let id = exchange.id;
        // Leniency costs reuse (docs/compliance.md): note the first one, or reject it.
        let informational = head.is_informational() && head.status() != 101;
        let head_leniency = head
            .leniency()
            .or_else(|| informational.then(|| bodiless_leniency(&head)).flatten());
        if let Some(leniency) = head_leniency {
            match leniency.allow(strict) {
                Ok(leniency) => {
                    exchange.leniency.get_or_insert(leniency);
                }
                Err(e) => return self.fail_protocol(e),
            }
        }
        if informational {
            exchange.informational += 1;
            if exchange.informational > limit {
                return self.fail_protocol(ProtocolError::TooManyInformational { limit });
            }
            if head.status() == 100 && matches!(exchange.expect, Expect::Waiting { .. }) {
                exchange.expect = Expect::No;
                self.transmit.release_held(id);
            }
            self.events.push_back(Event::Informational { id, head });
            return;
        }
        let decision = match decide(exchange.meta.facts, &head, strict) {
            Ok(decision) => decision,
            Err(e) => return self.fail_protocol(e),
        };
        if let Some(leniency) = decision.leniency {
            exchange.leniency.get_or_insert(leniency);
        }
        exchange.head_deadline = None;
        exchange.decision = Some(decision);
        let held = matches!(exchange.expect, Expect::Waiting { .. });
        exchange.expect = Expect::No;
        self.events.push_back(Event::Head { id, head });
        if decision.close.is_some() {
            // The server will not read on: send nothing more of the body (RFC 9110 §10.1.1 lets
            // a client skip a held body; an unheld one is stopped the same way).
            self.stop_body();
        } else if held {
            // Keep-alive final answer to an expect-continue request: the server still expects
            // the declared body, so send it to keep the connection in sync.
            self.transmit.release_held(id);
        }
        match decision.framing {
            Framing::Empty => self.end_response(Headers::default(), now),
            Framing::Length(n) => self.read = ReadState::Body(BodyDecoder::length(n)),
            Framing::Chunked => self.read = ReadState::Body(BodyDecoder::chunked(&self.limits)),
            Framing::UntilClose => self.read = ReadState::Body(BodyDecoder::UntilClose),
            Framing::Tunnel => {
                let buffered = self.recv.take_all();
                self.events.push_back(Event::End {
                    id,
                    trailers: Headers::default(),
                    reuse: Reuse::Close(CloseReason::Upgraded),
                });
                self.events.push_back(Event::Upgraded { id, buffered });
                self.exchange = None;
                self.completed += 1;
                self.close_now(CloseReason::Upgraded);
            }
        }
    }

    /// Emits `StopSending` if the body is still open, and drops whatever of it is queued.
    /// E1: at most once per request (the body leaves `Open` for good).
    fn stop_body(&mut self) {
        let Some(exchange) = self.exchange.as_mut() else {
            return;
        };
        if let SendBody::Open { .. } = exchange.body {
            exchange.body = SendBody::Stopped;
            let id = exchange.id;
            self.transmit.held.clear();
            // The head may be queued still; body segments after it are dropped.
            let mut first = true;
            self.transmit.ready.retain(|(owner, _)| {
                let keep = *owner != id || (first && !exchange.transmitted);
                first &= *owner != id;
                keep
            });
            self.events.push_back(Event::StopSending { id });
        }
    }

    /// The response is complete: report it, then decide whether the connection carries on.
    fn end_response(&mut self, trailers: Headers, now: Instant) {
        let Some(exchange) = self.exchange.as_ref() else {
            return;
        };
        let id = exchange.id;
        let unfinished = exchange.body != SendBody::Finished;
        let body_leniency = match &self.read {
            ReadState::Body(decoder) => decoder.leniency(),
            ReadState::Head => None,
        };
        // The close-reason table of docs/events.md, first match wins: what the head decided,
        // then a leniency anywhere in the response, then the local reasons.
        let close = exchange
            .decision
            .and_then(|d| d.close)
            .or(exchange
                .leniency
                .or(body_leniency)
                .map(CloseReason::Lenient))
            .or(if self.write_failed {
                Some(CloseReason::WriteFailed)
            } else if unfinished {
                Some(CloseReason::RequestBodyUnfinished)
            } else if self.local_close {
                Some(CloseReason::LocalClose)
            } else {
                None
            });
        self.stop_body();
        let reuse = close.map_or(Reuse::KeepAlive, Reuse::Close);
        // E1: `End` once; the exchange is gone, so no later event can name this request.
        self.events.push_back(Event::End {
            id,
            trailers,
            reuse,
        });
        self.exchange = None;
        self.completed += 1;
        match close {
            Some(reason) => self.close_now(reason),
            None => self.become_idle(now),
        }
    }

    /// E5: the only place `Idle` is queued: a keep-alive response ended, or an unsent request
    /// was withdrawn, and nothing is in flight.
    fn become_idle(&mut self, now: Instant) {
        self.read = ReadState::Head;
        if self.local_close {
            return self.close_now(CloseReason::LocalClose);
        }
        self.events.push_back(Event::Idle);
        self.idle_deadline = self.config.idle_timeout.map(|t| now + t);
    }

    // ----- failures and the close ------------------------------------------------------------

    fn fail_protocol(&mut self, error: ProtocolError) {
        self.fail(FailureKind::Protocol(error), CloseReason::Protocol(error));
    }

    /// Fails the request in flight (if any) with `kind`, without closing. E1: taking the
    /// exchange makes `RequestFailed` the request's last event.
    fn fail_request(&mut self, kind: FailureKind) {
        if let Some(exchange) = self.exchange.take() {
            let error = RequestError {
                kind,
                progress: exchange.progress(),
                replayable: exchange.meta.replayable,
                reused_connection: exchange.reused,
            };
            self.events.push_back(Event::RequestFailed {
                id: exchange.id,
                error,
            });
        }
    }

    /// Fails the request in flight with `kind`, then closes with `reason`.
    fn fail(&mut self, kind: FailureKind, reason: CloseReason) {
        self.fail_request(kind);
        self.close_now(reason);
    }

    /// Decides the close. A request still in flight (only possible when none of it was sent)
    /// fails with [`FailureKind::ConnectionClosed`] first. Idempotent: the first reason wins.
    fn close_now(&mut self, reason: CloseReason) {
        // E4: the first reason wins, every unfinished request fails before `Closed`, and from
        // here on every input and command returns `UsageError::Closed` (`check_open`).
        if self.close.is_some() {
            return;
        }
        self.fail_request(FailureKind::ConnectionClosed(reason));
        self.close = Some(reason);
        self.transmit.clear();
        self.idle_deadline = None;
        // Drop what was read: nothing will parse it. (`Upgraded` took its bytes already.)
        let _ = self.recv.take_all();
    }
}

/// `docs/state-machine.md` names every state of this module (its test lives beside it).
#[cfg(test)]
#[path = "conn_state_diagram.rs"]
mod state_diagram;
