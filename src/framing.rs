//! The body-framing and connection-reuse decision for one response: pure functions of the
//! request's method and the response head (RFC 9112 §6.3, §9.3).

use crate::error::{CloseReason, ProtocolError};
use crate::head::{ResponseHead, Version};
use crate::token::{is_token, list_elements, trim_ows};

/// How the response body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body (HEAD, 1xx, 204, 304).
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// The chunked transfer coding.
    Chunked,
    /// Everything until the peer closes.
    UntilClose,
    /// The connection stops speaking HTTP after the head (accepted `101`, `2xx` to CONNECT).
    Tunnel,
}

/// What the request contributes to the decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RequestFacts {
    pub(crate) head: bool,
    pub(crate) connect: bool,
    pub(crate) upgrade: bool,
    pub(crate) close: bool,
}

/// The framing of a final response, and why the connection must close after it, if it must.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) framing: Framing,
    pub(crate) close: Option<CloseReason>,
}

/// Decides framing and reuse for a final (non-1xx, or accepted 101) response head.
pub(crate) fn decide(req: RequestFacts, head: &ResponseHead) -> Result<Decision, ProtocolError> {
    let status = head.status();
    let headers = head.headers();
    // §6.3 items 1 and 2: the tunnel cases and the bodiless cases, whatever the headers say.
    if status == 101 {
        if !req.upgrade {
            return Err(ProtocolError::UnexpectedSwitchingProtocols);
        }
        return Ok(Decision {
            framing: Framing::Tunnel,
            close: Some(CloseReason::Upgraded),
        });
    }
    if req.connect && (200..300).contains(&status) {
        return Ok(Decision {
            framing: Framing::Tunnel,
            close: Some(CloseReason::Upgraded),
        });
    }
    let has_te = headers.get("transfer-encoding").is_some();
    let has_cl = headers.get("content-length").is_some();
    // Codes outside 100..=599 are framed as a 5xx (RFC 9110 §15): only real 1xx are bodiless.
    let framing = if req.head || (100..200).contains(&status) || status == 204 || status == 304 {
        Framing::Empty
    } else if has_te {
        // §6.3 item 3 and §6.1: Transfer-Encoding overrides Content-Length; in HTTP/1.0 it is
        // faulty framing.
        if head.version() == Version::Http10 {
            return Err(ProtocolError::TransferEncodingInHttp10);
        }
        transfer_coding(head)?
    } else if has_cl {
        Framing::Length(content_length(head)?)
    } else {
        Framing::UntilClose
    };
    let close = if framing == Framing::UntilClose {
        Some(CloseReason::EndOfBody)
    } else if has_te && has_cl && framing != Framing::Empty {
        Some(CloseReason::AmbiguousFraming)
    } else {
        keep_alive(req, head)
    };
    Ok(Decision { framing, close })
}

/// `Connection` semantics (§9.3): why a response with a self-delimited body still closes.
fn keep_alive(req: RequestFacts, head: &ResponseHead) -> Option<CloseReason> {
    let headers = head.headers();
    if headers.contains_token("connection", "close") {
        Some(CloseReason::ServerRequestedClose)
    } else if head.version() == Version::Http10
        && !headers.contains_token("connection", "keep-alive")
    {
        Some(CloseReason::Http10)
    } else if req.close {
        Some(CloseReason::ClientRequestedClose)
    } else {
        None
    }
}

/// Chunked when `chunked` is the final coding, read-until-close when it is absent; every
/// `Transfer-Encoding` line counts, as one list.
fn transfer_coding(head: &ResponseHead) -> Result<Framing, ProtocolError> {
    let mut codings = 0usize;
    let mut chunked_seen = false;
    let mut last_is_chunked = false;
    for value in head.headers().get_all("transfer-encoding") {
        for element in list_elements(value) {
            // A coding may carry parameters (`gzip;q=1` is not valid here, but `x;a=b` is).
            let name = trim_ows(element.split(|&b| b == b';').next().unwrap_or_default());
            if !is_token(name) {
                return Err(ProtocolError::InvalidTransferEncoding);
            }
            let is_chunked = name.eq_ignore_ascii_case(b"chunked");
            if is_chunked && chunked_seen {
                // §7.1: a sender MUST NOT apply chunked more than once.
                return Err(ProtocolError::InvalidTransferEncoding);
            }
            chunked_seen |= is_chunked;
            last_is_chunked = is_chunked;
            codings += 1;
        }
    }
    if codings == 0 {
        return Err(ProtocolError::InvalidTransferEncoding);
    }
    Ok(if last_is_chunked {
        Framing::Chunked
    } else {
        Framing::UntilClose
    })
}

/// All `Content-Length` values, on every line and in every comma list, must be the same
/// `1*DIGIT` number (§6.3 item 5, RFC 9110 §8.6).
fn content_length(head: &ResponseHead) -> Result<u64, ProtocolError> {
    let mut found: Option<u64> = None;
    for value in head.headers().get_all("content-length") {
        for element in value.split(|&b| b == b',') {
            let n = parse_decimal(trim_ows(element)).ok_or(ProtocolError::InvalidContentLength)?;
            match found {
                Some(first) if first != n => {
                    return Err(ProtocolError::ConflictingContentLength { first, other: n });
                }
                _ => found = Some(n),
            }
        }
    }
    found.ok_or(ProtocolError::InvalidContentLength)
}

