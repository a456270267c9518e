//! The receive buffer, and the O(n) search for the empty line that ends a head.
//!
//! httparse restarts from the first byte on every call, so feeding it a head that trickles in one
//! byte at a time costs O(n²). Instead the buffer looks for the end of the head itself and
//! remembers how far it has looked; httparse then runs exactly once per head.

use bytes::{Buf, BytesMut};

/// What the search for the end of a section saw on its way: facts about every line break, so
/// that nothing has to look at them again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineFlags {
    /// A line break followed by SP or HTAB: an obs-fold (also one right after the colon, or a
    /// whitespace-only continuation line), or whitespace before the first field. Exact.
    pub(crate) folded: bool,
    /// A line ended by an LF without a CR before it.
    pub(crate) bare_lf: bool,
}

/// Finds the empty line ending a head or trailer section in `bytes`, starting at `from`.
///
/// A line ends with CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept the latter; whether
/// the parser then accepts the lines is its business). Returns `Ok(end)`, the index just past the
/// empty line, or `Err(resume)`, where the next search may start once more bytes arrived.
///
/// Records in `flags` what it saw at each line break (see [`LineFlags`]): the search visits every
/// line break anyway, so neither the parser nor the leniency rule need look again.
pub(crate) fn find_blank_line(
    bytes: &[u8],
    from: usize,
    flags: &mut LineFlags,
) -> Result<usize, usize> {
    // One pass: eight bytes at a time, visiting every LF of a word through an exact mask, then
    // byte by byte for the tail.
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut mask = lf_mask(chunk);
        while mask != 0 {
            let lf = i + (mask.trailing_zeros() / 8) as usize;
            mask &= mask - 1;
            if let Some(found) = at_line_break(bytes, lf, flags) {
                return found;
            }
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'\n' {
            if let Some(found) = at_line_break(bytes, i, flags) {
                return found;
            }
        }
        i += 1;
    }
    Err(bytes.len().max(from))
}

/// What the LF at `lf` says: `Some(Ok(end))` when it starts the empty line that ends the
/// section, `Some(Err(lf))` when the bytes after it have not arrived yet (look at it again
/// next time), `None` to go on searching. Records what it saw in `flags`.
fn at_line_break(bytes: &[u8], lf: usize, flags: &mut LineFlags) -> Option<Result<usize, usize>> {
    if lf == 0 || bytes[lf - 1] != b'\r' {
        flags.bare_lf = true;
    }
    match (bytes.get(lf + 1), bytes.get(lf + 2)) {
        (Some(b'\n'), _) => {
            flags.bare_lf = true;
            Some(Ok(lf + 2))
        }
        (Some(b'\r'), Some(b'\n')) => Some(Ok(lf + 3)),
        // Not enough bytes yet to tell.
        (None, _) | (Some(b'\r'), None) => Some(Err(lf)),
        (Some(b' ' | b'\t'), _) => {
            flags.folded = true;
            None
        }
        _ => None,
    }
}

/// The LFs among eight bytes: bit 7 of byte `k` of the result is set exactly when `chunk[k]` is
/// an LF, so all LFs of the word can be visited from one mask.
fn lf_mask(chunk: &[u8]) -> u64 {
    use crate::token::{ONES, word, zero_bytes};
    zero_bytes(word(chunk) ^ (ONES * u64::from(b'\n')))
}

/// Unconsumed input, plus how far the current head search has looked.
#[derive(Debug, Default)]
pub(crate) struct RecvBuf {
    bytes: BytesMut,
    /// Bytes of `bytes` already searched for the end of the current head without finding it.
    scanned: usize,
    /// What the search so far saw at line breaks.
    flags: LineFlags,
}

impl RecvBuf {
    pub(crate) fn new() -> RecvBuf {
        RecvBuf::default()
    }

    /// Appends input. Reuses the buffer's allocation once earlier `Bytes` cut from it are gone.
    pub(crate) fn extend(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
    }

    /// Appends input the caller read into a buffer of its own, without copying when it can:
    /// when nothing is buffered the buffer is taken as it is, and when `data` directly follows
    /// the buffered bytes in memory (the caller keeps reading into one buffer) it is joined in
    /// O(1). Otherwise it is copied, as [`extend`](Self::extend) does. The search position stays
    /// valid: bytes are only appended.
    pub(crate) fn extend_owned(&mut self, data: BytesMut) {
        if self.bytes.is_empty() {
            self.bytes = data;
        } else {
            self.bytes.unsplit(data);
        }
    }

