//! The body-framing and connection-reuse decision for one response: pure functions of the
//! request's method and the response head (RFC 9112 §6.3, §9.3).

use crate::error::{CloseReason, ProtocolError};
use crate::head::{ResponseHead, Version};
use crate::leniency::Leniency;
use crate::token::{is_quoted_string, is_token, trim_ows};

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

/// The framing of a final response, why the connection must close after it (if it must), and
/// the first framing leniency its fields needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) framing: Framing,
    pub(crate) close: Option<CloseReason>,
    /// Never `Some` when the decision was taken with `strict`: that is an error instead. The
    /// connection turns it into [`CloseReason::Lenient`] unless `close` already says why it
    /// closes.
    pub(crate) leniency: Option<Leniency>,
}

/// Decides framing and reuse for a final (non-1xx, or accepted 101) response head. With
/// `strict`, a framing [`Leniency`] (and `Transfer-Encoding` with `Content-Length`) is an error.
pub(crate) fn decide(
    req: RequestFacts,
    head: &ResponseHead,
    strict: bool,
) -> Result<Decision, ProtocolError> {
    let status = head.status();
    let tunnel = Decision {
        framing: Framing::Tunnel,
        close: Some(CloseReason::Upgraded),
        leniency: None,
    };
    // §6.3 items 1 and 2: the tunnel cases and the bodiless cases, whatever the headers say.
    if status == 101 {
        if !req.upgrade {
            return Err(ProtocolError::UnexpectedSwitchingProtocols);
        }
        return Ok(tunnel);
    }
    if req.connect && (200..300).contains(&status) {
        return Ok(tunnel);
    }
    let present = head.framing_names();
    let (has_te, has_cl) = (present.transfer_encoding, present.content_length);
    // Codes outside 100..=599 are framed as a 5xx (RFC 9110 §15): only real 1xx are bodiless.
    let (framing, leniency) = if req.head || is_bodiless_status(status) {
        (Framing::Empty, bodiless_leniency(head))
    } else if has_te {
        // §6.3 item 3 and §6.1: Transfer-Encoding overrides Content-Length; in HTTP/1.0 it is
        // faulty framing.
        if head.version() == Version::Http10 {
            return Err(ProtocolError::TransferEncodingInHttp10);
        }
        if has_cl && strict {
            return Err(ProtocolError::Lenient(
                Leniency::TransferEncodingWithContentLength,
            ));
        }
        transfer_coding(head)?
    } else if has_cl {
        let (length, leniency) = content_length(head)?;
        (Framing::Length(length), leniency)
    } else {
        (Framing::UntilClose, None)
    };
    let leniency = leniency.map(|l| l.allow(strict)).transpose()?;
    let close = if framing == Framing::UntilClose {
        Some(CloseReason::EndOfBody)
    } else if has_te && has_cl && framing != Framing::Empty {
        Some(CloseReason::AmbiguousFraming)
    } else {
        keep_alive(req, head, present.connection)
    };
    Ok(Decision {
        framing,
        close,
        leniency,
    })
}

/// 1xx, 204 and 304 responses end at their head (§6.3 item 1).
fn is_bodiless_status(status: u16) -> bool {
    (100..200).contains(&status) || status == 204 || status == 304
}

/// The leniency of framing fields on a response that has no body whatever they say (a 1xx,
/// 204 or 304, or any response to HEAD): the fields frame nothing here, but peers that look at
/// them anyway would disagree. A 1xx or 204 MUST NOT carry them at all (RFC 9112 §6.1, RFC 9110
/// §8.6); elsewhere a `Content-Length` that is not one canonical value, a `Transfer-Encoding`
/// other than one `chunked` (Go rejects those on every response), or any `Transfer-Encoding` in
/// HTTP/1.0 (RFC 9112 §6.1: the client MUST treat the framing as faulty) counts.
pub(crate) fn bodiless_leniency(head: &ResponseHead) -> Option<Leniency> {
    let present = head.framing_names();
    let (has_te, has_cl) = (present.transfer_encoding, present.content_length);
    let must_not = (100..200).contains(&head.status()) || head.status() == 204;
    let odd_te = has_te
        && (head.version() == Version::Http10
            || !matches!(transfer_coding(head), Ok((Framing::Chunked, None))));
    let odd_cl = has_cl && !matches!(content_length(head), Ok((_, None)));
    ((must_not && (has_te || has_cl)) || (has_te && has_cl) || odd_te || odd_cl)
        .then_some(Leniency::FramingOnBodiless)
}

