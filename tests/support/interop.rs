//! Servers no one here wrote, started by the tests on a loopback port with their own files:
//! nginx (its Debian package; `.ci/run` installs it) and Python's `http.server` (HTTP/1.0).
//! Where one is not installed, its tests say so on stderr and pass without running.

use super::scenarios::{Adapter, TestBody};
use h1conn::{CloseReason, Config, Request, Reuse};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A child server process, killed and its directory removed when dropped.
pub struct External {
    child: Child,
    pub addr: SocketAddr,
    dir: PathBuf,
}

impl Drop for External {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("h1conn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www")).expect("scratch directory");
    dir
}

/// Waits (bounded: 10 s) until the server accepts connections.
fn wait_listening(addr: SocketAddr, child: &mut Child) -> bool {
    for _ in 0..200 {
        if TcpStream::connect(addr).is_ok() {
            return true;
        }
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

pub const FILE: &[u8] = b"static file served by someone else\n";

fn write_files(www: &Path) {
    std::fs::write(www.join("file.txt"), FILE).expect("file");
    let big: Vec<u8> = (0..200_000u32)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    std::fs::write(www.join("big.txt"), big).expect("file");
}

/// nginx with: keep-alive limited to 5 requests and 1 s idle, bodies limited to 1 KiB, gzip for
/// text (so `big.txt` comes chunked), `/empty` answering 204.
pub fn nginx() -> Option<External> {
    let Some(program) = find_program(&["nginx"]) else {
        eprintln!("interop: nginx is not installed (apt-get install nginx); skipping its tests");
        return None;
    };
    let dir = scratch("nginx");
    write_files(&dir.join("www"));
    let port = free_port();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log;\nevents {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         keepalive_requests 5;\n  keepalive_timeout 1s;\n  client_max_body_size 1k;\n\
         gzip on;\n  gzip_types text/plain;\n  gzip_min_length 0;\n  default_type text/plain;\n\
         server {{\n    listen 127.0.0.1:{port};\n    root {d}/www;\n\
         location = /empty {{ return 204; }}\n    location = /upload {{ return 200 \"stored\\n\"; }}\n  }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).expect("config");
    let mut child = Command::new(program)
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    if !wait_listening(addr, &mut child) {
        let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
        panic!("nginx did not start: {log}");
    }
    Some(External { child, addr, dir })
}

/// Python's `http.server` answering HTTP/1.0: files with `Content-Length`, and `/stream`, a body
/// delimited by the server closing the connection.
pub fn python() -> Option<External> {
    let Some(program) = find_program(&["python3", "python"]) else {
        eprintln!("interop: python3 is not installed; skipping its tests");
        return None;
    };
    let dir = scratch("python");
    write_files(&dir.join("www"));
    let port = free_port();
    let script = "import http.server, sys\n\
        class H(http.server.SimpleHTTPRequestHandler):\n\
        \x20   protocol_version = 'HTTP/1.0'\n\
        \x20   def log_message(self, *a): pass\n\
        \x20   def do_GET(self):\n\
        \x20       if self.path == '/stream':\n\
        \x20           self.send_response(200)\n\
        \x20           self.send_header('Content-Type', 'text/plain')\n\
        \x20           self.end_headers()\n\
        \x20           self.wfile.write(b'until the server closes\\n' * 1000)\n\
        \x20       else:\n\
        \x20           super().do_GET()\n\
        http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])),\n\
        \x20   lambda *a, **k: H(*a, directory=sys.argv[2], **k)).serve_forever()\n";
    let mut child = Command::new(program)
        .arg("-c")
        .arg(script)
        .arg(port.to_string())
        .arg(dir.join("www"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    assert!(
        wait_listening(addr, &mut child),
        "python http.server did not start"
    );
    Some(External { child, addr, dir })
}

fn get(path: &str) -> Request<'_> {
    Request::get(path).header("Host", "localhost")
}

fn header<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// Against nginx: static files, HEAD, 304 with ETag, 204, a chunked (gzip) body, the keep-alive
/// request limit, `keepalive_timeout` closing an idle connection, and `413` during an upload.
pub fn against_nginx<A: Adapter>(a: &A) {
    let Some(nginx) = nginx() else { return };
    let conn = a.connect(nginx.addr, Config::default());
    let got = a.send(&conn, &get("/file.txt"), TestBody::Empty).unwrap();
    assert_eq!((got.status, got.body.as_slice()), (200, FILE));
    assert_eq!(got.reuse, Some(Reuse::KeepAlive));
    let etag = header(&got.headers, "etag")
        .expect("nginx sends an ETag")
        .to_vec();

    let head = Request::new("HEAD", "/file.txt").header("Host", "localhost");
    let got = a.send(&conn, &head, TestBody::Empty).unwrap();
    assert_eq!((got.status, got.body.len()), (200, 0));
    assert_eq!(
        header(&got.headers, "content-length"),
        Some(FILE.len().to_string().as_bytes())
    );

    let cached = get("/file.txt").header("If-None-Match", &etag);
    let got = a.send(&conn, &cached, TestBody::Empty).unwrap();
    assert_eq!((got.status, got.body.len()), (304, 0));

    let got = a.send(&conn, &get("/empty"), TestBody::Empty).unwrap();
    assert_eq!((got.status, got.body.len()), (204, 0));

    // The fifth request on the connection is nginx's last (keepalive_requests 5).
    let gzip = get("/big.txt").header("Accept-Encoding", "gzip");
    let got = a.send(&conn, &gzip, TestBody::Empty).unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(
        header(&got.headers, "transfer-encoding"),
        Some(&b"chunked"[..])
    );
    assert_eq!(&got.body[..2], [0x1f, 0x8b], "a gzip stream");
    assert_eq!(
        got.reuse,
        Some(Reuse::Close(CloseReason::ServerRequestedClose))
    );

    // keepalive_timeout: an idle connection is closed by nginx; noticed without a request.
    let conn = a.connect(nginx.addr, Config::default());
    a.send(&conn, &get("/file.txt"), TestBody::Empty).unwrap();
    let mut reason = None;
    for _ in 0..100 {
        reason = a.check_idle(&conn);
        if reason.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(reason, Some(CloseReason::PeerClosedIdle));

    // 413 during an upload larger than client_max_body_size (nginx judges the declared
    // Content-Length as soon as the head arrived, and answers while the body is on its way).
    let conn = a.connect(nginx.addr, Config::default());
    let upload = Request::new("POST", "/upload")
        .header("Host", "localhost")
        .body(h1conn::RequestBody::Length(4 << 20));
    let got = a
        .send(&conn, &upload, TestBody::Stream(vec![b'u'; 4 << 20]))
        .unwrap();
    assert_eq!(got.status, 413);
    assert!(matches!(got.reuse, Some(Reuse::Close(_))));
}

/// Against Python's HTTP/1.0 server: a file (Content-Length, then the HTTP/1.0 close), HEAD,
/// and a close-delimited body.
pub fn against_python<A: Adapter>(a: &A) {
    let Some(python) = python() else { return };
    let conn = a.connect(python.addr, Config::default());
    let got = a.send(&conn, &get("/file.txt"), TestBody::Empty).unwrap();
    assert_eq!((got.status, got.body.as_slice()), (200, FILE));
    assert!(
        matches!(got.reuse, Some(Reuse::Close(_))),
        "{:?}",
        got.reuse
    );

    let conn = a.connect(python.addr, Config::default());
    let head = Request::new("HEAD", "/file.txt").header("Host", "localhost");
    let got = a.send(&conn, &head, TestBody::Empty).unwrap();
    assert_eq!((got.status, got.body.len()), (200, 0));

    let conn = a.connect(python.addr, Config::default());
    let got = a.send(&conn, &get("/stream"), TestBody::Empty).unwrap();
    assert_eq!(got.body.len(), 24 * 1000);
    assert_eq!(got.reuse, Some(Reuse::Close(CloseReason::EndOfBody)));

    let conn = a.connect(python.addr, Config::default());
    let got = a.send(&conn, &get("/missing"), TestBody::Empty).unwrap();
    assert_eq!(got.status, 404);
}
