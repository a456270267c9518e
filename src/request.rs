//! Requests: what the caller declares, validation, and the HTTP/1.1 encoding of the head.

use crate::error::UsageError;
use crate::framing::RequestFacts;
use crate::token::{is_field_value, is_token, list_elements};
use bytes::{BufMut, BytesMut};
use smallvec::SmallVec;

/// How the request body is framed on the wire. The framing header (`Content-Length` or
/// `Transfer-Encoding: chunked`) is written from this; the caller never writes one itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestBody {
    /// No body. `POST`, `PUT` and `PATCH` still get `Content-Length: 0`, as RFC 9110 §8.6 asks.
    None,
    /// Exactly this many bytes, sent with [`Connection::send_body`](crate::Connection::send_body).
    Length(u64),
    /// Any number of bytes in the chunked coding, ended by
    /// [`Connection::finish_body`](crate::Connection::finish_body).
    Chunked,
}

/// A request head to send: method, target, header fields and the body's framing.
///
/// Borrows everything it holds and keeps up to 16 headers inline, so building and sending one
/// allocates nothing. Validation happens in
/// [`Connection::send_request`](crate::Connection::send_request), which rejects the whole request
/// (and sends nothing) if any part is invalid.
///
/// ```
/// use h1conn::{Request, RequestBody};
/// let req = Request::new("POST", "/upload")
///     .header("Host", "example.com")
///     .header("Content-Type", "text/plain")
///     .body(RequestBody::Length(5));
/// # let _ = req;
/// ```
#[derive(Clone, Debug)]
pub struct Request<'a> {
    method: &'a str,
    target: &'a str,
    headers: SmallVec<[(&'a str, &'a [u8]); 16]>,
    body: RequestBody,
    body_replayable: bool,
}

impl<'a> Request<'a> {
    /// A request with `method` (a token, case-sensitive) for `target` (origin-form `/path?q`,
    /// absolute-form, authority-form for CONNECT, or `*`), with no headers and no body.
    pub fn new(method: &'a str, target: &'a str) -> Request<'a> {
        Request {
            method,
            target,
            headers: SmallVec::new(),
            body: RequestBody::None,
            body_replayable: false,
        }
    }

    /// `GET target`.
    pub fn get(target: &'a str) -> Request<'a> {
        Request::new("GET", target)
    }

    /// Appends a header field. Names are sent as given; HTTP/1.1 requires one `Host`.
    /// `Connection: close` makes the connection close after the response; `Upgrade` asks for a
    /// protocol switch; `Expect: 100-continue` holds the body until the server agrees.
    pub fn header(mut self, name: &'a str, value: &'a (impl AsRef<[u8]> + ?Sized)) -> Request<'a> {
        self.headers.push((name, value.as_ref()));
        self
    }

    /// Appends every field of `fields`, in order: the same as calling
    /// [`header`](Self::header) once per field, with one copy of the list instead of a move of
    /// the request per field (the cheaper way to build a request with many fields).
    ///
    /// ```
    /// use h1conn::Request;
    /// let fields: [(&str, &[u8]); 2] = [("Host", b"example.com"), ("Accept", b"*/*")];
    /// let req = Request::get("/").headers_from(&fields);
    /// assert_eq!(req.headers(), &fields);
    /// ```
    pub fn headers_from(mut self, fields: &[(&'a str, &'a [u8])]) -> Request<'a> {
        self.headers.extend_from_slice(fields);
        self
    }

    /// Appends a header field in place: [`header`](Self::header) for a request kept in a
    /// variable (no move of the request).
    pub fn push_header(
        &mut self,
        name: &'a str,
        value: &'a (impl AsRef<[u8]> + ?Sized),
    ) -> &mut Request<'a> {
        self.headers.push((name, value.as_ref()));
        self
    }

    /// Validates the request and appends its HTTP/1.1 head to `out`, as
    /// [`Connection::send_request`](crate::Connection::send_request) would send it (the framing
    /// field written from [`body`](Self::body)): for callers that frame requests by hand, and for
    /// benchmarks. On error nothing is written.
    ///
    /// ```
    /// use h1conn::{BytesMut, Request, RequestBody, UsageError};
    /// let mut out = BytesMut::new();
    /// Request::new("PUT", "/a").header("Host", "x").body(RequestBody::Length(2)).encode(&mut out)?;
    /// assert_eq!(&out[..], b"PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n");
    /// assert_eq!(Request::get("/").encode(&mut out), Err(UsageError::MissingHost));
    /// # Ok::<(), UsageError>(())
    /// ```
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), UsageError> {
        encode_head(self, out).map(|_| ())
    }

    /// Declares the body framing (default [`RequestBody::None`]).
    pub fn body(mut self, body: RequestBody) -> Request<'a> {
        self.body = body;
        self
    }

    /// Declares that the caller can send this body again on another connection (it kept the
    /// bytes, or can regenerate them). Only then can a request with a body be judged
    /// retryable after it was sent.
    ///
    /// Replayable also needs a method that is safe to repeat: GET, HEAD, OPTIONS, TRACE, or any
    /// method with an `Idempotency-Key` header. Such a request without a body is replayable
    /// without this flag; a POST is never replayable without `Idempotency-Key`, with or without
    /// a body (so a body-less POST that was sent and then met EOF is not retryable).
    pub fn replayable_body(mut self, replayable: bool) -> Request<'a> {
        self.body_replayable = replayable;
        self
    }

    /// Whether this request may be sent again on another connection after it may have reached
    /// the server: a method safe to repeat (GET, HEAD, OPTIONS, TRACE, or any method with an
    /// `Idempotency-Key` header), and no body or one declared with
    /// [`replayable_body`](Self::replayable_body). The same fact as
    /// [`RequestError::is_replayable`](crate::RequestError::is_replayable), known before sending
    /// (a pool's `408` rule needs it when no error was reported).
    pub fn is_replayable(&self) -> bool {
        let idempotent = matches!(self.method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
            || self.has_header("idempotency-key");
        let has_body = !matches!(self.body, RequestBody::None | RequestBody::Length(0));
        idempotent && (!has_body || self.body_replayable)
    }

    /// The method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The request target.
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// The header fields, in order.
    pub fn headers(&self) -> &[(&'a str, &'a [u8])] {
        &self.headers
    }

    /// The declared body framing.
    pub fn body_framing(&self) -> RequestBody {
        self.body
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case(name)
                && list_elements(v).any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
        })
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// What the connection remembers about a request once its head is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RequestMeta {
    pub(crate) facts: RequestFacts,
    pub(crate) body: RequestBody,
    /// Idempotent method or `Idempotency-Key`, and a replayable (or no) body.
    pub(crate) replayable: bool,
    /// `Expect: 100-continue` with a body that is not empty.
    pub(crate) expect_continue: bool,
}

