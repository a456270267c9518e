//! Errors, split by whose fault they are.
//!
//! - [`UsageError`]: the caller misused the API. Returned as `Err` from the command or input call;
//!   the call changed nothing, and the connection goes on as if it had not been made.
//! - [`ProtocolError`]: the peer sent bytes that break RFC 9112 or a configured limit. Never
//!   returned from a call: it arrives inside [`Event::RequestFailed`](crate::Event::RequestFailed)
//!   and [`CloseReason::Protocol`], after every event for the bytes that came before it.
//! - [`RequestError`]: why one request failed, with the retry verdict a pool acts on.
//! - [`CloseReason`]: why the connection closed, carried by the last event.
//!
//! All of them are small `Copy` values that compare with `==`, so tests can compare whole event
//! transcripts, and all implement `Display` (with the offending detail) and
//! [`core::error::Error`] (which is `std::error::Error`).

use crate::leniency::Leniency;
use core::fmt;

/// The caller misused the API. The call that returned it changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsageError {
    /// The connection has closed (or decided to close); it takes no more commands or input.
    Closed,
    /// [`Connection::close`](crate::Connection::close) was called: no new request is accepted.
    Closing,
    /// A request is already in flight; this connection does not pipeline. Wait for
    /// [`Event::Idle`](crate::Event::Idle).
    Busy,
    /// The request id is not the one in flight on this connection.
    UnknownRequest,
    /// The method is empty or not an RFC 9110 token.
    InvalidMethod,
    /// The request target is empty or has a byte outside visible ASCII (`0x21..=0x7e`).
    InvalidTarget,
    /// Header `index` (0-based, in the order added) has an empty or non-token name.
    InvalidHeaderName {
        /// Position of the header in the request.
        index: usize,
    },
    /// Header `index` has a value with CR, LF, NUL or another control byte.
    InvalidHeaderValue {
        /// Position of the header in the request.
        index: usize,
    },
    /// Header `index` is `Content-Length` or `Transfer-Encoding`: framing comes from the declared
    /// [`RequestBody`](crate::RequestBody), never from headers.
    FramingHeader {
        /// Position of the header in the request.
        index: usize,
    },
    /// HTTP/1.1 requests need exactly one `Host` header; there was none.
    MissingHost,
    /// HTTP/1.1 requests need exactly one `Host` header; there were several.
    DuplicateHost,
    /// The request declared no body.
    NoRequestBody,
    /// The body was already finished.
    BodyFinished,
    /// The machine will send no more of this body (see
    /// [`Event::StopSending`](crate::Event::StopSending)), or writing failed.
    BodyNotWanted,
    /// These bytes would take the body past its declared `Content-Length`.
    BodyTooLong {
        /// The declared length.
        declared: u64,
        /// Bytes already accepted plus this call's bytes.
        attempted: u64,
    },
    /// `finish_body` was called before the declared `Content-Length` bytes were sent.
    BodyTooShort {
        /// The declared length.
        declared: u64,
        /// Bytes accepted so far.
        sent: u64,
    },
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UsageError::Closed => f.write_str("connection is closed"),
            UsageError::Closing => f.write_str("connection is closing and takes no new request"),
            UsageError::Busy => f.write_str("a request is already in flight"),
            UsageError::UnknownRequest => f.write_str("no such request in flight"),
            UsageError::InvalidMethod => f.write_str("method is not a token"),
            UsageError::InvalidTarget => {
                f.write_str("request target is empty or not visible ASCII")
            }
            UsageError::InvalidHeaderName { index } => {
                write!(f, "header {index} has an invalid name")
            }
            UsageError::InvalidHeaderValue { index } => {
                write!(
                    f,
                    "header {index} has an invalid value (CR, LF, NUL or control byte)"
                )
            }
            UsageError::FramingHeader { index } => write!(
                f,
                "header {index} sets framing; declare the body with RequestBody instead"
            ),
            UsageError::MissingHost => f.write_str("request has no Host header"),
            UsageError::DuplicateHost => f.write_str("request has more than one Host header"),
            UsageError::NoRequestBody => f.write_str("request declared no body"),
            UsageError::BodyFinished => f.write_str("request body already finished"),
            UsageError::BodyNotWanted => f.write_str("no more of this request body will be sent"),
            UsageError::BodyTooLong {
                declared,
                attempted,
            } => write!(
                f,
                "body of {attempted} bytes exceeds declared Content-Length {declared}"
            ),
            UsageError::BodyTooShort { declared, sent } => {
                write!(f, "body finished after {sent} of {declared} declared bytes")
            }
        }
    }
}

