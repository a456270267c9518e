//! The scenario trait for the tokio adapter. The adapter owns a runtime with one worker thread,
//! where the connections' tasks run; each call runs on the test thread with `block_on`.
//!
//! Why not a current-thread runtime: its tasks run only inside `block_on`, and the scenarios
//! drop connections (and then join the server's threads, which wait for the client's close)
//! between calls; a connection task that is never polled again never drops its socket. A real
//! program keeps its runtime running; so does this one.

use super::scenarios::{Adapter, Failed, Got, TestBody};
use h1conn::tokio::{Body, Connection, Error};
use h1conn::{CloseReason, Config, Request};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;

pub struct Tokio {
    pub rt: Runtime,
}

impl Tokio {
    pub fn new() -> Tokio {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        // Wait until the worker thread runs a task: the thread counts of the leak tests must not
        // see it start half-way.
        rt.block_on(rt.spawn(async {})).expect("warm-up task");
        Tokio { rt }
    }

    /// A current-thread runtime: the caller and the connection tasks take turns on the test
    /// thread, inside `block_on`. Fine for scenarios whose server does not wait for the client
    /// to close (see the module docs).
    pub fn current_thread() -> Tokio {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Tokio { rt }
    }

    /// Tasks of this runtime not yet ended.
    pub fn alive_tasks(&self) -> usize {
        self.rt.handle().metrics().num_alive_tasks()
    }
}

impl Default for Tokio {
    fn default() -> Self {
        Tokio::new()
    }
}

pub fn failed(e: Error) -> Failed {
    match e {
        Error::Request(e) => Failed::Request(e),
        Error::Usage(e) => Failed::Usage(e),
        other => Failed::Other(other.to_string()),
    }
}

impl Adapter for Tokio {
    type Conn = Connection;

    fn connect(&self, addr: SocketAddr, config: Config) -> Self::Conn {
        self.rt
            .block_on(Connection::connect(addr, config))
            .expect("connect")
    }

    fn send(
        &self,
        conn: &Self::Conn,
        request: &Request<'_>,
        body: TestBody,
    ) -> Result<Got, Failed> {
        self.rt.block_on(async {
            let body = match body {
                TestBody::Empty => Body::Empty,
                TestBody::Bytes(b) => Body::Bytes(b.into()),
                TestBody::Stream(b) => Body::Stream(Box::pin(std::io::Cursor::new(b))),
            };
            let mut response = conn.send(request, body).await.map_err(failed)?;
            let mut kept = Vec::new();
            let mut total = 0usize;
            while let Some(piece) = response.chunk().await.map_err(failed)? {
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
        })
    }

    fn send_and_drop(&self, conn: &Self::Conn, request: &Request<'_>) -> Result<u16, Failed> {
        self.rt.block_on(async {
            let response = conn.send(request, Body::Empty).await.map_err(failed)?;
            Ok(response.status())
        })
    }

    fn upgrade(
        &self,
        conn: &Self::Conn,
        request: &Request<'_>,
        write: &[u8],
    ) -> Result<(u16, Vec<u8>, Vec<u8>), Failed> {
        self.rt.block_on(async {
            let response = conn.send(request, Body::Empty).await.map_err(failed)?;
            let status = response.status();
            let (mut stream, buffered) = response.into_upgraded().await.map_err(failed)?;
            stream
                .write_all(write)
                .await
                .map_err(|e| Failed::Other(e.to_string()))?;
            let mut echoed = vec![0u8; write.len()];
            stream
                .read_exact(&mut echoed)
                .await
                .map_err(|e| Failed::Other(e.to_string()))?;
            Ok((status, buffered.to_vec(), echoed))
        })
    }

    fn close_reason(&self, conn: &Self::Conn) -> Option<CloseReason> {
        conn.close_reason()
    }

    fn send_two(
        &self,
        conn: &Self::Conn,
        first: &Request<'_>,
        second: &Request<'_>,
    ) -> (Vec<u8>, Vec<u8>) {
        self.rt.block_on(async {
            let mut a = conn.send(first, Body::Empty).await.expect("first");
            let (mut a_body, mut b) = match conn.send(second, Body::Empty).await {
                Ok(b) => (None, b),
                // The first body had not all arrived: the core is still busy with it.
                Err(Error::Usage(h1conn::UsageError::Busy)) => {
                    let body = a.body().await.expect("first body").to_vec();
                    let b = conn.send(second, Body::Empty).await.expect("second");
                    (Some(body), b)
                }
                Err(e) => panic!("second: {e}"),
            };
            let b_body = b.body().await.expect("second body").to_vec();
            let a_body = match a_body.take() {
                Some(body) => body,
                None => a.body().await.expect("first body").to_vec(),
            };
            (a_body, b_body)
        })
    }

    /// The connection task keeps a read pending while idle, so a server's idle close is noticed
    /// without a request; this lets the runtime run a moment first.
    fn check_idle(&self, conn: &Self::Conn) -> Option<CloseReason> {
        self.rt.block_on(async {
            for _ in 0..8 {
                tokio::task::yield_now().await;
            }
        });
        conn.close_reason()
    }
}
