//! A received header block (a response head's fields or a chunked body's trailers).
//!
//! The block keeps the received bytes as one [`Bytes`] and an inline index of up to 16 field
//! spans, so a typical head costs no allocation beyond the receive buffer it was cut from.

use bytes::Bytes;
use core::fmt;
use smallvec::SmallVec;

/// Where one field lies inside the block's bytes: eight bytes, so that a head's index of 16
/// fields (and the events that carry it) stays small to move.
///
/// The name starts at `name_start` and ends at the first `:` (a name is a token, so it holds
/// none, and the parser allows no whitespace before the colon); the value ends at `value_end`
/// and starts after the colon and the whitespace (and any obs-fold line break) that follows it.
/// Both ends are only derived on access, where they cost a scan of the name or of the few bytes
/// between colon and value; a lookup by name compares the name and checks for the colon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    pub(crate) name_start: u32,
    pub(crate) value_end: u32,
}

pub(crate) type FieldSpans = SmallVec<[FieldSpan; 16]>;

/// Where the name of the field at `span` ends in `bytes`: at its colon (`name_start` if there
/// is none before the value's end, which parsing never lets happen).
#[inline]
pub(crate) fn colon_of(bytes: &[u8], span: &FieldSpan) -> usize {
    let start = span.name_start as usize;
    let end = (span.value_end as usize).min(bytes.len());
    bytes
        .get(start..end)
        .and_then(|rest| rest.iter().position(|&b| b == b':'))
        .map_or(start, |colon| start + colon)
}

/// Where a field's value starts in `bytes`, given the colon that ends its name: past the
/// whitespace and fold line breaks after it (never part of a value), and not past `end`. The
/// one rule for `Headers` and for the parser's unfolding.
#[inline]
pub(crate) fn value_start_after(bytes: &[u8], colon: usize, end: usize) -> usize {
    let mut start = colon + 1;
    while start < end && matches!(bytes[start], b' ' | b'\t' | b'\r' | b'\n') {
        start += 1;
    }
    start.min(end)
}

/// An ordered list of received header fields, as they came off the wire.
///
/// Names are tokens (checked while parsing), so they are returned as `&str`; values are bytes,
/// with surrounding whitespace removed and each obs-fold already replaced by one space.
/// Lookups are ASCII case-insensitive. Cloning is cheap (a reference count and the index).
///
/// ```
/// use h1conn::{Config, Connection, Event, Instant, Request};
///
/// let mut conn = Connection::new(Config::default());
/// conn.send_request(&Request::get("/").header("Host", "a"), Instant::ZERO)?;
/// while conn.poll_transmit().is_some() {}
/// conn.handle_input(b"HTTP/1.1 204 No Content\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nConnection: keep-alive, Upgrade\r\n\r\n", Instant::ZERO)?;
/// let Some(Event::Head { head, .. }) = conn.poll_event() else { unreachable!() };
/// let headers = head.headers();
/// assert_eq!(headers.get("SET-COOKIE"), Some(&b"a=1"[..]));
/// assert_eq!(headers.get_all("set-cookie").count(), 2);
/// assert!(headers.contains_token("connection", "upgrade"));
/// assert_eq!(headers.iter().next().map(|f| f.name), Some("Set-Cookie"));
/// # Ok::<(), h1conn::UsageError>(())
/// ```
#[derive(Clone, Default)]
pub struct Headers {
    bytes: Bytes,
    fields: FieldSpans,
}

/// One header field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderField<'a> {
    /// The field name, as received (case preserved).
    pub name: &'a str,
    /// The field value, trimmed.
    pub value: &'a [u8],
}

impl Headers {
    pub(crate) fn new(bytes: Bytes, fields: FieldSpans) -> Headers {
        Headers { bytes, fields }
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Field `index`, in wire order.
    pub fn get_index(&self, index: usize) -> Option<HeaderField<'_>> {
        self.fields.get(index).map(|span| self.field(span))
    }

