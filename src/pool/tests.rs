use super::*;
use crate::error::{EofPhase, Progress};
use alloc::vec::Vec;

const T0: Instant = Instant::ZERO;
const K: &str = "a:80";

fn connect(pool: &mut Pool<&'static str, u32>, key: &'static str) -> ConnectionId {
    match pool.checkout(&key, T0) {
        Checkout::Connect { id } => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn reuse_is_most_recent_first_and_counted() {
    let mut pool = Pool::new(PoolConfig::default());
    let a = connect(&mut pool, K);
    let b = connect(&mut pool, K);
    assert_eq!(pool.open(&K), 2);
    assert!(pool.checkin(&K, a, 1, true, None, T0).is_none());
    assert!(
        pool.checkin(&K, b, 2, true, None, T0 + Duration::from_secs(1))
            .is_none()
    );
    assert_eq!(pool.idle(&K), 2);
    assert_eq!(pool.checkout(&K, T0), Checkout::Reuse { id: b, conn: 2 });
    assert_eq!(pool.checkout(&K, T0), Checkout::Reuse { id: a, conn: 1 });
    assert_eq!((pool.idle(&K), pool.open(&K)), (0, 2));
}

#[test]
fn a_connection_that_is_not_reusable_is_dropped() {
    let mut pool = Pool::new(PoolConfig::default());
    let a = connect(&mut pool, K);
    assert!(pool.checkin(&K, a, 7, false, None, T0).is_none());
    assert_eq!(
        (pool.idle(&K), pool.open(&K), pool.poll_evicted()),
        (0, 0, Some(7))
    );
}

#[test]
fn idle_limits_evict_the_least_recently_used() {
    let mut pool = Pool::new(PoolConfig::default().max_idle_per_host(2).max_idle_total(3));
    let ids: Vec<_> = (0..3).map(|_| connect(&mut pool, K)).collect();
    for (n, id) in ids.iter().enumerate() {
        pool.checkin(
            &K,
            *id,
            n as u32,
            true,
            None,
            T0 + Duration::from_secs(n as u64),
        );
    }
    assert_eq!(pool.idle(&K), 2);
    assert_eq!(pool.poll_evicted(), Some(0));
    let other: Vec<_> = (0..2).map(|_| connect(&mut pool, "b:80")).collect();
    for (n, id) in other.iter().enumerate() {
        pool.checkin(
            &"b:80",
            *id,
            10 + n as u32,
            true,
            None,
            T0 + Duration::from_secs(10),
        );
    }
    // Three in all at most: the oldest of all (conn 1, from "a:80") goes.
    assert_eq!(pool.idle_total(), 3);
    assert_eq!(pool.poll_evicted(), Some(1));
}

#[test]
fn idle_connections_expire_by_our_timeout_or_before_the_servers() {
    let mut pool = Pool::new(PoolConfig::default().idle_timeout(Some(Duration::from_secs(90))));
    let a = connect(&mut pool, K);
    let b = connect(&mut pool, K);
    pool.checkin(&K, a, 1, true, None, T0);
    // The server said it keeps idle connections 5 s: evicted 1 s before, at 4 s.
    pool.checkin(&K, b, 2, true, Some(Duration::from_secs(5)), T0);
    assert_eq!(pool.poll_timeout(), Some(T0 + Duration::from_secs(4)));
    pool.handle_timeout(T0 + Duration::from_secs(4));
    assert_eq!(pool.poll_evicted(), Some(2));
    assert_eq!(pool.poll_timeout(), Some(T0 + Duration::from_secs(90)));
    // A checkout evicts what expired before handing anything out.
    assert!(matches!(
        pool.checkout(&K, T0 + Duration::from_secs(90)),
        Checkout::Connect { .. }
    ));
    assert_eq!(pool.poll_evicted(), Some(1));
    // A hint of 1 s (or less) leaves no safe time: not kept at all.
    let c = connect(&mut pool, K);
    pool.checkin(&K, c, 3, true, Some(Duration::from_secs(1)), T0);
    assert_eq!((pool.idle(&K), pool.poll_evicted()), (0, Some(3)));
}

#[test]
fn waiters_are_served_in_arrival_order() {
    let mut pool = Pool::new(PoolConfig::default().max_per_host(Some(1)));
    let a = connect(&mut pool, K);
    let w1 = match pool.checkout(&K, T0) {
        Checkout::Wait { waiter } => waiter,
        other => panic!("{other:?}"),
    };
    let w2 = match pool.checkout(&K, T0) {
        Checkout::Wait { waiter } => waiter,
        other => panic!("{other:?}"),
    };
    assert_eq!(pool.waiting(&K), 2);
    // The connection goes back: straight to the first waiter.
    let handoff = pool.checkin(&K, a, 1, true, None, T0).unwrap();
    assert_eq!(
        handoff,
        Handoff {
            waiter: w1,
            checkout: Checkout::Reuse { id: a, conn: 1 }
        }
    );
    // It closes: the second waiter may connect.
    match pool.checkin(&K, a, 1, false, None, T0) {
        Some(Handoff {
            waiter,
            checkout: Checkout::Connect { .. },
        }) => assert_eq!(waiter, w2),
        other => panic!("{other:?}"),
    }
    assert_eq!((pool.waiting(&K), pool.open(&K)), (0, 1));
    pool.cancel_wait(&K, w2);
}

fn error(progress: Progress, replayable: bool, reused: bool) -> RequestError {
    RequestError {
        kind: FailureKind::Eof(EofPhase::BeforeResponse),
        progress,
        replayable,
        reused_connection: reused,
    }
}

#[test]
fn retries_follow_the_core_verdict_on_reused_connections_only_once() {
    let pool: Pool<&str, u32> = Pool::new(PoolConfig::default());
    assert!(pool.should_retry(&error(Progress::SentNoResponse, true, true), 0));
    assert!(pool.should_retry(&error(Progress::NotSent, false, true), 0));
    assert!(
        !pool.should_retry(&error(Progress::SentNoResponse, false, true), 0),
        "a POST"
    );
    assert!(
        !pool.should_retry(&error(Progress::SentNoResponse, true, false), 0),
        "fresh"
    );
    assert!(
        !pool.should_retry(&error(Progress::SentNoResponse, true, true), 1),
        "once"
    );
    assert!(!pool.should_retry(&error(Progress::ResponseStarted, true, true), 0));
    let off: Pool<&str, u32> = Pool::new(PoolConfig::default().retry(false));
    assert!(!off.should_retry(&error(Progress::NotSent, true, true), 0));
    assert!(pool.should_retry_408(true, true, true, 0));
    assert!(!pool.should_retry_408(false, true, true, 0));
    assert!(!pool.should_retry_408(true, false, true, 0));
    assert!(!pool.should_retry_408(true, true, false, 0));
    assert!(!pool.should_retry_408(true, true, true, 1));
}
