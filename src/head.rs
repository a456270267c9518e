//! Response heads: the parsed type and the parser (a thin, allocation-free layer over httparse).
//!
//! The parser is only called once the receive buffer has found the empty line that ends the head
//! (see `recv_buf`), so httparse runs once per head, never once per read.

use crate::config::MAX_HEADERS_LIMIT;
use crate::error::ProtocolError;
use crate::headers::{FieldSpan, FieldSpans, Headers, colon_of, value_start_after};
use crate::leniency::Leniency;
use crate::recv_buf::LineFlags;
use bytes::BytesMut;
use core::fmt;
use core::mem::MaybeUninit;

/// The protocol version of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// `HTTP/1.0`
    Http10,
    /// `HTTP/1.1`
    Http11,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        })
    }
}

/// A response head: status line and header fields.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseHead {
    version: Version,
    status: u16,
    reason: (u32, u32),
    headers: Headers,
    leniency: Option<Leniency>,
    /// Which framing fields are present (`FramingNames`), noted while the spans are made so
    /// framing decisions need no lookup for absent ones.
    framing_names: FramingNames,
}

/// Which of the fields that framing and reuse depend on a head carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FramingNames {
    pub(crate) transfer_encoding: bool,
    pub(crate) content_length: bool,
    pub(crate) connection: bool,
}

impl FramingNames {
    /// Notes `name` if it is one of them (compared only when its length matches).
    fn note(&mut self, name: &[u8]) {
        match name.len() {
            17 => self.transfer_encoding |= name.eq_ignore_ascii_case(b"transfer-encoding"),
            14 => self.content_length |= name.eq_ignore_ascii_case(b"content-length"),
            10 => self.connection |= name.eq_ignore_ascii_case(b"connection"),
            _ => {}
        }
    }
}

impl ResponseHead {
    /// The status code: three digits as received. Codes outside `100..=599` are invalid in
    /// RFC 9110 §15; h1conn reports them as they are and frames their body as a 5xx's, as that
    /// section asks of clients. Only `100..=199` are informational.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The protocol version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The reason phrase (may be empty; it carries no meaning).
    pub fn reason(&self) -> &[u8] {
        self.headers
            .as_bytes()
            .get(self.reason.0 as usize..self.reason.1 as usize)
            .unwrap_or_default()
    }

    /// The header fields, in wire order.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The first [`Leniency`] this head needed to be read (a bare LF, an obs-fold, a higher minor
    /// version, a status outside `100..=599`, no SP after the status code), or `None` for a
    /// head that follows the strict grammar. A connection never carries on after a lenient head
    /// (see [`Config::strict`](crate::Config::strict)); framing leniencies found in the fields
    /// later show in [`Event::End`](crate::Event::End)'s `reuse`.
    pub fn leniency(&self) -> Option<Leniency> {
        self.leniency
    }

    /// The server's `Keep-Alive: timeout=N` hint (RFC 2068 §19.7.1, still sent by node and
    /// Apache): how long it keeps an idle connection open. A pool evicts an idle connection
    /// before then instead of racing the server's close. `None` when absent or not a number.
    ///
    /// ```
    /// use h1conn::{Config, Connection, Event, Instant, Request};
    /// use std::time::Duration;
    ///
    /// let mut conn = Connection::new(Config::default());
    /// conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
    /// while conn.poll_transmit().is_some() {}
    /// conn.handle_input(b"HTTP/1.1 204 No Content\r\nKeep-Alive: timeout=5, max=100\r\n\r\n", Instant::ZERO)?;
    /// let Some(Event::Head { head, .. }) = conn.poll_event() else { unreachable!() };
    /// assert_eq!(head.keep_alive_timeout(), Some(Duration::from_secs(5)));
    /// # Ok::<(), h1conn::UsageError>(())
    /// ```
    pub fn keep_alive_timeout(&self) -> Option<core::time::Duration> {
        self.headers
            .get_all("keep-alive")
            .flat_map(crate::token::list_elements)
            .find_map(|param| {
                let (name, value) = param.split_at(param.iter().position(|&b| b == b'=')?);
                let name = crate::token::trim_ows(name);
                let value = crate::token::trim_ows(&value[1..]);
                let value = value
                    .strip_prefix(b"\"")
                    .and_then(|v| v.strip_suffix(b"\""))
                    .unwrap_or(value);
                name.eq_ignore_ascii_case(b"timeout")
                    .then(|| crate::framing::parse_decimal(value))
                    .flatten()
                    .map(core::time::Duration::from_secs)
            })
    }