impl core::error::Error for UsageError {}

/// The peer broke RFC 9112 or a configured limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The status line is not `HTTP/1.0` or `HTTP/1.1`.
    InvalidVersion,
    /// The status line is malformed, or the status code is not three digits.
    InvalidStatusLine,
    /// A header name is empty or not a token (this includes whitespace before the colon).
    InvalidHeaderName,
    /// A header value has a forbidden byte (NUL, CR or another control byte).
    InvalidHeaderValue,
    /// A line ending is malformed (a CR not followed by LF).
    InvalidLineEnding,
    /// The head exceeds [`Config::max_head_bytes`](crate::Config::max_head_bytes).
    HeadTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The head has more fields than [`Config::max_headers`](crate::Config::max_headers).
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// More informational responses than
    /// [`Config::max_informational`](crate::Config::max_informational).
    TooManyInformational {
        /// The configured limit.
        limit: usize,
    },
    /// `101 Switching Protocols` answered a request that did not ask for an upgrade.
    UnexpectedSwitchingProtocols,
    /// A `Content-Length` value is not a decimal number that fits in 64 bits.
    InvalidContentLength,
    /// `Content-Length` values differ.
    ConflictingContentLength {
        /// The first value seen.
        first: u64,
        /// A different value seen later.
        other: u64,
    },
    /// `Transfer-Encoding` is empty, has a non-token coding, or applies `chunked` twice.
    InvalidTransferEncoding,
    /// An HTTP/1.0 response carries `Transfer-Encoding` (RFC 9112 §6.1: faulty framing).
    TransferEncodingInHttp10,
    /// A chunk-size line has a byte that is not a hex digit where one is required.
    InvalidChunkSize {
        /// The offending byte.
        byte: u8,
    },
    /// A chunk size does not fit in 64 bits.
    ChunkSizeOverflow,
    /// A chunk extension breaks the RFC 9112 §7.1.1 grammar.
    InvalidChunkExtension {
        /// The offending byte.
        byte: u8,
    },
    /// Chunk extensions exceed
    /// [`Config::max_chunk_extension_bytes`](crate::Config::max_chunk_extension_bytes).
    ChunkExtensionsTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// Chunk data is not followed by CRLF.
    MissingChunkDataCrlf {
        /// The byte found instead.
        byte: u8,
    },
    /// The trailer section exceeds
    /// [`Config::max_trailer_bytes`](crate::Config::max_trailer_bytes).
    TrailersTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The trailer section is malformed.
    InvalidTrailers,
    /// The response needed a [`Leniency`] and [`Config::strict`](crate::Config::strict) is on.
    Lenient(Leniency),
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ProtocolError::InvalidVersion => f.write_str("invalid HTTP version in status line"),
            ProtocolError::InvalidStatusLine => f.write_str("malformed status line"),
            ProtocolError::InvalidHeaderName => f.write_str("invalid header name"),
            ProtocolError::InvalidHeaderValue => f.write_str("invalid byte in header value"),
            ProtocolError::InvalidLineEnding => f.write_str("malformed line ending"),
            ProtocolError::HeadTooLarge { limit } => {
                write!(f, "response head exceeds {limit} bytes")
            }
            ProtocolError::TooManyHeaders { limit } => {
                write!(f, "response head has more than {limit} header fields")
            }
            ProtocolError::TooManyInformational { limit } => {
                write!(f, "more than {limit} informational responses")
            }
            ProtocolError::UnexpectedSwitchingProtocols => {
                f.write_str("101 Switching Protocols without an upgrade request")
            }
            ProtocolError::InvalidContentLength => f.write_str("invalid Content-Length value"),
            ProtocolError::ConflictingContentLength { first, other } => {
                write!(f, "conflicting Content-Length values {first} and {other}")
            }
            ProtocolError::InvalidTransferEncoding => f.write_str("invalid Transfer-Encoding"),
            ProtocolError::TransferEncodingInHttp10 => {
                f.write_str("Transfer-Encoding in an HTTP/1.0 response")
            }
            ProtocolError::InvalidChunkSize { byte } => {
                write!(f, "invalid byte {:?} in chunk size", byte as char)
            }
            ProtocolError::ChunkSizeOverflow => f.write_str("chunk size overflows 64 bits"),
            ProtocolError::InvalidChunkExtension { byte } => {
                write!(f, "invalid byte {:?} in chunk extension", byte as char)
            }
            ProtocolError::ChunkExtensionsTooLarge { limit } => {
                write!(f, "chunk extensions exceed {limit} bytes")
            }
            ProtocolError::MissingChunkDataCrlf { byte } => {
                write!(
                    f,
                    "chunk data followed by {:?} instead of CRLF",
                    byte as char
                )
            }
            ProtocolError::TrailersTooLarge { limit } => {
                write!(f, "trailer section exceeds {limit} bytes")
            }
            ProtocolError::InvalidTrailers => f.write_str("malformed trailer section"),
            ProtocolError::Lenient(l) => write!(f, "{l} (rejected in strict mode)"),
        }
    }
}

