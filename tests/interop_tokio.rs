//! The tokio adapter against nginx and Python's http.server (started by the tests; skipped
//! with a message where they are not installed).

mod support;

use support::tokio_adapter::Tokio;

#[test]
fn nginx() {
    support::interop::against_nginx(&Tokio::new());
}

#[test]
fn python_http_server() {
    support::interop::against_python(&Tokio::new());
}
