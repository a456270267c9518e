//! ureq 3.x: one `Agent` per run (its pool keeps the keep-alive connection; dropped at the end,
//! so the server sees the close), status errors off so the status is checked here, the body
//! read through `Body::as_reader` into one reused buffer.

use super::{Bound, Limit, Outcome, err};
use crate::workload::{BodyCheck, Workload, check_status};
use std::io::Read;
use std::net::SocketAddr;
use ureq::Agent;

pub fn run(workload: Workload, addr: SocketAddr, limit: Limit) -> Result<Outcome, String> {
    let url = format!("http://{addr}{}", workload.path());
    let mut buf = vec![0u8; 64 * 1024];
    let mut bound = Bound::start(limit);
    let agent: Agent = Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    while bound.more() {
        let sent = agent.get(&url).call();
        if workload == Workload::HangUp {
            match sent {
                Err(_) => bound.failed(),
                Ok(r) => return Err(err(workload, format!("a response ({})", r.status()))),
            }
        } else {
            let mut response = sent.map_err(|e| err(workload, e))?;
            check_status(workload, response.status().as_u16())?;
            let mut reader = response.body_mut().as_reader();
            let mut check = BodyCheck::new();
            loop {
                match reader.read(&mut buf).map_err(|e| err(workload, e))? {
                    0 => break,
                    n => check.feed(&buf[..n])?,
                }
            }
            check.finish(workload)?;
            bound.done += 1;
        }
    }
    Ok(bound.finish())
}
