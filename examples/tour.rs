//! A tour of the core that needs nothing outside the repo: one connection driven by hand against
//! scripted server bytes, in memory.
//!
//! ```text
//! cargo run --example tour
//! ```

use h1conn::{Bytes, Config, Connection, Event, Instant, Request, RequestBody, Reuse};
use std::time::Duration;

/// Writes out what the connection wants written and returns it (a real runtime writes it to a
/// socket).
fn flush(conn: &mut Connection) -> Vec<u8> {
    let mut wire = Vec::new();
    while let Some(bytes) = conn.poll_transmit() {
        wire.extend_from_slice(&bytes);
    }
    wire
}

/// Prints every pending event, as a runtime would turn them into channel sends.
fn drain(conn: &mut Connection) {
    while let Some(event) = conn.poll_event() {
        match event {
            Event::Informational { head, .. } => {
                println!("    event: informational {}", head.status())
            }
            Event::Head { id, head } => {
                println!("    event: {id} head {} {}", head.status(), head.version())
            }
            Event::Data { id, data } => {
                println!("    event: {id} data {:?}", String::from_utf8_lossy(&data))
            }
            Event::End {
                id,
                trailers,
                reuse,
            } => {
                let reuse = match reuse {
                    Reuse::KeepAlive => "keep-alive".to_string(),
                    Reuse::Close(reason) => format!("close ({reason})"),
                };
                println!(
                    "    event: {id} end, {} trailer(s), connection {reuse}",
                    trailers.len()
                );
            }
            Event::RequestFailed { id, error } => println!(
                "    event: {id} failed: {error} [progress {:?}, retryable: {}]",
                error.progress(),
                error.is_retryable()
            ),
            Event::StopSending { id } => println!("    event: {id} stop sending the body"),
            Event::Upgraded { id, buffered } => println!(
                "    event: {id} upgraded, {} bytes buffered",
                buffered.len()
            ),
            Event::Idle => println!("    event: idle (ready for another request)"),
            Event::Closed { reason } => println!("    event: closed: {reason}"),
            other => println!("    event: {other:?}"),
        }
    }
}

fn send(conn: &mut Connection, req: &Request<'_>, now: Instant) {
    let id = conn.send_request(req, now).expect("valid request");
    let wire = flush(conn);
    println!("  -> {id}: {:?}", String::from_utf8_lossy(&wire));
}

fn receive(conn: &mut Connection, bytes: &[u8], now: Instant) {
    println!("  <- {:?}", String::from_utf8_lossy(bytes));
    if let Err(e) = conn.handle_input(bytes, now) {
        println!("    (input refused: {e})");
    }
    drain(conn);
}

fn main() -> Result<(), h1conn::UsageError> {
    let mut now = Instant::ZERO;

    println!("1. Keep-alive: two requests on one connection, the body trickling in.");
    let mut conn = Connection::new(Config::default());
    send(
        &mut conn,
        &Request::get("/a").header("Host", "example.com"),
        now,
    );
    receive(
        &mut conn,
        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello",
        now,
    );
    receive(&mut conn, b" world", now);
    send(
        &mut conn,
        &Request::get("/b").header("Host", "example.com"),
        now,
    );
    receive(&mut conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n", now);

    println!("\n2. Go's race, made impossible: response and close arrive together.");
    println!("   The response is always reported before the close, and Closed is last.");
    let mut conn = Connection::new(Config::default());
    send(
        &mut conn,
        &Request::get("/").header("Host", "example.com"),
        now,
    );
    conn.handle_input(
        b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        now,
    )?;
    conn.handle_eof(now).unwrap_or(()); // the I/O layer saw EOF in the same read: refused, already closed
    drain(&mut conn);

    println!("\n3. A stale keep-alive connection: the retry verdict is data.");
    let mut conn = Connection::new(Config::default());
    send(
        &mut conn,
        &Request::get("/").header("Host", "example.com"),
        now,
    );
    receive(&mut conn, b"HTTP/1.1 204 No Content\r\n\r\n", now);
    send(
        &mut conn,
        &Request::get("/again").header("Host", "example.com"),
        now,
    );
    println!("  <- EOF");
    conn.handle_eof(now)?;
    drain(&mut conn);

    println!("\n4. An upload answered early: the caller is told to stop sending.");
    let mut conn = Connection::new(Config::default());
    let req = Request::new("PUT", "/big")
        .header("Host", "example.com")
        .body(RequestBody::Length(1_000_000));
    let id = conn.send_request(&req, now)?;
    conn.send_body(id, Bytes::from_static(&[b'x'; 64]), now)?;
    println!(
        "  -> {id}: {} bytes of head and body",
        flush(&mut conn).len()
    );
    receive(
        &mut conn,
        b"HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        now,
    );
    println!(
        "    send_body now says: {:?}",
        conn.send_body(id, Bytes::from_static(b"more"), now)
    );

    println!("\n5. Time is an input: an idle connection times out when the caller says so.");
    let mut conn = Connection::new(Config::default().idle_timeout(Some(Duration::from_secs(30))));
    send(
        &mut conn,
        &Request::get("/").header("Host", "example.com"),
        now,
    );
    receive(
        &mut conn,
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        now,
    );
    println!("    next deadline: {:?}", conn.poll_timeout());
    now = now + Duration::from_secs(30);
    conn.handle_timeout(now);
    drain(&mut conn);

    println!("\n6. Malformed bytes are an event, never a panic.");
    let mut conn = Connection::new(Config::default());
    send(
        &mut conn,
        &Request::get("/").header("Host", "example.com"),
        now,
    );
    receive(
        &mut conn,
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
        now,
    );
    Ok(())
}
