//! Loopback servers and the adapter scenario list, shared by the adapter test files.
// Each test binary uses its own part.
#![allow(dead_code)]
// Test servers keep real time (a lingering close waits a bounded while); the core never does.
#![allow(clippy::disallowed_methods)]

pub mod blocking_adapter;
pub mod interop;
pub mod pool;
pub mod scenarios;
pub mod server;
pub mod tokio_adapter;
