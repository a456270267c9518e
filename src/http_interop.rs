//! Conversions between h1conn's types and the `http` crate's (feature `http`), with as few
//! copies as the `http` types allow: a [`Request`] borrows everything from
//! `http::request::Parts`; header values go to `http` as slices of the received head's `Bytes`.

use crate::{Headers, Request, RequestBody, ResponseHead, Version};
use core::fmt;
use std::string::String;

/// Why a conversion between h1conn and `http` types failed. Nothing panics: every value `http`
/// refuses, or h1conn cannot send, is one of these.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpConversionError {
    /// The request's version is not HTTP/1.0 or HTTP/1.1 (h1conn sends HTTP/1.1).
    Version(http::Version),
    /// A `Content-Length` header that is not one decimal number.
    ContentLength,
    /// A `Transfer-Encoding` other than `chunked` (h1conn frames request bodies itself).
    TransferEncoding,
    /// The URI has no path for an origin-form target, or no authority for CONNECT.
    Target,
    /// A status code `http::StatusCode` refuses (it takes 100..=999; h1conn reports any three
    /// digits, framed as a 5xx outside 100..=599).
    Status(u16),
    /// A header name `http` refuses.
    HeaderName(String),
    /// A header value `http` refuses (for example a DEL byte), by field name.
    HeaderValue(String),
}

impl fmt::Display for HttpConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpConversionError::Version(v) => write!(f, "{v:?} is not HTTP/1.x"),
            HttpConversionError::ContentLength => f.write_str("invalid Content-Length"),
            HttpConversionError::TransferEncoding => {
                f.write_str("Transfer-Encoding other than chunked")
            }
            HttpConversionError::Target => f.write_str("the URI gives no request target"),
            HttpConversionError::Status(code) => write!(f, "status {code} refused by http"),
            HttpConversionError::HeaderName(name) => write!(f, "header name {name:?} refused"),
            HttpConversionError::HeaderValue(name) => write!(f, "value of {name:?} refused"),
        }
    }
}

impl std::error::Error for HttpConversionError {}

impl<'a> Request<'a> {
    /// A request borrowing everything from `parts`: method, target (the path and query; the
    /// authority for CONNECT), and the header fields in order, plus `Host` from the URI's
    /// authority when the fields have none. The body framing comes from the fields:
    /// `Content-Length: n` becomes [`RequestBody::Length`], `Transfer-Encoding: chunked`
    /// [`RequestBody::Chunked`] (both are taken out of the fields: h1conn writes framing itself).
    ///
    /// ```
    /// let (parts, ()) = http::Request::post("http://example.com/upload?x=1")
    ///     .header("content-length", "5")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// let request = h1conn::Request::from_http(&parts)?;
    /// assert_eq!((request.method(), request.target()), ("POST", "/upload?x=1"));
    /// assert_eq!(request.body_framing(), h1conn::RequestBody::Length(5));
    /// assert_eq!(request.headers(), &[("host", &b"example.com"[..])]);
    /// # Ok::<(), h1conn::HttpConversionError>(())
    /// ```
    pub fn from_http(parts: &'a http::request::Parts) -> Result<Request<'a>, HttpConversionError> {
        if parts.version != http::Version::HTTP_11 && parts.version != http::Version::HTTP_10 {
            return Err(HttpConversionError::Version(parts.version));
        }
        let method = parts.method.as_str();
        let target = if parts.method == http::Method::CONNECT {
            parts.uri.authority().map(|a| a.as_str())
        } else {
            parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .or(Some("/"))
                .filter(|_| parts.uri.path().starts_with('/') || parts.uri.path() == "*")
        }
        .ok_or(HttpConversionError::Target)?;
        let mut request = Request::new(method, target);
        let mut body = RequestBody::None;
        for (name, value) in &parts.headers {
            if name == http::header::CONTENT_LENGTH {
                let n = core::str::from_utf8(value.as_bytes())
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .ok_or(HttpConversionError::ContentLength)?;
                body = RequestBody::Length(n);
            } else if name == http::header::TRANSFER_ENCODING {
                if !value.as_bytes().eq_ignore_ascii_case(b"chunked") {
                    return Err(HttpConversionError::TransferEncoding);
                }
                body = RequestBody::Chunked;
            } else {
                request = request.header(name.as_str(), value.as_bytes());
            }
        }
        if !parts.headers.contains_key(http::header::HOST) {
            if let Some(authority) = parts.uri.authority() {
                request = request.header("host", authority.as_str());
            }
        }
        Ok(request.body(body))
    }
}

/// The fields of `headers` as an `http::HeaderMap`, values sharing the received bytes.
fn header_map(headers: &Headers) -> Result<http::HeaderMap, HttpConversionError> {
    let mut map = http::HeaderMap::with_capacity(headers.len());
    let bytes = headers.as_bytes();
    for field in headers.iter() {
        let name = http::HeaderName::from_bytes(field.name.as_bytes())
            .map_err(|_| HttpConversionError::HeaderName(field.name.into()))?;
        // `field.value` lies inside `bytes`: share it instead of copying.
        let start = field.value.as_ptr() as usize - bytes.as_ptr() as usize;
        let shared = bytes.slice(start..start + field.value.len());
        let value = http::HeaderValue::from_maybe_shared(shared)
            .map_err(|_| HttpConversionError::HeaderValue(field.name.into()))?;
        map.append(name, value);
    }
    Ok(map)
}

impl Headers {
    /// The fields as an `http::HeaderMap` (for trailers), in order, values sharing the received
    /// bytes. Names are lowercased, as `http` stores them.
    pub fn to_http(&self) -> Result<http::HeaderMap, HttpConversionError> {
        header_map(self)
    }
}

impl ResponseHead {
    /// The head as `http::response::Parts`: status, version, fields (values sharing the
    /// received bytes). Fails for a status `http` refuses (below 100) or a field `http` refuses.
    pub fn to_http(&self) -> Result<http::response::Parts, HttpConversionError> {
        let (mut parts, ()) = http::Response::new(()).into_parts();
        parts.status = http::StatusCode::from_u16(self.status())
            .map_err(|_| HttpConversionError::Status(self.status()))?;
        parts.version = match self.version() {
            Version::Http10 => http::Version::HTTP_10,
            Version::Http11 => http::Version::HTTP_11,
        };
        parts.headers = header_map(self.headers())?;
        Ok(parts)
    }

    /// The head as an `http::Response<()>`.
    pub fn to_http_response(&self) -> Result<http::Response<()>, HttpConversionError> {
        Ok(http::Response::from_parts(self.to_http()?, ()))
    }
}
