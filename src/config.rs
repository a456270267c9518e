//! Limits and timeouts for one connection.

use core::time::Duration;

/// The largest value [`Config::max_headers`] accepts.
///
/// The head parser keeps its header index on the stack (32 bytes an entry), so the bound keeps
/// that index small and allocation-free.
pub const MAX_HEADERS_LIMIT: usize = 512;

/// Heads and trailer sections index their fields with 32-bit offsets.
const MAX_SECTION_BYTES: usize = u32::MAX as usize;

/// Limits and timeouts for a [`Connection`](crate::Connection).
///
/// Every limit bounds memory or work that a peer could otherwise make unbounded; exceeding one
/// fails the request in flight with a typed [`ProtocolError`](crate::ProtocolError) and closes the
/// connection. Setters chain (`Config::default().max_headers(32).idle_timeout(None)`); values out
/// of range are clamped, as each setter says.
///
/// ```
/// use h1conn::{Config, Connection};
/// use std::time::Duration;
///
/// let config = Config::default()
///     .max_headers(32)
///     .response_head_timeout(Some(Duration::from_secs(10)))
///     .idle_timeout(None)
///     .strict(true);
/// assert_eq!(config.header_count_limit(), 32);
/// let conn = Connection::new(config);
/// assert!(conn.is_ready());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub(crate) max_head_bytes: usize,
    pub(crate) max_headers: usize,
    pub(crate) max_chunk_extension_bytes: usize,
    pub(crate) max_trailer_bytes: usize,
    pub(crate) max_informational: usize,
    pub(crate) response_head_timeout: Option<Duration>,
    pub(crate) expect_continue_timeout: Duration,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) strict: bool,
}

impl Default for Config {
    /// 64 KiB heads, 100 headers, 16 KiB of chunk extensions and of trailers a response,
    /// 16 informational responses a request, no response-head timeout, a 1 s expect-continue
    /// timeout, a 90 s idle timeout, and leniencies accepted (at the cost of reuse).
    fn default() -> Self {
        Config {
            max_head_bytes: 64 * 1024,
            max_headers: 100,
            max_chunk_extension_bytes: 16 * 1024,
            max_trailer_bytes: 16 * 1024,
            max_informational: 16,
            response_head_timeout: None,
            expect_continue_timeout: Duration::from_secs(1),
            idle_timeout: Some(Duration::from_secs(90)),
            strict: false,
        }
    }
}

impl Config {
    /// The most bytes one response head (status line, header lines and the empty line) may take.
    /// Counts head bytes, not buffer size: body bytes that arrive with the head do not count.
    /// Applies to each informational head too. Clamped to `16..=u32::MAX` (field positions inside
    /// a head are 32-bit).
    pub fn max_head_bytes(mut self, bytes: usize) -> Self {
        self.max_head_bytes = bytes.clamp(16, MAX_SECTION_BYTES);
        self
    }

    /// The most header fields one response head may carry; clamped to `1..=`[`MAX_HEADERS_LIMIT`].
    pub fn max_headers(mut self, count: usize) -> Self {
        self.max_headers = count.clamp(1, MAX_HEADERS_LIMIT);
        self
    }

    /// The most chunk-extension bytes (everything between a chunk size and its CRLF) one chunked
    /// response may carry in total. Counted across the whole body, so a stream of tiny chunks
    /// with extensions cannot make parsing cost more than this bound.
    pub fn max_chunk_extension_bytes(mut self, bytes: usize) -> Self {
        self.max_chunk_extension_bytes = bytes;
        self
    }

    /// The most bytes the trailer section of a chunked response may take, final CRLF included.
    /// Clamped to `2..=u32::MAX`.
    pub fn max_trailer_bytes(mut self, bytes: usize) -> Self {
        self.max_trailer_bytes = bytes.clamp(2, MAX_SECTION_BYTES);
        self
    }

    /// The most informational (1xx other than 101) responses one request may receive before its
    /// final response.
    pub fn max_informational(mut self, count: usize) -> Self {
        self.max_informational = count;
        self
    }