impl core::error::Error for ProtocolError {}

/// Where in the response the peer's end of stream came.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EofPhase {
    /// The request had been (at least partly) sent; not one response byte had arrived.
    BeforeResponse,
    /// Inside a response head: at least one response byte had arrived (an informational
    /// response counts), and the final head was not complete.
    InHead {
        /// Bytes of the unfinished head received (0 when EOF came right after an informational
        /// response; the informational heads themselves are not counted).
        received: usize,
    },
    /// Inside a `Content-Length` body.
    InLengthBody {
        /// Body bytes received.
        received: u64,
        /// The declared length.
        expected: u64,
    },
    /// Inside a chunked body, before its last chunk and trailers were complete.
    InChunkedBody {
        /// Body data bytes received.
        received: u64,
    },
}

impl fmt::Display for EofPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EofPhase::BeforeResponse => f.write_str("connection closed before any response byte"),
            EofPhase::InHead { received } => {
                write!(
                    f,
                    "connection closed after {received} bytes of response head"
                )
            }
            EofPhase::InLengthBody { received, expected } => write!(
                f,
                "connection closed after {received} of {expected} body bytes"
            ),
            EofPhase::InChunkedBody { received } => write!(
                f,
                "connection closed inside a chunked body after {received} data bytes"
            ),
        }
    }
}

/// What went wrong with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The peer closed its side before the response was complete.
    Eof(EofPhase),
    /// The peer broke the protocol.
    Protocol(ProtocolError),
    /// No final response head arrived within
    /// [`Config::response_head_timeout`](crate::Config::response_head_timeout).
    ResponseTimeout,
    /// Writing failed ([`Connection::handle_write_error`](crate::Connection::handle_write_error))
    /// and no response arrived.
    WriteFailed,
    /// Reading failed with an error that is not an end of stream
    /// ([`Connection::handle_read_error`](crate::Connection::handle_read_error)): a reset, a TLS
    /// error, a read timeout. [`RequestError::progress`] says how far the request got.
    ReadFailed,
    /// The caller canceled the request.
    Canceled,
    /// The caller aborted the connection.
    Aborted,
    /// The connection closed, for the reason given, before any byte of this request was sent.
    ConnectionClosed(CloseReason),
}

impl FailureKind {
    /// One short lowercase word naming the kind: `eof`, `protocol`, `timeout`, `write`, `read`,
    /// `canceled`, `aborted` or `closed`. Stable: the trace format uses it.
    pub fn name(&self) -> &'static str {
        match self {
            FailureKind::Eof(_) => "eof",
            FailureKind::Protocol(_) => "protocol",
            FailureKind::ResponseTimeout => "timeout",
            FailureKind::WriteFailed => "write",
            FailureKind::ReadFailed => "read",
            FailureKind::Canceled => "canceled",
            FailureKind::Aborted => "aborted",
            FailureKind::ConnectionClosed(_) => "closed",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::Eof(phase) => phase.fmt(f),
            FailureKind::Protocol(e) => e.fmt(f),
            FailureKind::ResponseTimeout => f.write_str("timed out waiting for the response head"),
            FailureKind::WriteFailed => f.write_str("writing the request failed"),
            FailureKind::ReadFailed => f.write_str("reading the response failed"),
            FailureKind::Canceled => f.write_str("request canceled"),
            FailureKind::Aborted => f.write_str("connection aborted"),
            FailureKind::ConnectionClosed(reason) => {
                write!(f, "connection closed before the request was sent: {reason}")
            }
        }
    }
}