fn validate(req: &Request<'_>) -> Result<(), UsageError> {
    if !is_token(req.method.as_bytes()) {
        return Err(UsageError::InvalidMethod);
    }
    if req.target.is_empty() || !req.target.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(UsageError::InvalidTarget);
    }
    let mut hosts = 0;
    for (index, (name, value)) in req.headers.iter().enumerate() {
        if !is_token(name.as_bytes()) {
            return Err(UsageError::InvalidHeaderName { index });
        }
        if !is_field_value(value) {
            return Err(UsageError::InvalidHeaderValue { index });
        }
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            return Err(UsageError::FramingHeader { index });
        }
        hosts += usize::from(name.eq_ignore_ascii_case("host"));
    }
    match hosts {
        0 => Err(UsageError::MissingHost),
        1 => Ok(()),
        _ => Err(UsageError::DuplicateHost),
    }
}

/// Writes a decimal number without allocating.
pub(crate) fn put_decimal(out: &mut BytesMut, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(&digits[i..]);
}

/// Writes a chunk-size number in lowercase hex without allocating.
pub(crate) fn put_hex(out: &mut BytesMut, n: u64) {
    let digits = (64 - n.leading_zeros()).div_ceil(4).max(1);
    for i in (0..digits).rev() {
        out.put_u8(b"0123456789abcdef"[(n >> (i * 4) & 0xf) as usize]);
    }
}

