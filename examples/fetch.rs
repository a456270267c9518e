//! A curl-like client on the adapters; its output is a contract (`docs/fetch.md`).
//!
//! ```text
//! cargo run --example fetch -- [--tokio] [--pool [--concurrency C]] [--method M]
//!     [-H 'Name: value']... [--data TEXT] [--repeat N] [--timeout-ms T] URL...
//! ```
//!
//! Sends each request (each URL `--repeat` times, one after another) over plain TCP with the
//! blocking adapter (the tokio one with `--tokio`, built with `--features tokio`), reusing a
//! connection whenever the core says it may, and prints one line per request on stdout:
//! `response <status> <body-bytes>` or `error <kind> <retry>`, then `connections <n>`.
//! With `--pool`, requests go through the pooled `Client` (reuse and safe retries), up to
//! `--concurrency` at once, and a last line `retries <n>` follows. Diagnostics go to stderr.
//! Exit status 0, or 2 for bad arguments.

use h1conn::blocking::{Body, Client, Connection, Error, PoolKey};
use h1conn::pool::PoolConfig;
use h1conn::{Config, Progress, Request, RequestError};
use std::collections::HashMap;
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to fetch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--tokio`: use the tokio adapter.
    pub tokio: bool,
    /// `--pool`: go through the pooled client.
    pub pool: bool,
    /// `--concurrency`: requests in flight at once (with `--pool`).
    pub concurrency: usize,
    /// Request method (`GET`, or `POST` when `--data` is given).
    pub method: String,
    /// Extra header fields, in order.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub data: Option<String>,
    /// How many times each URL is fetched.
    pub repeat: usize,
    /// Bound on the wait for each response head.
    pub timeout: Option<Duration>,
    /// The targets, as `(authority, path)`.
    pub urls: Vec<(String, String)>,
}

/// Parses the command line (without the program name).
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        repeat: 1,
        concurrency: 1,
        ..Options::default()
    };
    let mut method = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--tokio" => opts.tokio = true,
            "--pool" => opts.pool = true,
            "--concurrency" => {
                opts.concurrency = value("--concurrency")?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?;
                if opts.concurrency == 0 {
                    return Err("--concurrency must be at least 1".into());
                }
            }
            "--method" | "-X" => method = Some(value("--method")?),
            "-H" | "--header" => {
                let line = value("-H")?;
                let (name, v) = line
                    .split_once(':')
                    .ok_or(format!("-H {line:?}: expected 'Name: value'"))?;
                opts.headers
                    .push((name.trim().to_owned(), v.trim().to_owned()));
            }
            "--data" | "-d" => opts.data = Some(value("--data")?),
            "--repeat" => {
                opts.repeat = value("--repeat")?
                    .parse()
                    .map_err(|e| format!("--repeat: {e}"))?;
            }
            "--timeout-ms" => {
                let ms: u64 = value("--timeout-ms")?
                    .parse()
                    .map_err(|e| format!("--timeout-ms: {e}"))?;
                opts.timeout = Some(Duration::from_millis(ms));
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
            url => opts.urls.push(parse_url(url)?),
        }
    }
    if opts.urls.is_empty() {
        return Err("no URL".into());
    }
    if opts.concurrency > 1 && !opts.pool {
        return Err("--concurrency needs --pool".into());
    }
    opts.method =
        method.unwrap_or_else(|| if opts.data.is_some() { "POST" } else { "GET" }.to_owned());
    if opts.method.is_empty() || !opts.method.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("--method {:?} is not a method", opts.method));
    }
    Ok(opts)
}

/// `http://host[:port][/path]` → (`host:port`, `/path`).
fn parse_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or(format!("{url:?}: only http:// URLs are supported"))?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(at) if rest[at..].starts_with('?') => (&rest[..at], format!("/{}", &rest[at..])),
        Some(at) => (&rest[..at], rest[at..].to_owned()),
        None => (rest, "/".to_owned()),
    };
    if authority.is_empty() {
        return Err(format!("{url:?}: no host"));
    }
    let authority = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.contains(']'))
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    Ok((authority, path))
}