/// `Connection` semantics (§9.3): why a response with a self-delimited body still closes.
/// `has_connection` says whether the head has a `Connection` field at all.
fn keep_alive(req: RequestFacts, head: &ResponseHead, has_connection: bool) -> Option<CloseReason> {
    let headers = head.headers();
    if has_connection && headers.contains_token("connection", "close") {
        Some(CloseReason::ServerRequestedClose)
    } else if head.version() == Version::Http10
        && !(has_connection && headers.contains_token("connection", "keep-alive"))
    {
        Some(CloseReason::Http10)
    } else if req.close {
        Some(CloseReason::ClientRequestedClose)
    } else {
        None
    }
}

/// Chunked when `chunked` is the final coding, read-until-close when it is absent; every
/// `Transfer-Encoding` line counts, as one list (RFC 9112 §6.1, §7).
///
/// Errors: no coding at all, a coding that is not a token, `chunked` twice, `chunked` with
/// parameters (§7.1: it defines none, and their presence SHOULD be treated as an error; hyper,
/// Go and llhttp each do something else with them), or a malformed parameter on another coding.
/// Leniencies: an empty list element, or anything but one `chunked` on one line.
fn transfer_coding(head: &ResponseHead) -> Result<(Framing, Option<Leniency>), ProtocolError> {
    let invalid = ProtocolError::InvalidTransferEncoding;
    let mut lines = 0usize;
    let mut codings = 0usize;
    let mut empty_element = false;
    let mut chunked_seen = false;
    let mut last_is_chunked = false;
    for value in head.headers().get_all("transfer-encoding") {
        lines += 1;
        for element in value.split(|&b| b == b',').map(trim_ows) {
            if element.is_empty() {
                empty_element = true;
                continue;
            }
            let mut parts = element.split(|&b| b == b';');
            let name = trim_ows(parts.next().unwrap_or_default());
            if !is_token(name) {
                return Err(invalid);
            }
            let is_chunked = name.eq_ignore_ascii_case(b"chunked");
            for parameter in parts {
                if is_chunked || !is_transfer_parameter(parameter) {
                    return Err(invalid);
                }
            }
            if is_chunked && chunked_seen {
                // §7.1: a sender MUST NOT apply chunked more than once.
                return Err(invalid);
            }
            chunked_seen |= is_chunked;
            last_is_chunked = is_chunked;
            codings += 1;
        }
    }
    if codings == 0 {
        return Err(invalid);
    }
    let leniency = if empty_element {
        Some(Leniency::EmptyListElement)
    } else if codings > 1 || lines > 1 {
        Some(Leniency::SeveralTransferCodings)
    } else {
        None
    };
    let framing = if last_is_chunked {
        Framing::Chunked
    } else {
        Framing::UntilClose
    };
    Ok((framing, leniency))
}

/// `transfer-parameter = token BWS "=" BWS ( token / quoted-string )` (RFC 9112 §7.3).
fn is_transfer_parameter(parameter: &[u8]) -> bool {
    let mut sides = parameter.splitn(2, |&b| b == b'=');
    let name = trim_ows(sides.next().unwrap_or_default());
    let value = sides.next().map(trim_ows);
    is_token(name) && value.is_some_and(|v| is_token(v) || is_quoted_string(v))
}

