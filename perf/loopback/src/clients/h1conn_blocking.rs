//! Our std adapter: `h1conn::blocking::Connection`, the body read piece by piece with
//! `Response::chunk` (views of the read buffer, no copy).

use super::{Bound, Limit, Outcome, err};
use crate::workload::{BodyCheck, Workload, check_status};
use h1conn::blocking::{Body, Connection};
use h1conn::{Config, Request};
use std::net::{SocketAddr, TcpStream};

pub fn run(workload: Workload, addr: SocketAddr, limit: Limit) -> Result<Outcome, String> {
    let host = addr.to_string();
    let request = Request::get(workload.path()).header("Host", &host);
    let mut conn: Option<Connection<TcpStream>> = None;
    let mut bound = Bound::start(limit);
    while bound.more() {
        let c = match &conn {
            Some(c) => c,
            None => conn.insert(
                Connection::connect(addr, Config::default()).map_err(|e| err(workload, e))?,
            ),
        };
        let sent = c.send(&request, Body::Empty);
        if workload == Workload::HangUp {
            match sent {
                Err(_) => bound.failed(),
                Ok(r) => return Err(err(workload, format!("a response ({})", r.status()))),
            }
        } else {
            let mut response = sent.map_err(|e| err(workload, e))?;
            check_status(workload, response.status())?;
            let mut check = BodyCheck::new();
            while let Some(piece) = response.chunk().map_err(|e| err(workload, e))? {
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
}
