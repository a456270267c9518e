//! The chunked transfer coding decoder (RFC 9112 §7.1), strict and streaming.
//!
//! Written by hand rather than on `httparse::parse_chunk_size`, which accepts an empty size line
//! as a zero-size chunk (ending a body early: a desync), bare LFs inside extensions, unbalanced
//! quotes and `2;`. Here:
//!
//! - the size is `1*HEXDIG`, overflow-checked;
//! - extensions follow the §7.1.1 grammar (`BWS ";" BWS name [BWS "=" BWS (token / quoted-string)]`)
//!   and their bytes, counted across the whole body, are bounded;
//! - every line ends with CRLF, and chunk data must be followed by exactly CRLF.
//!
//! The decoder only classifies bytes; the caller cuts them out of its buffer, so data is handed
//! on without copying. Input may be split anywhere.

use crate::error::ProtocolError;
use crate::leniency::Leniency;
use crate::token::{is_ows, is_tchar};

/// What the decoder wants done with the front of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Drop this many framing bytes (size lines, CRLFs) from the front.
    Skip(usize),
    /// The first this many bytes are body data.
    Data(usize),
    /// Drop `skip` framing bytes (a whole size line, maybe with the CRLF before it), then the
    /// next `len` bytes are body data: a size line and the start of its chunk in one step.
    FramedData { skip: usize, len: usize },
    /// The last chunk is done; the trailer section starts at the front of the input.
    Trailers,
    /// Every byte given was consumed as framing state; more input is needed.
    NeedMore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading hex digits; `digits` so far.
    Size {
        digits: u32,
    },
    /// Whitespace after the size: only a `;` may follow.
    SizeWs,
    ExtBeforeName,
    ExtName,
    /// Whitespace after an extension name: only `=` or `;` may follow (RFC 9112 §7.1.1 allows
    /// BWS there, not before the CRLF).
    ExtAfterName,
    ExtBeforeValue,
    ExtToken,
    ExtQuoted,
    ExtQuotedEscape,
    /// Right after a quoted value.
    ExtAfterValue,
    /// Whitespace after a value: only `;` may follow.
    ExtValueWs,
    /// Saw the CR ending the size line.
    SizeLf,
    Data {
        remaining: u64,
    },
    DataCr,
    DataLf,
    Trailers,
}

/// Decoder state for one chunked body.
#[derive(Clone, Debug)]
pub(crate) struct ChunkedDecoder {
    state: State,
    size: u64,
    ext_bytes: usize,
    ext_limit: usize,
    received: u64,
    strict: bool,
    leniency: Option<Leniency>,
}

/// The value of each hex digit byte; `0xff` for every other byte.
static HEX_DIGIT: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            _ => 0xff,
        };
        b += 1;
    }
    table
};

/// The value of a hex digit byte (one table for the byte states and the whole-line path).
#[inline]
fn hex_digit(b: u8) -> Option<u8> {
    Some(HEX_DIGIT[usize::from(b)]).filter(|&d| d <= 0xf)
}

impl ChunkedDecoder {
    /// A decoder bounding extension bytes by `ext_limit`; with `strict`, a [`Leniency`] is an
    /// error instead of a note.
    pub(crate) fn new(ext_limit: usize, strict: bool) -> ChunkedDecoder {
        ChunkedDecoder {
            state: State::Size { digits: 0 },
            size: 0,
            ext_bytes: 0,
            ext_limit,
            received: 0,
            strict,
            leniency: None,
        }
    }

    /// The first leniency this body needed, if any (see [`Leniency`]).
    pub(crate) fn leniency(&self) -> Option<Leniency> {
        self.leniency
    }

    /// Records `leniency` (the first one stays), or fails with it in strict mode.
    pub(crate) fn note(&mut self, leniency: Leniency) -> Result<(), ProtocolError> {
        let leniency = leniency.allow(self.strict)?;
        self.leniency.get_or_insert(leniency);
        Ok(())
    }

    /// Body data bytes seen so far.
    pub(crate) fn received(&self) -> u64 {
        self.received
    }