/// How far a failed request got: the fact a retry decision rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Progress {
    /// No byte of the request was handed out by
    /// [`Connection::poll_transmit`](crate::Connection::poll_transmit). Any method may be retried.
    NotSent,
    /// Some or all of the request was handed out, and not one response byte arrived. The server
    /// may or may not have acted on it: retry only a replayable request.
    SentNoResponse,
    /// At least one response byte arrived. Never retry: the server answered.
    ResponseStarted,
}

/// Why a request failed, and whether a pool may send it again on another connection. The retry
/// rules are in [`contract`](crate::contract) ("Retry safety").
///
/// ```
/// use h1conn::{Config, Connection, Event, FailureKind, Instant, Progress, Request};
///
/// // A GET was written, then the server hung up without a byte: safe to send again.
/// let mut conn = Connection::new(Config::default());
/// conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
/// while conn.poll_transmit().is_some() {}
/// conn.handle_eof(Instant::ZERO)?;
/// let Some(Event::RequestFailed { error, .. }) = conn.poll_event() else { unreachable!() };
/// assert_eq!(error.progress(), Progress::SentNoResponse);
/// assert!(matches!(error.kind(), FailureKind::Eof(_)));
/// assert!(error.is_retryable()); // a POST would not be: the server may have acted on it
/// # Ok::<(), h1conn::UsageError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestError {
    pub(crate) kind: FailureKind,
    pub(crate) progress: Progress,
    pub(crate) replayable: bool,
    pub(crate) reused_connection: bool,
}

impl RequestError {
    /// What went wrong.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// How far the request got before it failed.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Whether the request may be replayed: an idempotent method (GET, HEAD, OPTIONS, TRACE) or
    /// an `Idempotency-Key` header, and a body the caller declared replayable (no body is).
    pub fn is_replayable(&self) -> bool {
        self.replayable
    }

    /// Whether the connection had completed an earlier response before this request was sent.
    /// A failure on a reused connection is the classic stale keep-alive race.
    pub fn reused_connection(&self) -> bool {
        self.reused_connection
    }