    /// Whether the search for the current head has not looked at any byte yet (nothing was
    /// searched since the last cut): the connection tries its one-call fast path only then, so
    /// a head that trickles in is never parsed more than once by it.
    pub(crate) fn search_is_fresh(&self) -> bool {
        self.scanned == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// The buffer, to cut parsed heads and body bytes off its front. Any cut invalidates the
    /// search position, so this resets it.
    pub(crate) fn bytes_mut(&mut self) -> &mut BytesMut {
        self.scanned = 0;
        self.flags = LineFlags::default();
        &mut self.bytes
    }

    /// Drops `n` framing bytes from the front.
    pub(crate) fn discard(&mut self, n: usize) {
        self.scanned = 0;
        self.flags = LineFlags::default();
        self.bytes.advance(n);
    }

    /// Looks for the end of the head (or trailer section) at the front of the buffer, resuming
    /// where the last call stopped. Returns the section length, if complete. Total work over a
    /// section is O(its length).
    pub(crate) fn find_section_end(&mut self) -> Option<usize> {
        match find_blank_line(&self.bytes, self.scanned, &mut self.flags) {
            Ok(end) => Some(end),
            Err(resume) => {
                self.scanned = resume;
                None
            }
        }
    }

    /// What the search for the section found by the last
    /// [`find_section_end`](Self::find_section_end) saw at its line breaks. `folded == false`
    /// guarantees no obs-fold; `bare_lf` is exact.
    pub(crate) fn line_flags(&self) -> LineFlags {
        self.flags
    }

    /// Takes every buffered byte (for a close-delimited body or an upgrade).
    pub(crate) fn take_all(&mut self) -> bytes::Bytes {
        self.scanned = 0;
        self.flags = LineFlags::default();
        self.bytes.split().freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_line_search() {
        let cases: &[(&[u8], Result<usize, usize>)] = &[
            (b"", Err(0)),
            (b"abc", Err(3)),
            (b"a\r\n\r\n", Ok(5)),
            (b"a\n\n", Ok(3)),
            (b"a\n\r\nrest", Ok(4)),
            (b"a\r\nb\r\n\r\nrest", Ok(8)),
            (b"a\r\n", Err(2)),
            (b"a\r\n\r", Err(2)),
            (b"a\r\nb", Err(4)),
            (b"a\n\rx\n\n", Ok(6)),
        ];
        for (input, want) in cases {
            assert_eq!(
                find_blank_line(input, 0, &mut LineFlags::default()),
                *want,
                "{:?}",
                bytes::Bytes::copy_from_slice(input)
            );
        }
    }

    #[test]
    fn lf_mask_is_exact() {
        // Every byte value at every position, beside LFs and beside bytes that fool the classic
        // "has a zero byte" trick (0x0b is LF ^ 0x01, 0x8a has LF's low bits).
        for fill in [b'a', b'\n', 0x0b, 0x8a, 0x00, 0xff] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut chunk = [fill; 8];
                    chunk[at] = b;
                    let want = chunk
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| **c == b'\n')
                        .fold(0u64, |m, (k, _)| m | 0x80 << (8 * k));
                    assert_eq!(lf_mask(&chunk), want, "{chunk:?}");
                }
            }
        }
    }

    #[test]
    fn search_agrees_with_a_byte_by_byte_search() {
        // The word loop and the byte tail must find the same end, flags and resume point as
        // a plain scan, from every start and at every length.
        fn plain(bytes: &[u8], from: usize, flags: &mut LineFlags) -> Result<usize, usize> {
            for lf in from..bytes.len() {
                if bytes[lf] == b'\n' {
                    if let Some(found) = at_line_break(bytes, lf, flags) {
                        return found;
                    }
                }
            }
            Err(bytes.len().max(from))
        }
        let input =
            b"HTTP/1.1 200 OK\r\nA: b\n c\r\nLong-Name: 0123456789abcdef\r\n\tx\nZ: z\r\n\r\nrest";
        for len in 0..=input.len() {
            for from in 0..=len {
                let (mut a, mut b) = (LineFlags::default(), LineFlags::default());
                let got = find_blank_line(&input[..len], from, &mut a);
                assert_eq!(
                    got,
                    plain(&input[..len], from, &mut b),
                    "len {len} from {from}"
                );
                assert_eq!(a, b, "len {len} from {from}");
            }
        }
    }

    #[test]
    fn folds_are_noticed_during_the_search() {
        for (input, want) in [
            (&b"A: b\r\n\r\n"[..], false),
            (b"A: b\r\n c\r\n\r\n", true),
            (b"A: b\n\tc\n\n", true),
            (b"A: b \r\nC: d\r\n\r\n", false),
        ] {
            let mut flags = LineFlags::default();
            assert!(find_blank_line(input, 0, &mut flags).is_ok());
            assert_eq!(
                flags.folded,
                want,
                "{:?}",
                bytes::Bytes::copy_from_slice(input)
            );
        }
    }

    #[test]
    fn bare_lfs_are_noticed_during_the_search() {
        for (input, want) in [
            (&b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"[..], false),
            (b"HTTP/1.1 200 OK\nA: b\r\n\r\n", true),
            (b"HTTP/1.1 200 OK\r\nA: b\n\r\n", true),
            (b"HTTP/1.1 200 OK\r\nA: b\r\n\n", true),
            (b"A: b\r\n \r\n\r\n", false),
        ] {
            // Whole, and resumed after every byte: the flag must not depend on the split.
            let mut flags = LineFlags::default();
            assert!(find_blank_line(input, 0, &mut flags).is_ok());
            assert_eq!(
                flags.bare_lf,
                want,
                "{:?}",
                bytes::Bytes::copy_from_slice(input)
            );
            let mut buf = RecvBuf::new();
            let mut found = None;
            for b in input {
                buf.extend(&[*b]);
                found = found.or(buf.find_section_end());
            }
            assert_eq!(found, Some(input.len()));
            assert_eq!(buf.line_flags().bare_lf, want);
        }
    }

    #[test]
    fn trickled_head_is_scanned_once() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        let mut buf = RecvBuf::new();
        for (i, b) in head.iter().enumerate() {
            buf.extend(&[*b]);
            let found = buf.find_section_end();
            if i + 1 < head.len() {
                assert_eq!(found, None);
                // The search never goes back more than the two bytes it could not decide on.
                assert!(
                    buf.scanned + 2 >= buf.len(),
                    "rescanning from {}",
                    buf.scanned
                );
            } else {
                assert_eq!(found, Some(head.len()));
            }
        }
    }
}
