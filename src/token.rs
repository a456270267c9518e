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

/// The low seven bits of every byte of a word (SWAR: eight bytes tested at once).
const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// `0x01` in every byte: `ONES * b` repeats byte `b` across a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// Eight bytes as one little-endian word (byte `k` of the chunk is byte `k` of the word).
#[inline]
pub(crate) fn word(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    u64::from_le_bytes(word)
}

/// Bit 7 of byte `k` of the result is set exactly when byte `k` of `x` is zero. Exact, unlike
/// the classic "has a zero byte" trick: no byte's test can carry into another's (`(x & LOWS) +
/// LOWS` sets bit 7 of a byte when its low seven bits are not all zero; OR-ing `x` adds its own
/// bit 7), so every match of a word can be visited from one mask.
#[inline]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    !(((x & LOWS) + LOWS) | x | LOWS)
}

/// Whether every byte of `value` may appear in a field value ([`is_field_value_byte`]): eight
/// bytes at a time, with exact per-byte masks (no byte's test can disturb another's).
pub(crate) fn is_field_value(value: &[u8]) -> bool {
    let mut words = value.chunks_exact(8);
    for chunk in &mut words {
        let x = word(chunk);
        // Below 0x20: bit 7 stays clear in `(x & LOWS) + 0x60` and in `x`.
        let control = !(((x & LOWS) + ONES * 0x60) | x | LOWS);
        let tab = zero_bytes(x ^ (ONES * u64::from(b'\t')));
        let del = zero_bytes(x ^ (ONES * 0x7f));
        if (control & !tab) | del != 0 {
            return false;
        }
    }
    words.remainder().iter().all(|&b| is_field_value_byte(b))
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
    fn field_value_check_agrees_with_the_byte_class() {
        // Every byte value at every position of a word, beside allowed and forbidden bytes.
        for fill in [b'a', b'\t', b' ', 0x80, 0xff, 0x7e] {
            for len in [1, 7, 8, 9, 16, 17] {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut value = alloc::vec![fill; len];
                        value[at] = b;
                        let want = value.iter().all(|&c| is_field_value_byte(c));
                        assert_eq!(is_field_value(&value), want, "{value:?}");
                    }
                }
            }
        }
        assert!(is_field_value(b""));
    }

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
