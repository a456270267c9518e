//! Model-checks the blocking adapter's hand-off with loom: the real `h1conn::blocking` code,
//! built with loom's `Mutex`, `Condvar` and `Arc` (`cfg(loom)`), explored over every
//! interleaving of "the response arrives", "the connection closes" and "the caller gives up".
//! Go's 2014 race was one such interleaving: the caller saw "closed" before the response that
//! had arrived.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release --test loom_handoff` (`.ci/run` does).
//! Without `--cfg loom` this file compiles to nothing.
#![cfg(loom)]

use h1conn::blocking::{Body, Connection, Error, Transport};
use h1conn::{CloseReason, Config, EofPhase, Progress, Request};
use std::io::{self, Read, Write};

/// A transport that answers from a script and never blocks (loom cannot model a blocking
/// read): each read gives the next piece, then EOF.
struct Script {
    pieces: Vec<&'static [u8]>,
}

impl Read for Script {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pieces.is_empty() {
            return Ok(0);
        }
        let piece = self.pieces.remove(0);
        buf[..piece.len()].copy_from_slice(piece);
        Ok(piece.len())
    }
}

impl Write for Script {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for Script {}

fn get() -> Request<'static> {
    Request::get("/").header("Host", "h")
}

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi";

/// The caller waits for its response while another thread waits for the close (and reads for
/// the caller when it gets there first): whoever reads, the caller gets the whole response and
/// the other thread gets the close, in every interleaving.
#[test]
fn the_response_is_never_lost_to_the_close() {
    loom::model(|| {
        let conn = Connection::new(
            Script {
                pieces: vec![RESPONSE],
            },
            Config::default(),
        );
        let watcher = {
            let conn = conn.clone();
            loom::thread::spawn(move || conn.wait_closed())
        };
        let mut response = conn.send(&get(), Body::Empty).expect("the response");
        assert_eq!(response.status(), 200);
        assert_eq!(response.body().expect("the body"), b"hi");
        assert_eq!(watcher.join().unwrap(), CloseReason::ServerRequestedClose);
    });
}

/// The server hangs up without a byte: the caller gets its typed error (never "closed" with
/// nothing), whichever thread read the EOF.
#[test]
fn a_hang_up_reaches_the_caller_as_its_error() {
    loom::model(|| {
        let conn = Connection::new(Script { pieces: vec![] }, Config::default());
        let watcher = {
            let conn = conn.clone();
            loom::thread::spawn(move || conn.wait_closed())
        };
        match conn.send(&get(), Body::Empty) {
            Err(Error::Request(e)) => {
                assert_eq!(e.progress(), Progress::SentNoResponse);
                assert!(e.is_retryable());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            watcher.join().unwrap(),
            CloseReason::Eof(EofPhase::BeforeResponse)
        );
    });
}

/// The caller gives up (drops its response before the body) while the other thread may be
/// reading: nothing deadlocks, and the close is the response's own or the cancel, as the core
/// decides.
#[test]
fn giving_up_races_the_close_cleanly() {
    loom::model(|| {
        let conn = Connection::new(
            Script {
                pieces: vec![
                    &RESPONSE[..RESPONSE.len() - 2],
                    &RESPONSE[RESPONSE.len() - 2..],
                ],
            },
            Config::default(),
        );
        let watcher = {
            let conn = conn.clone();
            loom::thread::spawn(move || conn.wait_closed())
        };
        let response = conn.send(&get(), Body::Empty).expect("the head");
        drop(response);
        let reason = watcher.join().unwrap();
        assert!(
            matches!(
                reason,
                CloseReason::Canceled | CloseReason::ServerRequestedClose
            ),
            "{reason:?}"
        );
    });
}