    /// Which framing fields the head carries.
    pub(crate) fn framing_names(&self) -> FramingNames {
        self.framing_names
    }

    /// Whether this is an informational (1xx) head.
    pub fn is_informational(&self) -> bool {
        (100..200).contains(&self.status)
    }
}

impl fmt::Debug for ResponseHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHead")
            .field("version", &self.version)
            .field("status", &self.status)
            .field("reason", &bytes::Bytes::copy_from_slice(self.reason()))
            .field("headers", &self.headers)
            .field("leniency", &self.leniency)
            .finish()
    }
}

fn map_httparse(e: httparse::Error, max_headers: usize) -> ProtocolError {
    match e {
        httparse::Error::HeaderName => ProtocolError::InvalidHeaderName,
        httparse::Error::HeaderValue => ProtocolError::InvalidHeaderValue,
        httparse::Error::NewLine => ProtocolError::InvalidLineEnding,
        httparse::Error::Status | httparse::Error::Token => ProtocolError::InvalidStatusLine,
        httparse::Error::TooManyHeaders => ProtocolError::TooManyHeaders { limit: max_headers },
        httparse::Error::Version => ProtocolError::InvalidVersion,
    }
}

/// Offset of `part` inside `whole`; `part` must be a sub-slice (httparse only returns those).
fn offset_in(whole: &[u8], part: &[u8]) -> u32 {
    (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize) as u32
}

