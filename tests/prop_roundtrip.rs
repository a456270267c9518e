//! Request encoding round trip: a valid generated request head is encoded by `send_request` and
//! read back by `httparse` as the same method, target and fields (plus exactly the framing
//! header its declared body calls for); an invalid one is rejected and sends nothing.
//!
//! Long run: `PROPTEST_CASES=50000 cargo test --all-features --test prop_roundtrip`.

use h1conn::testing::fuzz;
use h1conn::{Config, Connection, Instant, Request, RequestBody};
use proptest::collection::vec;
use proptest::prelude::*;

const TCHARS: &str = "[!#$%&'*+.^_`|~0-9A-Za-z-]";

fn token() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TCHARS}{{1,12}}")).unwrap()
}

fn target() -> impl Strategy<Value = String> {
    prop_oneof![
        "/[!-~]{0,30}",
        Just("*".to_owned()),
        "http://[a-z]{1,8}\\.example/[!-~]{0,10}",
    ]
}

/// `VCHAR / obs-text / SP / HTAB`, first and last byte not whitespace.
fn value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![0x21u8..=0x7e, 0x80u8..=0xff];
    let inner = prop_oneof![4 => byte.clone(), 1 => Just(b' '), 1 => Just(b'\t')];
    (
        vec(byte.clone(), 0..=1),
        vec(inner, 0..20),
        vec(byte, 0..=1),
    )
        .prop_map(|(a, b, c)| {
            let mut v = if a.is_empty() {
                Vec::new()
            } else {
                [a, b, c].concat()
            };
            // Surrounding whitespace is not part of a field value (RFC 9110 §5.5).
            while v.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
                v.pop();
            }
            v
        })
}

fn body() -> impl Strategy<Value = RequestBody> {
    prop_oneof![
        Just(RequestBody::None),
        any::<u64>().prop_map(RequestBody::Length),
        Just(RequestBody::Chunked),
    ]
}

fn name() -> impl Strategy<Value = String> {
    token().prop_filter("framing and Host are added separately", |n| {
        !["content-length", "transfer-encoding", "host"].contains(&n.to_ascii_lowercase().as_str())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_heads_read_back_the_same(
        method in token(),
        target in target(),
        host_at in any::<prop::sample::Index>(),
        fields in vec((name(), value()), 0..20),
        host in value(),
        body in body(),
    ) {
        let mut fields = fields;
        let at = host_at.index(fields.len() + 1);
        fields.insert(at, ("Host".to_owned(), host));
        let mut req = Request::new(&method, &target).body(body);
        for (n, v) in &fields {
            req = req.header(n, v);
        }
        let mut conn = Connection::new(Config::default());
        conn.send_request(&req, Instant::ZERO).unwrap();
        let mut wire = Vec::new();
        while let Some(b) = conn.poll_transmit() {
            wire.extend_from_slice(&b);
        }
        let mut storage = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Request::new(&mut storage);
        let n = match parsed.parse(&wire) {
            Ok(httparse::Status::Complete(n)) => n,
            other => return Err(TestCaseError::fail(format!("{other:?} for {:?}", String::from_utf8_lossy(&wire)))),
        };
        prop_assert_eq!(n, wire.len());
        prop_assert_eq!(parsed.method, Some(method.as_str()));
        prop_assert_eq!(parsed.path, Some(target.as_str()));
        prop_assert_eq!(parsed.version, Some(1));
        let got: Vec<(String, Vec<u8>)> = parsed.headers.iter().map(|h| (h.name.to_owned(), h.value.to_vec())).collect();
        let mut want = fields.clone();
        match body {
            RequestBody::Length(n) => want.push(("Content-Length".into(), n.to_string().into_bytes())),
            RequestBody::Chunked => want.push(("Transfer-Encoding".into(), b"chunked".to_vec())),
            RequestBody::None if ["POST", "PUT", "PATCH"].contains(&method.as_str()) => {
                want.push(("Content-Length".into(), b"0".to_vec()))
            }
            RequestBody::None => {}
        }
        prop_assert_eq!(got, want);
    }

    /// Heads with a byte that cannot be sent (CR, LF, NUL, controls, spaces in tokens) are
    /// rejected whole: nothing is queued and the connection stays ready.
    #[test]
    fn invalid_heads_send_nothing(
        method in token(),
        evil in prop_oneof![Just(b'\r'), Just(b'\n'), Just(0u8), 1u8..0x09, Just(0x7f)],
        at in any::<prop::sample::Index>(),
        part in 0u8..4,
    ) {
        let mut m = method.clone().into_bytes();
        let mut t = b"/path".to_vec();
        let mut n = b"X-Name".to_vec();
        let mut v = b"value".to_vec();
        let victim = match part { 0 => &mut m, 1 => &mut t, 2 => &mut n, _ => &mut v };
        let i = at.index(victim.len() + 1);
        victim.insert(i, evil);
        let (m, t, n) = (String::from_utf8(m).unwrap(), String::from_utf8(t).unwrap(), String::from_utf8(n).unwrap());
        let req = Request::new(&m, &t).header("Host", "h").header(&n, &v);
        let mut conn = Connection::new(Config::default());
        prop_assert!(conn.send_request(&req, Instant::ZERO).is_err());
        prop_assert!(conn.poll_transmit().is_none());
        prop_assert!(conn.is_ready());
        prop_assert!(conn.poll_event().is_none());
    }

    /// The fuzz target's interpreter over random bytes.
    #[test]
    fn random_heads_encode_safely(data in vec(any::<u8>(), 0..200)) {
        if let Err(finding) = fuzz::request_encode(&data) {
            return Err(TestCaseError::fail(format!("{finding}")));
        }
    }
}
