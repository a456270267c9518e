//! The runnable examples that need nothing outside the repository, run to completion.

#[path = "../examples/poll_loop.rs"]
#[allow(dead_code)]
mod poll_loop;

use std::sync::mpsc;
use std::time::Duration;

#[test]
fn poll_loop_completes() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(poll_loop::main().map_err(|e| e.to_string()));
    });
    // A guard against a hang, not a timing assertion: the example takes milliseconds.
    let result = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("the poll loop finishes");
    assert_eq!(result, Ok(()));
}

#[path = "../examples/demo.rs"]
#[allow(dead_code)]
mod demo;

#[test]
fn demo_completes() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(demo::main().map_err(|e| e.to_string()));
    });
    let result = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("the demo finishes");
    assert_eq!(result, Ok(()));
}

#[path = "../examples/tls.rs"]
#[allow(dead_code)]
mod tls;

#[test]
fn tls_completes() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(tls::main().map_err(|e| e.to_string()));
    });
    let result = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("the TLS example finishes");
    assert_eq!(result, Ok(()));
}
