//! The main demo: a loopback server started inside the example, and both adapters against it,
//! showing keep-alive reuse, a response followed by the server's close, and a hang-up, with the
//! order in which the caller learns each fact.
//!
//! ```text
//! cargo run --example demo --features tokio     # both adapters
//! cargo run --example demo                      # the blocking adapter only
//! ```
//!
//! The point to watch: after `Connection: close`, the caller always has the whole response
//! before it learns that the connection closed (the order Go's `net/http` once got wrong), and a
//! hang-up reaches the waiting caller at once, as a typed error with its retry verdict.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};

/// Serves, per connection, requests until one says otherwise: `/keep` answers and keeps the
/// connection, `/close` answers with `Connection: close` and closes, `/hangup` reads the request
/// and closes without a byte.
fn start_server() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(0) + 4;
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end);
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let response: &[u8] = match path.as_str() {
                        "/keep" => b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                        "/close" => {
                            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye"
                        }
                        _ => return, // /hangup: close without a byte
                    };
                    if stream.write_all(response).is_err() || path == "/close" {
                        return;
                    }
                }
            });
        }
    });
    Ok(addr)
}

/// The blocking adapter: the calling thread writes, reads and delivers.
fn blocking(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    use h1conn::blocking::{Body, Connection, Error};
    use h1conn::{Config, Request};

    println!("== blocking adapter (the waiting thread reads; no thread of its own)");
    let conn = Connection::connect(addr, Config::default())?;
    for (i, path) in ["/keep", "/keep", "/close"].iter().enumerate() {
        let request = Request::get(path).header("Host", "demo");
        let mut response = conn.send(&request, Body::Empty)?;
        println!("  request {} {path}: head {}", i + 1, response.status());
        let body = response.body()?;
        println!(
            "  request {} {path}: body {:?}, then {:?}",
            i + 1,
            String::from_utf8_lossy(&body),
            response.reuse().expect("the body ended")
        );
        if let Some(reason) = conn.close_reason() {
            println!("  connection closed: {reason} (learned after the response)");
        }
    }
    let conn = Connection::connect(addr, Config::default())?;
    match conn.send(&Request::get("/hangup").header("Host", "demo"), Body::Empty) {
        Err(Error::Request(e)) => println!(
            "  request /hangup: {e}; progress {:?}, retryable: {}",
            e.progress(),
            e.is_retryable()
        ),
        other => println!("  request /hangup: unexpected {other:?}"),
    }
    println!(
        "  connection closed: {}",
        conn.close_reason().expect("closed")
    );
    Ok(())
}

/// The tokio adapter: the connection's task reads and delivers; the caller awaits.
#[cfg(feature = "tokio")]
fn tokio_demo(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    use h1conn::tokio::{Body, Connection, Error};
    use h1conn::{Config, Request};

    println!("== tokio adapter (one task per connection reads; the caller awaits its response)");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let conn = Connection::connect(addr, Config::default()).await?;
        for (i, path) in ["/keep", "/keep", "/close"].iter().enumerate() {
            let request = Request::get(path).header("Host", "demo");
            let mut response = conn.send(&request, Body::Empty).await?;
            println!("  request {} {path}: head {}", i + 1, response.status());
            let body = response.body().await?;
            println!(
                "  request {} {path}: body {:?}, then {:?}",
                i + 1,
                String::from_utf8_lossy(&body),
                response.reuse().expect("the body ended")
            );
        }
        println!(
            "  connection closed: {} (learned after the response)",
            conn.closed().await
        );
        let conn = Connection::connect(addr, Config::default()).await?;
        match conn
            .send(&Request::get("/hangup").header("Host", "demo"), Body::Empty)
            .await
        {
            Err(Error::Request(e)) => println!(
                "  request /hangup: {e}; progress {:?}, retryable: {}",
                e.progress(),
                e.is_retryable()
            ),
            other => println!("  request /hangup: unexpected {other:?}"),
        }
        println!("  connection closed: {}", conn.closed().await);
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}

/// Runs the demo.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = start_server()?;
    println!("loopback server on {addr}");
    blocking(addr)?;
    #[cfg(feature = "tokio")]
    tokio_demo(addr)?;
    #[cfg(not(feature = "tokio"))]
    println!("== tokio adapter: run with `--features tokio` to see it too");
    Ok(())
}
