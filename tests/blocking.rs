//! The blocking adapter against real loopback servers: the shared scenario list.

mod support;

use support::blocking_adapter::Blocking;

adapter_scenarios!(Blocking);
