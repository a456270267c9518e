//! The state names of `docs/state-machine.md`, matched exhaustively against the code's state
//! types: a new variant does not compile until it is named here, and the test fails until the
//! diagram names it too.
use super::*;

fn send_body(s: SendBody) -> &'static str {
    match s {
        SendBody::Open { .. } => "Open",
        SendBody::Finished => "Finished",
        SendBody::Stopped => "Stopped",
    }
}

fn expect(e: Expect) -> &'static str {
    match e {
        Expect::No => "NoExpect",
        Expect::Waiting { .. } => "Waiting",
    }
}

fn read(r: &ReadState) -> &'static str {
    match r {
        ReadState::Head => "AwaitingHead",
        ReadState::Body(BodyDecoder::Length { .. }) => "Length",
        ReadState::Body(BodyDecoder::Chunked(_)) => "Chunked",
        ReadState::Body(BodyDecoder::UntilClose) => "UntilClose",
    }
}

/// The connection level: the exchange, what completed, and the close slot.
fn level(exchange: bool, completed: bool, close: bool, reported: bool) -> &'static str {
    match (exchange, completed, close, reported) {
        (_, _, true, true) => "Closed",
        (_, _, true, false) => "Closing",
        (true, _, false, _) => "InFlight",
        (false, false, false, _) => "Ready",
        (false, true, false, _) => "Idle",
    }
}

#[test]
fn the_diagram_names_every_state() {
    let page = include_str!("../docs/state-machine.md");
    let diagram = page
        .split("```mermaid")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a mermaid block");
    let limits = BodyLimits {
        chunk_extension_bytes: 0,
        trailer_bytes: 0,
        trailer_fields: 0,
        strict: false,
    };
    let mut names = alloc::vec![
        send_body(SendBody::Open {
            declared: None,
            sent: 0
        }),
        send_body(SendBody::Finished),
        send_body(SendBody::Stopped),
        expect(Expect::No),
        expect(Expect::Waiting {
            deadline: Instant::ZERO
        }),
        read(&ReadState::Head),
        read(&ReadState::Body(BodyDecoder::length(1))),
        read(&ReadState::Body(BodyDecoder::chunked(&limits))),
        read(&ReadState::Body(BodyDecoder::UntilClose)),
    ];
    for exchange in [false, true] {
        for completed in [false, true] {
            for close in [false, true] {
                for reported in [false, true] {
                    names.push(level(exchange, completed, close, reported));
                }
            }
        }
    }
    for name in names {
        let named = diagram.lines().any(|line| {
            line.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| word == name)
        });
        assert!(
            named,
            "state {name} is not in docs/state-machine.md's diagram"
        );
    }
}
