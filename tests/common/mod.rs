//! Shared by the property tests: a generator of valid responses that knows what each should
//! decode to, a comparable view of events, and a driver.
#![allow(dead_code)] // each test file uses a different part

use h1conn::testing::{Checked, merge_data};
use h1conn::{
    CloseReason, Config, Event, Instant, Request, RequestBody, RequestError, Reuse, Version,
};
use proptest::collection::vec;
use proptest::prelude::*;

pub type Fields = Vec<(String, Vec<u8>)>;

/// How a generated response delimits its body.
#[derive(Clone, Debug)]
pub enum Framing {
    Length,
    /// Chunk sizes (a partition of the body), an extension for each chunk, and trailers.
    Chunked {
        sizes: Vec<usize>,
        exts: Vec<String>,
        trailers: Fields,
    },
    Close,
}

/// A generated response and the request method it answers.
#[derive(Clone, Debug)]
pub struct Gen {
    pub head_method: bool,
    pub informational: Vec<(u16, Fields)>,
    pub http10: bool,
    pub keep_alive_10: bool,
    pub status: u16,
    pub reason: String,
    pub headers: Fields,
    pub framing: Framing,
    pub body: Vec<u8>,
    pub close: bool,
}

/// A comparable view of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Obs {
    Info(u16, Fields),
    Head(Version, u16, Vec<u8>, Fields),
    Body(Vec<u8>),
    End(Fields, Reuse),
    Upgraded(Vec<u8>),
    Stop,
    Failed(RequestError),
    Idle,
    Closed(CloseReason),
}

pub fn fields(h: &h1conn::Headers) -> Fields {
    h.iter()
        .map(|f| (f.name.to_owned(), f.value.to_vec()))
        .collect()
}

/// Events as `Obs`, data merged.
pub fn observe(events: &[Event]) -> Vec<Obs> {
    merge_data(events)
        .iter()
        .map(|e| match e {
            Event::Informational { head, .. } => Obs::Info(head.status(), fields(head.headers())),
            Event::Head { head, .. } => Obs::Head(
                head.version(),
                head.status(),
                head.reason().to_vec(),
                fields(head.headers()),
            ),
            Event::Data { data, .. } => Obs::Body(data.to_vec()),
            Event::End {
                trailers, reuse, ..
            } => Obs::End(fields(trailers), *reuse),
            Event::Upgraded { buffered, .. } => Obs::Upgraded(buffered.to_vec()),
            Event::StopSending { .. } => Obs::Stop,
            Event::RequestFailed { error, .. } => Obs::Failed(*error),
            Event::Idle => Obs::Idle,
            Event::Closed { reason } => Obs::Closed(*reason),
            other => panic!("unknown event {other:?}"),
        })
        .collect()
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{1,8}"
}

fn field_value() -> impl Strategy<Value = Vec<u8>> {
    // Visible ASCII with inner spaces, no surrounding whitespace (the parser trims it).
    "[!-~]([ !-~]{0,14}[!-~])?".prop_map(String::into_bytes)
}

fn extra_fields(max: usize) -> impl Strategy<Value = Fields> {
    vec(
        (token().prop_map(|t| format!("X-{t}")), field_value()),
        0..max,
    )
}

fn chunk_ext() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        token().prop_map(|n| format!(";{n}")),
        (token(), token()).prop_map(|(n, v)| format!(";{n}={v}")),
        (token(), "[ !#-\\[\\]-~]{0,6}").prop_map(|(n, v)| format!(";{n}=\"{v}\"")),
        (token(), token()).prop_map(|(n, v)| format!(" ; {n} = {v};x")),
    ]
}

/// Splits `len` into chunk sizes (none of them zero).
fn partition(len: usize, cuts: &[usize]) -> Vec<usize> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| c % (len + 1))
        .filter(|&c| c > 0 && c < len)
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut sizes = Vec::new();
    let mut last = 0;
    for p in points.into_iter().chain(std::iter::once(len)) {
        if p > last {
            sizes.push(p - last);
        }
        last = p;
    }
    sizes
}

