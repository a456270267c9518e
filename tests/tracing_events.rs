//! The `tracing` feature (on for the tests): the pooled client reports connections opened,
//! reused and closed (with the reason) and its retry decisions as `tracing` events.

mod support;

use h1conn::blocking::{Body, Client, PoolKey};
use h1conn::pool::PoolConfig;
use h1conn::{Config, Request};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use support::server::{Peer, Server};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Keeps each event's message and fields as one line.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            self.0.insert_str(0, &format!("{value:?}"));
        } else {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line(String::new());
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn the_client_reports_connections_and_retries() {
    // The first request on a connection is answered; a later one meets the idle close.
    let server = Server::start(|mut peer: Peer| {
        if peer.read_request().is_some() {
            peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            let _ = peer.read_request();
        }
    });
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || {
        let client = Client::new(Config::default(), PoolConfig::default());
        let key = PoolKey::http("127.0.0.1", server.addr().port());
        for _ in 0..2 {
            let request = Request::get("/").header("Host", "t");
            client
                .send(&key, &request, Body::Empty)
                .unwrap()
                .body()
                .unwrap();
        }
    });
    let lines = capture.0.lock().unwrap().clone();
    let has = |text: &str| lines.iter().any(|l| l.contains(text));
    assert!(has("connection opened"), "{lines:#?}");
    assert!(has("connection reused"), "{lines:#?}");
    assert!(has("request failed") && has("retry=true"), "{lines:#?}");
    // The stale connection's close, with its reason (Display of CloseReason::Eof).
    assert!(
        has("connection closed reason=connection closed before any response byte"),
        "{lines:#?}"
    );
}
