//! Generated conversations — requests, body, input, EOF, write errors, time, cancel, close and
//! abort in any order — never panic and always satisfy the event-contract checker; draining
//! events at different times yields the same events; and a command that returns `Err` changes
//! nothing.
//!
//! Long run: `PROPTEST_CASES=20000 cargo test --all-features --test prop_conversation`.

use h1conn::testing::Checked;
use h1conn::testing::fuzz::{self, FRAGMENTS, config_of, request_of_kind};
use h1conn::{Instant, RequestId};
use proptest::collection::vec;
use proptest::prelude::*;
use std::time::Duration;

#[derive(Clone, Debug)]
enum Op {
    Send(u8),
    Body(usize),
    Finish,
    Fragment(usize),
    Raw(Vec<u8>),
    Eof,
    WriteError,
    Advance(u64),
    Cancel,
    Close,
    Abort,
    /// Poll this many transmits (transmitting is an input to the machine: it decides progress).
    Transmit(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..11).prop_map(Op::Send),
        2 => (0usize..8).prop_map(Op::Body),
        1 => Just(Op::Finish),
        4 => (0..FRAGMENTS.len()).prop_map(Op::Fragment),
        1 => vec(any::<u8>(), 0..12).prop_map(Op::Raw),
        1 => Just(Op::Eof),
        1 => Just(Op::WriteError),
        1 => prop_oneof![Just(1u64), Just(1_000), Just(2_000), Just(90_000)].prop_map(Op::Advance),
        1 => Just(Op::Cancel),
        1 => Just(Op::Close),
        1 => Just(Op::Abort),
        3 => (1usize..4).prop_map(Op::Transmit),
    ]
}

/// A driver recording the result of every call.
struct Run {
    c: Checked,
    now: Instant,
    ids: Vec<RequestId>,
    results: Vec<String>,
}

impl Run {
    fn new(config: u8) -> Run {
        Run {
            c: Checked::new(config_of(config)),
            now: Instant::ZERO,
            ids: Vec::new(),
            results: Vec::new(),
        }
    }

    fn last(&self) -> RequestId {
        *self.ids.last().unwrap_or(&self.fake())
    }

    /// An id from another connection: never in flight here.
    fn fake(&self) -> RequestId {
        let mut other = h1conn::Connection::new(Default::default());
        let host = h1conn::Request::get("/").header("Host", "h");
        for _ in 0..50 {
            let _ = other
                .send_request(&host, Instant::ZERO)
                .and_then(|id| other.cancel(id, Instant::ZERO));
        }
        other.send_request(&host, Instant::ZERO).unwrap()
    }

    fn apply(&mut self, op: &Op) {
        let (c, now) = (&mut self.c, self.now);
        let last = self.ids.last().copied();
        let r = match op {
            Op::Send(kind) => {
                let r = c.send_request(&request_of_kind(*kind), now);
                if let Ok(id) = r {
                    self.ids.push(id);
                }
                format!("{r:?}")
            }
            Op::Body(n) => match last {
                Some(id) => format!("{:?}", c.send_body(id, vec![b'b'; *n].into(), now)),
                None => "no id".into(),
            },
            Op::Finish => match last {
                Some(id) => format!("{:?}", c.finish_body(id, now)),
                None => "no id".into(),
            },
            Op::Fragment(i) => format!("{:?}", c.handle_input(FRAGMENTS[*i], now)),
            Op::Raw(bytes) => format!("{:?}", c.handle_input(bytes, now)),
            Op::Eof => format!("{:?}", c.handle_eof(now)),
            Op::WriteError => format!("{:?}", c.handle_write_error(now)),
            Op::Advance(ms) => {
                self.now = now + Duration::from_millis(*ms);
                c.handle_timeout(self.now);
                String::new()
            }
            Op::Cancel => match last {
                Some(id) => format!("{:?}", c.cancel(id, now)),
                None => "no id".into(),
            },
            Op::Close => format!("{:?}", c.close()),
            Op::Abort => format!("{:?}", c.abort()),
            Op::Transmit(n) => (0..*n)
                .map(|_| format!("{:?}", c.poll_transmit().map(|b| b.len())))
                .collect(),
        };
        self.results.push(r);
    }