    /// Classifies the front of `input`. Never returns `Skip(0)` or `Data(0)`.
    #[inline]
    pub(crate) fn step(&mut self, input: &[u8]) -> Result<Step, ProtocolError> {
        match self.state {
            State::Trailers => return Ok(Step::Trailers),
            State::Data { remaining } => {
                if input.is_empty() {
                    return Ok(Step::NeedMore);
                }
                let n = remaining.min(input.len() as u64);
                let left = remaining - n;
                self.state = if left == 0 {
                    State::DataCr
                } else {
                    State::Data { remaining: left }
                };
                self.received += n;
                return Ok(Step::Data(n as usize));
            }
            _ => {}
        }
        if let Some((skip, size)) = self.whole_size_line(input) {
            self.size = size;
            if size == 0 {
                self.state = State::Trailers;
                return Ok(Step::Skip(skip));
            }
            let available = (input.len() - skip) as u64;
            if available == 0 {
                self.state = State::Data { remaining: size };
                return Ok(Step::Skip(skip));
            }
            // The chunk's data follows in `input`: hand out as much of it as is there.
            let len = size.min(available);
            self.state = if len == size {
                State::DataCr
            } else {
                State::Data {
                    remaining: size - len,
                }
            };
            self.received += len;
            return Ok(Step::FramedData {
                skip,
                len: len as usize,
            });
        }
        for (i, &b) in input.iter().enumerate() {
            self.line_byte(b)?;
            if matches!(
                self.state,
                State::Data { .. } | State::Trailers | State::Size { digits: 0 }
            ) {
                // A line (size line or the CRLF after data) just ended.
                return Ok(Step::Skip(i + 1));
            }
        }
        if input.is_empty() {
            Ok(Step::NeedMore)
        } else {
            Ok(Step::Skip(input.len()))
        }
    }

    /// The common case in one go, without the byte-at-a-time states: at the start of a size
    /// line (or at the CRLF that ends a chunk's data, then the size line), a size of 1 to 16
    /// hex digits followed by CRLF, all within `input`. Returns the bytes it covers and the
    /// size; `None` (changing nothing) for anything else (an extension, whitespace, a bare LF, a
    /// longer size, an error, or a line not complete yet), which the byte states then handle.
    #[inline]
    fn whole_size_line(&self, input: &[u8]) -> Option<(usize, u64)> {
        let start = match self.state {
            State::DataCr if input.starts_with(b"\r\n") => 2,
            State::Size { digits: 0 } => 0,
            _ => return None,
        };
        let mut size = 0u64;
        let mut end = start;
        while let Some(digit) = input.get(end).and_then(|&b| hex_digit(b)) {
            if end - start == 16 {
                return None;
            }
            size = size << 4 | u64::from(digit);
            end += 1;
        }
        (end > start && input.get(end..end + 2) == Some(b"\r\n")).then_some((end + 2, size))
    }

    fn count_ext(&mut self) -> Result<(), ProtocolError> {
        self.ext_bytes += 1;
        if self.ext_bytes > self.ext_limit {
            return Err(ProtocolError::ChunkExtensionsTooLarge {
                limit: self.ext_limit,
            });
        }
        Ok(())
    }

