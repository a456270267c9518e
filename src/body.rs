//! Response body decoding: a `Content-Length` count, the chunked coding, or read-until-close.
//!
//! Data is cut off the front of the receive buffer as `Bytes` views, never copied.

use crate::chunked::{ChunkedDecoder, Step};
use crate::error::{EofPhase, ProtocolError};
use crate::head::parse_trailers;
use crate::headers::Headers;
use crate::leniency::Leniency;
use crate::recv_buf::RecvBuf;
use bytes::{Buf, Bytes};

/// One step of body decoding.
// A short-lived return value: boxing the trailers would cost an allocation per response.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum BodyStep {
    /// Body bytes, in order.
    Data(Bytes),
    /// The body is complete; trailers (empty unless chunked with a trailer section).
    End(Headers),
    /// Every buffered byte was used; more input (or EOF) is needed.
    NeedMore,
}

/// Limits the body decoder enforces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimits {
    pub(crate) chunk_extension_bytes: usize,
    pub(crate) trailer_bytes: usize,
    pub(crate) trailer_fields: usize,
    /// [`Config::strict`](crate::Config::strict): leniencies are errors.
    pub(crate) strict: bool,
}

/// The decoder for one response body.
#[derive(Debug)]
pub(crate) enum BodyDecoder {
    Length { remaining: u64, expected: u64 },
    Chunked(ChunkedDecoder),
    UntilClose,
}

impl BodyDecoder {
    pub(crate) fn length(expected: u64) -> BodyDecoder {
        BodyDecoder::Length {
            remaining: expected,
            expected,
        }
    }

    pub(crate) fn chunked(limits: &BodyLimits) -> BodyDecoder {
        BodyDecoder::Chunked(ChunkedDecoder::new(
            limits.chunk_extension_bytes,
            limits.strict,
        ))
    }

    /// Decodes from the front of `recv`. Call until it returns `NeedMore` or `End`.
    pub(crate) fn next(
        &mut self,
        recv: &mut RecvBuf,
        limits: &BodyLimits,
    ) -> Result<BodyStep, ProtocolError> {
        match self {
            BodyDecoder::Length { remaining, .. } => {
                if *remaining == 0 {
                    return Ok(BodyStep::End(Headers::default()));
                }
                if recv.is_empty() {
                    return Ok(BodyStep::NeedMore);
                }
                let n = (*remaining).min(recv.len() as u64);
                *remaining -= n;
                Ok(BodyStep::Data(
                    recv.bytes_mut().split_to(n as usize).freeze(),
                ))
            }
            BodyDecoder::UntilClose => {
                if recv.is_empty() {
                    Ok(BodyStep::NeedMore)
                } else {
                    Ok(BodyStep::Data(recv.take_all()))
                }
            }
            BodyDecoder::Chunked(decoder) => loop {
                match decoder.step(recv.as_slice())? {
                    Step::Skip(n) => recv.discard(n),
                    Step::Data(n) => {
                        return Ok(BodyStep::Data(recv.bytes_mut().split_to(n).freeze()));
                    }
                    Step::FramedData { skip, len } => {
                        // One cut for the size line and the data; dropping the line from the
                        // front of the view is a pointer move.
                        let mut data = recv.bytes_mut().split_to(skip + len).freeze();
                        data.advance(skip);
                        return Ok(BodyStep::Data(data));
                    }
                    Step::NeedMore => return Ok(BodyStep::NeedMore),
                    Step::Trailers => return trailers(recv, limits, decoder),
                }
            },
        }
    }

    /// The first leniency this body needed (a chunked body's size digits or trailers), if any.
    pub(crate) fn leniency(&self) -> Option<Leniency> {
        match self {
            BodyDecoder::Chunked(d) => d.leniency(),
            BodyDecoder::Length { .. } | BodyDecoder::UntilClose => None,
        }
    }

    /// What an EOF now would cut short, or `None` when EOF ends this body normally.
    pub(crate) fn eof_phase(&self) -> Option<EofPhase> {
        match self {
            BodyDecoder::Length { remaining: 0, .. } | BodyDecoder::UntilClose => None,
            BodyDecoder::Length {
                remaining,
                expected,
            } => Some(EofPhase::InLengthBody {
                received: expected - remaining,
                expected: *expected,
            }),
            BodyDecoder::Chunked(d) => Some(EofPhase::InChunkedBody {
                received: d.received(),
            }),
        }
    }
}

