//! An independent strict-grammar oracle for response framing, written for the desync tests.
//!
//! It shares no code with `src/` and calls nothing of h1conn: given what the request was (HEAD?
//! CONNECT?) and the bytes a server sent, it answers whether the first response is strictly
//! valid and unambiguous — then with its body length and the offset just past it, where the next
//! message starts — or not, in which case a client must not reuse the connection after it.
//!
//! "Strict" is RFC 9112 read narrowly, as every strict peer (hyper, llhttp strict, Go) frames it:
//! - every line ends with CRLF; no other CR or LF anywhere in a head, chunk line or trailer;
//! - `status-line = "HTTP/1.1" SP 3DIGIT SP reason-phrase CRLF`, code in `100..=599`, the reason
//!   `*( HTAB / SP / VCHAR / obs-text )`; `HTTP/1.0` only with `Connection: keep-alive` and
//!   without Transfer-Encoding;
//! - field lines `token ":" OWS value OWS`, values without CTLs (HTAB aside) or DEL, no obs-fold
//!   (a line starting with SP or HTAB);
//! - `Content-Length`: one field line, one `1*DIGIT` value without leading zeros that fits a u64;
//!   `Transfer-Encoding`: one field line, exactly `chunked` (any case); never both;
//! - 1xx other than 101: skipped, and must carry no framing field; 101, and 2xx to CONNECT: a
//!   tunnel (not reusable); HEAD, 204 and 304: no body, and a 204 carries no framing field;
//!   neither framing field otherwise: read until close (not reusable); `Connection: close` on the
//!   final head: not reusable;
//! - chunked: `chunk-size` is 1 to 16 HEXDIG, `chunk-ext` follows §7.1.1 exactly
//!   (`*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`, so no whitespace before
//!   the CRLF), chunk data is followed by CRLF, trailer fields are field lines as above and are
//!   neither `Content-Length` nor `Transfer-Encoding`, and an empty line ends the message.
//!
//! [`judge_tolerating`] accepts, on request, the deviations h1conn is known to make
//! ([`Tolerate`]), still checking body length and message end exactly.
#![allow(dead_code)] // each test crate (and the fuzz target) uses a different part

/// What the request contributes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Req {
    pub head: bool,
    pub connect: bool,
}

/// The oracle's answer about the first response in a byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Strictly valid and unambiguous: `body` bytes of body, and the message ends at `end`
    /// (bytes from `end` on belong to the next message).
    Valid { body: u64, end: usize },
    /// Not strictly valid, not reusable, or incomplete: the connection must not be reused.
    No(Why),
}

/// Why a stream is not a strictly valid, reusable message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The bytes end before the message does.
    Incomplete,
    /// A line not ended by exactly CRLF (a bare LF, or a CR elsewhere than before the LF).
    LineEnding,
    StatusLine,
    FieldLine,
    ObsFold,
    ContentLength,
    TransferEncoding,
    BothFramings,
    FramingOnBodiless,
    /// HTTP/1.0 without `Connection: keep-alive`, or `Connection: close`.
    Close,
    /// No framing field on a response that has a body.
    ReadUntilClose,
    /// 101, or 2xx to CONNECT.
    Tunnel,
    ChunkSize,
    ChunkExt,
    ChunkData,
    Trailer,
}

/// Deviations from the strict grammar the oracle can be told to accept. Each is a known
/// h1conn finding (see the desync report): with them the oracle still checks the body length
/// and the message end exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tolerate {
    /// An obs-fold that carries no text: the continuation of an empty field value
    /// (`Name:` CRLF SP `value`), or a continuation line of whitespace only. Read as unfolded.
    pub empty_obs_fold: bool,
    /// OWS between a chunk extension and the CRLF (`5;a=b ` CRLF).
    pub chunk_ext_trailing_ows: bool,
    /// On a HEAD or 304 response, `Content-Length` as several equal values or with leading
    /// zeros (they frame nothing there).
    pub bodiless_length_forms: bool,
    /// `Transfer-Encoding: chunked` on an HTTP/1.0 HEAD or 304 response (RFC 9112 §6.1: the
    /// client MUST close after it).
    pub http10_chunked_bodiless: bool,
}

