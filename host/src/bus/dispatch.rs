//! The bridge between terminals and the meeting: each [`TerminalEvent`] becomes a meeting
//! command executed through the [`MeetingPort`] (so it is in the ledger before anything is
//! answered), and the outcome goes back as [`TerminalCommand`]s — `EventAck` only after the
//! append resolved, then the check-in result or vote recorded/refused with its reason code.
//! Committed vote events (opened, held, resumed, closed), from whichever source (clerk
//! console, deadline), are sent to every terminal. The speak and cancel keys and the seats'
//! floor state are in `floor_seats.rs`.
//!
//! Events of one terminal are handled in order; different terminals in parallel (the
//! ledger's group commit batches their appends). If the ledger cannot record, the event is
//! retried with backoff and never acknowledged meanwhile: the terminal keeps it.

use crate::meeting::MemberId;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use huitang_protocol::{CheckIn, EventSeq, MotionId, RejectReason, VoteMode, VoteOptions};
use tokio::sync::{Mutex, broadcast};

use super::floor_seats::{FloorSeats, KeyPress, speak_key};
use super::hub::{BusHub, CommandSender};
use super::port::{MeetingPort, PortError};
use super::terminal::{Order, TerminalCommand, TerminalEvent, TerminalEventKind};
use crate::meeting::{
    Ballot, Choice, Command, Event, PressRule, Refusal, Timestamp, VoteId, Voter, check_in_reply,
    vote_reply,
};