/// `1*DIGIT` as a `u64`, or `None` when empty, not all digits, or too large.
pub(crate) fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;

    fn head(raw: &str) -> ResponseHead {
        let mut buf = BytesMut::from(raw.as_bytes());
        crate::head::parse_head(&mut buf, raw.len(), 100, true).expect("valid head")
    }

    const GET: RequestFacts = RequestFacts {
        head: false,
        connect: false,
        upgrade: false,
        close: false,
    };

    type Outcome = Result<(Framing, Option<CloseReason>), ProtocolError>;

    fn d(req: RequestFacts, raw: &str) -> Outcome {
        decide(req, &head(raw)).map(|d| (d.framing, d.close))
    }

    #[test]
    fn framing_table() {
        use CloseReason::*;
        use Framing::*;
        let head_req = RequestFacts { head: true, ..GET };
        let connect = RequestFacts {
            connect: true,
            ..GET
        };
        let upgrade = RequestFacts {
            upgrade: true,
            ..GET
        };
        let close_req = RequestFacts { close: true, ..GET };
        let cases: &[(RequestFacts, &str, Outcome)] = &[
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                Ok((Length(5), None)),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n",
                Ok((Length(5), None)),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                Err(ProtocolError::ConflictingContentLength { first: 5, other: 6 }),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
                Err(ProtocolError::InvalidContentLength),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\n",
                Err(ProtocolError::InvalidContentLength),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
                Err(ProtocolError::InvalidContentLength),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n",
                Err(ProtocolError::InvalidContentLength),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                Err(ProtocolError::InvalidContentLength),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n",
                Err(ProtocolError::InvalidContentLength),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                Ok((Chunked, None)),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n",
                Ok((Chunked, None)),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                Ok((Chunked, None)),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                Ok((UntilClose, Some(EndOfBody))),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                Ok((UntilClose, Some(EndOfBody))),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedchunked\r\n\r\n",
                Ok((UntilClose, Some(EndOfBody))),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                Err(ProtocolError::InvalidTransferEncoding),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n",
                Err(ProtocolError::InvalidTransferEncoding),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: \"chunked\"\r\n\r\n",
                Err(ProtocolError::InvalidTransferEncoding),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                Ok((Chunked, Some(AmbiguousFraming))),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                Ok((Chunked, Some(AmbiguousFraming))),
            ),
            (
                GET,
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err(ProtocolError::TransferEncodingInHttp10),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\n\r\n",
                Ok((UntilClose, Some(EndOfBody))),
            ),
            (
                GET,
                "HTTP/1.1 099 Odd\r\nContent-Length: 5\r\n\r\n",
                Ok((Length(5), None)),
            ),
            (
                GET,
                "HTTP/1.1 999 Odd\r\n\r\n",
                Ok((UntilClose, Some(EndOfBody))),
            ),
            (
                GET,
                "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                Ok((Empty, None)),
            ),
            (
                GET,
                "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                Ok((Empty, None)),
            ),
            (
                head_req,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                Ok((Empty, None)),
            ),
            (head_req, "HTTP/1.1 200 OK\r\n\r\n", Ok((Empty, None))),
            (
                connect,
                "HTTP/1.1 200 OK\r\n\r\n",
                Ok((Tunnel, Some(Upgraded))),
            ),
            (
                connect,
                "HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n",
                Ok((Length(0), None)),
            ),
            (
                upgrade,
                "HTTP/1.1 101 Switching\r\nUpgrade: ws\r\n\r\n",
                Ok((Tunnel, Some(Upgraded))),
            ),
            (
                GET,
                "HTTP/1.1 101 Switching\r\nUpgrade: ws\r\n\r\n",
                Err(ProtocolError::UnexpectedSwitchingProtocols),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive, CLOSE\r\n\r\n",
                Ok((Length(0), Some(ServerRequestedClose))),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: x\r\nConnection: close\r\n\r\n",
                Ok((Length(0), Some(ServerRequestedClose))),
            ),
            (
                GET,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: closed\r\n\r\n",
                Ok((Length(0), None)),
            ),
            (
                GET,
                "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
                Ok((Length(0), Some(Http10))),
            ),
            (
                GET,
                "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n",
                Ok((Length(0), None)),
            ),
            (
                close_req,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                Ok((Length(0), Some(ClientRequestedClose))),
            ),
        ];
        for (req, raw, want) in cases {
            assert_eq!(d(*req, raw), *want, "{raw:?} for {req:?}");
        }
    }

    #[test]
    fn decimal() {
        assert_eq!(parse_decimal(b"0"), Some(0));
        assert_eq!(parse_decimal(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_decimal(b"18446744073709551616"), None);
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"-1"), None);
        assert_eq!(parse_decimal(b"1 "), None);
    }
}
