//! The five workloads: what the server answers to each, and how every client checks a body.

/// One workload. The request path names it, so the server needs no mode switch: it answers
/// whatever path it is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Sequential GETs on one keep-alive connection, each answered with a 2-byte body.
    KeepAlive,
    /// A new connection per request, answered `Connection: close` with an empty body; the
    /// server closes first (Go's close race).
    Close,
    /// Sequential GETs on one connection, each answered with a 1 MiB `Content-Length` body.
    Mib,
    /// Sequential GETs on one connection, each answered with a chunked body of 64 × 1 KiB.
    Chunked,
    /// A new connection per request; the server reads the request and closes without a byte.
    HangUp,
}

pub const ALL: [Workload; 5] = [
    Workload::KeepAlive,
    Workload::Close,
    Workload::Mib,
    Workload::Chunked,
    Workload::HangUp,
];

const MIB: usize = 1 << 20;
const CHUNKS: usize = 64;
const CHUNK: usize = 1024;

impl Workload {
    /// The name on the command line, in the tables and in the request path.
    pub fn name(self) -> &'static str {
        match self {
            Workload::KeepAlive => "keepalive",
            Workload::Close => "close",
            Workload::Mib => "mib",
            Workload::Chunked => "chunked",
            Workload::HangUp => "hangup",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Workload::KeepAlive => "keep-alive GET, 2-byte body",
            Workload::Close => "connection per request, `Connection: close`, empty body",
            Workload::Mib => "1 MiB Content-Length body",
            Workload::Chunked => "chunked body, 64 × 1 KiB",
            Workload::HangUp => "hang-up: server reads the request and closes",
        }
    }

    pub fn from_name(name: &str) -> Option<Workload> {
        ALL.into_iter().find(|w| w.name() == name)
    }

    pub fn path(self) -> &'static str {
        match self {
            Workload::KeepAlive => "/keepalive",
            Workload::Close => "/close",
            Workload::Mib => "/mib",
            Workload::Chunked => "/chunked",
            Workload::HangUp => "/hangup",
        }
    }

    /// Whether each request opens its own connection.
    pub fn new_connection_per_request(self) -> bool {
        matches!(self, Workload::Close | Workload::HangUp)
    }

    /// The decoded body length a client must see (`None`: the request must fail).
    pub fn body_len(self) -> Option<usize> {
        match self {
            Workload::KeepAlive => Some(2),
            Workload::Close => Some(0),
            Workload::Mib => Some(MIB),
            Workload::Chunked => Some(CHUNKS * CHUNK),
            Workload::HangUp => None,
        }
    }

    /// The server's whole answer, head and body, as it goes on the wire (empty for a hang-up).
    pub fn response(self) -> Vec<u8> {
        let body = pattern(self.body_len().unwrap_or(0));
        let mut out = Vec::with_capacity(body.len() + 1024);
        match self {
            Workload::KeepAlive | Workload::Mib => {
                out.extend_from_slice(
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
                );
                out.extend_from_slice(&body);
            }
            Workload::Close => {
                out.extend_from_slice(
                    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                );
            }
            Workload::Chunked => {
                out.extend_from_slice(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                for piece in body.chunks(CHUNK) {
                    out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                    out.extend_from_slice(piece);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            Workload::HangUp => {}
        }
        out
    }
}

/// The body byte at offset `i`: `a`..`z` repeating, so a piece delivered at the wrong offset,
/// or chunk framing left in the body, shows.
pub fn pattern_byte(i: usize) -> u8 {
    b'a' + (i % 26) as u8
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(pattern_byte).collect()
}

/// The body check every Rust client runs on the pieces its library hands out (the Go client
/// runs the same one): the first and last byte of every piece against the pattern at its
/// offset, and the total length. O(1) per piece, so no client pays for a full compare the
/// others skip.
pub struct BodyCheck {
    offset: usize,
}

impl BodyCheck {
    pub fn new() -> Self {
        BodyCheck { offset: 0 }
    }

    pub fn feed(&mut self, piece: &[u8]) -> Result<(), String> {
        if let (Some(&first), Some(&last)) = (piece.first(), piece.last()) {
            let end = self.offset + piece.len() - 1;
            if first != pattern_byte(self.offset) || last != pattern_byte(end) {
                return Err(format!(
                    "body bytes {}..={end} do not match the pattern",
                    self.offset
                ));
            }
        }
        self.offset += piece.len();
        Ok(())
    }

    pub fn finish(self, workload: Workload) -> Result<(), String> {
        match workload.body_len() {
            Some(len) if len == self.offset => Ok(()),
            expected => Err(format!(
                "{}: body of {} bytes, expected {expected:?}",
                workload.name(),
                self.offset
            )),
        }
    }
}

/// The status check every client runs.
pub fn check_status(workload: Workload, status: u16) -> Result<(), String> {
    if status == 200 {
        Ok(())
    } else {
        Err(format!(
            "{}: status {status}, expected 200",
            workload.name()
        ))
    }
}
