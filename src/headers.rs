//! A received header block (a response head's fields or a chunked body's trailers).
//!
//! The block keeps the received bytes as one [`Bytes`] and an inline index of up to 16 field
//! spans, so a typical head costs no allocation beyond the receive buffer it was cut from.

use bytes::Bytes;
use core::fmt;
use smallvec::SmallVec;

/// Where one field's name and value lie inside the block's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    pub(crate) name_start: u32,
    pub(crate) name_end: u32,
    pub(crate) value_start: u32,
    pub(crate) value_end: u32,
}

pub(crate) type FieldSpans = SmallVec<[FieldSpan; 16]>;

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
        self.fields
            .iter()
            .find(|span| {
                self.slice(span.name_start, span.name_end)
                    .eq_ignore_ascii_case(name)
            })
            .map(|span| self.slice(span.value_start, span.value_end))
    }

    /// The values of every field named `name`, in wire order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        // Compares raw name bytes: no UTF-8 check on the lookup path.
        let name = name.as_bytes();
        self.fields
            .iter()
            .filter(move |span| {
                self.slice(span.name_start, span.name_end)
                    .eq_ignore_ascii_case(name)
            })
            .map(|span| self.slice(span.value_start, span.value_end))
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

    fn slice(&self, start: u32, end: u32) -> &[u8] {
        self.bytes
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    fn field(&self, span: &FieldSpan) -> HeaderField<'_> {
        let name = self.slice(span.name_start, span.name_end);
        let value = self.slice(span.value_start, span.value_end);
        HeaderField {
            // Names were checked to be tokens while parsing, so this never falls back.
            name: core::str::from_utf8(name).unwrap_or_default(),
            value,
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
        for (n, v) in [
            (0..4, 6..7),
            (9..19, 21..38),
            (40..41, 43..44),
            (46..47, 49..50),
        ] {
            fields.push(FieldSpan {
                name_start: n.start,
                name_end: n.end,
                value_start: v.start,
                value_end: v.end,
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
    }
}
