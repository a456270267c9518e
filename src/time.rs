//! Time as an input: the connection never reads a clock.
//!
//! [`Instant`] is a point on the caller's own monotonic timeline, counted in nanoseconds from an
//! epoch the caller picks (process start, boot, a simulated zero). Durations are
//! [`core::time::Duration`]. Every `handle_*` input and every command that can start a timer takes
//! `now: Instant`; [`Connection::poll_timeout`](crate::Connection::poll_timeout) hands back the
//! next deadline on the same timeline. This keeps the core `no_std` and makes simulated time
//! trivial, as in smoltcp.

use core::fmt;
use core::ops::Add;
use core::time::Duration;

/// A point in time on the caller's monotonic clock, with nanosecond resolution.
///
/// Only differences between instants matter; the epoch is the caller's choice and must stay the
/// same for the life of a [`Connection`](crate::Connection). Arithmetic saturates instead of
/// panicking, so a nonsensical clock can delay or hasten a timeout but never crash the machine.
///
/// ```
/// use h1conn::Instant;
/// use std::time::Duration;
///
/// // A std runtime: pick an origin once, convert on every call.
/// let origin = std::time::Instant::now();
/// let now = Instant::from_duration(origin.elapsed());
/// let deadline = now + Duration::from_secs(1);
/// assert_eq!(deadline.saturating_duration_since(now), Duration::from_secs(1));
/// // And back: how long to sleep until a deadline from `poll_timeout`.
/// let sleep_for = deadline.saturating_duration_since(Instant::from_duration(origin.elapsed()));
/// assert!(sleep_for <= Duration::from_secs(1));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant {
    nanos: u64,
}

impl Instant {
    /// The epoch of the caller's timeline.
    pub const ZERO: Instant = Instant { nanos: 0 };

    /// The instant `nanos` nanoseconds after the epoch.
    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant { nanos }
    }

    /// The instant `millis` milliseconds after the epoch (saturating).
    pub const fn from_millis(millis: u64) -> Instant {
        Instant {
            nanos: millis.saturating_mul(1_000_000),
        }
    }

    /// The instant `elapsed` after the epoch (saturating at about 584 years).
    pub const fn from_duration(elapsed: Duration) -> Instant {
        let nanos = elapsed.as_nanos();
        Instant {
            nanos: if nanos > u64::MAX as u128 {
                u64::MAX
            } else {
                nanos as u64
            },
        }
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> u64 {
        self.nanos
    }

    /// Time elapsed since the epoch.
    pub const fn duration_since_epoch(self) -> Duration {
        Duration::from_nanos(self.nanos)
    }

    /// `self - earlier`, or zero when `earlier` is later than `self`.
    pub const fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.nanos.saturating_sub(earlier.nanos))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturating: a deadline past the end of the timeline stays at the end.
    fn add(self, rhs: Duration) -> Instant {
        let rhs = u64::try_from(rhs.as_nanos()).unwrap_or(u64::MAX);
        Instant {
            nanos: self.nanos.saturating_add(rhs),
        }
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instant({:?})", self.duration_since_epoch())
    }
}

/// The earlier of two optional deadlines (`None` is no deadline).
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let t = Instant::from_nanos(u64::MAX - 1);
        assert_eq!(t + Duration::from_secs(1), Instant::from_nanos(u64::MAX));
        assert_eq!(
            Instant::from_millis(1).saturating_duration_since(Instant::from_millis(2)),
            Duration::ZERO
        );
        assert_eq!(
            Instant::from_duration(Duration::MAX),
            Instant::from_nanos(u64::MAX)
        );
    }

    #[test]
    fn conversions_agree() {
        let t = Instant::from_millis(1500);
        assert_eq!(t.as_nanos(), 1_500_000_000);
        assert_eq!(t.duration_since_epoch(), Duration::from_millis(1500));
        assert_eq!(Instant::from_duration(Duration::from_millis(1500)), t);
        assert_eq!(
            (t + Duration::from_millis(500)).saturating_duration_since(t),
            Duration::from_millis(500)
        );
    }
}