    /// Advances the line states by one byte.
    fn line_byte(&mut self, b: u8) -> Result<(), ProtocolError> {
        let ext_error = ProtocolError::InvalidChunkExtension { byte: b };
        if !matches!(
            self.state,
            State::Size { .. } | State::SizeLf | State::DataCr | State::DataLf
        ) && b != b'\r'
        {
            self.count_ext()?;
        }
        self.state = match self.state {
            State::Size { digits } => match hex_digit(b) {
                Some(d) => {
                    if self.size > u64::MAX >> 4 {
                        return Err(ProtocolError::ChunkSizeOverflow);
                    }
                    self.size = self.size << 4 | u64::from(d);
                    if digits == 16 {
                        // Only leading zeros get here (the overflow check above); Go stops at 16.
                        self.note(Leniency::LongChunkSize)?;
                    }
                    State::Size {
                        digits: digits.saturating_add(1),
                    }
                }
                None if digits == 0 => return Err(ProtocolError::InvalidChunkSize { byte: b }),
                None => match b {
                    b'\r' => State::SizeLf,
                    b';' => {
                        self.count_ext()?;
                        State::ExtBeforeName
                    }
                    b' ' | b'\t' => {
                        self.count_ext()?;
                        State::SizeWs
                    }
                    _ => return Err(ProtocolError::InvalidChunkSize { byte: b }),
                },
            },
            State::SizeWs => match b {
                b';' => State::ExtBeforeName,
                _ if is_ows(b) => State::SizeWs,
                _ => return Err(ProtocolError::InvalidChunkSize { byte: b }),
            },
            State::ExtBeforeName => match b {
                _ if is_ows(b) => State::ExtBeforeName,
                _ if is_tchar(b) => State::ExtName,
                _ => return Err(ext_error),
            },
            State::ExtName => match b {
                _ if is_tchar(b) => State::ExtName,
                _ if is_ows(b) => State::ExtAfterName,
                b'=' => State::ExtBeforeValue,
                b';' => State::ExtBeforeName,
                b'\r' => State::SizeLf,
                _ => return Err(ext_error),
            },
            State::ExtAfterName => match b {
                _ if is_ows(b) => State::ExtAfterName,
                b'=' => State::ExtBeforeValue,
                b';' => State::ExtBeforeName,
                _ => return Err(ext_error),
            },
            State::ExtBeforeValue => match b {
                _ if is_ows(b) => State::ExtBeforeValue,
                b'"' => State::ExtQuoted,
                _ if is_tchar(b) => State::ExtToken,
                _ => return Err(ext_error),
            },
            State::ExtToken => match b {
                _ if is_tchar(b) => State::ExtToken,
                _ if is_ows(b) => State::ExtValueWs,
                b';' => State::ExtBeforeName,
                b'\r' => State::SizeLf,
                _ => return Err(ext_error),
            },
            State::ExtQuoted => match b {
                b'"' => State::ExtAfterValue,
                b'\\' => State::ExtQuotedEscape,
                b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff => State::ExtQuoted,
                _ => return Err(ext_error),
            },
            State::ExtQuotedEscape => match b {
                b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff => State::ExtQuoted,
                _ => return Err(ext_error),
            },
            State::ExtAfterValue => match b {
                _ if is_ows(b) => State::ExtValueWs,
                b';' => State::ExtBeforeName,
                b'\r' => State::SizeLf,
                _ => return Err(ext_error),
            },
            State::ExtValueWs => match b {
                _ if is_ows(b) => State::ExtValueWs,
                b';' => State::ExtBeforeName,
                _ => return Err(ext_error),
            },
            State::SizeLf => match b {
                b'\n' if self.size == 0 => State::Trailers,
                b'\n' => State::Data {
                    remaining: self.size,
                },
                _ => return Err(ProtocolError::InvalidLineEnding),
            },
            State::DataCr => match b {
                b'\r' => State::DataLf,
                _ => return Err(ProtocolError::MissingChunkDataCrlf { byte: b }),
            },
            State::DataLf => match b {
                b'\n' => {
                    self.size = 0;
                    State::Size { digits: 0 }
                }
                _ => return Err(ProtocolError::MissingChunkDataCrlf { byte: b }),
            },
            // Handled in `step` before any byte is looked at.
            State::Data { .. } | State::Trailers => self.state,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Runs the decoder over `input` given in pieces of `piece` bytes; returns the data and the
    /// bytes left at the trailer section, or the error.
    fn run(input: &[u8], piece: usize) -> Result<(Vec<u8>, Vec<u8>), ProtocolError> {
        let mut d = ChunkedDecoder::new(64, false);
        let mut buf: Vec<u8> = Vec::new();
        let mut data = Vec::new();
        let mut fed = 0;
        loop {
            match d.step(&buf)? {
                Step::Skip(n) => {
                    assert!(n > 0);
                    buf.drain(..n);
                }
                Step::Data(n) => {
                    assert!(n > 0);
                    data.extend(buf.drain(..n));
                }
                Step::FramedData { skip, len } => {
                    assert!(skip > 0 && len > 0);
                    buf.drain(..skip);
                    data.extend(buf.drain(..len));
                }
                Step::Trailers => {
                    buf.extend_from_slice(&input[fed..]);
                    return Ok((data, buf));
                }
                Step::NeedMore => {
                    if fed == input.len() {
                        return Err(ProtocolError::InvalidTrailers); // stands for "incomplete"
                    }
                    let end = (fed + piece).min(input.len());
                    buf.extend_from_slice(&input[fed..end]);
                    fed = end;
                }
            }
        }
    }

    const INCOMPLETE: ProtocolError = ProtocolError::InvalidTrailers;

    #[test]
    fn whole_size_lines_agree_with_the_byte_states() {
        // The one-go path (a whole input) and the byte states (1-byte pieces) must agree on
        // data, trailer bytes, errors and leniency, including at the edges of the fast path.
        let inputs: &[&[u8]] = &[
            b"1\r\nx\r\n0\r\n",
            b"ffffffffffffffff\r\n",
            b"0000000000000001\r\nx\r\n0\r\n",
            b"00000000000000001\r\nx\r\n0\r\n",
            b"10000000000000000\r\n",
            b"1\r\nx\r\n00\r\nT: 1\r\n\r\n",
            b"1\r\nxX\r\n0\r\n",
            b"1\r\nx\n0\r\n",
            b"1\r\nx\r\n1\n",
            b"1\r\nx\r\n1 \r\n",
            b"1\r\nx\r\n1;e\r\ny\r\n0\r\n",
            b"1\r\nx\r\ng\r\n",
            b"1\r\nx\r\n\r\n",
            b"1\r\nx\r\n1\r",
            b"1\r\nx\r",
        ];
        for input in inputs {
            let strict = |piece| {
                let mut d = ChunkedDecoder::new(64, true);
                let mut rest = *input;
                let mut out = Vec::new();
                for _ in 0..input.len() * 2 + 2 {
                    let window = &rest[..rest.len().min(piece)];
                    match d.step(window) {
                        Ok(Step::Skip(n)) => rest = &rest[n..],
                        Ok(Step::Data(n)) => {
                            out.extend_from_slice(&rest[..n]);
                            rest = &rest[n..];
                        }
                        Ok(Step::FramedData { skip, len }) => {
                            out.extend_from_slice(&rest[skip..skip + len]);
                            rest = &rest[skip + len..];
                        }
                        Ok(other) => return Ok((out, rest.to_vec(), alloc::format!("{other:?}"))),
                        Err(e) => return Err(e),
                    }
                }
                unreachable!("no progress")
            };
            let name = bytes::Bytes::copy_from_slice(input);
            assert_eq!(run(input, input.len()), run(input, 1), "{name:?}");
            assert_eq!(strict(input.len()), strict(1), "strict {name:?}");
        }
    }

    #[test]
    fn table() {
        let ok: &[(&[u8], &[u8])] = &[
            (b"0\r\n", b""),
            (b"5\r\nhello\r\n0\r\n", b"hello"),
            (b"3\r\nabc\r\n2\r\nde\r\n0\r\n", b"abcde"),
            (b"A\r\n0123456789\r\n0\r\n", b"0123456789"),
            (b"a\r\n0123456789\r\n00\r\n", b"0123456789"),
            (b"0000000001\r\nx\r\n0\r\n", b"x"),
            (b"1;a\r\nx\r\n0\r\n", b"x"),
            (b"1 ; a = b ; c=\"q;\\\"\"\r\nx\r\n0;last\r\n", b"x"),
        ];
        for (input, want) in ok {
            for piece in [input.len(), 1, 2, 3] {
                assert_eq!(
                    run(input, piece).map(|r| r.0),
                    Ok(want.to_vec()),
                    "{:?}",
                    bytes::Bytes::copy_from_slice(input)
                );
            }
        }
        let bad: &[(&[u8], ProtocolError)] = &[
            (b"\r\n", ProtocolError::InvalidChunkSize { byte: b'\r' }),
            (b"x\r\n", ProtocolError::InvalidChunkSize { byte: b'x' }),
            (b"-1\r\n", ProtocolError::InvalidChunkSize { byte: b'-' }),
            (b"+1\r\n", ProtocolError::InvalidChunkSize { byte: b'+' }),
            (b"0x1\r\n", ProtocolError::InvalidChunkSize { byte: b'x' }),
            (b"1 \r\n", ProtocolError::InvalidChunkSize { byte: b'\r' }),
            (b"1\n", ProtocolError::InvalidChunkSize { byte: b'\n' }),
            (b"1\rx", ProtocolError::InvalidLineEnding),
            (
                b"2;\r\n",
                ProtocolError::InvalidChunkExtension { byte: b'\r' },
            ),
            (
                b"1;a\nx",
                ProtocolError::InvalidChunkExtension { byte: b'\n' },
            ),
            (
                b"1;a=\"b\r\n",
                ProtocolError::InvalidChunkExtension { byte: b'\r' },
            ),
            (
                b"1;a=b c\r\n",
                ProtocolError::InvalidChunkExtension { byte: b'c' },
            ),
            (
                b"1;a=b\tc\r\nx\r\n0\r\n",
                ProtocolError::InvalidChunkExtension { byte: b'c' },
            ),
            (
                b"1;=b\r\n",
                ProtocolError::InvalidChunkExtension { byte: b'=' },
            ),
            // BWS is allowed before `;` and `=`, never before the CRLF (RFC 9112 §7.1.1).
            (
                b"1;a \r\n",
                ProtocolError::InvalidChunkExtension { byte: b'\r' },
            ),
            (
                b"1;a=b\t\r\n",
                ProtocolError::InvalidChunkExtension { byte: b'\r' },
            ),
            (
                b"1;a=\"b\" \r\n",
                ProtocolError::InvalidChunkExtension { byte: b'\r' },
            ),
            (b"10000000000000000\r\n", ProtocolError::ChunkSizeOverflow),
            (
                b"1\r\nxy",
                ProtocolError::MissingChunkDataCrlf { byte: b'y' },
            ),
            (
                b"1\r\nx\rz",
                ProtocolError::MissingChunkDataCrlf { byte: b'z' },
            ),
            (
                b"1\r\nx\n0\r\n",
                ProtocolError::MissingChunkDataCrlf { byte: b'\n' },
            ),
            (b"3\r\nxxx", INCOMPLETE),
            (b"3\r\nxxx\r\n", INCOMPLETE),
        ];
        for (input, want) in bad {
            for piece in [input.len(), 1] {
                assert_eq!(
                    run(input, piece).map(|r| r.0),
                    Err(*want),
                    "{:?}",
                    bytes::Bytes::copy_from_slice(input)
                );
            }
        }
    }

    #[test]
    fn largest_size_fits_and_trailing_bytes_stay() {
        let mut d = ChunkedDecoder::new(0, false);
        assert_eq!(
            d.step(b"ffffffffffffffff\r\nrest"),
            Ok(Step::FramedData { skip: 18, len: 4 })
        );
        assert_eq!(d.received(), 4);
        assert_eq!(d.step(b"more"), Ok(Step::Data(4)));
        assert_eq!(d.received(), 8);
        let (data, rest) = run(b"1\r\nx\r\n0\r\nTrailer: 1\r\n\r\nnext", 4).unwrap();
        assert_eq!(
            (data.as_slice(), rest.as_slice()),
            (&b"x"[..], &b"Trailer: 1\r\n\r\nnext"[..])
        );
    }

    #[test]
    fn more_than_16_size_digits_is_a_leniency() {
        let sixteen = b"000000000000000a\r\n";
        let seventeen = b"0000000000000000a\r\n";
        let mut d = ChunkedDecoder::new(0, false);
        assert_eq!(d.step(sixteen), Ok(Step::Skip(sixteen.len())));
        assert_eq!(d.leniency(), None);
        for piece in [seventeen.len(), 1] {
            let mut d = ChunkedDecoder::new(0, false);
            for part in seventeen.chunks(piece) {
                assert!(d.step(part).is_ok());
            }
            assert_eq!(d.leniency(), Some(Leniency::LongChunkSize));
            let mut strict = ChunkedDecoder::new(0, true);
            let err = seventeen
                .chunks(piece)
                .find_map(|part| strict.step(part).err());
            assert_eq!(err, Some(ProtocolError::Lenient(Leniency::LongChunkSize)));
        }
    }

    #[test]
    fn extension_bytes_are_bounded_across_the_body() {
        let mut d = ChunkedDecoder::new(8, false);
        let mut input = Vec::new();
        for _ in 0..4 {
            input.extend_from_slice(b"1;ab\r\nx\r\n");
        }
        let mut rest = &input[..];
        let err = loop {
            match d.step(rest) {
                Ok(Step::Skip(n) | Step::Data(n)) => rest = &rest[n..],
                Ok(Step::FramedData { skip, len }) => rest = &rest[skip + len..],
                Ok(other) => panic!("unexpected {other:?}"),
                Err(e) => break e,
            }
        };
        assert_eq!(err, ProtocolError::ChunkExtensionsTooLarge { limit: 8 });
    }
}