/// Validates `req` and appends its head to `out`. On error nothing is written.
pub(crate) fn encode_head(
    req: &Request<'_>,
    out: &mut BytesMut,
) -> Result<RequestMeta, UsageError> {
    validate(req)?;
    let method = req.method;
    let len = method.len()
        + req.target.len()
        + req
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum::<usize>()
        + 64;
    out.reserve(len);
    out.extend_from_slice(method.as_bytes());
    out.extend_from_slice(b" ");
    out.extend_from_slice(req.target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in &req.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    match req.body {
        RequestBody::None if matches!(method, "POST" | "PUT" | "PATCH") => {
            out.extend_from_slice(b"Content-Length: 0\r\n");
        }
        RequestBody::None => {}
        RequestBody::Length(n) => {
            out.extend_from_slice(b"Content-Length: ");
            put_decimal(out, n);
            out.extend_from_slice(b"\r\n");
        }
        RequestBody::Chunked => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
    }
    out.extend_from_slice(b"\r\n");
    let has_body = !matches!(req.body, RequestBody::None | RequestBody::Length(0));
    Ok(RequestMeta {
        facts: RequestFacts {
            head: method == "HEAD",
            connect: method == "CONNECT",
            upgrade: req.has_header("upgrade"),
            close: req.has_token("connection", "close"),
        },
        body: req.body,
        replayable: req.is_replayable(),
        expect_continue: has_body && req.has_token("expect", "100-continue"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(req: &Request<'_>) -> Result<(alloc::string::String, RequestMeta), UsageError> {
        let mut out = BytesMut::new();
        let meta = encode_head(req, &mut out)?;
        Ok((
            alloc::string::String::from_utf8(out.to_vec()).unwrap(),
            meta,
        ))
    }

    #[test]
    fn encodes_heads_with_declared_framing() {
        let (s, meta) = encode(&Request::get("/a?b").header("Host", "x")).unwrap();
        assert_eq!(s, "GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(meta.replayable && !meta.expect_continue && !meta.facts.head);
        let (s, _) = encode(&Request::new("POST", "/").header("Host", "x")).unwrap();
        assert_eq!(s, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        let (s, meta) = encode(
            &Request::new("PUT", "/")
                .header("Host", "x")
                .body(RequestBody::Length(12345)),
        )
        .unwrap();
        assert_eq!(
            s,
            "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 12345\r\n\r\n"
        );
        assert!(!meta.replayable, "PUT is not in the replayable set");
        let (s, meta) = encode(
            &Request::new("POST", "/")
                .header("Host", "x")
                .header("Idempotency-Key", "k")
                .header("Expect", "100-Continue")
                .body(RequestBody::Chunked)
                .replayable_body(true),
        )
        .unwrap();
        assert!(s.ends_with("Transfer-Encoding: chunked\r\n\r\n"));
        assert!(meta.replayable && meta.expect_continue);
        let (_, meta) = encode(
            &Request::new("HEAD", "/")
                .header("host", "x")
                .header("Connection", "Upgrade, close")
                .header("Upgrade", "ws"),
        )
        .unwrap();
        assert!(meta.facts.head && meta.facts.close && meta.facts.upgrade);
        let (_, meta) =
            encode(&Request::new("CONNECT", "example.com:443").header("Host", "example.com:443"))
                .unwrap();
        assert!(meta.facts.connect);
        let (_, meta) = encode(
            &Request::get("/")
                .header("Host", "x")
                .body(RequestBody::Length(3)),
        )
        .unwrap();
        assert!(
            !meta.replayable,
            "a body is replayable only when the caller says so"
        );
    }

    #[test]
    fn rejects_injection_and_framing_headers() {
        let cases: &[(Request<'_>, UsageError)] = &[
            (
                Request::new("G ET", "/").header("Host", "x"),
                UsageError::InvalidMethod,
            ),
            (
                Request::new("", "/").header("Host", "x"),
                UsageError::InvalidMethod,
            ),
            (
                Request::new("GET", "/a b").header("Host", "x"),
                UsageError::InvalidTarget,
            ),
            (
                Request::new("GET", "/\r\nX: y").header("Host", "x"),
                UsageError::InvalidTarget,
            ),
            (
                Request::new("GET", "").header("Host", "x"),
                UsageError::InvalidTarget,
            ),
            (
                Request::get("/").header("Host", "x").header("X\r\nY", "z"),
                UsageError::InvalidHeaderName { index: 1 },
            ),
            (
                Request::get("/").header("Host", "x").header("", "z"),
                UsageError::InvalidHeaderName { index: 1 },
            ),
            (
                Request::get("/").header("Host", "x\r\nEvil: 1"),
                UsageError::InvalidHeaderValue { index: 0 },
            ),
            (
                Request::get("/").header("Host", "x").header("A", "\0"),
                UsageError::InvalidHeaderValue { index: 1 },
            ),
            (
                Request::get("/").header("Host", "x").header("A", "\n"),
                UsageError::InvalidHeaderValue { index: 1 },
            ),
            (
                Request::get("/")
                    .header("Host", "x")
                    .header("content-length", "1"),
                UsageError::FramingHeader { index: 1 },
            ),
            (
                Request::get("/").header("Transfer-Encoding", "chunked"),
                UsageError::FramingHeader { index: 0 },
            ),
            (Request::get("/"), UsageError::MissingHost),
            (
                Request::get("/").header("Host", "x").header("HOST", "y"),
                UsageError::DuplicateHost,
            ),
        ];
        for (req, want) in cases {
            let mut out = BytesMut::new();
            assert_eq!(encode_head(req, &mut out), Err(*want), "{req:?}");
            assert!(out.is_empty(), "a rejected request writes nothing");
        }
    }

    #[test]
    fn hex_encoding() {
        for n in [0u64, 1, 15, 16, 255, 4096, u64::MAX] {
            let mut out = BytesMut::new();
            put_hex(&mut out, n);
            assert_eq!(&out[..], alloc::format!("{n:x}").as_bytes());
        }
    }

    #[test]
    fn decimal_encoding() {
        for n in [0u64, 7, 10, 12345, u64::MAX] {
            let mut out = BytesMut::new();
            put_decimal(&mut out, n);
            assert_eq!(&out[..], alloc::format!("{n}").as_bytes());
        }
    }
}
