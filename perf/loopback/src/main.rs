//! The loopback side-by-side harness (issue 9, part 2): every client against the same
//! in-process server, in the same run, round after round. See `docs/performance.md`.
//!
//! ```text
//! cargo run --release --manifest-path perf/loopback/Cargo.toml -- [--pin] [--quick]
//!     [--rounds N] [--max-ms MS] [--requests N] [--clients floor,std,tokio,hyper,ureq,go]
//!     [--workloads keepalive,close,mib,chunked,hangup] [--no-go]
//! ```
// A measurement harness: reading the clock is the point (the ban is for the library's core).
#![allow(clippy::disallowed_methods)]

mod clients;
mod report;
mod server;
mod stats;
mod workload;

use clients::{Client, FailedAt, GoClient, Limit};
use report::{Results, Run};
use server::Server;
use std::process::ExitCode;
use std::time::Duration;
use workload::Workload;

/// Set in the environment of the process `--pin` re-runs under `taskset`.
const PINNED_ENV: &str = "LOOPBACK_PINNED";

struct Options {
    pin: bool,
    quick: bool,
    rounds: usize,
    max_time: Duration,
    /// `--requests`: one count bound for every workload instead of the defaults.
    requests: Option<u64>,
    clients: Vec<Client>,
    workloads: Vec<Workload>,
}

const USAGE: &str = "usage: loopback [--pin] [--quick] [--rounds N] [--max-ms MS] [--requests N] \
[--clients floor,std,tokio,hyper,ureq,go] [--workloads keepalive,close,mib,chunked,hangup] [--no-go]";

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        pin: false,
        quick: false,
        rounds: 9,
        max_time: Duration::from_millis(500),
        requests: None,
        clients: clients::ALL.to_vec(),
        workloads: workload::ALL.to_vec(),
    };
    let mut rounds = None;
    let mut max_ms = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--pin" => o.pin = true,
            "--quick" => o.quick = true,
            "--no-go" => o.clients.retain(|&c| c != Client::Go),
            "--rounds" => rounds = Some(value()?.parse().map_err(|e| format!("--rounds: {e}"))?),
            "--requests" => {
                o.requests = Some(value()?.parse().map_err(|e| format!("--requests: {e}"))?)
            }
            "--max-ms" => max_ms = Some(value()?.parse().map_err(|e| format!("--max-ms: {e}"))?),
            "--clients" => {
                o.clients = value()?
                    .split(',')
                    .map(|n| Client::from_name(n).ok_or_else(|| format!("unknown client {n}")))
                    .collect::<Result<_, _>>()?;
            }
            "--workloads" => {
                o.workloads = value()?
                    .split(',')
                    .map(|n| Workload::from_name(n).ok_or_else(|| format!("unknown workload {n}")))
                    .collect::<Result<_, _>>()?;
            }
            "--help" | "-h" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    // --quick: one round of a few hundred requests; a time budget so large that the counts,
    // not the clock, end every run (the smoke check must not depend on timing).
    o.rounds = rounds.unwrap_or(if o.quick { 1 } else { 9 });
    o.max_time = Duration::from_millis(max_ms.unwrap_or(if o.quick { 30_000 } else { 500 }));
    if o.rounds == 0 {
        return Err("--rounds must be at least 1".into());
    }
    Ok(o)
}

/// The request count bound of one run.
fn count(workload: Workload, quick: bool) -> u64 {
    match (workload, quick) {
        (Workload::Mib, true) => 30,
        (_, true) => 300,
        (Workload::KeepAlive, false) => 100_000,
        (Workload::Mib, false) => 2_000,
        (Workload::HangUp, false) => 2_000,
        (_, false) => 20_000,
    }
}