/// The request the options describe, for `path` on `authority`.
fn request<'a>(opts: &'a Options, authority: &'a str, path: &'a str) -> Request<'a> {
    let mut request = Request::new(&opts.method, path).header("Host", authority);
    for (name, value) in &opts.headers {
        request = request.header(name, value);
    }
    request
}

/// The request body (`--data`), if any.
fn body_bytes(opts: &Options) -> Option<h1conn::Bytes> {
    opts.data.as_ref().map(|text| text.clone().into())
}

/// The one line printed for a failure: `error <kind> <retry>`.
fn error_line(e: &RequestError) -> String {
    let retry = match e.progress() {
        Progress::NotSent => "not-sent",
        Progress::SentNoResponse => "no-response",
        Progress::ResponseStarted => "partial",
    };
    format!("error {} {retry}", e.kind().name())
}

/// Runs the requests with the blocking adapter; returns the lines to print.
pub fn run_blocking(opts: &Options) -> Vec<String> {
    let config = config(opts);
    let mut open: HashMap<String, Connection<TcpStream>> = HashMap::new();
    let mut connections = 0usize;
    let mut lines = Vec::new();
    for (authority, path) in &opts.urls {
        for _ in 0..opts.repeat {
            let reusable = open.get(authority).is_some_and(Connection::is_ready);
            if !reusable {
                open.remove(authority);
                match Connection::connect(authority.as_str(), config.clone()) {
                    Ok(conn) => {
                        connections += 1;
                        open.insert(authority.clone(), conn);
                    }
                    Err(e) => {
                        eprintln!("fetch: connect {authority}: {e}");
                        lines.push("error connect not-sent".to_owned());
                        continue;
                    }
                }
            }
            let conn = &open[authority];
            let request = request(opts, authority, path);
            let body = match body_bytes(opts) {
                Some(bytes) => Body::Bytes(bytes),
                None => Body::Empty,
            };
            let line = match conn.send(&request, body) {
                Ok(mut response) => {
                    let status = response.status();
                    finish(status, || response.chunk())
                }
                Err(Error::Request(e)) => error_line(&e),
                Err(e) => {
                    eprintln!("fetch: {e}");
                    "error usage not-sent".to_owned()
                }
            };
            lines.push(line);
        }
    }
    lines.push(format!("connections {connections}"));
    lines
}

/// The config the options ask for.
fn config(opts: &Options) -> Config {
    let mut config = Config::default();
    if let Some(timeout) = opts.timeout {
        config = config.response_head_timeout(Some(timeout));
    }
    config
}

/// Reads a whole response body; the request's one line.
fn finish(status: u16, mut next: impl FnMut() -> Result<Option<h1conn::Bytes>, Error>) -> String {
    let mut size = 0usize;
    loop {
        match next() {
            Ok(Some(piece)) => size += piece.len(),
            Ok(None) => return format!("response {status} {size}"),
            Err(Error::Request(e)) => return error_line(&e),
            Err(e) => {
                eprintln!("fetch: {e}");
                return "error usage partial".to_owned();
            }
        }
    }
}

/// Runs the requests through the pooled client, `--concurrency` at a time; lines in request
/// order, then `connections` and `retries`.
pub fn run_pool(opts: &Options) -> Vec<String> {
    let opened = Arc::new(AtomicUsize::new(0));
    let counter = opened.clone();
    let client =
        Client::with_connector(config(opts), PoolConfig::default(), move |key: &PoolKey| {
            let stream = std::net::TcpStream::connect((key.host.as_str(), key.port))?;
            stream.set_nodelay(true)?;
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(stream)
        });
    let jobs: Vec<(String, String)> = opts
        .urls
        .iter()
        .flat_map(|u| std::iter::repeat_n(u.clone(), opts.repeat))
        .collect();
    let lines = Mutex::new(vec![String::new(); jobs.len()]);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..opts.concurrency.min(jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((authority, path)) = jobs.get(i) else {
                        break;
                    };
                    let line = pooled_request(&client, opts, authority, path);
                    lines.lock().unwrap()[i] = line;
                }
            });
        }
    });
    let mut lines = lines.into_inner().unwrap();
    lines.push(format!("connections {}", opened.load(Ordering::SeqCst)));
    lines.push(format!("retries {}", client.retries()));
    lines
}