impl Tolerate {
    /// The strict grammar, nothing tolerated.
    pub const NONE: Tolerate = Tolerate {
        empty_obs_fold: false,
        chunk_ext_trailing_ows: false,
        bodiless_length_forms: false,
        http10_chunked_bodiless: false,
    };
    /// Every tolerance (the four findings of the first desync run, all since fixed in the core).
    pub const ALL: Tolerate = Tolerate {
        empty_obs_fold: true,
        chunk_ext_trailing_ows: true,
        bodiless_length_forms: true,
        http10_chunked_bodiless: true,
    };
    /// The findings h1conn still has, which the checks accept: none. A new finding gets a field
    /// here, true, until the core is fixed.
    pub const KNOWN: Tolerate = Tolerate::NONE;
}

/// Judges the first response in `bytes` by the strict grammar.
pub fn judge(req: Req, bytes: &[u8]) -> Verdict {
    judge_tolerating(req, bytes, Tolerate::NONE)
}

/// Judges the first response in `bytes`, accepting the deviations in `t`.
pub fn judge_tolerating(req: Req, bytes: &[u8], t: Tolerate) -> Verdict {
    match message(req, bytes, t) {
        Ok((body, end)) => Verdict::Valid { body, end },
        Err(why) => Verdict::No(why),
    }
}

fn message(req: Req, bytes: &[u8], t: Tolerate) -> Result<(u64, usize), Why> {
    let mut at = 0;
    loop {
        let head = head(bytes, &mut at, t, req.head)?;
        let bodiless_status = matches!(head.status, 204 | 304) || head.status / 100 == 1;
        let has_framing = head.content_length.is_some() || head.chunked;
        if head.status / 100 == 1 && head.status != 101 {
            // An interim response ends at its empty line; the final one follows.
            if has_framing {
                return Err(Why::FramingOnBodiless);
            }
            continue;
        }
        if head.close {
            return Err(Why::Close);
        }
        if head.status == 101 || (req.connect && head.status / 100 == 2) {
            return Err(Why::Tunnel);
        }
        if head.status == 204 && has_framing {
            return Err(Why::FramingOnBodiless);
        }
        if req.head || bodiless_status {
            return Ok((0, at));
        }
        return match (head.content_length, head.chunked) {
            (Some(n), false) => {
                let end = usize::try_from(n).ok().and_then(|n| at.checked_add(n));
                match end {
                    Some(end) if end <= bytes.len() => Ok((n, end)),
                    _ => Err(Why::Incomplete),
                }
            }
            (None, true) => chunked(bytes, at, t),
            _ => Err(Why::ReadUntilClose),
        };
    }
}

/// The facts of one head that framing needs.
struct Head {
    status: u16,
    content_length: Option<u64>,
    chunked: bool,
    close: bool,
}

