//! Conversions to and from the `http` crate (feature `http`, on for the tests): both ways,
//! including the values `http` refuses, which become typed errors.

use h1conn::{Config, Connection, Event, HttpConversionError, Instant, Request, RequestBody};

fn head_of(response: &[u8]) -> (h1conn::ResponseHead, Option<h1conn::Headers>) {
    let mut conn = Connection::new(Config::default());
    conn.send_request(&Request::get("/").header("Host", "h"), Instant::ZERO)
        .unwrap();
    while conn.poll_transmit().is_some() {}
    conn.handle_input(response, Instant::ZERO).unwrap();
    let mut head = None;
    let mut trailers = None;
    while let Some(event) = conn.poll_event() {
        match event {
            Event::Head { head: h, .. } => head = Some(h),
            Event::End { trailers: t, .. } => trailers = Some(t),
            _ => {}
        }
    }
    (head.expect("a head"), trailers)
}

#[test]
fn a_response_head_becomes_http_parts_sharing_its_bytes() {
    let (head, trailers) = head_of(
        b"HTTP/1.1 201 Created\r\nX-A: 1\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nChecksum: abc\r\n\r\n",
    );
    let parts = head.to_http().unwrap();
    assert_eq!(parts.status, http::StatusCode::CREATED);
    assert_eq!(parts.version, http::Version::HTTP_11);
    assert_eq!(parts.headers["x-a"], "1");
    let cookies: Vec<_> = parts.headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    let trailers = trailers.unwrap().to_http().unwrap();
    assert_eq!(trailers["checksum"], "abc");
    let response = head.to_http_response().unwrap();
    assert_eq!(response.status(), 201);
    // HTTP/1.0 maps too.
    let (head, _) = head_of(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(head.to_http().unwrap().version, http::Version::HTTP_10);
}

#[test]
fn values_http_refuses_are_typed_errors() {
    // A status h1conn reports (framed as a 5xx) but http::StatusCode refuses.
    let (head, _) = head_of(b"HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(head.status(), 99);
    assert_eq!(head.to_http().unwrap_err(), HttpConversionError::Status(99));
    let (head, _) = head_of(b"HTTP/1.1 000 Odd\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(head.to_http().unwrap_err(), HttpConversionError::Status(0));
    // 600..=999 are invalid in RFC 9110 but http takes them: they convert.
    let (head, _) = head_of(b"HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(head.to_http().unwrap().status.as_u16(), 999);
    // Header names and values: every field h1conn accepts (token names; values without CTLs
    // or DEL, obs-text allowed) is one http accepts, so those errors cannot happen from a
    // received head; a value with DEL never gets that far.
    let mut conn = Connection::new(Config::default());
    conn.send_request(&Request::get("/").header("Host", "h"), Instant::ZERO)
        .unwrap();
    while conn.poll_transmit().is_some() {}
    conn.handle_input(b"HTTP/1.1 200 OK\r\nX-Del: a\x7fb\r\n\r\n", Instant::ZERO)
        .unwrap();
    assert!(matches!(
        conn.poll_event(),
        Some(Event::RequestFailed { .. })
    ));
    let (head, _) = head_of(b"HTTP/1.1 200 OK\r\nX-Obs: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        head.to_http().unwrap().headers["x-obs"].as_bytes(),
        "café".as_bytes()
    );
}

#[test]
fn a_request_borrows_from_http_parts() {
    let (parts, ()) = http::Request::put("http://example.com:8080/a/b?c=d")
        .header("x-one", "1")
        .header("transfer-encoding", "chunked")
        .header("x-two", &b"\xff"[..])
        .body(())
        .unwrap()
        .into_parts();
    let request = Request::from_http(&parts).unwrap();
    assert_eq!(request.method(), "PUT");
    assert_eq!(request.target(), "/a/b?c=d");
    assert_eq!(request.body_framing(), RequestBody::Chunked);
    assert_eq!(
        request.headers(),
        &[
            ("x-one", &b"1"[..]),
            ("x-two", &b"\xff"[..]),
            ("host", &b"example.com:8080"[..])
        ]
    );
    // It encodes like any request.
    let mut conn = Connection::new(Config::default());
    conn.send_request(&request, Instant::ZERO).unwrap();
    let wire: Vec<u8> = std::iter::from_fn(|| conn.poll_transmit())
        .flatten()
        .collect();
    assert!(wire.starts_with(b"PUT /a/b?c=d HTTP/1.1\r\n"));
    assert!(wire.ends_with(b"Transfer-Encoding: chunked\r\n\r\n"));

    // CONNECT takes the authority; an explicit Host header is kept as it is.
    let (parts, ()) = http::Request::connect("example.com:443")
        .header("host", "example.com:443")
        .body(())
        .unwrap()
        .into_parts();
    let request = Request::from_http(&parts).unwrap();
    assert_eq!(request.target(), "example.com:443");
    assert_eq!(request.headers(), &[("host", &b"example.com:443"[..])]);
}

#[test]
fn requests_h1conn_cannot_send_are_typed_errors() {
    let parts = |builder: http::request::Builder| builder.body(()).unwrap().into_parts().0;
    let h2 = parts(http::Request::get("http://a/").version(http::Version::HTTP_2));
    assert_eq!(
        Request::from_http(&h2).unwrap_err(),
        HttpConversionError::Version(http::Version::HTTP_2)
    );
    let bad_length = parts(http::Request::post("http://a/").header("content-length", "x"));
    assert_eq!(
        Request::from_http(&bad_length).unwrap_err(),
        HttpConversionError::ContentLength
    );
    let gzip = parts(http::Request::post("http://a/").header("transfer-encoding", "gzip"));
    assert_eq!(
        Request::from_http(&gzip).unwrap_err(),
        HttpConversionError::TransferEncoding
    );
    let no_authority = parts(http::Request::connect("/path"));
    assert_eq!(
        Request::from_http(&no_authority).unwrap_err(),
        HttpConversionError::Target
    );
    // A value h1conn refuses to send (a CR) is caught by send_request, as for any request.
    let (p, ()) = http::Request::get("http://a/")
        .body(())
        .unwrap()
        .into_parts();
    let request = Request::from_http(&p).unwrap().header("X", "a\rb");
    let mut conn = Connection::new(Config::default());
    assert!(conn.send_request(&request, Instant::ZERO).is_err());
}