/// Runs the dispatcher until the buses stop.
pub async fn run_dispatch(port: Arc<dyn MeetingPort>, hub: &mut BusHub) {
    let commands = hub.commands();
    let mut changes = port.subscribe();
    let mut floor = FloorSeats::default();
    let lanes: Arc<std::sync::Mutex<BTreeMap<String, Arc<Mutex<()>>>>> = Default::default();
    loop {
        tokio::select! {
            event = hub.next_event() => {
                let Some(event) = event else { return };
                let lane = lanes
                    .lock()
                    .expect("lanes")
                    .entry(event.terminal.0.clone())
                    .or_default()
                    .clone();
                let (port, commands) = (port.clone(), commands.clone());
                tokio::spawn(async move {
                    let _in_order = lane.lock().await;
                    handle_event(&*port, &commands, event).await;
                });
            }
            change = changes.recv() => match change {
                Ok(change) => {
                    if let Some(event) = change.event.as_ref() {
                        for order in floor.on_event(event, &*port) {
                            commands.send(order).await;
                        }
                    }
                    if let Some(order) = change.event.as_ref().and_then(vote_order) {
                        commands.send(TerminalCommand::all(order)).await;
                    }
                    if matches!(
                        change.event,
                        Some(Event::TopicStarted { .. } | Event::TopicEnded { .. })
                    ) && let Some(order) = port.topic_display()
                    {
                        commands.send(TerminalCommand::all(order)).await;
                    }
                    if let Some((member, signed_in)) = change.event.as_ref().and_then(seat_sign_in)
                        && let Some(seat) = port.member_seat(member)
                    {
                        commands
                            .send(TerminalCommand::seat(seat, Order::SeatSignIn(signed_in)))
                            .await;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    // Never skip silently: the seats get the state the missed changes led to.
                    let orders = lag_resync(&*port, &mut floor);
                    tracing::warn!(
                        missed = n,
                        orders = orders.len(),
                        "座位状态按快照重新同步 / dispatcher fell behind; seats resynchronised from a snapshot"
                    );
                    for order in orders {
                        commands.send(order).await;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// What the dispatcher sends when it fell behind the hall's changes: the meeting's terminal
/// state from a snapshot ([`MeetingPort::resync_orders`]) and every seat's floor state.
pub fn lag_resync(port: &dyn MeetingPort, floor: &mut FloorSeats) -> Vec<TerminalCommand> {
    let mut orders = port.resync_orders();
    orders.extend(floor.resync_all(port));
    orders
}

/// The terminal order for a committed vote event.
pub fn vote_order(event: &Event) -> Option<Order> {
    Some(match event {
        Event::VoteOpened {
            vote,
            spec,
            deadline,
            ..
        } => Order::VoteOpened {
            motion: motion(*vote),
            options: VoteOptions::ALL,
            mode: mode(spec.ballot),
            press: press(spec.press),
            deadline: deadline.map(|d| huitang_protocol::Timestamp(d.0)),
        },
        Event::VoteHeld { vote, .. } => Order::VoteHeld(motion(*vote)),
        Event::VoteResumed { vote, deadline, .. } => Order::VoteResumed {
            motion: motion(*vote),
            deadline: deadline.map(|d| huitang_protocol::Timestamp(d.0)),
        },
        Event::VoteClosed { vote, .. } => Order::VoteClosed(motion(*vote)),
        _ => return None,
    })
}

/// A sign-in or sign-out made without the seat's card reader, which the seat must be told:
/// the clerk's late sign-in, a departure, a return to a seat.
pub fn seat_sign_in(event: &Event) -> Option<(&MemberId, bool)> {
    match event {
        Event::LateSignIn { member, .. } => Some((member, true)),
        Event::Returned {
            member,
            seat: Some(_),
            ..
        } => Some((member, true)),
        Event::Departed { member, .. } => Some((member, false)),
        _ => None,
    }
}

pub(super) fn motion(v: VoteId) -> MotionId {
    MotionId(v.0)
}

pub(super) fn mode(b: Ballot) -> VoteMode {
    match b {
        Ballot::Named => VoteMode::Named,
        Ballot::Secret => VoteMode::Secret,
    }
}

pub(super) fn press(p: PressRule) -> huitang_protocol::PressRule {
    match p {
        PressRule::FirstPressValid => huitang_protocol::PressRule::FirstPressValid,
        PressRule::LastPressValid => huitang_protocol::PressRule::LastPressValid,
    }
}

/// Executes with retries while the ledger is unavailable; a refusal is an answer.
pub(super) async fn execute(
    port: &dyn MeetingPort,
    actor: &str,
    command: Command,
) -> Result<Vec<Event>, PortError> {
    let mut backoff = Duration::from_millis(50);
    loop {
        match port.execute(actor, command.clone()).await {
            Err(PortError::Unavailable(e)) => {
                tracing::error!(actor, "无法记录，稍后重试 / cannot record, retrying: {e}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
            other => return other,
        }
    }
}

async fn handle_event(port: &dyn MeetingPort, commands: &CommandSender, event: TerminalEvent) {
    let Some(seat) = event.seat else {
        tracing::warn!(terminal = %event.terminal, "终端没有座位，事件未处理 / terminal has no seat; event ignored");
        return;
    };
    let actor = format!("terminal:{}", event.terminal);
    let send = |order| commands.send(TerminalCommand::seat(seat, order));
    match event.kind {
        TerminalEventKind::Card {
            event: seq, uid, ..
        } => {
            let command = Command::TapCard {
                uid: uid.into(),
                seat: Some(seat),
            };
            let result = match execute(port, &actor, command).await {
                Err(PortError::NoMeeting) => CheckIn::Rejected(RejectReason::NoMeeting),
                Err(PortError::Refused(r)) => {
                    tracing::info!(%seat, code = r.code(), "签到被拒 / check-in refused: {r}");
                    check_in_reply(&Err(r))
                }
                other => check_in_reply(&other.map_err(|_| Refusal::NoOneAtSeat)),
            };
            send(Order::EventAck(seq)).await;
            send(Order::CheckInResult { event: seq, result }).await;
        }
        TerminalEventKind::Key {
            event: seq,
            key,
            at,
        } => match key.choice() {
            Some(choice) => vote_key(port, commands, &actor, (seat, seq, key), choice).await,
            None => {
                // The press instant, where the terminal's clock was synced.
                let pressed = at.and_then(|(t, synced)| synced.then_some(Timestamp(t.0)));
                speak_key(port, commands, &actor, (seat, seq, key), pressed).await
            }
        },
        TerminalEventKind::Online { fresh: true, .. } => {
            let state = port.seat(seat);
            if state.occupied {
                // Event 0 answers no tap: it tells a restarted terminal it is checked in.
                send(Order::CheckInResult {
                    event: EventSeq(0),
                    result: CheckIn::Accepted,
                })
                .await;
            }
            if let Some(speak) = FloorSeats::resync(seat, port) {
                commands.send(speak).await;
            }
        }
        TerminalEventKind::Online { .. }
        | TerminalEventKind::Offline { .. }
        | TerminalEventKind::Faults(_)
        | TerminalEventKind::Refused { .. } => {}
    }
}

async fn vote_key(
    port: &dyn MeetingPort,
    commands: &CommandSender,
    actor: &str,
    (seat, seq, key): KeyPress,
    choice: huitang_protocol::Choice,
) {
    let choice: Choice = choice.into();
    let open = port.seat(seat).vote;
    let command = Command::CastVote {
        voter: Voter::Seat { seat },
        choice,
    };
    let motion_id = open.map_or(MotionId(0), |v| motion(v.id));
    let outcome = match execute(port, actor, command).await {
        Ok(events) => Ok(events),
        Err(PortError::Refused(r)) => {
            tracing::info!(%seat, ?key, code = r.code(), "表决按键无效 / vote press refused: {r}");
            Err(r)
        }
        Err(_) => Err(Refusal::NoOpenVote),
    };
    let order = match vote_reply(choice, &outcome) {
        Ok(recorded) => Order::VoteRecorded {
            motion: motion_id,
            event: seq,
            recorded,
        },
        Err(reason) => Order::VoteRefused {
            motion: motion_id,
            event: seq,
            reason,
        },
    };
    let send = |order| commands.send(TerminalCommand::seat(seat, order));
    send(Order::EventAck(seq)).await;
    send(order).await;
}