/// `--pin`: runs this same command again under `taskset -c 0` (server thread, client threads
/// and the Go child all on CPU 0). Returns only if it could not.
fn rerun_pinned(args: &[String]) -> String {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return format!("--pin: {e}"),
    };
    let e = std::process::Command::new("taskset")
        .args(["-c", "0"])
        .arg(exe)
        .args(args)
        .env(PINNED_ENV, "1")
        .exec();
    format!("--pin: could not run taskset: {e}")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if options.pin && std::env::var_os(PINNED_ENV).is_none() {
        eprintln!("{}", rerun_pinned(&args));
        return ExitCode::FAILURE;
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(o: &Options) -> Result<(), String> {
    let mut clients = o.clients.clone();
    let go = if clients.contains(&Client::Go) {
        match GoClient::build() {
            Ok(go) => Some(go),
            Err(why) => {
                eprintln!("go client skipped: {why}");
                clients.retain(|&c| c != Client::Go);
                None
            }
        }
    } else {
        None
    };
    let server = Server::start().map_err(|e| format!("server: {e}"))?;
    let mut results = Results::new(&clients, &o.workloads);
    let mut failures = Vec::new();
    for round in 0..o.rounds {
        eprintln!("round {}/{}", round + 1, o.rounds);
        for &workload in &o.workloads {
            // A different client goes first in each round, so no client always follows the
            // same one (a TIME_WAIT-heavy run, a warm cache).
            let mut order = clients.clone();
            order.rotate_left(round % clients.len().max(1));
            let limit = Limit {
                count: o.requests.unwrap_or(count(workload, o.quick)),
                time: o.max_time,
            };
            for &client in &order {
                match one_run(&server, client, workload, limit, go.as_ref()) {
                    Ok(run) => results.add(client, workload, round, run),
                    Err(e) => {
                        eprintln!("  {} {}: {e}", client.name(), workload.name());
                        failures.push(format!("{} {}: {e}", client.name(), workload.name()));
                    }
                }
            }
        }
    }
    print!("{}", report::header(o.pin, o.rounds, o.max_time, o.quick));
    print!("{}", results.render());
    if server.unexpected() > 0 {
        failures.push(format!(
            "the server saw {} unexpected requests",
            server.unexpected()
        ));
    }
    if failures.is_empty() {
        println!("\nAll responses checked; the server's counts match every client's.");
        Ok(())
    } else {
        Err(format!(
            "{} problem(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        ))
    }
}

/// One client on one workload: the run, then the server's count against the client's, then
/// (hang-up) each error time against the server's close time for that request.
fn one_run(
    server: &Server,
    client: Client,
    workload: Workload,
    limit: Limit,
    go: Option<&GoClient>,
) -> Result<Run, String> {
    server.take_hang_ups();
    let before = server.count(workload);
    let outcome = clients::run(client, workload, server.addr, limit, go)?;
    let served = server.count(workload) - before;
    if served != outcome.requests {
        return Err(format!(
            "the server read {served} requests, the client completed {}",
            outcome.requests
        ));
    }
    if outcome.requests == 0 {
        return Err("no request completed".into());
    }
    let mut latencies = Vec::new();
    let mut latencies_closed = Vec::new();
    if workload == Workload::HangUp {
        // The server notes its close time right after the close returns, so with both on one
        // CPU the client can finish before the last mark is in: wait for it (bounded).
        let mut marks = server.take_hang_ups();
        let waiting = std::time::Instant::now();
        while (marks.len() as u64) < outcome.requests && waiting.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_millis(1));
            marks.extend(server.take_hang_ups());
        }
        let failed: Vec<Duration> = match &outcome.failed_at {
            FailedAt::Monotonic(at) if at.len() == marks.len() => at
                .iter()
                .zip(&marks)
                .map(|(t, m)| t.saturating_duration_since(m.monotonic))
                .collect(),
            FailedAt::Realtime(at) if at.len() == marks.len() => at
                .iter()
                .zip(&marks)
                .map(|(&t, m)| Duration::from_nanos(t.saturating_sub(m.realtime_ns) as u64))
                .collect(),
            _ => return Err("hang-up marks and errors differ in number".into()),
        };
        latencies = failed;
        latencies_closed = outcome
            .closed_at
            .iter()
            .zip(&marks)
            .map(|(t, m)| t.saturating_duration_since(m.monotonic))
            .collect();
    }
    Ok(Run {
        per_second: outcome.requests as f64 / outcome.elapsed.as_secs_f64(),
        requests: outcome.requests,
        latencies,
        latencies_closed,
    })
}