    /// The verdict: `true` when sending the request again on a new connection cannot make the
    /// server act twice on something that is not safe to repeat. [`Progress::NotSent`] is always
    /// retryable, [`Progress::SentNoResponse`] only when [`is_replayable`](Self::is_replayable),
    /// [`Progress::ResponseStarted`] never. Canceled and aborted requests are never retryable:
    /// the caller asked for them to stop.
    pub fn is_retryable(&self) -> bool {
        if matches!(self.kind, FailureKind::Canceled | FailureKind::Aborted) {
            return false;
        }
        match self.progress {
            Progress::NotSent => true,
            Progress::SentNoResponse => self.replayable,
            Progress::ResponseStarted => false,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl core::error::Error for RequestError {}

/// Why the connection closed (or will close after the current response).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The caller called [`Connection::close`](crate::Connection::close).
    LocalClose,
    /// The caller called [`Connection::abort`](crate::Connection::abort).
    Aborted,
    /// The caller canceled a request that had been (partly) sent.
    Canceled,
    /// The connection sat idle for [`Config::idle_timeout`](crate::Config::idle_timeout).
    IdleTimeout,
    /// No response head arrived in time.
    ResponseTimeout,
    /// The peer closed while nothing was in flight (the normal end of an idle keep-alive).
    PeerClosedIdle,
    /// Bytes arrived while nothing was in flight: the connection cannot be trusted for reuse.
    /// A server's `408` on an idle connection lands here, and fails no request.
    UnsolicitedBytes,
    /// The response carried `Connection: close`.
    ServerRequestedClose,
    /// The request carried `Connection: close`.
    ClientRequestedClose,
    /// An HTTP/1.0 response without `Connection: keep-alive`.
    Http10,
    /// The body was delimited by the peer closing the connection (a success).
    EndOfBody,
    /// The response had both `Transfer-Encoding` and `Content-Length` (RFC 9112 §6.3 item 3).
    AmbiguousFraming,
    /// The response was read with a [`Leniency`]: it was delivered, but a connection whose
    /// message boundary rested on a leniency is never reused (see the `leniency` rule in
    /// `docs/compliance.md`).
    Lenient(Leniency),
    /// The response ended before the request body was finished.
    RequestBodyUnfinished,
    /// The connection switched protocols (`101`) or became a tunnel (`2xx` to CONNECT).
    Upgraded,
    /// The peer closed in the middle of a response.
    Eof(EofPhase),
    /// The peer broke the protocol.
    Protocol(ProtocolError),
    /// Writing failed.
    WriteFailed,
    /// Reading failed with an error that is not an end of stream
    /// ([`Connection::handle_read_error`](crate::Connection::handle_read_error)).
    ReadFailed,
}

impl CloseReason {
    /// A short kebab-case name, stable for traces and logs.
    pub fn name(&self) -> &'static str {
        match self {
            CloseReason::LocalClose => "local-close",
            CloseReason::Aborted => "aborted",
            CloseReason::Canceled => "canceled",
            CloseReason::IdleTimeout => "idle-timeout",
            CloseReason::ResponseTimeout => "response-timeout",
            CloseReason::PeerClosedIdle => "peer-closed-idle",
            CloseReason::UnsolicitedBytes => "unsolicited-bytes",
            CloseReason::ServerRequestedClose => "server-requested-close",
            CloseReason::ClientRequestedClose => "client-requested-close",
            CloseReason::Http10 => "http10",
            CloseReason::EndOfBody => "end-of-body",
            CloseReason::AmbiguousFraming => "ambiguous-framing",
            CloseReason::Lenient(_) => "lenient",
            CloseReason::RequestBodyUnfinished => "request-body-unfinished",
            CloseReason::Upgraded => "upgraded",
            CloseReason::Eof(EofPhase::BeforeResponse) => "eof-before-response",
            CloseReason::Eof(EofPhase::InHead { .. }) => "eof-in-head",
            CloseReason::Eof(EofPhase::InLengthBody { .. }) => "eof-in-length-body",
            CloseReason::Eof(EofPhase::InChunkedBody { .. }) => "eof-in-chunked-body",
            CloseReason::Protocol(_) => "protocol-error",
            CloseReason::WriteFailed => "write-failed",
            CloseReason::ReadFailed => "read-failed",
        }
    }

    /// Whether this is an orderly end (nothing failed because of it).
    pub fn is_clean(&self) -> bool {
        !matches!(
            self,
            CloseReason::Aborted
                | CloseReason::Canceled
                | CloseReason::ResponseTimeout
                | CloseReason::Eof(_)
                | CloseReason::Protocol(_)
                | CloseReason::WriteFailed
                | CloseReason::ReadFailed
        )
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::Eof(phase) => phase.fmt(f),
            CloseReason::Protocol(e) => write!(f, "protocol error: {e}"),
            CloseReason::Lenient(l) => write!(f, "lenient: {l}"),
            other => f.write_str(other.name()),
        }
    }
}

impl core::error::Error for CloseReason {}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: FailureKind, progress: Progress, replayable: bool) -> RequestError {
        RequestError {
            kind,
            progress,
            replayable,
            reused_connection: true,
        }
    }

    #[test]
    fn retry_verdict_follows_progress_and_replayability() {
        let eof = FailureKind::Eof(EofPhase::BeforeResponse);
        assert!(err(eof, Progress::NotSent, false).is_retryable());
        assert!(err(eof, Progress::SentNoResponse, true).is_retryable());
        assert!(!err(eof, Progress::SentNoResponse, false).is_retryable());
        assert!(!err(eof, Progress::ResponseStarted, true).is_retryable());
        assert!(!err(FailureKind::Canceled, Progress::NotSent, true).is_retryable());
    }

    #[test]
    fn display_names_the_detail() {
        let e = ProtocolError::ConflictingContentLength { first: 3, other: 4 };
        assert_eq!(
            alloc::format!("{e}"),
            "conflicting Content-Length values 3 and 4"
        );
        let e = CloseReason::Eof(EofPhase::InLengthBody {
            received: 2,
            expected: 9,
        });
        assert_eq!(e.name(), "eof-in-length-body");
        assert_eq!(
            alloc::format!("{e}"),
            "connection closed after 2 of 9 body bytes"
        );
    }
}
