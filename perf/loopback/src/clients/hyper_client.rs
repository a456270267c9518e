//! hyper 1.x: `client::conn::http1` over a tokio `TcpStream` (`TCP_NODELAY`), its connection
//! future spawned on the same current-thread runtime, the body read frame by frame.

use super::{Bound, Limit, Outcome, err};
use crate::workload::{BodyCheck, Workload, check_status};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

pub fn run(workload: Workload, addr: SocketAddr, limit: Limit) -> Result<Outcome, String> {
    let rt = super::current_thread_runtime()?;
    rt.block_on(async move {
        let host = addr.to_string();
        let mut sender: Option<SendRequest<Empty<Bytes>>> = None;
        let mut bound = Bound::start(limit);
        while bound.more() {
            let s = match &mut sender {
                Some(s) => s,
                None => sender.insert(connect(addr).await.map_err(|e| err(workload, e))?),
            };
            s.ready().await.map_err(|e| err(workload, e))?;
            let request = hyper::Request::get(workload.path())
                .header(hyper::header::HOST, &host)
                .body(Empty::<Bytes>::new())
                .map_err(|e| err(workload, e))?;
            let sent = s.send_request(request).await;
            if workload == Workload::HangUp {
                match sent {
                    Err(_) => bound.failed(),
                    Ok(r) => return Err(err(workload, format!("a response ({})", r.status()))),
                }
            } else {
                let response = sent.map_err(|e| err(workload, e))?;
                check_status(workload, response.status().as_u16())?;
                let mut body = response.into_body();
                let mut check = BodyCheck::new();
                while let Some(frame) = body.frame().await {
                    if let Some(data) = frame.map_err(|e| err(workload, e))?.data_ref() {
                        check.feed(data)?;
                    }
                }
                check.finish(workload)?;
                bound.done += 1;
            }
            if workload.new_connection_per_request() {
                sender = None;
            }
        }
        Ok(bound.finish())
    })
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Empty<Bytes>>, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = http1::handshake(HyperIo(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    Ok(sender)
}

/// A tokio `TcpStream` seen through hyper's own I/O traits (hyper 1 does not take tokio's),
/// so that hyper-util stays out of the build.
struct HyperIo(TcpStream);

impl hyper::rt::Read for HyperIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: `ReadBuf::uninit` over hyper's unfilled bytes: tokio's read only writes to
        // them and reports how many it filled; exactly that many are then marked filled.
        let filled = unsafe {
            let mut tokio_buf = tokio::io::ReadBuf::uninit(buf.as_mut());
            ready!(Pin::new(&mut self.0).poll_read(cx, &mut tokio_buf))?;
            tokio_buf.filled().len()
        };
        // SAFETY: those bytes were initialised by the read above.
        unsafe { buf.advance(filled) };
        Poll::Ready(Ok(()))
    }
}

impl hyper::rt::Write for HyperIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
