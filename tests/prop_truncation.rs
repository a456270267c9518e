//! Truncation: a valid response cut at every offset and then ended by EOF is either complete or
//! fails with a typed error that says how far it got — never a silently short body.
//! (A close-delimited body is the one framing where EOF is the end: there the body is whatever
//! arrived.)
//!
//! Long run: `PROPTEST_CASES=5000 cargo test --all-features --test prop_truncation`.

mod common;

use common::{Framing, Obs, gen_response, observe, run};
use h1conn::{EofPhase, FailureKind, Progress};
use proptest::prelude::*;

fn body_of(obs: &[Obs]) -> Vec<u8> {
    obs.iter()
        .filter_map(|o| match o {
            Obs::Body(b) => Some(b.as_slice()),
            _ => None,
        })
        .flatten()
        .copied()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn truncated_then_eof_is_complete_or_a_typed_error(g in gen_response()) {
        let enc = g.encode();
        let head_end = *enc.head_ends.last().unwrap();
        let close_delimited = enc.has_body && matches!(g.framing, Framing::Close);
        let complete_at = if enc.has_body { enc.wire.len() } else { head_end };
        for k in 0..=enc.wire.len() {
            let prefix = &enc.wire[..k];
            let obs = observe(run(&g.request(), &[prefix], false).events());
            let data: Vec<u8> = prefix.iter().zip(&enc.data_mask).filter(|(_, d)| **d).map(|(b, _)| *b).collect();
            if k >= complete_at {
                prop_assert_eq!(&obs, &enc.expected, "complete at {}", k);
                continue;
            }
            if close_delimited && k >= head_end {
                // EOF ends a close-delimited body: it is exactly what arrived.
                prop_assert_eq!(body_of(&obs), data);
                prop_assert!(obs.iter().any(|o| matches!(o, Obs::End(..))), "cut at {}: {:?}", k, obs);
                continue;
            }
            // Short: whatever body arrived is reported, then a typed EOF failure, then Closed.
            let body = body_of(&obs);
            prop_assert_eq!(&body, &data, "cut at {}", k);
            prop_assert!(!obs.iter().any(|o| matches!(o, Obs::End(..))), "End for a response cut at {}: {:?}", k, obs);
            let failed = obs.iter().find_map(|o| match o { Obs::Failed(e) => Some(*e), _ => None });
            let Some(error) = failed else {
                return Err(TestCaseError::fail(format!("no failure for a response cut at {k}: {obs:?}")));
            };
            let last_head = enc.head_ends.iter().rev().find(|&&e| e <= k).copied().unwrap_or(0);
            let want = if k == 0 {
                EofPhase::BeforeResponse
            } else if k < head_end {
                EofPhase::InHead { received: k - last_head }
            } else {
                match g.framing {
                    Framing::Length => EofPhase::InLengthBody { received: data.len() as u64, expected: g.body.len() as u64 },
                    Framing::Chunked { .. } => EofPhase::InChunkedBody { received: data.len() as u64 },
                    Framing::Close => unreachable!("handled above"),
                }
            };
            prop_assert_eq!(error.kind(), FailureKind::Eof(want), "cut at {}", k);
            let progress = if k == 0 { Progress::SentNoResponse } else { Progress::ResponseStarted };
            prop_assert_eq!(error.progress(), progress);
            prop_assert!(!error.is_retryable() || k == 0);
        }
    }
}