/// The trailer section after the last chunk: an empty line, or field lines then an empty line.
///
/// Every line of it MUST end with CRLF: the end of the section is the end of the message, and a
/// message boundary never rests on a bare LF (peers disagree on it). Framing fields in trailers
/// are a [`Leniency`] (RFC 9110 §6.5.1 forbids them; they frame nothing here).
fn trailers(
    recv: &mut RecvBuf,
    limits: &BodyLimits,
    decoder: &mut ChunkedDecoder,
) -> Result<BodyStep, ProtocolError> {
    match recv.as_slice() {
        [] | [b'\r'] => return Ok(BodyStep::NeedMore),
        [b'\r', b'\n', ..] => {
            recv.discard(2);
            return Ok(BodyStep::End(Headers::default()));
        }
        [b'\r' | b'\n', ..] => return Err(ProtocolError::InvalidLineEnding),
        _ => {}
    }
    let too_large = ProtocolError::TrailersTooLarge {
        limit: limits.trailer_bytes,
    };
    match recv.find_section_end() {
        Some(end) if end > limits.trailer_bytes => Err(too_large),
        Some(_) if recv.line_flags().bare_lf => Err(ProtocolError::InvalidLineEnding),
        Some(end) => {
            let fields = parse_trailers(recv.bytes_mut(), end, limits.trailer_fields)?;
            if fields.get("content-length").is_some() || fields.get("transfer-encoding").is_some() {
                decoder.note(Leniency::FramingFieldInTrailers)?;
            }
            Ok(BodyStep::End(fields))
        }
        None if recv.len() > limits.trailer_bytes => Err(too_large),
        None => Ok(BodyStep::NeedMore),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Body, trailers and the bytes left after the body.
    type Decoded = (Vec<u8>, Headers, Vec<u8>);

    const LIMITS: BodyLimits = BodyLimits {
        chunk_extension_bytes: 64,
        trailer_bytes: 64,
        trailer_fields: 8,
        strict: false,
    };

    /// Feeds `input` in `piece`-byte pieces; returns body, trailers and leftover bytes, or the
    /// error, or `Ok(None)` when the input ran out first.
    fn decode(
        mut d: BodyDecoder,
        input: &[u8],
        piece: usize,
    ) -> Result<Option<Decoded>, ProtocolError> {
        let mut recv = RecvBuf::new();
        let mut body = Vec::new();
        let mut fed = 0;
        loop {
            match d.next(&mut recv, &LIMITS)? {
                BodyStep::Data(b) => body.extend_from_slice(&b),
                BodyStep::End(t) => {
                    let mut rest = recv.as_slice().to_vec();
                    rest.extend_from_slice(&input[fed..]);
                    return Ok(Some((body, t, rest)));
                }
                BodyStep::NeedMore if fed == input.len() => return Ok(None),
                BodyStep::NeedMore => {
                    let end = (fed + piece).min(input.len());
                    recv.extend(&input[fed..end]);
                    fed = end;
                }
            }
        }
    }

    /// Every case whole, byte by byte, and with trailing bytes that must stay untouched.
    fn check(
        make: impl Fn() -> BodyDecoder,
        input: &[u8],
        body: &[u8],
        trailers: &[(&str, &[u8])],
    ) {
        for piece in [input.len().max(1), 1] {
            for tail in [&b""[..], b"HTTP/1.1 200 OK\r\n"] {
                let mut full = input.to_vec();
                full.extend_from_slice(tail);
                let (got, t, rest) = decode(make(), &full, piece).unwrap().expect("complete");
                assert_eq!(got, body);
                let t: Vec<(&str, &[u8])> = t.iter().map(|f| (f.name, f.value)).collect();
                assert_eq!(t, trailers);
                assert_eq!(rest, tail);
            }
        }
    }

    #[test]
    fn length_bodies() {
        check(|| BodyDecoder::length(5), b"hello", b"hello", &[]);
        check(|| BodyDecoder::length(0), b"", b"", &[]);
        assert_eq!(decode(BodyDecoder::length(5), b"hel", 1).unwrap(), None);
    }

    #[test]
    fn chunked_bodies() {
        check(
            || BodyDecoder::chunked(&LIMITS),
            b"5\r\nhello\r\n0\r\n\r\n",
            b"hello",
            &[],
        );
        check(
            || BodyDecoder::chunked(&LIMITS),
            b"2;x=y\r\nhe\r\n3\r\nllo\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
            b"hello",
            &[("A", b"1"), ("B", b"2")],
        );
        assert_eq!(
            decode(BodyDecoder::chunked(&LIMITS), b"5\r\nhello\r\n0\r\n", 1).unwrap(),
            None
        );
        assert_eq!(
            decode(BodyDecoder::chunked(&LIMITS), b"0\r\n\n", 100).unwrap_err(),
            ProtocolError::InvalidLineEnding
        );
        assert_eq!(
            decode(
                BodyDecoder::chunked(&LIMITS),
                b"0\r\nBad Name: 1\r\n\r\n",
                100
            )
            .unwrap_err(),
            ProtocolError::InvalidTrailers
        );
        // A bare LF anywhere in the trailer section: the message boundary would rest on it.
        for bad in [
            &b"0\r\nA: 1\n\r\n"[..],
            b"0\r\nA: 1\r\n\n",
            b"0\r\nA: 1\nB: 2\r\n\r\n",
            b"0\r\nA: 1\n\n",
        ] {
            for piece in [bad.len(), 1] {
                assert_eq!(
                    decode(BodyDecoder::chunked(&LIMITS), bad, piece).unwrap_err(),
                    ProtocolError::InvalidLineEnding,
                    "{:?}",
                    bytes::Bytes::copy_from_slice(bad)
                );
            }
        }
        let mut big = b"0\r\n".to_vec();
        big.extend(core::iter::repeat_n(b'a', 100));
        assert_eq!(
            decode(BodyDecoder::chunked(&LIMITS), &big, 7).unwrap_err(),
            ProtocolError::TrailersTooLarge { limit: 64 }
        );
    }

    #[test]
    fn framing_fields_in_trailers_are_a_leniency() {
        for name in ["Content-Length: 5", "transfer-encoding: chunked"] {
            let input = alloc::format!("0\r\nX: 1\r\n{name}\r\n\r\n");
            let mut d = BodyDecoder::chunked(&LIMITS);
            let mut recv = RecvBuf::new();
            recv.extend(input.as_bytes());
            assert!(matches!(d.next(&mut recv, &LIMITS), Ok(BodyStep::End(t)) if t.len() == 2));
            assert_eq!(d.leniency(), Some(Leniency::FramingFieldInTrailers));
            let strict = BodyLimits {
                strict: true,
                ..LIMITS
            };
            let mut d = BodyDecoder::chunked(&strict);
            let mut recv = RecvBuf::new();
            recv.extend(input.as_bytes());
            assert_eq!(
                d.next(&mut recv, &strict).unwrap_err(),
                ProtocolError::Lenient(Leniency::FramingFieldInTrailers)
            );
        }
    }

    #[test]
    fn until_close_takes_everything() {
        let (body, _, _) = decode(BodyDecoder::UntilClose, b"abc", 1)
            .map(|r| r.unwrap_or_default())
            .unwrap_or_default();
        assert!(body.is_empty(), "an until-close body never ends by itself");
        let mut recv = RecvBuf::new();
        recv.extend(b"abc");
        match BodyDecoder::UntilClose.next(&mut recv, &LIMITS).unwrap() {
            BodyStep::Data(b) => assert_eq!(&b[..], b"abc"),
            other => panic!("{other:?}"),
        }
        assert_eq!(BodyDecoder::UntilClose.eof_phase(), None);
    }

    #[test]
    fn eof_phase_reports_progress() {
        let mut d = BodyDecoder::length(10);
        let mut recv = RecvBuf::new();
        recv.extend(b"abc");
        let _ = d.next(&mut recv, &LIMITS).unwrap();
        assert_eq!(
            d.eof_phase(),
            Some(EofPhase::InLengthBody {
                received: 3,
                expected: 10
            })
        );
    }
}
