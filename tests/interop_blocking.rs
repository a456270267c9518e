//! The blocking adapter against nginx and Python's http.server (started by the tests; skipped
//! with a message where they are not installed).

mod support;

use support::blocking_adapter::Blocking;

#[test]
fn nginx() {
    support::interop::against_nginx(&Blocking);
}

#[test]
fn python_http_server() {
    support::interop::against_python(&Blocking);
}