/// All `Content-Length` values, on every line and in every comma list, must be the same
/// `1*DIGIT` number (§6.3 item 5, RFC 9110 §8.6). Leniencies: more than one value, or a value
/// with leading zeros.
fn content_length(head: &ResponseHead) -> Result<(u64, Option<Leniency>), ProtocolError> {
    let mut found: Option<u64> = None;
    let mut values = 0usize;
    let mut padded = false;
    for value in head.headers().get_all("content-length") {
        for element in value.split(|&b| b == b',').map(trim_ows) {
            let n = parse_decimal(element).ok_or(ProtocolError::InvalidContentLength)?;
            values += 1;
            padded |= element.len() > 1 && element[0] == b'0';
            match found {
                Some(first) if first != n => {
                    return Err(ProtocolError::ConflictingContentLength { first, other: n });
                }
                _ => found = Some(n),
            }
        }
    }
    let length = found.ok_or(ProtocolError::InvalidContentLength)?;
    let leniency = if values > 1 {
        Some(Leniency::RepeatedContentLength)
    } else if padded {
        Some(Leniency::ZeroPaddedContentLength)
    } else {
        None
    };
    Ok((length, leniency))
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
        let lines = crate::recv_buf::LineFlags {
            folded: true,
            bare_lf: false,
        };
        crate::head::parse_head(&mut buf, raw.len(), 100, lines).expect("valid head")
    }

    const GET: RequestFacts = RequestFacts {
        head: false,
        connect: false,
        upgrade: false,
        close: false,
    };

    type Outcome = Result<(Framing, Option<CloseReason>), ProtocolError>;

    fn d(req: RequestFacts, raw: &str) -> Outcome {
        decide(req, &head(raw), false).map(|d| (d.framing, d.close))
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

    /// Every framing leniency, and its strict-mode rejection.
    #[test]
    fn leniency_table() {
        use Framing::*;
        use Leniency::*;
        let head_req = RequestFacts { head: true, ..GET };
        let h = |fields: &str| alloc::format!("HTTP/1.1 200 OK\r\n{fields}\r\n");
        let s = |status: &str, fields: &str| alloc::format!("HTTP/1.1 {status}\r\n{fields}\r\n");
        let cases: &[(
            RequestFacts,
            alloc::string::String,
            Framing,
            Option<Leniency>,
        )] = &[
            (GET, h("Content-Length: 5\r\n"), Length(5), None),
            (GET, h("Content-Length: 0\r\n"), Length(0), None),
            (
                GET,
                h("Content-Length: 5, 5\r\n"),
                Length(5),
                Some(RepeatedContentLength),
            ),
            (
                GET,
                h("Content-Length: 5\r\nContent-Length: 5\r\n"),
                Length(5),
                Some(RepeatedContentLength),
            ),
            (
                GET,
                h("Content-Length: 05\r\n"),
                Length(5),
                Some(ZeroPaddedContentLength),
            ),
            (
                GET,
                h("Content-Length: 00\r\n"),
                Length(0),
                Some(ZeroPaddedContentLength),
            ),
            (GET, h("Transfer-Encoding: chunked\r\n"), Chunked, None),
            (GET, h("Transfer-Encoding:  Chunked \r\n"), Chunked, None),
            (
                GET,
                h("Transfer-Encoding: chunked,\r\n"),
                Chunked,
                Some(EmptyListElement),
            ),
            (
                GET,
                h("Transfer-Encoding: , chunked\r\n"),
                Chunked,
                Some(EmptyListElement),
            ),
            (
                GET,
                h("Transfer-Encoding: gzip, chunked\r\n"),
                Chunked,
                Some(SeveralTransferCodings),
            ),
            (
                GET,
                h("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
                Chunked,
                Some(SeveralTransferCodings),
            ),
            (
                GET,
                h("Transfer-Encoding: x;a=b;c=\"d e\", chunked\r\n"),
                Chunked,
                Some(SeveralTransferCodings),
            ),
            (head_req, h("Content-Length: 5\r\n"), Empty, None),
            (head_req, h("Transfer-Encoding: chunked\r\n"), Empty, None),
            (
                head_req,
                h("Content-Length: x\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                head_req,
                h("Content-Length: 5, 5\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                head_req,
                h("Content-Length: 007\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                head_req,
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
                    .into(),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                head_req,
                h("Content-Length: 1\r\nContent-Length: 2\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                head_req,
                h("Transfer-Encoding: gzip\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                head_req,
                h("Transfer-Encoding: chunked\r\nContent-Length: 1\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                GET,
                s("304 Not Modified", "Content-Length: 5\r\n"),
                Empty,
                None,
            ),
            (
                GET,
                s("304 Not Modified", "Content-Length: 5, 6\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (GET, s("204 No Content", ""), Empty, None),
            (
                GET,
                s("204 No Content", "Content-Length: 0\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
            (
                GET,
                s("204 No Content", "Transfer-Encoding: chunked\r\n"),
                Empty,
                Some(FramingOnBodiless),
            ),
        ];
        for (req, raw, framing, leniency) in cases {
            let got = decide(*req, &head(raw), false).map(|d| (d.framing, d.leniency));
            assert_eq!(got, Ok((*framing, *leniency)), "{raw:?}");
            let strict = decide(*req, &head(raw), true).map(|d| d.framing);
            let want = match leniency {
                None => Ok(*framing),
                Some(l) => Err(ProtocolError::Lenient(*l)),
            };
            assert_eq!(strict, want, "strict: {raw:?}");
        }
        // Both framing headers: closes by default, rejected in strict mode.
        let both = h("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n");
        assert_eq!(
            decide(GET, &head(&both), true),
            Err(ProtocolError::Lenient(TransferEncodingWithContentLength))
        );
    }

    /// Transfer codings the grammar or §7.1 forbid are rejected, whatever the mode.
    #[test]
    fn transfer_coding_parameters() {
        for value in [
            "chunked;foo=bar",
            "chunked;",
            "chunked ;foo",
            "chunked; q=1",
            "gzip;, chunked",
            "gzip;a, chunked",
            "gzip;a=, chunked",
            "gzip;=b, chunked",
            "gzip;a=\"b, chunked",
            "gzip;a=b c, chunked",
            "gz ip, chunked",
        ] {
            let raw = alloc::format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: {value}\r\n\r\n");
            assert_eq!(
                d(GET, &raw),
                Err(ProtocolError::InvalidTransferEncoding),
                "{value:?}"
            );
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
