//! Byte classes from RFC 9110 §5.6, as compile-time tables, and small list helpers.

const fn build_tchar() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    t
}

static TCHAR: [bool; 256] = build_tchar();

/// `tchar` (RFC 9110 §5.6.2).
#[inline]
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// `1*tchar`.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// A byte allowed in a field value: `VCHAR / obs-text / SP / HTAB` (RFC 9110 §5.5).
#[inline]
pub(crate) fn is_field_value_byte(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

/// `OWS` bytes.
#[inline]
pub(crate) fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE` (RFC 9110 §5.6.4).
pub(crate) fn is_quoted_string(s: &[u8]) -> bool {
    let [b'"', inner @ .., b'"'] = s else {
        return false;
    };
    let mut bytes = inner.iter();
    while let Some(&b) = bytes.next() {
        let ok = match b {
            b'\\' => bytes.next().is_some_and(|&e| {
                e == b'\t' || e == b' ' || (0x21..=0x7e).contains(&e) || e >= 0x80
            }),
            b'"' => false,
            _ => b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Strips leading and trailing `OWS`.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_ows(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_ows(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// The elements of a comma-separated list value, trimmed, empty elements skipped (RFC 9110 §5.6.1).
pub(crate) fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token(b"GET"));
        assert!(is_token(b"x-custom_1.2~"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a:b"));
        assert!(!is_token(b"a\"b"));
        assert!(!is_token("é".as_bytes()));
    }

    #[test]
    fn lists() {
        let v: alloc::vec::Vec<&[u8]> = list_elements(b" a , ,b,\tc\t").collect();
        assert_eq!(v, [&b"a"[..], b"b", b"c"]);
        assert_eq!(trim_ows(b" \t x \t"), b"x");
        assert_eq!(trim_ows(b"   "), b"");
    }

    #[test]
    fn quoted_strings() {
        for ok in [
            &b"\"\""[..],
            b"\"a b\"",
            b"\"a\\\"b\"",
            b"\"\\\\\"",
            b"\"\x80\t\"",
        ] {
            assert!(is_quoted_string(ok), "{ok:?}");
        }
        for bad in [
            &b""[..],
            b"\"",
            b"a",
            b"\"a",
            b"\"a\"b\"",
            b"\"\\\"",
            b"\"\x01\"",
            b"\"\r\"",
        ] {
            assert!(!is_quoted_string(bad), "{bad:?}");
        }
    }

    #[test]
    fn field_value_bytes() {
        assert!(is_field_value_byte(b'\t'));
        assert!(is_field_value_byte(0xff));
        assert!(!is_field_value_byte(b'\r'));
        assert!(!is_field_value_byte(b'\n'));
        assert!(!is_field_value_byte(0));
        assert!(!is_field_value_byte(0x7f));
    }
}
