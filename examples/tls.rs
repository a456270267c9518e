//! TLS is the caller's transport: h1conn has nothing TLS in it. This example runs HTTPS over
//! the blocking adapter with rustls, against a loopback TLS server it starts itself, with a
//! certificate for `localhost` made at start-up (rcgen) and trusted by the client's root store
//! alone. Nothing outside the repository is needed:
//!
//! ```text
//! cargo run --example tls
//! ```
//!
//! The part to copy is [`TlsStream`]: a rustls client stream over a `TcpStream`, implementing
//! `h1conn::blocking::Transport` so the connection's deadlines, its early-response check during
//! an upload, and its "give up on a blocked read" all reach the socket under the TLS layer.
//! `docs/adapters.md` ("TLS") explains each method. For tokio, `tokio_rustls::client::TlsStream`
//! is already `AsyncRead + AsyncWrite`: hand it to `h1conn::tokio::Connection::new` as it is
//! (`tests/tls.rs` does both).

use h1conn::blocking::{Body, Connection, Transport};
use h1conn::{Config, Request};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection, StreamOwned,
};
use std::error::Error;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// A rustls client stream over TCP, as the blocking adapter's transport.
pub struct TlsStream(pub StreamOwned<ClientConnection, TcpStream>);

impl TlsStream {
    /// Connects to `addr` and sets up TLS for `server_name` (the handshake runs with the first
    /// write: the request).
    pub fn connect(
        addr: SocketAddr,
        server_name: &str,
        config: Arc<ClientConfig>,
    ) -> io::Result<TlsStream> {
        let name = ServerName::try_from(server_name.to_owned()).map_err(io::Error::other)?;
        let tls = ClientConnection::new(config, name).map_err(io::Error::other)?;
        let socket = TcpStream::connect(addr)?;
        // A request head must not wait for Nagle's algorithm (as `Connection::connect` does).
        socket.set_nodelay(true)?;
        Ok(TlsStream(StreamOwned::new(tls, socket)))
    }
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Transport for TlsStream {
    /// The connection's deadlines: the socket's `Transport` method (which also turns a zero
    /// timeout, refused by std, into a microsecond). A TLS read that times out returns
    /// the socket's `WouldBlock`/`TimedOut`, and a record half read stays buffered in rustls.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        Transport::set_read_timeout(&mut self.0.sock, timeout)
    }

    /// What already arrived, decrypted: a TLS read with the socket non-blocking for its
    /// duration. (Not the socket's own `read_now`: its bytes are TLS records, not HTTP.)
    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        self.0.sock.set_nonblocking(true)?;
        let result = self.0.read(buf);
        self.0.sock.set_nonblocking(false)?;
        match result {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Giving up on a read blocked in another thread: shut the socket down under it.
    fn interrupter(&self) -> Option<Box<dyn Fn() + Send + Sync>> {
        self.0.sock.interrupter()
    }
}

/// A self-signed certificate for `localhost`, made now, and the two ends' configurations: the
/// server's with that certificate, the client's trusting it alone. Both use rustls's `ring`
/// provider.
pub fn loopback_pki() -> Result<(Arc<ServerConfig>, Arc<ClientConfig>), Box<dyn Error>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let cert: CertificateDer<'static> = cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)?;
    let mut roots = RootCertStore::empty();
    roots.add(cert)?;
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok((Arc::new(server), Arc::new(client)))
}

/// A TLS server on loopback for one connection: answers each request with its path, and
/// `/bye` with `Connection: close`, then ends TLS properly (`close_notify`) and stops.
fn start_server(config: Arc<ServerConfig>) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || -> io::Result<()> {
        let (socket, _) = listener.accept()?;
        let tls = ServerConnection::new(config).map_err(io::Error::other)?;
        let mut stream = StreamOwned::new(tls, socket);
        let mut buf = Vec::new();
        let mut piece = [0u8; 4096];
        loop {
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                match stream.read(&mut piece)? {
                    0 => return Ok(()),
                    n => buf.extend_from_slice(&piece[..n]),
                }
                continue;
            };
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            buf.drain(..end + 4);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let body = format!("you asked for {path} over TLS");
            let close = if path == "/bye" {
                "Connection: close\r\n"
            } else {
                ""
            };
            let length = body.len();
            write!(
                stream,
                "HTTP/1.1 200 OK\r\n{close}Content-Length: {length}\r\n\r\n{body}"
            )?;
            if path == "/bye" {
                stream.conn.send_close_notify();
                return stream.flush();
            }
        }
    });
    Ok(addr)
}

/// Starts the server, sends two requests over one TLS connection, prints what came back.
pub fn main() -> Result<(), Box<dyn Error>> {
    let (server_config, client_config) = loopback_pki()?;
    let addr = start_server(server_config)?;

    let tls = TlsStream::connect(addr, "localhost", client_config)?;
    let conn = Connection::new(tls, Config::default());
    for path in ["/hello", "/bye"] {
        let request = Request::get(path).header("Host", "localhost");
        let mut response = conn.send(&request, Body::Empty)?;
        let body = response.body()?;
        println!(
            "{path}: {} {:?} (connection: {:?})",
            response.status(),
            String::from_utf8_lossy(&body),
            response.reuse()
        );
    }
    // The server asked to close and ended TLS with close_notify: a clean close.
    println!("closed: {}", conn.wait_closed());
    Ok(())
}
