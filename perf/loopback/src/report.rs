//! The tables: per workload, every client's requests/s (median and min..max over the rounds)
//! and its ratio to the floor of the same round; for the hang-up, the time from the server's
//! close to the caller's error (p50 and p99 over every sample of every round) and the ratio of
//! each round's p50 to the floor's (and to the floor's time once it has closed its socket).

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
    /// Hang-up, the floor only: server close to the floor's own close returning.
    pub latencies_closed: Vec<Duration>,
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

    /// One value per round of client `c` on workload `w` (`None` for a round without a run).
    fn series(&self, w: usize, c: usize, value: impl Fn(&Run) -> f64) -> Vec<Option<f64>> {
        self.runs[w][c]
            .iter()
            .map(|r| r.as_ref().map(&value))
            .collect()
    }

    fn floor(&self) -> Option<usize> {
        self.clients.iter().position(|&x| x == Client::Floor)
    }

    /// Round-by-round ratios of `values` to `base` (rounds where both ran).
    fn ratios(values: &[Option<f64>], base: &[Option<f64>]) -> Option<Spread> {
        let r: Vec<f64> = values
            .iter()
            .zip(base)
            .filter_map(|(v, b)| Some((*v)? / (*b)?))
            .collect();
        Spread::of(&r)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut summary: Vec<(String, Vec<Option<Spread>>)> = Vec::new();
        for (w, &workload) in self.workloads.iter().enumerate() {
            let _ = writeln!(out, "\n### {} (`{}`)\n", workload.title(), workload.name());
            if workload == Workload::HangUp {
                self.render_hang_up(w, &mut out, &mut summary);
                continue;
            }
            out.push_str(
                "| client | requests/s, median (min..max) | / floor, median (min..max) | requests |\n\
                 |---|---:|---:|---:|\n",
            );
            let floor = self
                .floor()
                .map(|f| self.series(w, f, |r| r.per_second))
                .unwrap_or_default();
            let mut column = Vec::new();
            for (c, client) in self.clients.iter().enumerate() {
                let values = self.series(w, c, |r| r.per_second);
                let ratio = Self::ratios(&values, &floor);
                column.push(ratio);
                let requests: u64 = self.runs[w][c].iter().flatten().map(|r| r.requests).sum();
                let present: Vec<f64> = values.iter().flatten().copied().collect();
                let Some(v) = Spread::of(&present) else {
                    let _ = writeln!(out, "| {} | (no run) | - | 0 |", client.name());
                    continue;
                };
                let _ = writeln!(
                    out,
                    "| {} | {:.0} ({:.0}..{:.0}) | {} | {requests} |",
                    client.name(),
                    v.median,
                    v.min,
                    v.max,
                    spread_text(ratio)
                );
            }
            summary.push((workload.name().into(), column));
        }
        render_summary(&self.clients, &summary, &mut out);
        out
    }

    /// The hang-up table: p50 and p99 over every sample of every round, and each round's p50
    /// against the floor's (its error) and against the floor's time once its socket is closed.
    fn render_hang_up(
        &self,
        w: usize,
        out: &mut String,
        summary: &mut Vec<(String, Vec<Option<Spread>>)>,
    ) {
        let p50 = |samples: &[Duration]| {
            let mut s = samples.to_vec();
            s.sort();
            micros(quantile(&s, 0.5))
        };
        let (floor, floor_closed) = match self.floor() {
            Some(f) => (
                self.series(w, f, |r| p50(&r.latencies)),
                self.series(w, f, |r| p50(&r.latencies_closed)),
            ),
            None => Default::default(),
        };
        out.push_str(
            "| client | p50 µs | p99 µs | p50 / floor's, median (min..max) | p50 / floor + close's, median (min..max) | samples |\n\
             |---|---:|---:|---:|---:|---:|\n",
        );
        let row =
            |out: &mut String, name: &str, samples: Vec<Duration>, values: Vec<Option<f64>>| {
                let mut all = samples;
                all.sort();
                let _ = writeln!(
                    out,
                    "| {name} | {:.1} | {:.1} | {} | {} | {} |",
                    micros(quantile(&all, 0.5)),
                    micros(quantile(&all, 0.99)),
                    spread_text(Self::ratios(&values, &floor)),
                    spread_text(Self::ratios(&values, &floor_closed)),
                    all.len()
                );
            };
        let mut to_floor = Vec::new();
        let mut to_closed = Vec::new();
        for (c, client) in self.clients.iter().enumerate() {
            let runs = || self.runs[w][c].iter().flatten();
            let values = self.series(w, c, |r| p50(&r.latencies));
            to_floor.push(Self::ratios(&values, &floor));
            to_closed.push(Self::ratios(&values, &floor_closed));
            row(
                out,
                client.name(),
                runs().flat_map(|r| r.latencies.iter().copied()).collect(),
                values,
            );
            if *client == Client::Floor {
                row(
                    out,
                    "floor + close",
                    runs()
                        .flat_map(|r| r.latencies_closed.iter().copied())
                        .collect(),
                    floor_closed.clone(),
                );
            }
        }
        summary.push(("hangup".into(), to_floor));
        summary.push(("hangup / floor + close".into(), to_closed));
    }
}

fn spread_text(s: Option<Spread>) -> String {
    s.map_or("-".into(), |r| {
        format!("{:.2} ({:.2}..{:.2})", r.median, r.min, r.max)
    })
}

fn render_summary(clients: &[Client], summary: &[(String, Vec<Option<Spread>>)], out: &mut String) {
    out.push_str("\n### Summary: median ratio to the floor of the same round\n\n");
    out.push_str(
        "(requests/s: higher is better; hang-up: p50 time, lower is better)\n\n| client |",
    );
    for (name, _) in summary {
        let _ = write!(out, " {name} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(summary.len()));
    out.push('\n');
    for (c, client) in clients.iter().enumerate() {
        let _ = write!(out, "| {} |", client.name());
        for (_, column) in summary {
            match column[c] {
                Some(r) => {
                    let _ = write!(out, " {:.2} |", r.median);
                }
                None => out.push_str(" - |"),
            }
        }
        out.push('\n');
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