/// Field spans of `fields` (sub-slices of `whole`), values trimmed of surrounding whitespace.
/// The second value says whether any value holds an obs-fold (a CR or LF) to rewrite.
/// `maybe_folded == false` promises there is none (the receive buffer's search saw every line
/// break), which saves scanning every value.
fn spans_of(
    whole: &[u8],
    fields: &[httparse::Header<'_>],
    maybe_folded: bool,
) -> (FieldSpans, bool, FramingNames) {
    // Sized once: a head with more than 16 fields costs one allocation, not one per doubling.
    let mut spans = FieldSpans::with_capacity(fields.len());
    let mut folded = false;
    let mut names = FramingNames::default();
    for field in fields {
        let value = crate::token::trim_ows(field.value);
        folded |= maybe_folded && value.iter().any(|&b| b == b'\r' || b == b'\n');
        names.note(field.name.as_bytes());
        // A span keeps the name's start and the value's end; `Headers` finds the colon after
        // the name and skips the whitespace after it (see `FieldSpan`).
        spans.push(FieldSpan {
            name_start: offset_in(whole, field.name.as_bytes()),
            value_end: offset_in(whole, value) + value.len() as u32,
        });
    }
    (spans, folded, names)
}

/// Rewrites every obs-fold (`OWS CRLF 1*(SP / HTAB)`, or with a bare LF) inside the values of
/// `spans` to one SP, in place, shrinking the spans (RFC 9112 §5.2).
fn unfold_in_place(buf: &mut [u8], spans: &mut FieldSpans) {
    for span in spans.iter_mut() {
        // Where `Headers` will read the value from (the same rule).
        let end = span.value_end as usize;
        let start = value_start_after(buf, colon_of(buf, span), end);
        if !buf[start..end].iter().any(|&b| b == b'\r' || b == b'\n') {
            continue;
        }
        let mut write = start;
        let mut read = start;
        while read < end {
            let b = buf[read];
            if b == b'\r' || b == b'\n' {
                // Drop the whitespace already written before the line break, then the break
                // and the whitespace that starts the continuation line.
                while write > start && crate::token::is_ows(buf[write - 1]) {
                    write -= 1;
                }
                while read < end
                    && (buf[read] == b'\r' || buf[read] == b'\n' || crate::token::is_ows(buf[read]))
                {
                    read += 1;
                }
                buf[write] = b' ';
                write += 1;
            } else {
                buf[write] = b;
                write += 1;
                read += 1;
            }
        }
        span.value_end = write as u32;
    }
}

/// Parses the head occupying `buf[..head_len]` (which ends with its empty line), then cuts those
/// bytes off `buf`. On error `buf` is left as it was.
///
/// `lines` is what the receive buffer's search saw ([`RecvBuf::line_flags`](crate::recv_buf::RecvBuf::line_flags)):
/// `folded == false` promises the head has no obs-fold, `bare_lf` says whether a line ended by a
/// bare LF. Every leniency the head needed is recorded in [`ResponseHead::leniency`].
pub(crate) fn parse_head(
    buf: &mut BytesMut,
    head_len: usize,
    max_headers: usize,
    lines: LineFlags,
) -> Result<ResponseHead, ProtocolError> {
    let maybe_folded = lines.folded;
    let max_headers = max_headers.clamp(1, MAX_HEADERS_LIMIT);
    let bytes = &buf[..head_len];
    // The same start check the connection runs on every input (httparse would skip leading
    // empty lines, which RFC 9112 §2.2 allows only to servers).
    check_start(bytes)?;
    // RFC 9112 §2.3 / RFC 9110 §2.5: a recipient SHOULD process a message with a higher minor
    // version of a major version it implements as the highest minor version it conforms to.
    // httparse knows only `1.0` and `1.1`, so an `HTTP/1.2`..`HTTP/1.9` status line is shown to
    // it as `HTTP/1.1` and the byte is put back afterwards (no field or reason span covers it).
    let higher_minor = matches!(
        bytes,
        [
            b'H',
            b'T',
            b'T',
            b'P',
            b'/',
            b'1',
            b'.',
            b'2'..=b'9',
            b' ',
            ..
        ]
    );
    let parsed = if higher_minor {
        let original = buf[7];
        buf[7] = b'1';
        let parsed = parse_status_and_fields(&buf[..head_len], max_headers, maybe_folded);
        buf[7] = original;
        parsed?
    } else {
        parse_status_and_fields(bytes, max_headers, maybe_folded)?
    };
    let ParsedHead {
        framing_names,
        version,
        status,
        reason,
        mut spans,
        folded,
    } = parsed;
    // Leniencies, in the order their bytes come (status line first).
    let leniency = [
        (higher_minor, Leniency::HigherMinorVersion),
        // `status-line = HTTP-version SP status-code SP [ reason-phrase ]`: byte 12 is that SP.
        (buf.get(12) != Some(&b' '), Leniency::MissingReasonSeparator),
        (!(100..=599).contains(&status), Leniency::StatusOutOfRange),
        (lines.bare_lf, Leniency::BareLf),
        // Every line break followed by SP or HTAB, as the search saw it: also a fold right
        // after the colon or a whitespace-only continuation line, which httparse drops from
        // the value (so `folded`, from the values, would miss them).
        (lines.folded, Leniency::ObsFold),
    ]
    .into_iter()
    .find_map(|(found, leniency)| found.then_some(leniency));
    let mut head = buf.split_to(head_len);
    if folded {
        unfold_in_place(&mut head, &mut spans);
    }
    Ok(ResponseHead {
        version,
        status,
        reason,
        headers: Headers::new(head.freeze(), spans),
        leniency,
        framing_names,
    })
}

/// The fast path for the common case: a whole head at the front of `buf` that follows the
/// strict grammar (no leniency at all), parsed by one httparse call that also finds its end, so
/// the receive buffer's line-by-line search is skipped. Returns `None`, having changed nothing,
/// for anything else (an incomplete head, a head longer than `limit`, any leniency, any error):
/// the caller then takes the search path, which reports exactly what it finds.
///
/// Why the result is the same as the search path's: httparse without obs-fold support rejects
/// every fold, and CR and LF cannot occur inside a status code, reason phrase, name or value, so
/// every line break of an accepted head lies between two parsed parts; each of those gaps is
/// checked to be optional whitespace then CRLF (the last one CRLF CRLF). So the head has no bare
/// LF and no fold, its first empty line is where httparse stopped, and the search path would
/// find the same end, record no leniency and parse the same fields.
pub(crate) fn parse_whole_head(
    buf: &mut BytesMut,
    limit: usize,
    max_headers: usize,
) -> Option<ResponseHead> {
    // `HTTP/1.0 ` or `HTTP/1.1 ` then a status code, its SP at byte 12 (the search path records
    // the leniency of anything else: a higher minor version, a missing separator).
    if !(buf.starts_with(b"HTTP/1.1 ") || buf.starts_with(b"HTTP/1.0 "))
        || buf.get(12) != Some(&b' ')
    {
        return None;
    }
    let max_headers = max_headers.clamp(1, MAX_HEADERS_LIMIT);
    let mut storage = [MaybeUninit::<httparse::Header<'_>>::uninit(); MAX_HEADERS_LIMIT];
    let mut response = httparse::Response::new(&mut []);
    let bytes = &buf[..];
    let head_len = match httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut response,
        bytes,
        &mut storage[..max_headers],
    ) {
        Ok(httparse::Status::Complete(n)) if n <= limit => n,
        _ => return None,
    };
    let version = match response.version {
        Some(0) => Version::Http10,
        Some(1) => Version::Http11,
        _ => return None,
    };
    let status = response.code.filter(|code| (100..=599).contains(code))?;
    let reason = response.reason.unwrap_or_default().as_bytes();
    // The status line's end: after the reason, or after "HTTP/1.1 200 " when it is empty.
    let reason_start = if reason.is_empty() {
        13
    } else {
        offset_in(bytes, reason) as usize
    };
    let mut line_end = reason_start + reason.len();
    let mut spans = FieldSpans::with_capacity(response.headers.len());
    let mut framing_names = FramingNames::default();
    for field in response.headers.iter() {
        let name_start = offset_in(bytes, field.name.as_bytes());
        if !is_line_break(bytes.get(line_end..name_start as usize)?) {
            return None;
        }
        line_end = offset_in(bytes, field.value) as usize + field.value.len();
        // The same span and names `spans_of` makes. httparse trims the whitespace around a
        // value, so `spans_of`'s trim has nothing to do here (the fast path's unit test compares
        // both paths' fields).
        framing_names.note(field.name.as_bytes());
        spans.push(FieldSpan {
            name_start,
            value_end: line_end as u32,
        });
    }
    if !bytes
        .get(line_end..head_len)?
        .strip_suffix(b"\r\n")
        .is_some_and(is_line_break)
    {
        return None;
    }
    let reason = if reason.is_empty() {
        (0, 0)
    } else {
        (reason_start as u32, (reason_start + reason.len()) as u32)
    };
    let head = buf.split_to(head_len);
    Some(ResponseHead {
        version,
        status,
        reason,
        headers: Headers::new(head.freeze(), spans),
        leniency: None,
        framing_names,
    })
}

/// Optional whitespace, then CRLF: the only line ending the fast path accepts.
fn is_line_break(gap: &[u8]) -> bool {
    gap == b"\r\n" || (crate::token::trim_ows(gap) == b"\r\n" && gap.ends_with(b"\r\n"))
}

/// Rejects, before the head is complete, bytes that cannot begin a status line: every status
/// line starts `HTTP/1.` (RFC 9112 §2.3, §4; the name is case-sensitive). Looks at no more than
/// the first seven bytes, so calling it on every input keeps head parsing O(n). A non-HTTP peer
/// (a TLS server, prose, a NUL) then fails the request at its first bytes, not after
/// `max_head_bytes` or a timeout.
pub(crate) fn check_start(buffered: &[u8]) -> Result<(), ProtocolError> {
    const START: &[u8] = b"HTTP/1.";
    let n = buffered.len().min(START.len());
    match buffered.first() {
        // RFC 9112 §2.2 asks only servers to skip empty lines before the start line; a response
        // that starts with one is malformed, and skipping would hide a framing error of the
        // previous one.
        Some(b'\r' | b'\n') => Err(ProtocolError::InvalidStatusLine),
        _ if buffered[..n] != START[..n] => Err(ProtocolError::InvalidVersion),
        _ => Ok(()),
    }
}

/// What httparse found in a head, as offsets into it.
struct ParsedHead {
    framing_names: FramingNames,
    version: Version,
    status: u16,
    reason: (u32, u32),
    spans: FieldSpans,
    folded: bool,
}

/// Runs httparse over a complete head and checks the status line.
fn parse_status_and_fields(
    bytes: &[u8],
    max_headers: usize,
    maybe_folded: bool,
) -> Result<ParsedHead, ProtocolError> {
    let mut storage = [MaybeUninit::<httparse::Header<'_>>::uninit(); MAX_HEADERS_LIMIT];
    let mut response = httparse::Response::new(&mut []);
    let status = httparse::ParserConfig::default()
        .allow_obsolete_multiline_headers_in_responses(true)
        .parse_response_with_uninit_headers(&mut response, bytes, &mut storage[..max_headers])
        .map_err(|e| map_httparse(e, max_headers))?;
    match status {
        httparse::Status::Complete(n) if n == bytes.len() => {}
        // The caller found the empty line, so httparse must agree on where the head ends.
        _ => return Err(ProtocolError::InvalidStatusLine),
    }
    let version = match response.version {
        Some(0) => Version::Http10,
        Some(1) => Version::Http11,
        _ => return Err(ProtocolError::InvalidVersion),
    };
    // Any three digits. RFC 9110 §15: codes outside 100..=599 are invalid, and a client SHOULD
    // process such a response as a 5xx; framing does exactly that (see `framing::decide`).
    let status = response.code.ok_or(ProtocolError::InvalidStatusLine)?;
    let reason = response.reason.unwrap_or_default().as_bytes();
    let reason_start = if reason.is_empty() {
        0
    } else {
        offset_in(bytes, reason)
    };
    let reason = (reason_start, reason_start + reason.len() as u32);
    let (spans, folded, framing_names) = spans_of(bytes, response.headers, maybe_folded);
    Ok(ParsedHead {
        framing_names,
        version,
        status,
        reason,
        spans,
        folded,
    })
}

/// Parses a trailer section `buf[..len]` (field lines then the empty line), then cuts it off.
pub(crate) fn parse_trailers(
    buf: &mut BytesMut,
    len: usize,
    max_headers: usize,
) -> Result<Headers, ProtocolError> {
    let max_headers = max_headers.clamp(1, MAX_HEADERS_LIMIT);
    let bytes = &buf[..len];
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS_LIMIT];
    let (n, fields) = match httparse::parse_headers(bytes, &mut storage[..max_headers]) {
        Ok(httparse::Status::Complete((n, fields))) => (n, fields),
        Ok(httparse::Status::Partial) => return Err(ProtocolError::InvalidTrailers),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ProtocolError::TooManyHeaders { limit: max_headers });
        }
        Err(_) => return Err(ProtocolError::InvalidTrailers),
    };
    if n != len {
        return Err(ProtocolError::InvalidTrailers);
    }
    let (spans, folded, _) = spans_of(bytes, fields, true);
    if folded {
        return Err(ProtocolError::InvalidTrailers);
    }
    Ok(Headers::new(buf.split_to(len).freeze(), spans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// "May hold folds, no bare LF": makes the parser look at every value itself.
    const FOLDS: LineFlags = LineFlags {
        folded: true,
        bare_lf: false,
    };

    fn parse(raw: &[u8]) -> Result<ResponseHead, ProtocolError> {
        let mut buf = BytesMut::from(raw);
        let mut lines = LineFlags::default();
        let len = crate::recv_buf::find_blank_line(raw, 0, &mut lines).unwrap_or(raw.len());
        parse_head(&mut buf, len, 100, lines)
    }

    /// The fast path against the search path, on `raw` (a head, maybe followed by body bytes):
    /// when the fast path takes it, it must cut the same bytes and return the same head, with
    /// no leniency. Returns whether it took it.
    fn fast_path_agrees(raw: &[u8]) -> bool {
        let mut fast_buf = BytesMut::from(raw);
        let Some(fast) = parse_whole_head(&mut fast_buf, 1 << 16, 100) else {
            assert_eq!(&fast_buf[..], raw, "a declined head is left as it was");
            return false;
        };
        let mut lines = LineFlags::default();
        let len = crate::recv_buf::find_blank_line(raw, 0, &mut lines)
            .unwrap_or_else(|_| panic!("fast path took an incomplete head: {raw:?}"));
        let mut slow_buf = BytesMut::from(raw);
        let slow = parse_head(&mut slow_buf, len, 100, lines);
        assert_eq!(
            Ok(&fast),
            slow.as_ref(),
            "{:?}",
            bytes::Bytes::copy_from_slice(raw)
        );
        assert_eq!(fast.leniency(), None);
        assert_eq!(fast_buf, slow_buf, "both cut the head and only the head");
        assert_eq!(
            fast.headers().iter().collect::<Vec<_>>(),
            slow.unwrap().headers().iter().collect::<Vec<_>>()
        );
        true
    }

    #[test]
    fn fast_path_matches_the_search_path() {
        let heads: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: y\r\n\r\nhi",
            b"HTTP/1.1 204 \r\n\r\n",
            b"HTTP/1.0 404 Not Found\r\nA:b\r\nC: \t d \t\r\nE:\r\n\r\n",
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n\x00\x01",
            b"HTTP/1.1 599 x y z\r\nSet-Cookie: a=1; Path=/\r\nset-cookie: b=\"2\"\r\n\r\n",
        ];
        // Each strict head is taken; then every byte replaced by each byte that matters to line
        // structure or to the grammar: taken or declined, never a different answer.
        for head in heads {
            assert!(
                fast_path_agrees(head),
                "{:?}",
                bytes::Bytes::copy_from_slice(head)
            );
            for at in 0..head.len() {
                for b in [b'\r', b'\n', b' ', b'\t', b':', b'x', b'2', 0, 0x80] {
                    let mut mutated = head.to_vec();
                    mutated[at] = b;
                    fast_path_agrees(&mutated);
                }
                fast_path_agrees(&head[..at]);
            }
        }
        // Leniencies are all left to the search path.
        for lenient in [
            &b"HTTP/1.1 200 OK\nA: b\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nA: b\n\r\n",
            b"HTTP/1.1 200 OK\r\nA: b\r\n\n",
            b"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nA:\r\n c\r\n\r\n",
            b"HTTP/1.2 200 OK\r\n\r\n",
            b"HTTP/1.1 200\r\n\r\n",
            b"HTTP/1.1 600 OK\r\n\r\n",
            b"HTTP/1.1 099 OK\r\n\r\n",
        ] {
            assert!(
                !fast_path_agrees(lenient),
                "{:?}",
                bytes::Bytes::copy_from_slice(lenient)
            );
        }
        // Limits: a head over the byte limit or the field limit goes the search path's way.
        let mut buf = BytesMut::from(&b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"[..]);
        assert_eq!(parse_whole_head(&mut buf, 20, 100), None);
        assert!(
            parse_whole_head(&mut buf, 100, 0).is_some(),
            "the field limit clamps to 1"
        );
        let mut two = BytesMut::from(&b"HTTP/1.1 200 OK\r\nA: b\r\nC: d\r\n\r\n"[..]);
        assert_eq!(parse_whole_head(&mut two, 100, 1), None);
    }

    fn fields(h: &ResponseHead) -> Vec<(&str, &[u8])> {
        h.headers().iter().map(|f| (f.name, f.value)).collect()
    }

    #[test]
    fn simple_head() {
        let h = parse(b"HTTP/1.1 200 OK\r\nA: 1\r\nB:  two words \r\n\r\n").unwrap();
        assert_eq!(h.status(), 200);
        assert_eq!(h.version(), Version::Http11);
        assert_eq!(h.reason(), b"OK");
        assert_eq!(fields(&h), [("A", &b"1"[..]), ("B", b"two words")]);
    }

    #[test]
    fn missing_reason_and_bare_lf() {
        let h = parse(b"HTTP/1.0 204\nX:y\n\n").unwrap();
        assert_eq!(
            (h.status(), h.version(), h.reason()),
            (204, Version::Http10, &b""[..])
        );
        assert_eq!(fields(&h), [("X", &b"y"[..])]);
    }

    #[test]
    fn obs_fold_becomes_one_space() {
        let h = parse(b"HTTP/1.1 200 OK\r\nX: a  \r\n  b\r\n\tc\r\nY: d\r\n\r\n").unwrap();
        assert_eq!(fields(&h), [("X", &b"a b c"[..]), ("Y", b"d")]);
    }

    #[test]
    fn higher_minor_version_is_read_as_1_1() {
        // RFC 9112 §2.3: process as the highest minor version implemented.
        let raw = b"HTTP/1.2 200 OK\r\nA: 1\r\n\r\nrest";
        let mut buf = BytesMut::from(&raw[..]);
        let h = parse_head(&mut buf, raw.len() - 4, 100, FOLDS).unwrap();
        assert_eq!(
            (h.version(), h.status(), h.reason()),
            (Version::Http11, 200, &b"OK"[..])
        );
        assert_eq!(fields(&h), [("A", &b"1"[..])]);
        assert_eq!(
            &h.headers().as_bytes()[..8],
            b"HTTP/1.2",
            "the received bytes are kept"
        );
        assert_eq!(&buf[..], b"rest");
        let h = parse(b"HTTP/1.9 204\r\n\r\n").unwrap();
        assert_eq!((h.version(), h.status()), (Version::Http11, 204));
        // A failed parse leaves the buffer as it was.
        let bad = b"HTTP/1.2 20 OK\r\n\r\n";
        let mut buf = BytesMut::from(&bad[..]);
        assert_eq!(
            parse_head(&mut buf, bad.len(), 100, FOLDS),
            Err(ProtocolError::InvalidStatusLine)
        );
        assert_eq!(&buf[..], &bad[..]);
        // Other majors and multi-digit minors stay errors (the grammar is DIGIT "." DIGIT).
        for raw in [
            &b"HTTP/2.0 200 OK\r\n\r\n"[..],
            b"HTTP/0.9 200 OK\r\n\r\n",
            b"HTTP/1.10 200 OK\r\n\r\n",
        ] {
            assert_eq!(
                parse(raw).map(|h| h.status()),
                Err(ProtocolError::InvalidVersion),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn errors() {
        let cases: &[(&[u8], ProtocolError)] = &[
            (b"HTTP/2.0 200 OK\r\n\r\n", ProtocolError::InvalidVersion),
            (b"HTTP/1.1 20 OK\r\n\r\n", ProtocolError::InvalidStatusLine),
            (
                b"HTTP/1.1 2000 OK\r\n\r\n",
                ProtocolError::InvalidStatusLine,
            ),
            (
                b"HTTP/1.1 200 OK\r\nA B: c\r\n\r\n",
                ProtocolError::InvalidHeaderName,
            ),
            (
                b"HTTP/1.1 200 OK\r\nA : c\r\n\r\n",
                ProtocolError::InvalidHeaderName,
            ),
            (
                b"HTTP/1.1 200 OK\r\nA: \x01\r\n\r\n",
                ProtocolError::InvalidHeaderValue,
            ),
            (
                b"\r\nHTTP/1.1 200 OK\r\n\r\n",
                ProtocolError::InvalidStatusLine,
            ),
            (b"FOO/1.1 200 OK\r\n\r\n", ProtocolError::InvalidVersion),
        ];
        for (raw, want) in cases {
            assert_eq!(
                parse(raw),
                Err(*want),
                "{:?}",
                bytes::Bytes::copy_from_slice(raw)
            );
        }
    }

    #[test]
    fn statuses_outside_the_registry_are_reported_as_received() {
        for (raw, code) in [
            (&b"HTTP/1.1 000 X\r\n\r\n"[..], 0),
            (b"HTTP/1.1 099 X\r\n\r\n", 99),
            (b"HTTP/1.1 600 X\r\n\r\n", 600),
            (b"HTTP/1.1 999 X\r\n\r\n", 999),
        ] {
            let h = parse(raw).unwrap();
            assert_eq!(h.status(), code);
            assert!(!h.is_informational());
        }
    }

    #[test]
    fn leniencies_are_recorded() {
        use Leniency::*;
        let cases: &[(&[u8], Option<Leniency>)] = &[
            (b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n", None),
            (b"HTTP/1.1 200 \r\n\r\n", None),
            (b"HTTP/1.0 599 \tx\x80\r\nA:\t1 \r\n\r\n", None),
            (b"HTTP/1.1 200\r\n\r\n", Some(MissingReasonSeparator)),
            (b"HTTP/1.1 200 OK\nA: 1\r\n\r\n", Some(BareLf)),
            (b"HTTP/1.1 200 OK\r\nA: 1\n\r\n", Some(BareLf)),
            (b"HTTP/1.1 200 OK\r\nA: 1\r\n\n", Some(BareLf)),
            (b"HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\n\r\n", Some(ObsFold)),
            (b"HTTP/1.1 200 OK\r\nA:\r\n 2\r\n\r\n", Some(ObsFold)),
            (b"HTTP/1.1 200 OK\r\nA: \r\n\t2\r\n\r\n", Some(ObsFold)),
            (b"HTTP/1.1 200 OK\r\nA: 1\r\n \r\n\r\n", Some(ObsFold)),
            (b"HTTP/1.2 200 OK\r\n\r\n", Some(HigherMinorVersion)),
            (b"HTTP/1.1 600 X\r\n\r\n", Some(StatusOutOfRange)),
            (b"HTTP/1.1 099 X\r\n\r\n", Some(StatusOutOfRange)),
            // The first one in wire order is reported.
            (b"HTTP/1.3 700\nA: 1\n \t2\n\n", Some(HigherMinorVersion)),
        ];
        for (raw, want) in cases {
            let got = parse(raw).map(|h| h.leniency());
            assert_eq!(got, Ok(*want), "{:?}", bytes::Bytes::copy_from_slice(raw));
        }
    }

    #[test]
    fn start_check_rejects_at_the_first_impossible_byte() {
        for ok in [
            &b""[..],
            b"H",
            b"HTTP/",
            b"HTTP/1.",
            b"HTTP/1.1 200",
            b"HTTP/1.0",
        ] {
            assert_eq!(check_start(ok), Ok(()), "{ok:?}");
        }
        for (bad, want) in [
            (&b"\r"[..], ProtocolError::InvalidStatusLine),
            (b"\n", ProtocolError::InvalidStatusLine),
            (b"\x16\x03\x03", ProtocolError::InvalidVersion),
            (b"http/1.1", ProtocolError::InvalidVersion),
            (b"HTTP/2", ProtocolError::InvalidVersion),
            (b" ", ProtocolError::InvalidVersion),
            (b"\0", ProtocolError::InvalidVersion),
        ] {
            assert_eq!(check_start(bad), Err(want), "{bad:?}");
        }
    }

    #[test]
    fn too_many_headers_is_typed() {
        let mut raw = Vec::from(&b"HTTP/1.1 200 OK\r\n"[..]);
        for _ in 0..3 {
            raw.extend_from_slice(b"A: b\r\n");
        }
        raw.extend_from_slice(b"\r\n");
        let mut buf = BytesMut::from(&raw[..]);
        assert_eq!(
            parse_head(&mut buf, raw.len(), 2, FOLDS),
            Err(ProtocolError::TooManyHeaders { limit: 2 })
        );
        assert_eq!(&buf[..], &raw[..], "a failed parse leaves the buffer alone");
    }

    #[test]
    fn head_is_cut_and_rest_kept() {
        let mut buf = BytesMut::from(&b"HTTP/1.1 200 OK\r\n\r\nbody"[..]);
        let h = parse_head(&mut buf, 19, 100, FOLDS).unwrap();
        assert_eq!(h.status(), 200);
        assert_eq!(&buf[..], b"body");
    }

    #[test]
    fn trailers() {
        let mut buf = BytesMut::from(&b"Expires: never\r\nX: 1\r\n\r\nnext"[..]);
        let t = parse_trailers(&mut buf, 24, 100).unwrap();
        assert_eq!(t.get("expires"), Some(&b"never"[..]));
        assert_eq!(t.len(), 2);
        assert_eq!(&buf[..], b"next");
        let mut bad = BytesMut::from(&b"Bad Name: 1\r\n\r\n"[..]);
        assert_eq!(
            parse_trailers(&mut bad, 15, 100),
            Err(ProtocolError::InvalidTrailers)
        );
    }
}