    /// How long to wait for the final response head once the whole request has been handed
    /// over (its body finished). `None` (the default) waits forever: callers usually have a
    /// request deadline of their own.
    pub fn response_head_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.response_head_timeout = timeout;
        self
    }

    /// How long a request sent with `Expect: 100-continue` holds its body back waiting for
    /// `100 Continue` (or a final response) before sending it anyway. Default 1 s, as Go's.
    pub fn expect_continue_timeout(mut self, timeout: Duration) -> Self {
        self.expect_continue_timeout = timeout;
        self
    }

    /// How long a reusable connection may sit idle before it closes itself with
    /// [`CloseReason::IdleTimeout`](crate::CloseReason::IdleTimeout). `None` never times out.
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Whether to reject every [`Leniency`](crate::Leniency) instead of accepting it.
    ///
    /// Off (the default): a response that needs a leniency (a bare LF line end, an obs-fold,
    /// repeated `Content-Length` values, ...) is delivered, and the connection closes after it
    /// with [`CloseReason::Lenient`](crate::CloseReason::Lenient): leniency costs reuse, so no
    /// later response is framed on a boundary another parser might put elsewhere.
    /// On: such a response fails with [`ProtocolError::Lenient`](crate::ProtocolError::Lenient),
    /// and a response with both `Transfer-Encoding` and `Content-Length` is rejected too.
    ///
    /// ```
    /// use h1conn::{CloseReason, Config, Connection, Event, Instant, Leniency, ProtocolError, Request, Reuse};
    ///
    /// let folded = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: a\r\n b\r\n\r\nhi";
    /// for strict in [false, true] {
    ///     let mut conn = Connection::new(Config::default().strict(strict));
    ///     conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
    ///     while conn.poll_transmit().is_some() {}
    ///     conn.handle_input(folded, Instant::ZERO)?;
    ///     let events: Vec<Event> = std::iter::from_fn(|| conn.poll_event()).collect();
    ///     let lenient = CloseReason::Lenient(Leniency::ObsFold);
    ///     if strict {
    ///         assert!(matches!(&events[0], Event::RequestFailed { error, .. }
    ///             if error.kind() == h1conn::FailureKind::Protocol(ProtocolError::Lenient(Leniency::ObsFold))));
    ///     } else {
    ///         assert!(events.iter().any(|e| matches!(e, Event::End { reuse, .. } if *reuse == Reuse::Close(lenient))));
    ///     }
    /// }
    /// # Ok::<(), h1conn::UsageError>(())
    /// ```
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// See [`Config::strict`](Self::strict()).
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// See [`Config::max_head_bytes`](Self::max_head_bytes()).
    pub fn head_byte_limit(&self) -> usize {
        self.max_head_bytes
    }

    /// See [`Config::max_headers`](Self::max_headers()).
    pub fn header_count_limit(&self) -> usize {
        self.max_headers
    }

    /// See [`Config::max_chunk_extension_bytes`](Self::max_chunk_extension_bytes()).
    pub fn chunk_extension_byte_limit(&self) -> usize {
        self.max_chunk_extension_bytes
    }

    /// See [`Config::max_trailer_bytes`](Self::max_trailer_bytes()).
    pub fn trailer_byte_limit(&self) -> usize {
        self.max_trailer_bytes
    }

    /// See [`Config::max_informational`](Self::max_informational()).
    pub fn informational_limit(&self) -> usize {
        self.max_informational
    }

    /// See [`Config::response_head_timeout`](Self::response_head_timeout()).
    pub fn response_head_timeout_value(&self) -> Option<Duration> {
        self.response_head_timeout
    }

    /// See [`Config::expect_continue_timeout`](Self::expect_continue_timeout()).
    pub fn expect_continue_timeout_value(&self) -> Duration {
        self.expect_continue_timeout
    }

    /// See [`Config::idle_timeout`](Self::idle_timeout()).
    pub fn idle_timeout_value(&self) -> Option<Duration> {
        self.idle_timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_clamp_out_of_range_values() {
        let c = Config::default()
            .max_headers(0)
            .max_head_bytes(0)
            .max_trailer_bytes(0);
        assert_eq!(c.header_count_limit(), 1);
        assert_eq!(c.head_byte_limit(), 16);
        assert_eq!(c.trailer_byte_limit(), 2);
        assert_eq!(
            Config::default()
                .max_headers(usize::MAX)
                .header_count_limit(),
            MAX_HEADERS_LIMIT
        );
        let huge = Config::default()
            .max_head_bytes(usize::MAX)
            .max_trailer_bytes(usize::MAX);
        assert_eq!(huge.head_byte_limit(), u32::MAX as usize);
        assert_eq!(huge.trailer_byte_limit(), u32::MAX as usize);
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = Config::default();
        assert_eq!(c.head_byte_limit(), 65536);
        assert_eq!(c.header_count_limit(), 100);
        assert_eq!(c.idle_timeout_value(), Some(Duration::from_secs(90)));
        assert_eq!(c.response_head_timeout_value(), None);
    }
}
