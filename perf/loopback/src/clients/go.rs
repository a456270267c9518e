//! The Go client: `perf/loopback/go/client.go` (net/http, standard library only), built with
//! the local Go toolchain, offline, into `target/go-client`, and run once per workload and round
//! as a child process (it inherits the harness's CPU affinity). It times itself the way the
//! Rust clients do; its process start is outside the timing.

use super::{FailedAt, Limit, Outcome, err};
use crate::workload::Workload;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub struct GoClient {
    binary: PathBuf,
}

impl GoClient {
    /// Builds the client; `Err` says why not (no Go toolchain, a build failure).
    /// `LOOPBACK_GO_CLIENT=path` uses a client built earlier instead (so `strace -f` on the
    /// harness does not trace `go build`).
    pub fn build() -> Result<GoClient, String> {
        if let Some(binary) = std::env::var_os("LOOPBACK_GO_CLIENT") {
            return Ok(GoClient {
                binary: binary.into(),
            });
        }
        let package = Path::new(env!("CARGO_MANIFEST_DIR"));
        let binary = package.join("target").join("go-client");
        let version = Command::new("go").arg("version").output();
        if !version.is_ok_and(|v| v.status.success()) {
            return Err("no `go` on PATH (apt-get install golang-go)".into());
        }
        let mut build = Command::new("go");
        build
            .args(["build", "-o"])
            .arg(&binary)
            .arg(".")
            .current_dir(package.join("go"))
            // Offline, standard library only, with the installed toolchain.
            .env("GOFLAGS", "")
            .env("GOPROXY", "off")
            .env("GOTOOLCHAIN", "local");
        if std::env::var_os("GOCACHE").is_none() && std::env::var_os("HOME").is_none() {
            build.env("GOCACHE", package.join("target").join("go-cache"));
        }
        let out = build.output().map_err(|e| format!("go build: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "go build failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(GoClient { binary })
    }

    pub fn run(
        &self,
        workload: Workload,
        addr: SocketAddr,
        limit: Limit,
    ) -> Result<Outcome, String> {
        let out = Command::new(&self.binary)
            .arg(addr.to_string())
            .arg(workload.name())
            .arg(limit.count.to_string())
            .arg(limit.time.as_millis().to_string())
            .output()
            .map_err(|e| err(workload, format!("go client: {e}")))?;
        if !out.status.success() {
            return Err(err(workload, String::from_utf8_lossy(&out.stderr).trim()));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut requests = None;
        let mut elapsed = None;
        let mut failed_at = Vec::new();
        for line in stdout.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words[..] {
                ["requests", n, "elapsed_ns", ns] => {
                    requests = n.parse().ok();
                    elapsed = ns.parse().ok().map(Duration::from_nanos);
                }
                ["failed_at", ns] => failed_at.push(
                    ns.parse()
                        .map_err(|_| err(workload, format!("go client said {line:?}")))?,
                ),
                _ => return Err(err(workload, format!("go client said {line:?}"))),
            }
        }
        match (requests, elapsed) {
            (Some(requests), Some(elapsed)) => Ok(Outcome {
                requests,
                elapsed,
                failed_at: FailedAt::Realtime(failed_at),
                closed_at: Vec::new(),
            }),
            _ => Err(err(workload, format!("go client said {stdout:?}"))),
        }
    }
}
