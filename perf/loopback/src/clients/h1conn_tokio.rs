//! Our tokio adapter: `h1conn::tokio::Connection` (its connection task and the caller on one
//! current-thread runtime), the body read piece by piece with `Response::chunk`.

use super::{Bound, Limit, Outcome, err};
use crate::workload::{BodyCheck, Workload, check_status};
use h1conn::tokio::{Body, Connection};
use h1conn::{Config, Request};
use std::net::SocketAddr;
use tokio::net::TcpStream;

pub fn run(workload: Workload, addr: SocketAddr, limit: Limit) -> Result<Outcome, String> {
    let rt = super::current_thread_runtime()?;
    rt.block_on(async move {
        let host = addr.to_string();
        let request = Request::get(workload.path()).header("Host", &host);
        let mut conn: Option<Connection<TcpStream>> = None;
        let mut bound = Bound::start(limit);
        while bound.more() {
            let c = match &conn {
                Some(c) => c,
                None => conn.insert(
                    Connection::connect(addr, Config::default())
                        .await
                        .map_err(|e| err(workload, e))?,
                ),
            };
            let sent = c.send(&request, Body::Empty).await;
            if workload == Workload::HangUp {
                match sent {
                    Err(_) => bound.failed(),
                    Ok(r) => return Err(err(workload, format!("a response ({})", r.status()))),
                }
            } else {
                let mut response = sent.map_err(|e| err(workload, e))?;
                check_status(workload, response.status())?;
                let mut check = BodyCheck::new();
                while let Some(piece) = response.chunk().await.map_err(|e| err(workload, e))? {
                    check.feed(&piece)?;
                }
                check.finish(workload)?;
                bound.done += 1;
            }
            if workload.new_connection_per_request() {
                conn = None;
            }
        }
        Ok(bound.finish())
    })
}
