//! The tokio adapter against real loopback servers: the shared scenario list, then what only an
//! async adapter has (the hang-up error without a timer, cancellation by dropping futures).

mod support;

use support::tokio_adapter::Tokio;

adapter_scenarios!(Tokio::new());
