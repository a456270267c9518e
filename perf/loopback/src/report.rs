//! The tables: per workload, every client's requests/s (median and min..max over the rounds)
//! and its ratio to the floor of the same round; for the hang-up, the time from the server's
//! close to the caller's error (p50 and p99 over every sample of every round) and the ratio of
//! each round's p50 to the floor's.

use crate::clients::Client;
use crate::stats::{Spread, micros, quantile};
use crate::workload::Workload;
use std::fmt::Write;
use std::time::Duration;

/// One client's run of one workload in one round.
pub struct Run {
    pub per_second: f64,
    pub requests: u64,
    /// Hang-up only: server close to caller error, per request.
    pub latencies: Vec<Duration>,
}

pub struct Results {
    clients: Vec<Client>,
    workloads: Vec<Workload>,
    /// `[workload][client][round]`.
    runs: Vec<Vec<Vec<Option<Run>>>>,
}

impl Results {
    pub fn new(clients: &[Client], workloads: &[Workload]) -> Results {
        Results {
            clients: clients.to_vec(),
            workloads: workloads.to_vec(),
            runs: workloads
                .iter()
                .map(|_| clients.iter().map(|_| Vec::new()).collect())
                .collect(),
        }
    }

    pub fn add(&mut self, client: Client, workload: Workload, round: usize, run: Run) {
        let w = self.workloads.iter().position(|&x| x == workload).unwrap();
        let c = self.clients.iter().position(|&x| x == client).unwrap();
        let rounds = &mut self.runs[w][c];
        if rounds.len() <= round {
            rounds.resize_with(round + 1, || None);
        }
        rounds[round] = Some(run);
    }

    /// The per-round value of `client` on workload `w` (requests/s, or the hang-up p50 in µs),
    /// with the floor's of the same round.
    fn per_round(&self, w: usize, c: usize) -> (Vec<f64>, Vec<f64>) {
        let floor = self.clients.iter().position(|&x| x == Client::Floor);
        let value = |run: &Run| {
            if self.workloads[w] == Workload::HangUp {
                let mut l = run.latencies.clone();
                l.sort();
                micros(quantile(&l, 0.5))
            } else {
                run.per_second
            }
        };
        let mut values = Vec::new();
        let mut ratios = Vec::new();
        for (round, run) in self.runs[w][c].iter().enumerate() {
            let Some(run) = run else { continue };
            values.push(value(run));
            let floor_run = floor.and_then(|f| self.runs[w][f].get(round)?.as_ref());
            if let Some(floor_run) = floor_run {
                ratios.push(value(run) / value(floor_run));
            }
        }
        (values, ratios)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut summary: Vec<Vec<Option<Spread>>> = Vec::new();
        for (w, &workload) in self.workloads.iter().enumerate() {
            let _ = writeln!(out, "\n### {} (`{}`)\n", workload.title(), workload.name());
            if workload == Workload::HangUp {
                out.push_str(
                    "| client | p50 µs | p99 µs | p50 / floor's p50, median (min..max) | samples |\n\
                     |---|---:|---:|---:|---:|\n",
                );
            } else {
                out.push_str(
                    "| client | requests/s, median (min..max) | / floor, median (min..max) | requests |\n\
                     |---|---:|---:|---:|\n",
                );
            }
            let mut column = Vec::new();
            for (c, &client) in self.clients.iter().enumerate() {
                let (values, ratios) = self.per_round(w, c);
                let ratio = Spread::of(&ratios);
                column.push(ratio);
                let ratio_text = ratio.map_or("-".into(), |r| {
                    format!("{:.2} ({:.2}..{:.2})", r.median, r.min, r.max)
                });
                let runs = self.runs[w][c].iter().flatten();
                if workload == Workload::HangUp {
                    let mut all: Vec<Duration> =
                        runs.flat_map(|r| r.latencies.iter().copied()).collect();
                    all.sort();
                    let _ = writeln!(
                        out,
                        "| {} | {:.1} | {:.1} | {ratio_text} | {} |",
                        client.name(),
                        micros(quantile(&all, 0.5)),
                        micros(quantile(&all, 0.99)),
                        all.len()
                    );
                } else {
                    let requests: u64 = runs.map(|r| r.requests).sum();
                    let Some(v) = Spread::of(&values) else {
                        let _ = writeln!(out, "| {} | (no run) | - | 0 |", client.name());
                        continue;
                    };
                    let _ = writeln!(
                        out,
                        "| {} | {:.0} ({:.0}..{:.0}) | {ratio_text} | {requests} |",
                        client.name(),
                        v.median,
                        v.min,
                        v.max
                    );
                }
            }
            summary.push(column);
        }
        out.push_str("\n### Summary: median ratio to the floor of the same round\n\n");
        out.push_str(
            "(requests/s: higher is better; hang-up: p50 time, lower is better)\n\n| client |",
        );
        for workload in &self.workloads {
            let _ = write!(out, " {} |", workload.name());
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(self.workloads.len()));
        out.push('\n');
        for (c, client) in self.clients.iter().enumerate() {
            let _ = write!(out, "| {} |", client.name());
            for column in &summary {
                match column[c] {
                    Some(r) => {
                        let _ = write!(out, " {:.2} |", r.median);
                    }
                    None => out.push_str(" - |"),
                }
            }
            out.push('\n');
        }
        out
    }
}

/// What was measured where: the machine and the run's settings.
pub fn header(pinned: bool, rounds: usize, max_time: Duration, quick: bool) -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let status = read("/proc/self/status");
    let allowed = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap_or("?")
        .trim()
        .to_string();
    let online = read("/sys/devices/system/cpu/online");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Loopback, {}{}\n",
        if pinned {
            "pinned: server and clients on CPU 0 (`taskset -c 0`)"
        } else {
            "unpinned"
        },
        if quick {
            " (--quick: a smoke run, not a measurement)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "CPUs online {}, allowed to this process {allowed}; kernel {}; {rounds} round(s), each run \
         bounded by a request count and {} ms; server: one thread in this process, one \
         connection at a time.",
        online.trim(),
        read("/proc/sys/kernel/osrelease").trim(),
        max_time.as_millis()
    );
    out
}