/// The next line starting at `*at`, without its CRLF; moves `*at` past it.
fn line<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a [u8], Why> {
    let rest = &bytes[*at..];
    let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
        return Err(if rest.contains(&b'\r') && !rest.ends_with(b"\r") {
            Why::LineEnding
        } else {
            Why::Incomplete
        });
    };
    let line = &rest[..lf];
    match line.split_last() {
        Some((b'\r', content)) if !content.contains(&b'\r') => {
            *at += lf + 1;
            Ok(content)
        }
        _ => Err(Why::LineEnding),
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// `HTAB / SP / VCHAR / obs-text`.
fn is_text(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// A field line: the lower-cased name and the trimmed value.
fn field(line: &[u8]) -> Result<(String, &[u8]), Why> {
    if matches!(line.first(), Some(b' ' | b'\t')) {
        return Err(Why::ObsFold);
    }
    let colon = line.iter().position(|&b| b == b':').ok_or(Why::FieldLine)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if !is_token(name) || !value.iter().all(|&b| is_text(b)) {
        return Err(Why::FieldLine);
    }
    Ok((
        String::from_utf8_lossy(name).to_ascii_lowercase(),
        trim_ows(value),
    ))
}

fn head(bytes: &[u8], at: &mut usize, t: Tolerate, head_request: bool) -> Result<Head, Why> {
    let status_line = line(bytes, at)?;
    let (http10, rest) = match status_line.split_at_checked(9) {
        Some((b"HTTP/1.1 ", rest)) => (false, rest),
        Some((b"HTTP/1.0 ", rest)) => (true, rest),
        _ => return Err(Why::StatusLine),
    };
    let status = match rest {
        [a, b, c, b' ', reason @ ..]
            if [a, b, c].iter().all(|d| d.is_ascii_digit())
                && reason.iter().all(|&r| is_text(r)) =>
        {
            [a, b, c]
                .iter()
                .fold(0u16, |n, &&d| n * 10 + u16::from(d - b'0'))
        }
        _ => return Err(Why::StatusLine),
    };
    if !(100..=599).contains(&status) {
        return Err(Why::StatusLine);
    }
    let mut fields: Vec<(String, &[u8])> = Vec::new();
    loop {
        let line = line(bytes, at)?;
        if line.is_empty() {
            break;
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            // obs-fold: only a textless one, and only when told to tolerate it.
            let text = trim_ows(line);
            match fields.last_mut() {
                Some((_, value)) if t.empty_obs_fold && (value.is_empty() || text.is_empty()) => {
                    if value.is_empty() {
                        *value = text;
                    }
                    continue;
                }
                _ => return Err(Why::ObsFold),
            }
        }
        fields.push(field(line)?);
    }
    let (mut lengths, mut codings) = (Vec::new(), Vec::new());
    let (mut close, mut keep_alive) = (false, false);
    for (name, value) in fields {
        match name.as_str() {
            "content-length" => lengths.push(value),
            "transfer-encoding" => codings.push(value),
            "connection" => {
                for option in value.split(|&b| b == b',').map(trim_ows) {
                    close |= option.eq_ignore_ascii_case(b"close");
                    keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
                }
            }
            _ => {}
        }
    }
    let bodiless = head_request || status == 304;
    let content_length = match lengths.as_slice() {
        [] => None,
        [digits] if decimal(digits).is_some() => decimal(digits),
        _ if t.bodiless_length_forms && bodiless => Some(equal_values(&lengths)?),
        _ => return Err(Why::ContentLength),
    };
    let chunked = match codings.as_slice() {
        [] => false,
        [coding] if coding.eq_ignore_ascii_case(b"chunked") => true,
        _ => return Err(Why::TransferEncoding),
    };
    if content_length.is_some() && chunked {
        return Err(Why::BothFramings);
    }
    if http10 && chunked && !(t.http10_chunked_bodiless && bodiless) {
        return Err(Why::TransferEncoding);
    }
    Ok(Head {
        status,
        content_length,
        chunked,
        close: close || (http10 && !keep_alive),
    })
}

/// `1*DIGIT` without leading zeros, as a u64.
fn decimal(digits: &[u8]) -> Option<u64> {
    let canonical = digits == b"0" || matches!(digits.first(), Some(b'1'..=b'9'));
    if !canonical || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Several `1*DIGIT` values, leading zeros allowed, all equal: that value.
fn equal_values(lines: &[&[u8]]) -> Result<u64, Why> {
    let mut values = lines
        .iter()
        .flat_map(|l| l.split(|&b| b == b',').map(trim_ows));
    let first = values.next().ok_or(Why::ContentLength)?;
    let parse = |d: &[u8]| match d.iter().position(|&b| b != b'0') {
        Some(i) => decimal(&d[i..]),
        None if !d.is_empty() => Some(0),
        None => None,
    };
    let n = parse(first).ok_or(Why::ContentLength)?;
    match values.all(|v| parse(v) == Some(n)) {
        true => Ok(n),
        false => Err(Why::ContentLength),
    }
}

/// A chunked body starting at `at`: its length and the end of the message.
fn chunked(bytes: &[u8], mut at: usize, t: Tolerate) -> Result<(u64, usize), Why> {
    let mut body = 0u64;
    loop {
        let line = line(bytes, &mut at)?;
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if !(1..=16).contains(&digits) {
            return Err(Why::ChunkSize);
        }
        if !chunk_ext(&line[digits..], t) {
            return Err(Why::ChunkExt);
        }
        let hex = std::str::from_utf8(&line[..digits]).map_err(|_| Why::ChunkSize)?;
        let size = u64::from_str_radix(hex, 16).map_err(|_| Why::ChunkSize)?;
        if size == 0 {
            break;
        }
        let data_end = usize::try_from(size)
            .ok()
            .and_then(|n| at.checked_add(n))
            .filter(|&end| end <= bytes.len())
            .ok_or(Why::Incomplete)?;
        match bytes.get(data_end..data_end + 2) {
            Some(b"\r\n") => {}
            Some(_) => return Err(Why::ChunkData),
            None if bytes[data_end..].iter().all(|&b| b == b'\r') => return Err(Why::Incomplete),
            None => return Err(Why::ChunkData),
        }
        body += size;
        at = data_end + 2;
    }
    loop {
        let line = line(bytes, &mut at)?;
        if line.is_empty() {
            return Ok((body, at));
        }
        let (name, _) = field(line).map_err(|_| Why::Trailer)?;
        if name == "content-length" || name == "transfer-encoding" {
            return Err(Why::Trailer);
        }
    }
}

/// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`, and nothing else.
fn chunk_ext(s: &[u8], t: Tolerate) -> bool {
    let ows = |mut i: usize| {
        while matches!(s.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    };
    let token = |i: usize| i + s[i..].iter().take_while(|&&b| is_tchar(b)).count();
    let mut i = 0;
    loop {
        let semi = ows(i);
        if semi == s.len() {
            // BWS only before ";" or "=": none before the CRLF.
            return semi == i || (t.chunk_ext_trailing_ows && i > 0);
        }
        if s[semi] != b';' {
            return false;
        }
        let name = ows(semi + 1);
        i = token(name);
        if i == name {
            return false;
        }
        let eq = ows(i);
        if s.get(eq) == Some(&b'=') {
            let value = ows(eq + 1);
            i = match s.get(value) {
                Some(b'"') => match quoted_string_end(s, value) {
                    Some(end) => end,
                    None => return false,
                },
                _ if token(value) > value => token(value),
                _ => return false,
            };
        }
    }
}

/// The end of the `quoted-string` starting at `s[start] == '"'`.
fn quoted_string_end(s: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match *s.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' if s.get(i + 1).is_some_and(|&b| is_text(b)) => i += 2,
            b if is_text(b) && b != b'\\' => i += 1,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod oracle_tests {
    use super::*;

    const GET: Req = Req {
        head: false,
        connect: false,
    };

    fn no(why: Why) -> Verdict {
        Verdict::No(why)
    }

    #[test]
    fn valid_messages_and_their_ends() {
        let ok = |s: &[u8], body, end| assert_eq!(judge(GET, s), Verdict::Valid { body, end });
        ok(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcNEXT",
            3,
            41,
        );
        ok(b"HTTP/1.1 204 \r\n\r\nNEXT", 0, 17);
        ok(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 x\r\n\r\n",
            0,
            43,
        );
        ok(
            b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
            0,
            62,
        );
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n\
              2 ; a = b;c=\"q\\\"\"\r\nhi\r\n0000000000000001\r\n!\r\n0;z\r\nT: 1\r\n\r\nX";
        ok(chunked, 3, chunked.len() - 1);
        let head = Req {
            head: true,
            connect: false,
        };
        assert_eq!(
            judge(head, b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"),
            Verdict::Valid { body: 0, end: 38 }
        );
        let connect = Req {
            head: false,
            connect: true,
        };
        assert_eq!(judge(connect, b"HTTP/1.1 200 OK\r\n\r\n"), no(Why::Tunnel));
        assert_eq!(
            judge(connect, b"HTTP/1.1 407 No\r\nContent-Length: 0\r\n\r\n"),
            Verdict::Valid { body: 0, end: 38 }
        );
    }

    #[test]
    fn tolerances_accept_exactly_their_deviations() {
        let known = |req, s: &[u8]| judge_tolerating(req, s, Tolerate::ALL);
        let te =
            |body: &str| format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{body}");
        let empty_fold = b"HTTP/1.1 200 OK\r\nContent-Length:\r\n 3\r\n\r\nabc";
        assert_eq!(judge(GET, empty_fold), no(Why::ObsFold));
        assert_eq!(
            known(GET, empty_fold),
            Verdict::Valid {
                body: 3,
                end: empty_fold.len()
            }
        );
        let blank_fold = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n \r\n\r\nabc";
        assert_eq!(
            known(GET, blank_fold),
            Verdict::Valid {
                body: 3,
                end: blank_fold.len()
            }
        );
        let real_fold = b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(known(GET, real_fold), no(Why::ObsFold));
        let ext = te("1;a=b \r\nx\r\n0\r\n\r\n");
        assert_eq!(judge(GET, ext.as_bytes()), no(Why::ChunkExt));
        assert_eq!(
            known(GET, ext.as_bytes()),
            Verdict::Valid {
                body: 1,
                end: ext.len()
            }
        );
        assert_eq!(
            known(GET, te("1 \r\nx\r\n0\r\n\r\n").as_bytes()),
            no(Why::ChunkExt)
        );
        let listed = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5, 05\r\n\r\n";
        assert_eq!(judge(GET, listed), no(Why::ContentLength));
        assert_eq!(
            known(GET, listed),
            Verdict::Valid {
                body: 0,
                end: listed.len()
            }
        );
        let http10 = b"HTTP/1.0 304 Not Modified\r\nConnection: keep-alive\r\n\
              Transfer-Encoding: chunked\r\n\r\n";
        assert_eq!(judge(GET, http10), no(Why::TransferEncoding));
        assert_eq!(
            known(GET, http10),
            Verdict::Valid {
                body: 0,
                end: http10.len()
            }
        );
        let differ = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5, 6\r\n\r\n";
        assert_eq!(known(GET, differ), no(Why::ContentLength));
        let on_200 = b"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello";
        assert_eq!(known(GET, on_200), no(Why::ContentLength));
    }

    #[test]
    fn everything_else_is_not_reusable() {
        let cases: &[(&[u8], Why)] = &[
            (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab", Why::Incomplete),
            (b"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", Why::LineEnding),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\r\n\r\n", Why::LineEnding),
            (b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", Why::StatusLine),
            (b"HTTP/1.2 200 OK\r\n\r\n", Why::StatusLine),
            (b"HTTP/1.1 099 OK\r\n\r\n", Why::StatusLine),
            (b"HTTP/1.1 200 OK\r\nA b: c\r\n\r\n", Why::FieldLine),
            (b"HTTP/1.1 200 OK\r\nA: \x7f\r\n\r\n", Why::FieldLine),
            (b"HTTP/1.1 200 OK\r\nA:\r\n b\r\n\r\n", Why::ObsFold),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 03\r\n\r\nabc", Why::ContentLength),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc", Why::ContentLength),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Why::TransferEncoding),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", Why::BothFramings),
            (b"HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n", Why::FramingOnBodiless),
            (b"HTTP/1.1 204 No\r\nContent-Length: 0\r\n\r\n", Why::FramingOnBodiless),
            (b"HTTP/1.1 200 OK\r\nConnection: x, close\r\nContent-Length: 0\r\n\r\n", Why::Close),
            (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", Why::Close),
            (b"HTTP/1.1 200 OK\r\n\r\n", Why::ReadUntilClose),
            (b"HTTP/1.1 101 Switching\r\n\r\n", Why::Tunnel),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000\r\n\r\n", Why::ChunkSize),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a \r\nx\r\n0\r\n\r\n", Why::ChunkExt),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n", Why::ChunkExt),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"b\r\nx\r\n0\r\n\r\n", Why::ChunkExt),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", Why::ChunkData),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 1\r\n\r\n", Why::Trailer),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\n\r\n", Why::LineEnding),
        ];
        for (bytes, why) in cases {
            assert_eq!(judge(GET, bytes), no(*why), "{}", bytes.escape_ascii());
        }
    }
}