/// Valid responses of every framing kind, with 1xx before them, HEAD, 204 and 304.
pub fn gen_response() -> impl Strategy<Value = Gen> {
    (
        any::<bool>(),
        vec(
            (
                prop_oneof![Just(100u16), Just(102), Just(103)],
                extra_fields(3),
            ),
            0..3,
        ),
        (any::<bool>(), any::<bool>()),
        prop_oneof![
            4 => Just(200u16),
            1 => Just(201),
            1 => Just(204),
            1 => Just(206),
            1 => Just(304),
            1 => Just(404),
            1 => Just(503),
            // Invalid codes: reported as received, framed as a 5xx's (RFC 9110 §15).
            1 => Just(99),
            1 => Just(999),
        ],
        "[A-Za-z ]{0,12}",
        extra_fields(5),
        0u8..3,
        vec(any::<u8>(), 0..300),
        (
            vec(any::<usize>(), 0..6),
            vec(chunk_ext(), 8),
            extra_fields(3),
        ),
        any::<bool>(),
    )
        .prop_map(
            |(
                head_method,
                informational,
                (http10, keep_alive_10),
                status,
                reason,
                headers,
                framing,
                body,
                (cuts, exts, trailers),
                close,
            )| {
                let framing = match framing {
                    0 => Framing::Length,
                    1 if !http10 => Framing::Chunked {
                        sizes: partition(body.len(), &cuts),
                        exts,
                        trailers,
                    },
                    _ => Framing::Close,
                };
                Gen {
                    head_method,
                    // HTTP/1.0 has no 1xx.
                    informational: if http10 { Vec::new() } else { informational },
                    http10,
                    keep_alive_10,
                    status,
                    reason: reason.trim().to_owned(),
                    headers,
                    framing,
                    body,
                    close,
                }
            },
        )
}

/// What a generated response encodes to and should decode to.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub wire: Vec<u8>,
    /// Where each head (informational ones, then the final one) ends on the wire.
    pub head_ends: Vec<usize>,
    /// For each wire byte, whether it is body data.
    pub data_mask: Vec<bool>,
    /// The events expected once the response and then EOF are handed in.
    pub expected: Vec<Obs>,
    pub has_body: bool,
}

impl Gen {
    pub fn bodiless(&self) -> bool {
        self.head_method || self.status == 204 || self.status == 304
    }