    /// All fields, in wire order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = HeaderField<'_>> + '_ {
        self.fields.iter().map(|span| self.field(span))
    }

    /// The value of the first field named `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let name = name.as_bytes();
        // A name holds no colon; one that does matches nothing (spans find names by theirs).
        if name.contains(&b':') {
            return None;
        }
        self.fields
            .iter()
            .find(|span| self.name_is(span, name))
            .map(|span| self.value_after(span, span.name_start as usize + name.len()))
    }

    /// The values of every field named `name`, in wire order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        // Compares raw name bytes: no UTF-8 check on the lookup path.
        let name = name.as_bytes();
        let valid = !name.contains(&b':');
        self.fields
            .iter()
            .filter(move |span| valid && self.name_is(span, name))
            .map(move |span| self.value_after(span, span.name_start as usize + name.len()))
    }

    /// Whether any field named `name` lists `token` among its comma-separated elements
    /// (both compared ASCII case-insensitively), e.g. `contains_token("connection", "close")`.
    pub fn contains_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name).any(|v| {
            crate::token::list_elements(v).any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
        })
    }

    /// The bytes the fields were parsed from (for a head: the whole head as received, with
    /// obs-folds rewritten in place).
    pub fn as_bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Whether the field at `span` is named `name` (ASCII case-insensitive): the bytes at the
    /// name's start, then the colon that ends every name.
    fn name_is(&self, span: &FieldSpan, name: &[u8]) -> bool {
        let start = span.name_start as usize;
        self.bytes.get(start + name.len()) == Some(&b':')
            && self
                .bytes
                .get(start..start + name.len())
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }

    /// Where the name of the field at `span` ends: at its colon.
    fn name_end(&self, span: &FieldSpan) -> usize {
        colon_of(&self.bytes, span)
    }

    fn name(&self, span: &FieldSpan) -> &[u8] {
        let start = span.name_start as usize;
        self.bytes
            .get(start..self.name_end(span))
            .unwrap_or_default()
    }

    /// The value of the field at `span`: from after the colon and the whitespace and fold line
    /// breaks that follow it (never part of a value), to `value_end`.
    fn value(&self, span: &FieldSpan) -> &[u8] {
        self.value_after(span, self.name_end(span))
    }

    /// [`value`](Self::value) when the colon's position is known.
    fn value_after(&self, span: &FieldSpan, colon: usize) -> &[u8] {
        let end = (span.value_end as usize).min(self.bytes.len());
        let start = value_start_after(&self.bytes, colon, end);
        self.bytes.get(start..end).unwrap_or_default()
    }

    fn field(&self, span: &FieldSpan) -> HeaderField<'_> {
        HeaderField {
            // Names were checked to be tokens while parsing, so this never falls back.
            name: core::str::from_utf8(self.name(span)).unwrap_or_default(),
            value: self.value(span),
        }
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|h| (h.name, bytes::Bytes::copy_from_slice(h.value))),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Headers {
        let bytes =
            Bytes::from_static(b"Host: a\r\nConnection: keep-alive, Close\r\nX: 1\r\nx: 2\r\n");
        let mut fields = FieldSpans::new();
        for (name_start, value_end) in [(0, 7), (9, 38), (40, 44), (46, 50)] {
            fields.push(FieldSpan {
                name_start,
                value_end,
            });
        }
        Headers::new(bytes, fields)
    }

    #[test]
    fn lookups_are_case_insensitive_and_ordered() {
        let h = sample();
        assert_eq!(h.len(), 4);
        assert_eq!(h.get("HOST"), Some(&b"a"[..]));
        assert_eq!(h.get_all("x").collect::<alloc::vec::Vec<_>>(), [b"1", b"2"]);
        assert!(h.contains_token("connection", "close"));
        assert!(h.contains_token("Connection", "KEEP-ALIVE"));
        assert!(!h.contains_token("connection", "upgrade"));
        assert_eq!(h.get_index(3).map(|f| f.name), Some("x"));
        assert_eq!(h.get_index(4), None);
        // Names end at their colon: a longer or shorter name, or one with a colon, is another.
        assert_eq!(h.get("hos"), None);
        assert_eq!(h.get("host:"), None);
        assert_eq!(h.get("Host: a"), None);
        assert_eq!(h.get_all("x:").count(), 0);
        assert_eq!(h.get(""), None);
    }
}
