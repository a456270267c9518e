//! The receive buffer, and the O(n) search for the empty line that ends a head.
//!
//! httparse restarts from the first byte on every call, so feeding it a head that trickles in one
//! byte at a time costs O(n²). Instead the buffer looks for the end of the head itself and
//! remembers how far it has looked; httparse then runs exactly once per head.

use bytes::{Buf, BytesMut};

/// Finds the empty line ending a head or trailer section in `bytes`, starting at `from`.
///
/// A line ends with CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept the latter; whether
/// the parser then accepts the lines is its business). Returns `Ok(end)`, the index just past the
/// empty line, or `Err(resume)`, where the next search may start once more bytes arrived.
pub(crate) fn find_blank_line(bytes: &[u8], from: usize) -> Result<usize, usize> {
    let mut i = from;
    while let Some(pos) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
    {
        let lf = i + pos;
        match (bytes.get(lf + 1), bytes.get(lf + 2)) {
            (Some(b'\n'), _) => return Ok(lf + 2),
            (Some(b'\r'), Some(b'\n')) => return Ok(lf + 3),
            // Not enough bytes yet to tell: look at this LF again next time.
            (None, _) | (Some(b'\r'), None) => return Err(lf),
            _ => i = lf + 1,
        }
    }
    Err(bytes.len().max(from))
}

/// Unconsumed input, plus how far the current head search has looked.
#[derive(Debug, Default)]
pub(crate) struct RecvBuf {
    bytes: BytesMut,
    /// Bytes of `bytes` already searched for the end of the current head without finding it.
    scanned: usize,
}

impl RecvBuf {
    pub(crate) fn new() -> RecvBuf {
        RecvBuf::default()
    }

    /// Appends input. Reuses the buffer's allocation once earlier `Bytes` cut from it are gone.
    pub(crate) fn extend(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
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
        &mut self.bytes
    }

    /// Drops `n` framing bytes from the front.
    pub(crate) fn discard(&mut self, n: usize) {
        self.scanned = 0;
        self.bytes.advance(n);
    }

    /// Looks for the end of the head (or trailer section) at the front of the buffer, resuming where the last call
    /// stopped. Returns the head length, if complete. Total work over a head is O(its length).
    pub(crate) fn find_section_end(&mut self) -> Option<usize> {
        match find_blank_line(&self.bytes, self.scanned) {
            Ok(end) => Some(end),
            Err(resume) => {
                self.scanned = resume;
                None
            }
        }
    }

    /// Takes every buffered byte (for a close-delimited body or an upgrade).
    pub(crate) fn take_all(&mut self) -> bytes::Bytes {
        self.scanned = 0;
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
                find_blank_line(input, 0),
                *want,
                "{:?}",
                bytes::Bytes::copy_from_slice(input)
            );
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
