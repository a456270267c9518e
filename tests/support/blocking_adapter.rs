//! The scenario trait for the blocking adapter.

use super::scenarios::{Adapter, Failed, Got, TestBody};
use h1conn::blocking::{Body, Connection, Error};
use h1conn::{CloseReason, Config, Request};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

pub struct Blocking;

fn failed(e: Error) -> Failed {
    match e {
        Error::Request(e) => Failed::Request(e),
        Error::Usage(e) => Failed::Usage(e),
        other => Failed::Other(other.to_string()),
    }
}

impl Adapter for Blocking {
    type Conn = Connection<TcpStream>;

    fn connect(&self, addr: SocketAddr, config: Config) -> Self::Conn {
        Connection::connect(addr, config).expect("connect")
    }

    fn send(
        &self,
        conn: &Self::Conn,
        request: &Request<'_>,
        body: TestBody,
    ) -> Result<Got, Failed> {
        let mut source;
        let body = match body {
            TestBody::Empty => Body::Empty,
            TestBody::Bytes(b) => Body::Bytes(b.into()),
            TestBody::Stream(b) => {
                source = std::io::Cursor::new(b);
                Body::Reader(&mut source)
            }
        };
        let mut response = conn.send(request, body).map_err(failed)?;
        let mut kept = Vec::new();
        let mut total = 0usize;
        while let Some(piece) = response.chunk().map_err(failed)? {
            total += piece.len();
            // Large bodies are counted, not kept (bounded memory).
            if kept.len() < 16 << 20 {
                let room = (16 << 20) - kept.len();
                kept.extend_from_slice(&piece[..piece.len().min(room)]);
            }
        }
        assert!(total >= kept.len());
        Ok(Got {
            status: response.status(),
            informational: response
                .informational()
                .iter()
                .map(|h| h.status())
                .collect(),
            headers: response
                .head()
                .headers()
                .iter()
                .map(|f| (f.name.to_owned(), f.value.to_vec()))
                .collect(),
            body: kept,
            trailers: response
                .trailers()
                .map(|t| {
                    t.iter()
                        .map(|f| (f.name.to_owned(), f.value.to_vec()))
                        .collect()
                })
                .unwrap_or_default(),
            reuse: response.reuse(),
        })
    }

    fn send_and_drop(&self, conn: &Self::Conn, request: &Request<'_>) -> Result<u16, Failed> {
        let response = conn.send(request, Body::Empty).map_err(failed)?;
        Ok(response.status())
    }

    fn upgrade(
        &self,
        conn: &Self::Conn,
        request: &Request<'_>,
        write: &[u8],
    ) -> Result<(u16, Vec<u8>, Vec<u8>), Failed> {
        let response = conn.send(request, Body::Empty).map_err(failed)?;
        let status = response.status();
        let (mut stream, buffered) = response.into_upgraded().map_err(failed)?;
        stream
            .write_all(write)
            .map_err(|e| Failed::Other(e.to_string()))?;
        let mut echoed = vec![0u8; write.len()];
        stream
            .read_exact(&mut echoed)
            .map_err(|e| Failed::Other(e.to_string()))?;
        Ok((status, buffered.to_vec(), echoed))
    }

    fn close_reason(&self, conn: &Self::Conn) -> Option<CloseReason> {
        conn.close_reason()
    }

    fn check_idle(&self, conn: &Self::Conn) -> Option<CloseReason> {
        conn.check_idle()
    }

    fn send_two(
        &self,
        conn: &Self::Conn,
        first: &Request<'_>,
        second: &Request<'_>,
    ) -> (Vec<u8>, Vec<u8>) {
        let mut a = conn.send(first, Body::Empty).expect("first");
        let (mut a_body, mut b) = match conn.send(second, Body::Empty) {
            Ok(b) => (None, b),
            // The first body had not all arrived: the core is still busy with it.
            Err(Error::Usage(h1conn::UsageError::Busy)) => {
                let body = a.body().expect("first body");
                (Some(body), conn.send(second, Body::Empty).expect("second"))
            }
            Err(e) => panic!("second: {e}"),
        };
        let b_body = b.body().expect("second body");
        let a_body = match a_body.take() {
            Some(body) => body,
            None => a.body().expect("first body"),
        };
        (a_body, b_body)
    }
}
