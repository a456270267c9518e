//! Tracing for the adapters and the pool (feature `tracing`): `tracing` events for a connection
//! opened, reused, found stale, closed (with its reason), and each retry decision. Without the
//! feature the macros expand to nothing: no code, no cost.

/// A `tracing::debug!` event under the feature; nothing without it.
macro_rules! trace_debug {
    ($($arg:tt)*) => {
        #[cfg(feature = "tracing")]
        {
            ::tracing::debug!(target: "h1conn", $($arg)*);
        }
    };
}

pub(crate) use trace_debug;
