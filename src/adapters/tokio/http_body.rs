//! Feature `http-body`: the tokio adapter's [`Response`] as an [`http_body::Body`].

use super::{Error, Response};
use crate::Bytes;
use http_body::{Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// The response as an [`http_body::Body`] (feature `http-body`): one data frame per piece of
/// the body as it arrives, then one trailers frame (an `http::HeaderMap`) when the body had
/// trailer fields. The head converts with
/// [`ResponseHead::to_http`](crate::ResponseHead::to_http), so an `http::Response` whose body
/// is the connection's response is two lines:
///
/// ```
/// use h1conn::tokio::{Body, Connection};
/// use h1conn::{Config, Request};
/// use http_body_util::BodyExt;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// runtime.block_on(async {
///     // An in-memory transport; the server's side answers one request with a chunked body
///     // and a trailer field.
///     let (client_io, mut server_io) = tokio::io::duplex(64 * 1024);
///     tokio::spawn(async move {
///         let mut request = [0u8; 1024];
///         let _ = server_io.read(&mut request).await;
///         let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
///                         5\r\nhello\r\n0\r\nChecksum: 5d41\r\n\r\n";
///         let _ = server_io.write_all(response.as_bytes()).await;
///     });
///     let conn = Connection::new(client_io, Config::default());
///     let response = conn.send(&Request::get("/").header("Host", "x"), Body::Empty).await?;
///     let response = http::Response::from_parts(response.head().to_http()?, response);
///     assert_eq!(response.status(), http::StatusCode::OK);
///
///     let collected = response.into_body().collect().await?;
///     assert_eq!(collected.trailers().unwrap()["checksum"], "5d41");
///     assert_eq!(collected.to_bytes(), "hello");
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })
/// # }
/// ```
impl<T> http_body::Body for Response<T> {
    type Data = Bytes;
    type Error = Error;

    /// The next piece of the body as a data frame (a view of the read buffer, not a copy); at
    /// the end, the trailers as one frame if there were any, then `None`. A failure (the
    /// request failed mid-body, or [`Error::Trailers`]) is yielded once, then `None`.
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        if this.frames_done {
            return Poll::Ready(None);
        }
        let frame = match ready!(this.poll_chunk(cx)) {
            Ok(Some(data)) => return Poll::Ready(Some(Ok(Frame::data(data)))),
            Ok(None) => match this.trailers() {
                Some(trailers) if !trailers.is_empty() => Some(
                    trailers
                        .to_http()
                        .map(Frame::trailers)
                        .map_err(Error::Trailers),
                ),
                _ => None,
            },
            Err(e) => Some(Err(e)),
        };
        this.frames_done = true;
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.frames_done
            || (self.chunk.is_empty()
                && matches!(&self.end, Some(Ok((trailers, _))) if trailers.is_empty()))
    }

    /// Exact once the body ended; until then, at least what is buffered.
    fn size_hint(&self) -> SizeHint {
        let buffered = self.chunk.len() as u64;
        match &self.end {
            Some(Ok(_)) => SizeHint::with_exact(buffered),
            _ => {
                let mut hint = SizeHint::new();
                hint.set_lower(buffered);
                hint
            }
        }
    }
}
