//! Event trace: feeds a server's bytes (stdin) to one connection and prints one line per fact.
//!
//! ```text
//! cargo run --example trace -- [--method M] [--upgrade] [--split N] [--requests K] < response.bin
//! ```
//!
//! The output format is a contract, documented in `docs/trace.md`. It never depends on
//! `--split`, and the exit status is 0 whatever the bytes were; bad arguments (an unknown option,
//! a missing or malformed value, `--split 0`, a `--method` that is not an RFC 9110 token,
//! `--requests` other than 1) print a message on stderr and exit with status 2.

use h1conn::{CloseReason, Config, Connection, Event, Instant, Request};
use std::fmt::Write as _;
use std::io::Read as _;

/// What to trace.
#[derive(Clone, Debug)]
pub struct Options {
    /// Request method.
    pub method: String,
    /// Ask for an upgrade (`Connection: upgrade`, `Upgrade: websocket`).
    pub upgrade: bool,
    /// Feed the input in pieces of this many bytes (`None`: all at once).
    pub split: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            method: "GET".into(),
            upgrade: false,
            split: None,
        }
    }
}

/// Parses the command line (without the program name).
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--method" => opts.method = value("--method")?,
            "--upgrade" => opts.upgrade = true,
            "--split" => {
                let n: usize = value("--split")?
                    .parse()
                    .map_err(|e| format!("--split: {e}"))?;
                if n == 0 {
                    return Err("--split: pieces must be at least 1 byte".into());
                }
                opts.split = Some(n);
            }
            "--requests" => {
                let k: usize = value("--requests")?
                    .parse()
                    .map_err(|e| format!("--requests: {e}"))?;
                if k != 1 {
                    return Err("pipelining is not built: h1conn sends one request at a time, so --requests must be 1".into());
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    // The method is checked by the rule the connection applies (`method = token`, RFC 9110
    // §9.1), so the tool cannot accept a method the trace would then refuse to send.
    let mut probe = Connection::new(Config::default());
    if let Err(e) = probe.send_request(&request(&opts), Instant::ZERO) {
        return Err(format!("--method {:?}: {e}", opts.method));
    }
    Ok(opts)
}

/// The request a trace sends.
fn request(opts: &Options) -> Request<'_> {
    let target = if opts.method == "CONNECT" {
        "example.com:443"
    } else {
        "/"
    };
    let request = Request::new(&opts.method, target).header("Host", "example.com");
    if opts.upgrade {
        request
            .header("Connection", "upgrade")
            .header("Upgrade", "websocket")
    } else {
        request
    }
}

fn escape(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// Runs one trace and returns its lines.
pub fn trace(opts: &Options, input: &[u8]) -> String {
    let mut out = String::new();
    let mut conn = Connection::new(Config::default());
    let now = Instant::ZERO;
    // `parse_args` refuses a request that would land here; `Options` built by hand may not.
    if let Err(e) = conn.send_request(&request(opts), now) {
        let _ = writeln!(out, "usage-error: {e}");
        return out;
    }
    while conn.poll_transmit().is_some() {}
    let piece = opts.split.unwrap_or(input.len()).max(1);
    let mut body = Vec::new();
    let mut fed = 0;
    let mut drain = |conn: &mut Connection, out: &mut String, fed: usize| {
        while let Some(event) = conn.poll_event() {
            match event {
                Event::Informational { head, .. } => {
                    let _ = writeln!(out, "informational {}", head.status());
                }
                Event::Head { head, .. } => {
                    let _ = writeln!(out, "response {} {}", head.status(), head.version());
                    for h in head.headers().iter() {
                        let _ = writeln!(out, "header {}: {}", h.name, escape(h.value));
                    }
                }
                Event::Data { data, .. } => body.extend_from_slice(&data),
                Event::End { trailers, .. } => {
                    if !body.is_empty() {
                        let _ = writeln!(out, "body {}", escape(&body));
                        body.clear();
                    }
                    for t in trailers.iter() {
                        let _ = writeln!(out, "trailer {}: {}", t.name, escape(t.value));
                    }
                    out.push_str("end\n");
                }
                Event::Upgraded { buffered, .. } => {
                    // Every input byte after the head: what the machine buffered plus what was
                    // never fed to it.
                    let _ = writeln!(out, "upgrade {}", buffered.len() + (input.len() - fed));
                }
                Event::RequestFailed { error, .. } => {
                    if !body.is_empty() {
                        let _ = writeln!(out, "body {}", escape(&body));
                        body.clear();
                    }
                    let _ = writeln!(out, "error {}: {}", error.kind().name(), error.kind());
                }
                Event::Idle => out.push_str("idle\n"),
                Event::Closed { reason } => match reason {
                    CloseReason::Lenient(leniency) => {
                        let _ = writeln!(out, "closed {} {}", reason.name(), leniency.name());
                    }
                    _ => {
                        let _ = writeln!(out, "closed {}", reason.name());
                    }
                },
                // The request is a GET without a body: there is never a body to stop.
                _ => {}
            }
        }
    };
    while fed < input.len() && !conn.is_closed() {
        let end = (fed + piece).min(input.len());
        let accepted = conn.handle_input(&input[fed..end], now).is_ok();
        if accepted {
            fed = end;
        }
        drain(&mut conn, &mut out, fed);
    }
    if !conn.is_closed() {
        let _ = conn.handle_eof(now);
    }
    drain(&mut conn, &mut out, fed);
    out
}

#[allow(dead_code)] // also compiled into tests/trace.rs, which does not call it
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("trace: {e}");
            std::process::exit(2);
        }
    };
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("trace: reading stdin: {e}");
        std::process::exit(2);
    }
    print!("{}", trace(&opts, &input));
}
