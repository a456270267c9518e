//! What the blocking adapter needs of a transport beyond `Read + Write`.

use std::boxed::Box;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A byte stream the blocking adapter can drive: any `Read + Write` (a `TcpStream`, a TLS
/// stream, a Unix socket, an in-memory pipe), plus two optional abilities with defaults.
///
/// A transport that cannot do either still works: `impl Transport for MyStream {}`. Then the
/// connection's deadlines (expect-continue, response head, idle) are only checked when a read
/// returns, and an early response during an upload is only noticed when a write fails. A TLS
/// stream over TCP should forward all three methods to its socket, as below.
///
/// ## A TLS stream
/// TLS is the caller's transport: h1conn has nothing TLS in it. Wrap the TLS stream in a type
/// of your own and implement `Transport` with the socket under it. For rustls over a
/// `TcpStream` (`examples/tls.rs` runs this against a loopback TLS server, and
/// `tests/tls.rs` shows that each method is needed; docs/adapters.md, "TLS", explains them):
///
/// ```
/// use h1conn::blocking::Transport;
/// use rustls::{ClientConnection, StreamOwned};
/// use std::io::{self, Read, Write};
/// use std::net::TcpStream;
/// use std::time::Duration;
///
/// struct TlsStream(StreamOwned<ClientConnection, TcpStream>);
///
/// impl Transport for TlsStream {
///     fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
///         Transport::set_read_timeout(&mut self.0.sock, timeout) // the socket's
///     }
///
///     fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
///         // A TLS read with the socket non-blocking for its duration. Not the socket's own
///         // `read_now`: the socket's bytes are TLS records, not HTTP.
///         self.0.sock.set_nonblocking(true)?;
///         let result = self.0.read(buf);
///         self.0.sock.set_nonblocking(false)?;
///         match result {
///             Ok(n) => Ok(Some(n)),
///             Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
///             Err(e) => Err(e),
///         }
///     }
///
///     fn interrupter(&self) -> Option<Box<dyn Fn() + Send + Sync>> {
///         self.0.sock.interrupter() // the socket's: shuts it down
///     }
/// }
///
/// impl Read for TlsStream {
///     fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
///         self.0.read(buf)
///     }
/// }
///
/// impl Write for TlsStream {
///     fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
///         self.0.write(buf)
///     }
///
///     fn flush(&mut self) -> io::Result<()> {
///         self.0.flush()
///     }
/// }
/// ```
pub trait Transport: Read + Write {
    /// Bounds the next blocking reads to `timeout` (`None`: no bound); a read that times out
    /// returns `ErrorKind::WouldBlock` or `ErrorKind::TimedOut`. Returns `Ok(false)` when the
    /// transport cannot do it (the default).
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        let _ = timeout;
        Ok(false)
    }

    /// Reads what has already arrived, without waiting: `Ok(Some(n))` for `n` bytes (0: the
    /// peer closed), `Ok(None)` when nothing is there or the transport cannot tell (the
    /// default). Used between the writes of an upload, to notice an early response.
    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let _ = buf;
        Ok(None)
    }

    /// A function that ends a read or write blocked on this transport, from another thread
    /// (for a socket: shut it down). Used when one thread gives up (drops its response, closes)
    /// while another is blocked reading for it. `None` (the default): that thread stays blocked
    /// until its read returns by itself.
    fn interrupter(&self) -> Option<Box<dyn Fn() + Send + Sync>> {
        None
    }
}

/// Sets a socket's read timeout; a zero duration (which std refuses) becomes one microsecond.
fn clamp(timeout: Option<Duration>) -> Option<Duration> {
    timeout.map(|t| t.max(Duration::from_micros(1)))
}

/// A non-blocking read on a socket that is otherwise blocking.
fn read_nonblocking(
    set_nonblocking: impl Fn(bool) -> io::Result<()>,
    read: impl FnOnce() -> io::Result<usize>,
) -> io::Result<Option<usize>> {
    set_nonblocking(true)?;
    let result = read();
    set_nonblocking(false)?;
    match result {
        Ok(n) => Ok(Some(n)),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}

impl Transport for TcpStream {
    fn interrupter(&self) -> Option<Box<dyn Fn() + Send + Sync>> {
        let handle = self.try_clone().ok()?;
        Some(Box::new(move || {
            let _ = handle.shutdown(std::net::Shutdown::Both);
        }))
    }

    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        TcpStream::set_read_timeout(self, clamp(timeout))?;
        Ok(true)
    }

    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let mut this: &TcpStream = self;
        read_nonblocking(|on| this.set_nonblocking(on), || this.read(buf))
    }
}

#[cfg(unix)]
impl Transport for std::os::unix::net::UnixStream {
    fn interrupter(&self) -> Option<Box<dyn Fn() + Send + Sync>> {
        let handle = self.try_clone().ok()?;
        Some(Box::new(move || {
            let _ = handle.shutdown(std::net::Shutdown::Both);
        }))
    }

    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        std::os::unix::net::UnixStream::set_read_timeout(self, clamp(timeout))?;
        Ok(true)
    }

    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let mut this: &std::os::unix::net::UnixStream = self;
        read_nonblocking(|on| this.set_nonblocking(on), || this.read(buf))
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        (**self).set_read_timeout(timeout)
    }

    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        (**self).read_now(buf)
    }

    fn interrupter(&self) -> Option<Box<dyn Fn() + Send + Sync>> {
        (**self).interrupter()
    }
}
