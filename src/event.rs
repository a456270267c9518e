//! What the connection reports: request ids and events.

use crate::error::{CloseReason, RequestError};
use crate::head::ResponseHead;
use crate::headers::Headers;
use bytes::Bytes;
use core::fmt;

/// Names one request on one connection. Minted by
/// [`Connection::send_request`](crate::Connection::send_request); opaque, ordered by sending
/// order, never reused by the connection that minted it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub(crate) u64);

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({})", self.0)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Whether the connection can carry another request after a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reuse {
    /// The connection stays open; [`Event::Idle`] follows.
    KeepAlive,
    /// The connection closes; [`Event::Closed`] with this reason follows.
    Close(CloseReason),
}

/// One fact the connection reports, in the order it happened. The ordering rules (E1–E8) are in
/// [`contract`](crate::contract).
///
/// Request-scoped events carry the [`RequestId`]; connection-scoped ones (`Idle`, `Closed`) do not.
///
/// ```
/// use h1conn::{Config, Connection, Event, Instant, Request, Reuse};
///
/// let mut conn = Connection::new(Config::default());
/// conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
/// while conn.poll_transmit().is_some() {}
/// conn.handle_input(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", Instant::ZERO)?;
/// let mut log = Vec::new();
/// while let Some(event) = conn.poll_event() {
///     log.push(match event {
///         Event::Head { head, .. } => format!("head {}", head.status()),
///         Event::Data { data, .. } => format!("data {}", data.len()),
///         Event::End { reuse: Reuse::Close(reason), .. } => format!("end, then close: {reason}"),
///         Event::End { .. } => "end".to_string(),
///         Event::Closed { reason } => format!("closed: {reason}"),
///         other => format!("{other:?}"),
///     });
/// }
/// // The response first, then the close: always in this order.
/// assert_eq!(log, ["head 200", "data 2", "end, then close: server-requested-close",
///                  "closed: server-requested-close"]);
/// # Ok::<(), h1conn::UsageError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// An informational (1xx other than 101) response head. Zero or more come before the final
    /// head; `100 Continue` also releases a body held by `Expect: 100-continue`.
    Informational {
        /// The request answered.
        id: RequestId,
        /// The informational head.
        head: ResponseHead,
    },
    /// The final response head (including an accepted `101`). Exactly one per successful request.
    Head {
        /// The request answered.
        id: RequestId,
        /// The final head.
        head: ResponseHead,
    },
    /// Response body bytes, in order. Empty data is never reported. Chunk boundaries carry no
    /// meaning: the same response may arrive in different pieces.
    Data {
        /// The request answered.
        id: RequestId,
        /// Body bytes (a zero-copy view of the receive buffer).
        data: Bytes,
    },
    /// The response is complete. Exactly one per successful request, after its head and data.
    End {
        /// The request answered.
        id: RequestId,
        /// Trailer fields of a chunked response (empty otherwise).
        trailers: Headers,
        /// Whether the connection carries on.
        reuse: Reuse,
    },
    /// After `End` for an accepted `101` or a `2xx` to CONNECT: the connection no longer speaks
    /// HTTP. `buffered` holds every byte received after the head; the caller owns the transport
    /// from here. [`Event::Closed`] with [`CloseReason::Upgraded`] follows.
    Upgraded {
        /// The request that upgraded.
        id: RequestId,
        /// Bytes that arrived after the head.
        buffered: Bytes,
    },
    /// The request body is unfinished and the machine will transmit no more of it: the final
    /// head said the connection closes, the response ended first, or writing failed. Further
    /// body calls for this request return [`UsageError::BodyNotWanted`](crate::UsageError::BodyNotWanted)
    /// (or [`UsageError::Closed`](crate::UsageError::Closed) once closed). At most once per request.
    StopSending {
        /// The request whose body is no longer wanted.
        id: RequestId,
    },
    /// The request failed; no further event names it. Exactly one per failed request, instead of
    /// the rest of its response.
    RequestFailed {
        /// The failed request.
        id: RequestId,
        /// Why, and whether it is safe to retry.
        error: RequestError,
    },
    /// The connection has nothing in flight and may take a new request.
    Idle,
    /// The connection is closed. Always the last event, exactly once; after it
    /// [`Connection::poll_event`](crate::Connection::poll_event) returns `None` forever.
    Closed {
        /// Why it closed.
        reason: CloseReason,
    },
}

impl Event {
    /// The request this event is about, for request-scoped events.
    pub fn request_id(&self) -> Option<RequestId> {
        match self {
            Event::Informational { id, .. }
            | Event::Head { id, .. }
            | Event::Data { id, .. }
            | Event::End { id, .. }
            | Event::Upgraded { id, .. }
            | Event::StopSending { id }
            | Event::RequestFailed { id, .. } => Some(*id),
            Event::Idle | Event::Closed { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every event moves through the queue and out to the caller by value, so its size is a
    /// cost per event (docs/benchmarks.md): 216 bytes since field spans became 8 bytes (it was
    /// 344). A change that grows it should be a deliberate one.
    #[test]
    fn events_stay_small() {
        assert!(core::mem::size_of::<super::Event>() <= 216);
    }
}