    pub fn request(&self) -> Request<'static> {
        Request::new(if self.head_method { "HEAD" } else { "GET" }, "/").header("Host", "h")
    }

    pub fn encode(&self) -> Encoded {
        let mut wire = Vec::new();
        let mut head_ends = Vec::new();
        let mut expected = Vec::new();
        let line = |wire: &mut Vec<u8>, name: &str, value: &[u8]| {
            wire.extend_from_slice(name.as_bytes());
            wire.extend_from_slice(b": ");
            wire.extend_from_slice(value);
            wire.extend_from_slice(b"\r\n");
        };
        for (status, fields) in &self.informational {
            wire.extend_from_slice(format!("HTTP/1.1 {status} Info\r\n").as_bytes());
            for (n, v) in fields {
                line(&mut wire, n, v);
            }
            wire.extend_from_slice(b"\r\n");
            head_ends.push(wire.len());
            expected.push(Obs::Info(*status, fields.clone()));
        }
        let version = if self.http10 {
            Version::Http10
        } else {
            Version::Http11
        };
        wire.extend_from_slice(if self.http10 {
            b"HTTP/1.0 "
        } else {
            b"HTTP/1.1 "
        });
        wire.extend_from_slice(format!("{:03} {}\r\n", self.status, self.reason).as_bytes());
        let mut head_fields = self.headers.clone();
        if self.close {
            head_fields.push(("Connection".into(), b"close".to_vec()));
        } else if self.http10 && self.keep_alive_10 {
            head_fields.push(("Connection".into(), b"keep-alive".to_vec()));
        }
        let bodiless = self.bodiless();
        // 204 carries no framing header; the others declare the body they have (or, for HEAD
        // and 304, would have).
        match &self.framing {
            _ if self.status == 204 => {}
            Framing::Length => head_fields.push((
                "Content-Length".into(),
                self.body.len().to_string().into_bytes(),
            )),
            Framing::Chunked { .. } => {
                head_fields.push(("Transfer-Encoding".into(), b"chunked".to_vec()))
            }
            Framing::Close => {}
        }
        for (n, v) in &head_fields {
            line(&mut wire, n, v);
        }
        wire.extend_from_slice(b"\r\n");
        head_ends.push(wire.len());
        expected.push(Obs::Head(
            version,
            self.status,
            self.reason.clone().into_bytes(),
            head_fields,
        ));
        let mut data_mask = vec![false; wire.len()];
        let mut trailers_out = Vec::new();
        let close_delimited = !bodiless && matches!(self.framing, Framing::Close);
        if !bodiless {
            let mut put = |wire: &mut Vec<u8>, bytes: &[u8], data: bool| {
                wire.extend_from_slice(bytes);
                data_mask.extend(std::iter::repeat_n(data, bytes.len()));
            };
            match &self.framing {
                Framing::Length | Framing::Close => put(&mut wire, &self.body, true),
                Framing::Chunked {
                    sizes,
                    exts,
                    trailers,
                } => {
                    let mut at = 0;
                    for (i, size) in sizes.iter().enumerate() {
                        let ext = &exts[i % exts.len()];
                        put(&mut wire, format!("{size:X}{ext}\r\n").as_bytes(), false);
                        put(&mut wire, &self.body[at..at + size], true);
                        put(&mut wire, b"\r\n", false);
                        at += size;
                    }
                    put(&mut wire, format!("0{}\r\n", exts[0]).as_bytes(), false);
                    for (n, v) in trailers {
                        let mut l = Vec::new();
                        line(&mut l, n, v);
                        put(&mut wire, &l, false);
                    }
                    put(&mut wire, b"\r\n", false);
                    trailers_out = trailers.clone();
                }
            }
            if !self.body.is_empty() {
                expected.push(Obs::Body(self.body.clone()));
            }
        }
        let reason = if close_delimited {
            Some(CloseReason::EndOfBody)
        } else if self.close {
            Some(CloseReason::ServerRequestedClose)
        } else if self.http10 && !self.keep_alive_10 {
            Some(CloseReason::Http10)
        } else if !(100..=599).contains(&self.status) {
            // Leniency costs reuse: an invalid code is framed as a 5xx, then the connection closes.
            Some(CloseReason::Lenient(h1conn::Leniency::StatusOutOfRange))
        } else {
            None
        };
        match reason {
            Some(r) => {
                expected.push(Obs::End(trailers_out, Reuse::Close(r)));
                expected.push(Obs::Closed(r));
            }
            None => {
                expected.push(Obs::End(trailers_out, Reuse::KeepAlive));
                expected.push(Obs::Idle);
                expected.push(Obs::Closed(CloseReason::PeerClosedIdle));
            }
        }
        Encoded {
            wire,
            head_ends,
            data_mask,
            expected,
            has_body: !bodiless,
        }
    }
}

/// Sends `request`, hands in `pieces` (draining events after each when `drain_each`), then EOF;
/// returns the checked connection, drained.
pub fn run(request: &Request<'_>, pieces: &[&[u8]], drain_each: bool) -> Checked {
    run_with(Config::default(), request, pieces, drain_each)
}

/// [`run`] with a configuration.
pub fn run_with(
    config: Config,
    request: &Request<'_>,
    pieces: &[&[u8]],
    drain_each: bool,
) -> Checked {
    let now = Instant::ZERO;
    let mut c = Checked::new(config).check_rejections(false);
    let id = c.send_request(request, now).expect("request accepted");
    if let RequestBody::Length(n) = request.body_framing() {
        c.send_body(id, vec![b'x'; n as usize].into(), now)
            .expect("body accepted");
    }
    c.drain_transmit();
    for piece in pieces {
        let _ = c.handle_input(piece, now);
        if drain_each {
            c.drain_events();
        }
    }
    let _ = c.handle_eof(now);
    c.drain();
    c.assert_ok();
    c
}

/// Cuts `bytes` at the given sizes (each taken modulo `max + 1`, zeros kept), the rest last.
pub fn cut<'a>(bytes: &'a [u8], sizes: &[usize], max: usize) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    for s in sizes {
        let n = (s % (max + 1)).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        out.push(piece);
        rest = tail;
    }
    out.push(rest);
    out
}