fn pooled_request(client: &Client, opts: &Options, authority: &str, path: &str) -> String {
    let Some(key) = pool_key(authority) else {
        return "error connect not-sent".to_owned();
    };
    let request = request(opts, authority, path);
    let body = match body_bytes(opts) {
        Some(bytes) => Body::Bytes(bytes),
        None => Body::Empty,
    };
    match client.send(&key, &request, body) {
        Ok(mut response) => {
            let status = response.status();
            finish(status, || response.chunk())
        }
        Err(Error::Request(e)) => error_line(&e),
        Err(Error::Connect(e)) => {
            eprintln!("fetch: connect {authority}: {e}");
            "error connect not-sent".to_owned()
        }
        Err(e) => {
            eprintln!("fetch: {e}");
            "error usage not-sent".to_owned()
        }
    }
}

/// [`finish`] for the tokio adapter's responses.
#[cfg(feature = "tokio")]
async fn finish_tokio(
    status: u16,
    mut next: impl AsyncFnMut() -> Result<Option<h1conn::Bytes>, h1conn::tokio::Error>,
) -> String {
    let mut size = 0usize;
    loop {
        match next().await {
            Ok(Some(piece)) => size += piece.len(),
            Ok(None) => return format!("response {status} {size}"),
            Err(h1conn::tokio::Error::Request(e)) => return error_line(&e),
            Err(e) => {
                eprintln!("fetch: {e}");
                return "error usage partial".to_owned();
            }
        }
    }
}

/// Runs the requests with the tokio adapter, one after another; the same lines as
/// [`run_blocking`].
#[cfg(feature = "tokio")]
pub fn run_tokio(opts: &Options) -> Vec<String> {
    use h1conn::tokio::{Body, Connection, Error};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let config = config(opts);
        let mut open: HashMap<String, Connection> = HashMap::new();
        let mut connections = 0usize;
        let mut lines = Vec::new();
        for (authority, path) in &opts.urls {
            for _ in 0..opts.repeat {
                let reusable = open.get(authority).is_some_and(Connection::is_ready);
                if !reusable {
                    open.remove(authority);
                    match Connection::connect(authority.as_str(), config.clone()).await {
                        Ok(conn) => {
                            connections += 1;
                            open.insert(authority.clone(), conn);
                        }
                        Err(e) => {
                            eprintln!("fetch: connect {authority}: {e}");
                            lines.push("error connect not-sent".to_owned());
                            continue;
                        }
                    }
                }
                let conn = &open[authority];
                let request = request(opts, authority, path);
                let body = match body_bytes(opts) {
                    Some(bytes) => Body::Bytes(bytes),
                    None => Body::Empty,
                };
                let line = match conn.send(&request, body).await {
                    Ok(mut response) => {
                        let status = response.status();
                        finish_tokio(status, async || response.chunk().await).await
                    }
                    Err(Error::Request(e)) => error_line(&e),
                    Err(e) => {
                        eprintln!("fetch: {e}");
                        "error usage not-sent".to_owned()
                    }
                };
                lines.push(line);
            }
        }
        lines.push(format!("connections {connections}"));
        lines
    })
}

