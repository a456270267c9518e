//! The template for a runtime of your own: one `h1conn::Connection` driven by hand over a
//! non-blocking `std` socket, with no adapter. Every rule of "Driving a real transport"
//! (docs/events.md) appears once, marked `RULE:`.
//!
//! ```text
//! cargo run --example poll_loop
//! ```
//!
//! It starts a tiny server on loopback, sends two requests on one connection, and prints what
//! happens. A real runtime waits on readiness (epoll, kqueue, an interrupt) where this loop
//! sleeps a millisecond; the calls into the connection stay the same.
#![allow(clippy::disallowed_methods)] // a runtime owns the clock and may sleep; the core never does

use h1conn::{BytesMut, Config, Connection, Event, Instant, Request};
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Runs the example: two requests on one connection, then a local close.
pub fn main() -> std::io::Result<()> {
    let addr = serve_twice()?;
    let mut socket = TcpStream::connect(addr)?;
    socket.set_nodelay(true)?;
    socket.set_nonblocking(true)?;

    // RULE: time is the runtime's. One origin; every call gets `now` on that timeline.
    let origin = std::time::Instant::now();
    let now = || Instant::from_duration(origin.elapsed());

    let mut conn = Connection::new(Config::default());
    let mut outgoing: VecDeque<h1conn::Bytes> = VecDeque::new();
    let mut read_buf = BytesMut::new();
    let mut paths = vec!["/one", "/two"].into_iter();
    let first = paths.next().expect("a path");
    conn.send_request(&Request::get(first).header("Host", "localhost"), now())
        .expect("a fresh connection takes a request");

    loop {
        let mut progressed = false;

        // Write. RULE: bytes count as sent once polled: poll only when the previous bytes are
        // all written, and write them in order.
        loop {
            if outgoing.is_empty() {
                match conn.poll_transmit() {
                    Some(bytes) => outgoing.push_back(bytes),
                    None => break,
                }
            }
            let front = outgoing.front_mut().expect("just filled");
            match socket.write(front) {
                Ok(n) => {
                    progressed = true;
                    bytes::Buf::advance(front, n);
                    if front.is_empty() {
                        outgoing.pop_front();
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    // RULE: a failed write is an input too.
                    let _ = conn.handle_write_error(now());
                    outgoing.clear();
                    break;
                }
            }
        }

        // Read. RULE: keep a read pending even while idle: it is how a server's idle close (or
        // its 408) is noticed. Read into a buffer you own and hand it over without a copy.
        if read_buf.len() < 4096 {
            read_buf = BytesMut::zeroed(64 * 1024);
        }
        match socket.read(&mut read_buf[..]) {
            // RULE: `Err(Closed)` from an input after the close was decided is routine.
            Ok(0) => {
                let _ = conn.handle_eof(now());
                progressed = true;
            }
            Ok(n) => {
                let _ = conn.handle_input_buf(read_buf.split_to(n), now());
                progressed = true;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => {
                // RULE: a read error (a reset) is not an EOF.
                let _ = conn.handle_read_error(now());
                progressed = true;
            }
        }

        // RULE: after every input or command, drain the events, in order.
        while let Some(event) = conn.poll_event() {
            match &event {
                Event::Head { head, .. } => println!("head     {}", head.status()),
                Event::Data { data, .. } => println!("data     {} bytes", data.len()),
                Event::End { reuse, .. } => println!("end      reuse: {reuse:?}"),
                Event::Idle => {
                    println!("idle");
                    // RULE: a new request only once `Idle` says so (no pipelining).
                    if let Some(path) = paths.next() {
                        let request = Request::get(path).header("Host", "localhost");
                        conn.send_request(&request, now()).expect("idle");
                    } else {
                        let _ = conn.close();
                    }
                }
                Event::Closed { reason } => {
                    println!("closed   {reason}");
                    return Ok(());
                }
                other => println!("{other:?}"),
            }
        }

        // RULE: arm one timer for the earliest deadline; call handle_timeout when it is due.
        if conn
            .poll_timeout()
            .is_some_and(|deadline| deadline <= now())
        {
            conn.handle_timeout(now());
            progressed = true;
        }
        if !progressed {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// A loopback server that answers two requests on one connection, then closes.
fn serve_twice() -> std::io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        for body in ["first", "second"] {
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(0) + 4;
            buf.drain(..end);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(response.as_bytes()).is_err() {
                return;
            }
        }
    });
    Ok(addr)
}
