//! The clients. Each runs one workload for at most `Limit::count` requests and at most
//! `Limit::time`, checks every response (`workload::check_status`, `workload::BodyCheck`) and
//! returns how many it completed and how long that took (connection set-up included: the
//! clock starts before the first connect).

mod floor;
mod go;
mod h1conn_blocking;
mod h1conn_tokio;
mod hyper_client;
mod ureq_client;

use crate::workload::Workload;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub use go::GoClient;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// Writes a fixed request and reads the known number of response bytes; parses nothing.
    Floor,
    /// `h1conn::blocking::Connection` on the calling thread.
    Blocking,
    /// `h1conn::tokio::Connection` on a current-thread runtime.
    Tokio,
    /// hyper 1.x `client::conn::http1` on a current-thread runtime.
    Hyper,
    /// ureq 3.x `Agent` (its pool keeps the keep-alive connection).
    Ureq,
    /// Go's `net/http` `Client`, a child process (`perf/loopback/go/client.go`).
    Go,
}

pub const ALL: [Client; 6] = [
    Client::Floor,
    Client::Blocking,
    Client::Tokio,
    Client::Hyper,
    Client::Ureq,
    Client::Go,
];

impl Client {
    pub fn name(self) -> &'static str {
        match self {
            Client::Floor => "floor",
            Client::Blocking => "std",
            Client::Tokio => "tokio",
            Client::Hyper => "hyper",
            Client::Ureq => "ureq",
            Client::Go => "go",
        }
    }

    pub fn from_name(name: &str) -> Option<Client> {
        ALL.into_iter().find(|c| c.name() == name)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub count: u64,
    pub time: Duration,
}

/// When a hang-up's error reached the caller, one per request, in order.
pub enum FailedAt {
    /// This process's monotonic clock (the server's marks are on the same one).
    Monotonic(Vec<Instant>),
    /// Nanoseconds since the Unix epoch on the realtime clock (the Go client: another process).
    Realtime(Vec<u128>),
}

pub struct Outcome {
    pub requests: u64,
    pub elapsed: Duration,
    pub failed_at: FailedAt,
    /// The floor only, hang-up only: when its socket was closed after each error.
    pub closed_at: Vec<Instant>,
}

/// Runs `client` on `workload` against the server at `addr`.
pub fn run(
    client: Client,
    workload: Workload,
    addr: SocketAddr,
    limit: Limit,
    go: Option<&GoClient>,
) -> Result<Outcome, String> {
    match client {
        Client::Floor => floor::run(workload, addr, limit),
        Client::Blocking => h1conn_blocking::run(workload, addr, limit),
        Client::Tokio => h1conn_tokio::run(workload, addr, limit),
        Client::Hyper => hyper_client::run(workload, addr, limit),
        Client::Ureq => ureq_client::run(workload, addr, limit),
        Client::Go => match go {
            Some(go) => go.run(workload, addr, limit),
            None => Err("the Go client is not built".into()),
        },
    }
}

/// The loop bound every in-process client uses: a request count and a time budget, the clock
/// started before the first connect.
pub struct Bound {
    start: Instant,
    limit: Limit,
    /// Requests completed and checked.
    pub done: u64,
    /// Hang-up workload: when each error reached the caller.
    pub failed_at: Vec<Instant>,
    /// See `Outcome::closed_at`.
    pub closed_at: Vec<Instant>,
}

impl Bound {
    pub fn start(limit: Limit) -> Bound {
        Bound {
            start: Instant::now(),
            limit,
            done: 0,
            failed_at: Vec::new(),
            closed_at: Vec::new(),
        }
    }

    /// Whether to send another request.
    pub fn more(&self) -> bool {
        self.done < self.limit.count && self.start.elapsed() < self.limit.time
    }

    /// Notes an error for a hang-up (its time first, then the count).
    pub fn failed(&mut self) {
        self.failed_at.push(Instant::now());
        self.done += 1;
    }

    pub fn finish(self) -> Outcome {
        Outcome {
            requests: self.done,
            elapsed: self.start.elapsed(),
            failed_at: FailedAt::Monotonic(self.failed_at),
            closed_at: self.closed_at,
        }
    }
}

/// Formats an error for the report, with the workload it happened in.
fn err(workload: Workload, what: impl std::fmt::Display) -> String {
    format!("{}: {what}", workload.name())
}

/// The runtime for the tokio adapter and hyper: current-thread, with the time driver (our
/// adapter arms the core's deadlines with it).
fn current_thread_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))
}
