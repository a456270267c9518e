//! The pool policy under random sequences of checkouts, check-ins, releases, cancels and time:
//! its limits always hold, no connection is ever in two places, and waiters are served in
//! arrival order.
//!
//! Long run: `PROPTEST_CASES=20000 cargo test --test prop_pool`.

use h1conn::Instant;
use h1conn::pool::{Checkout, ConnectionId, Pool, PoolConfig, WaiterId};
use proptest::collection::vec;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

#[derive(Clone, Debug)]
enum Op {
    Checkout(u8),
    /// Check in the n-th busy connection, reusable or not, with a keep-alive hint (seconds).
    Checkin(usize, bool, Option<u8>),
    Release(usize),
    Cancel(usize),
    Advance(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3).prop_map(Op::Checkout),
        3 => (any::<usize>(), any::<bool>(), proptest::option::of(0u8..10)).prop_map(|(n, r, k)| Op::Checkin(n, r, k)),
        1 => any::<usize>().prop_map(Op::Release),
        1 => any::<usize>().prop_map(Op::Cancel),
        1 => (0u8..20).prop_map(Op::Advance),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn limits_hold_and_nothing_is_in_two_places(
        ops in vec(op(), 1..80),
        idle_per_host in 0usize..4,
        idle_total in 0usize..6,
        per_host in proptest::option::of(1usize..4),
    ) {
        let config = PoolConfig::default()
            .max_idle_per_host(idle_per_host)
            .max_idle_total(idle_total)
            .max_per_host(per_host)
            .idle_timeout(Some(Duration::from_secs(30)));
        let mut pool: Pool<u8, u32> = Pool::new(config);
        let mut now = Instant::ZERO;
        let mut next_conn = 0u32;
        // What the test holds: busy connections (key, id, conn), pending connects, waiters.
        let mut busy: Vec<(u8, ConnectionId, u32)> = Vec::new();
        let mut waiters: BTreeMap<u8, VecDeque<WaiterId>> = BTreeMap::new();
        let mut idle: BTreeSet<u32> = BTreeSet::new();
        let mut gone: BTreeSet<u32> = BTreeSet::new();
        // Checked in as not reusable: the pool must hand them back to be closed.
        let mut dropping: BTreeSet<u32> = BTreeSet::new();
        for op in ops {
            match op {
                Op::Checkout(key) => match pool.checkout(&key, now) {
                    Checkout::Reuse { id, conn } => {
                        prop_assert!(idle.remove(&conn), "reused {conn} was not idle");
                        busy.push((key, id, conn));
                    }
                    Checkout::Connect { id } => {
                        next_conn += 1;
                        busy.push((key, id, next_conn));
                    }
                    Checkout::Wait { waiter } => waiters.entry(key).or_default().push_back(waiter),
                },
                Op::Checkin(n, reusable, hint) if !busy.is_empty() => {
                    let (key, id, conn) = busy.remove(n % busy.len());
                    let hint = hint.map(|s| Duration::from_secs(u64::from(s)));
                    if reusable {
                        idle.insert(conn);
                    } else {
                        dropping.insert(conn);
                    }
                    if let Some(handoff) = pool.checkin(&key, id, conn, reusable, hint, now) {
                        let first = waiters.get_mut(&key).and_then(VecDeque::pop_front);
                        prop_assert_eq!(Some(handoff.waiter), first, "waiters in arrival order");
                        match handoff.checkout {
                            Checkout::Reuse { id, conn } => {
                                idle.remove(&conn);
                                busy.push((key, id, conn));
                            }
                            Checkout::Connect { id } => {
                                next_conn += 1;
                                busy.push((key, id, next_conn));
                            }
                            Checkout::Wait { .. } => prop_assert!(false, "a handoff never waits"),
                        }
                    }
                }
                Op::Release(n) if !busy.is_empty() => {
                    let (key, id, conn) = busy.remove(n % busy.len());
                    gone.insert(conn);
                    if let Some(handoff) = pool.release(&key, id) {
                        let first = waiters.get_mut(&key).and_then(VecDeque::pop_front);
                        prop_assert_eq!(Some(handoff.waiter), first);
                        let Checkout::Connect { id } = handoff.checkout else {
                            return Err(TestCaseError::fail("a release hands out leave to connect"));
                        };
                        next_conn += 1;
                        busy.push((key, id, next_conn));
                    }
                }
                Op::Cancel(n) => {
                    if let Some((key, queue)) = waiters.iter_mut().find(|(_, q)| !q.is_empty()) {
                        let w = queue.remove(n % queue.len()).unwrap();
                        pool.cancel_wait(key, w);
                    }
                }
                Op::Advance(s) => {
                    now = now + Duration::from_secs(u64::from(s));
                    pool.handle_timeout(now);
                }
                _ => {}
            }
            while let Some(c) = pool.poll_evicted() {
                prop_assert!(idle.remove(&c) || dropping.remove(&c), "evicted {} was neither idle nor dropped", c);
                prop_assert!(gone.insert(c), "{} evicted twice", c);
            }
            prop_assert!(dropping.is_empty(), "a connection checked in as not reusable was kept");
            // The limits.
            prop_assert!(pool.idle_total() <= idle_total);
            for key in 0..3u8 {
                prop_assert!(pool.idle(&key) <= idle_per_host);
                let busy_here = busy.iter().filter(|(k, ..)| *k == key).count();
                prop_assert_eq!(pool.open(&key), busy_here + pool.idle(&key));
                if let Some(max) = per_host {
                    prop_assert!(pool.open(&key) <= max);
                }
                prop_assert_eq!(pool.waiting(&key), waiters.get(&key).map_or(0, VecDeque::len));
            }
            prop_assert_eq!(pool.idle_total(), idle.len());
            // Nothing in two places.
            for (_, _, conn) in &busy {
                prop_assert!(!idle.contains(conn) && !gone.contains(conn));
            }
            prop_assert!(idle.is_disjoint(&gone));
        }
    }
}