/// Runs the requests through the tokio adapter's pooled client, `--concurrency` tasks at a
/// time; the same lines as [`run_pool`].
#[cfg(feature = "tokio")]
pub fn run_tokio_pool(opts: &Options) -> Vec<String> {
    use h1conn::tokio::{Body, Client, Error};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let opened = Arc::new(AtomicUsize::new(0));
        let counter = opened.clone();
        let client = Client::with_connector(config(opts), PoolConfig::default(), move |key| {
            let counter = counter.clone();
            async move {
                let stream = tokio::net::TcpStream::connect((key.host.as_str(), key.port)).await?;
                stream.set_nodelay(true)?;
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(stream)
            }
        });
        let jobs: Vec<(String, String)> = opts
            .urls
            .iter()
            .flat_map(|u| std::iter::repeat_n(u.clone(), opts.repeat))
            .collect();
        let lines = Arc::new(Mutex::new(vec![String::new(); jobs.len()]));
        let next = Arc::new(AtomicUsize::new(0));
        let jobs = Arc::new(jobs);
        let workers: Vec<_> = (0..opts.concurrency.min(jobs.len().max(1)))
            .map(|_| {
                let (client, jobs, lines, next, opts) = (
                    client.clone(),
                    jobs.clone(),
                    lines.clone(),
                    next.clone(),
                    opts.clone(),
                );
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some((authority, path)) = jobs.get(i) else {
                            break;
                        };
                        let Some(key) = pool_key(authority) else {
                            lines.lock().unwrap()[i] = "error connect not-sent".to_owned();
                            continue;
                        };
                        let request = request(&opts, authority, path);
                        let body = match body_bytes(&opts) {
                            Some(bytes) => Body::Bytes(bytes),
                            None => Body::Empty,
                        };
                        let line = match client.send(&key, &request, body).await {
                            // (An explicit loop: `finish_tokio`'s async closure is not
                            // `Send` enough for a spawned task.)
                            Ok(mut response) => {
                                let status = response.status();
                                let mut size = 0usize;
                                loop {
                                    match response.chunk().await {
                                        Ok(Some(piece)) => size += piece.len(),
                                        Ok(None) => break format!("response {status} {size}"),
                                        Err(Error::Request(e)) => break error_line(&e),
                                        Err(e) => {
                                            eprintln!("fetch: {e}");
                                            break "error usage partial".to_owned();
                                        }
                                    }
                                }
                            }
                            Err(Error::Request(e)) => error_line(&e),
                            Err(Error::Connect(e)) => {
                                eprintln!("fetch: connect {authority}: {e}");
                                "error connect not-sent".to_owned()
                            }
                            Err(e) => {
                                eprintln!("fetch: {e}");
                                "error usage not-sent".to_owned()
                            }
                        };
                        lines.lock().unwrap()[i] = line;
                    }
                })
            })
            .collect();
        for worker in workers {
            let _ = worker.await;
        }
        let mut lines = std::mem::take(&mut *lines.lock().unwrap());
        lines.push(format!("connections {}", opened.load(Ordering::SeqCst)));
        lines.push(format!("retries {}", client.retries()));
        lines
    })
}

/// `host:port` as a pool key.
fn pool_key(authority: &str) -> Option<PoolKey> {
    let (host, port) = authority.rsplit_once(':')?;
    let port = port.parse::<u16>().ok()?;
    Some(PoolKey::http(
        host.trim_start_matches('[').trim_end_matches(']'),
        port,
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("fetch: {e}");
            eprintln!(
                "usage: fetch [--tokio] [--method M] [-H 'Name: value']... [--data TEXT] [--repeat N] [--timeout-ms T] URL..."
            );
            return ExitCode::from(2);
        }
    };
    let lines = match (opts.tokio, opts.pool) {
        #[cfg(feature = "tokio")]
        (true, false) => run_tokio(&opts),
        #[cfg(feature = "tokio")]
        (true, true) => run_tokio_pool(&opts),
        #[cfg(not(feature = "tokio"))]
        (true, _) => {
            eprintln!("fetch: --tokio needs the tokio adapter: build with --features tokio");
            return ExitCode::from(2);
        }
        (false, true) => run_pool(&opts),
        (false, false) => run_blocking(&opts),
    };
    for line in lines {
        println!("{line}");
    }
    ExitCode::SUCCESS
}
