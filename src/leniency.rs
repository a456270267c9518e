//! The leniencies: everything h1conn accepts that the strict RFC 9112 grammar, or the agreement
//! of the strict peers (hyper, llhttp strict, Go), does not.
//!
//! One rule keeps them from desynchronising a reused connection: **leniency costs reuse**. A
//! response read with any leniency is still delivered, but the connection closes after it with
//! [`CloseReason::Lenient`](crate::CloseReason::Lenient), so no later response is ever framed on
//! bytes whose boundary another parser might have put elsewhere. With
//! [`Config::strict`](crate::Config::strict) every leniency is a
//! [`ProtocolError::Lenient`](crate::ProtocolError::Lenient) instead.
//!
//! `docs/compliance.md` lists each one with its RFC basis, what each strict peer does, and the
//! test that pins it.

use core::fmt;

/// Something a response needed that the strict grammar does not allow, or on whose framing the
/// strict peers disagree. See the [`leniency` rule](crate::Config::strict).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Leniency {
    /// A head line ended by a bare LF instead of CRLF (RFC 9112 §2.2 MAY).
    BareLf,
    /// A field value continued on the next line (obs-fold, RFC 9112 §5.2), read as one SP.
    ObsFold,
    /// The status code was not followed by the SP the status line requires (RFC 9112 §4).
    MissingReasonSeparator,
    /// `HTTP/1.2` .. `HTTP/1.9`, read as HTTP/1.1 (RFC 9112 §2.3 SHOULD).
    HigherMinorVersion,
    /// A status code outside `100..=599`, framed as a 5xx (RFC 9110 §15 SHOULD).
    StatusOutOfRange,
    /// An empty element in the `Transfer-Encoding` list, such as `chunked,` (RFC 9110 §5.6.1).
    EmptyListElement,
    /// `Transfer-Encoding` other than one `chunked` on one line (`gzip, chunked`, or several
    /// lines): valid, but Go rejects what hyper and llhttp accept.
    SeveralTransferCodings,
    /// Several identical `Content-Length` values, in a list or on several lines (RFC 9110 §8.6
    /// lets a recipient accept them).
    RepeatedContentLength,
    /// A `Content-Length` value with leading zeros (`007`).
    ZeroPaddedContentLength,
    /// Framing fields on a response without a body: `Content-Length` or `Transfer-Encoding` on a
    /// 1xx or 204 (RFC 9112 §6.1, RFC 9110 §8.6: a server MUST NOT send them), or a
    /// `Content-Length` on a HEAD or 304 response that is not one valid value.
    FramingOnBodiless,
    /// A chunk size with more than 16 hex digits (leading zeros; Go rejects them).
    LongChunkSize,
    /// `Content-Length` or `Transfer-Encoding` in a trailer section (RFC 9110 §6.5.1).
    FramingFieldInTrailers,
    /// Both `Transfer-Encoding` and `Content-Length` (RFC 9112 §6.3 item 3: "ought to be handled
    /// as an error"). Without [`Config::strict`](crate::Config::strict) this one closes with
    /// its own reason, [`CloseReason::AmbiguousFraming`](crate::CloseReason::AmbiguousFraming).
    TransferEncodingWithContentLength,
}

impl Leniency {
    /// A short kebab-case name, stable for traces and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Leniency::BareLf => "bare-lf",
            Leniency::ObsFold => "obs-fold",
            Leniency::MissingReasonSeparator => "missing-reason-separator",
            Leniency::HigherMinorVersion => "higher-minor-version",
            Leniency::StatusOutOfRange => "status-out-of-range",
            Leniency::EmptyListElement => "empty-list-element",
            Leniency::SeveralTransferCodings => "several-transfer-codings",
            Leniency::RepeatedContentLength => "repeated-content-length",
            Leniency::ZeroPaddedContentLength => "zero-padded-content-length",
            Leniency::FramingOnBodiless => "framing-on-bodiless",
            Leniency::LongChunkSize => "long-chunk-size",
            Leniency::FramingFieldInTrailers => "framing-field-in-trailers",
            Leniency::TransferEncodingWithContentLength => "transfer-encoding-with-content-length",
        }
    }

    /// `Err(ProtocolError::Lenient(self))` when `strict`, otherwise `Ok(self)`: the one place
    /// where the [`Config::strict`](crate::Config::strict) switch is applied.
    pub(crate) fn allow(self, strict: bool) -> Result<Leniency, crate::ProtocolError> {
        if strict {
            Err(crate::ProtocolError::Lenient(self))
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for Leniency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Leniency::BareLf => "a head line ended by a bare LF",
            Leniency::ObsFold => "a folded (obs-fold) field value",
            Leniency::MissingReasonSeparator => "no SP after the status code",
            Leniency::HigherMinorVersion => "HTTP/1.x version above 1.1",
            Leniency::StatusOutOfRange => "status code outside 100..=599",
            Leniency::EmptyListElement => "empty element in Transfer-Encoding",
            Leniency::SeveralTransferCodings => "Transfer-Encoding other than one chunked",
            Leniency::RepeatedContentLength => "repeated Content-Length values",
            Leniency::ZeroPaddedContentLength => "zero-padded Content-Length",
            Leniency::FramingOnBodiless => "framing fields on a response without a body",
            Leniency::LongChunkSize => "chunk size longer than 16 hex digits",
            Leniency::FramingFieldInTrailers => "framing field in the trailer section",
            Leniency::TransferEncodingWithContentLength => {
                "both Transfer-Encoding and Content-Length"
            }
        })
    }
}
