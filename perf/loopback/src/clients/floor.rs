//! The floor: a raw std client that writes a fixed request and reads the known number of
//! response bytes into one reused buffer, without parsing. What any client must pay in
//! syscalls; everything a real client does beyond it shows as the ratio.
//!
//! Its check is the cheapest that still catches a wrong answer: the status line's start, the
//! exact byte count (it never reads past it), and the last byte.

use super::{Bound, Limit, Outcome, err};
use crate::workload::Workload;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

pub fn run(workload: Workload, addr: SocketAddr, limit: Limit) -> Result<Outcome, String> {
    let request = format!("GET {} HTTP/1.1\r\nHost: {addr}\r\n\r\n", workload.path());
    let expected = workload.response();
    let mut buf = vec![0u8; 64 * 1024];
    let mut conn: Option<TcpStream> = None;
    let mut bound = Bound::start(limit);
    while bound.more() {
        let stream = match &mut conn {
            Some(stream) => stream,
            None => {
                let stream = TcpStream::connect(addr).map_err(|e| err(workload, e))?;
                stream.set_nodelay(true).map_err(|e| err(workload, e))?;
                conn.insert(stream)
            }
        };
        stream
            .write_all(request.as_bytes())
            .map_err(|e| err(workload, e))?;
        if workload == Workload::HangUp {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => {
                    // The error time first (what the table compares), then, as a second
                    // reference, the time once the socket is closed: a client that releases
                    // its socket before it reports the error pays that close (on loopback the
                    // kernel tears the connection down inside the call) in its time.
                    bound.failed();
                    conn = None;
                    bound.closed_at.push(Instant::now());
                }
                Ok(n) => return Err(err(workload, format!("{n} bytes after a hang-up"))),
            }
        } else {
            let mut remaining = expected.len();
            let mut first = true;
            let mut last = 0;
            while remaining > 0 {
                let want = remaining.min(buf.len());
                let n = stream
                    .read(&mut buf[..want])
                    .map_err(|e| err(workload, e))?;
                if n == 0 {
                    return Err(err(workload, format!("EOF with {remaining} bytes to go")));
                }
                if first && !buf[..n].starts_with(&b"HTTP/1.1 200 "[..n.min(13)]) {
                    return Err(err(workload, "not a 200"));
                }
                first = false;
                last = buf[n - 1];
                remaining -= n;
            }
            if Some(&last) != expected.last() {
                return Err(err(workload, "wrong last byte"));
            }
            bound.done += 1;
        }
        if workload.new_connection_per_request() {
            conn = None;
        }
    }
    Ok(bound.finish())
}