    fn finish(&mut self) {
        self.c.drain();
        let _ = self.c.handle_eof(self.now);
        self.c.drain();
        self.c.assert_ok();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The fuzz target's interpreter over random bytes (every byte string is a valid program).
    #[test]
    fn random_programs_satisfy_the_checker(data in vec(any::<u8>(), 0..256)) {
        if let Err(finding) = fuzz::conversation(&data) {
            return Err(TestCaseError::fail(format!("{finding}")));
        }
    }

    #[test]
    fn conversations_satisfy_the_checker(config in any::<u8>(), ops in vec(op(), 0..40)) {
        let mut run = Run::new(config);
        for op in &ops {
            run.apply(op);
            run.c.drain_events();
            run.c.assert_ok();
        }
        run.finish();
    }

    /// Events drained after every call, or at random points with `poll_timeout` peeks in
    /// between, or only at the end: the same events, the same bytes, the same call results.
    #[test]
    fn drain_order_does_not_change_the_outcome(
        config in any::<u8>(),
        ops in vec(op(), 0..40),
        schedule in vec(0u8..4, 40),
    ) {
        let mut eager = Run::new(config);
        let mut lazy = Run::new(config);
        let mut never = Run::new(config);
        for (i, op) in ops.iter().enumerate() {
            eager.apply(op);
            eager.c.drain_events();
            lazy.apply(op);
            match schedule[i] {
                0 => {}
                1 => { lazy.c.poll_event(); }
                2 => { let _ = lazy.c.connection().poll_timeout(); lazy.c.drain_events(); }
                _ => { lazy.c.poll_event(); let _ = lazy.c.connection().poll_timeout(); lazy.c.poll_event(); }
            }
            never.apply(op);
        }
        eager.finish();
        lazy.finish();
        never.finish();
        prop_assert_eq!(&eager.results, &lazy.results);
        prop_assert_eq!(&eager.results, &never.results);
        prop_assert_eq!(eager.c.events(), lazy.c.events());
        prop_assert_eq!(eager.c.events(), never.c.events());
        prop_assert_eq!(eager.c.wire(), lazy.c.wire());
        prop_assert_eq!(eager.c.wire(), never.c.wire());
    }

    /// Probes between the calls of a conversation (`Checked` also compares the whole state
    /// around each rejected one): a twin that never saw the rejected probes ends up identical.
    #[test]
    fn a_rejected_command_changes_nothing(
        config in any::<u8>(),
        ops in vec(op(), 0..30),
        probes in vec(prop_oneof![Just(0u8), Just(1), Just(2), Just(3), Just(4), Just(5), Just(6)], 30),
    ) {
        let mut probed = Run::new(config);
        let mut twin = Run::new(config);
        for (i, op) in ops.iter().enumerate() {
            probed.apply(op);
            twin.apply(op);
            let (now, last, fake) = (probed.now, probed.last(), probed.fake());
            let probe: Box<dyn Fn(&mut Checked) -> bool> = match probes[i] {
                0 => Box::new(move |c| c.send_request(&request_of_kind(0), now).is_ok()),
                1 => Box::new(move |c| c.send_request(&request_of_kind(10), now).is_ok()),
                2 => Box::new(move |c| c.send_body(fake, vec![1u8].into(), now).is_ok()),
                3 => Box::new(move |c| c.send_body(last, vec![2u8; 9].into(), now).is_ok()),
                4 => Box::new(move |c| c.finish_body(last, now).is_ok()),
                5 => Box::new(move |c| c.cancel(fake, now).is_ok()),
                _ => Box::new(move |c| c.close().is_ok()),
            };
            if probe(&mut probed.c) {
                // Accepted: the twin must make the same call to stay comparable.
                prop_assert!(probe(&mut twin.c), "the twin refused an accepted call");
                if probes[i] == 0 {
                    probed.ids.push(probed.c.connection().in_flight().unwrap());
                    twin.ids.push(twin.c.connection().in_flight().unwrap());
                }
            }
            probed.c.result().map_err(|v| TestCaseError::fail(v.to_string()))?;
        }
        probed.finish();
        twin.finish();
        prop_assert_eq!(&probed.results, &twin.results);
        prop_assert_eq!(probed.c.events(), twin.c.events());
        prop_assert_eq!(probed.c.wire(), twin.c.wire());
    }
}
