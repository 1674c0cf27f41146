//! The seat side of floor management: the 申请发言 and cancel keys become floor commands, and
//! after every committed floor event each seat whose state changed is told (`Speak` with its
//! queue position, granted, warning, ended or denied). A refused request is answered at once
//! with its reason; the fire alarm is shown on every terminal.

use std::collections::BTreeMap;

use huitang_protocol::{EventSeq, Key, SpeakRefusal, SpeakState};

use super::dispatch::execute;
use super::hub::CommandSender;
use super::port::{MeetingPort, PortError};
use super::terminal::{Order, TerminalCommand};
use crate::meeting::{
    Command, Event, FloorCommand, FloorEvent, Party, Queue, Requester, SeatId, Timestamp,
    speak_refusal,
};

/// A key press at a seat: where, the terminal's event number, which key.
pub type KeyPress = (SeatId, EventSeq, Key);

/// What the seats were last told, so only changes are sent.
#[derive(Debug, Default)]
pub struct FloorSeats {
    shown: BTreeMap<SeatId, SpeakState>,
}

impl FloorSeats {
    /// The orders a committed floor event calls for (nothing for other events).
    pub fn on_event(&mut self, event: &Event, port: &dyn MeetingPort) -> Vec<TerminalCommand> {
        let Event::Floor(floor) = event else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let FloorEvent::FireAlarm { on, .. } = floor {
            // Every terminal, occupied or not, shows the alarm and its end.
            let state = if *on {
                SpeakState::FireAlarm
            } else {
                SpeakState::Ended
            };
            out.push(TerminalCommand::all(Order::Speak(state)));
            self.shown.clear();
            if *on {
                self.shown = port.floor_seats();
                return out;
            }
        }
        let denied = match floor {
            FloorEvent::Denied {
                party: Party::Seat { seat, .. },
                ..
            } => Some(*seat),
            _ => None,
        };
        let now = port.floor_seats();
        for (seat, was) in &self.shown {
            if !now.contains_key(seat) && *was != SpeakState::FireAlarm {
                let state = if denied == Some(*seat) {
                    SpeakState::Denied
                } else {
                    SpeakState::Ended
                };
                out.push(TerminalCommand::seat(*seat, Order::Speak(state)));
            }
        }
        for (seat, state) in &now {
            if self.shown.get(seat) != Some(state) {
                out.push(TerminalCommand::seat(*seat, Order::Speak(*state)));
            }
        }
        self.shown = now;
        out
    }

    /// After missed changes (lag): every seat told its floor state from the snapshot, and a
    /// seat shown a state that no longer holds told it ended.
    pub fn resync_all(&mut self, port: &dyn MeetingPort) -> Vec<TerminalCommand> {
        let now = port.floor_seats();
        let mut out: Vec<TerminalCommand> = self
            .shown
            .keys()
            .filter(|seat| !now.contains_key(seat))
            .map(|seat| TerminalCommand::seat(*seat, Order::Speak(SpeakState::Ended)))
            .collect();
        out.extend(
            now.iter()
                .map(|(seat, state)| TerminalCommand::seat(*seat, Order::Speak(*state))),
        );
        self.shown = now;
        out
    }

    /// A terminal that said `Hello` again learns its floor state.
    pub fn resync(seat: SeatId, port: &dyn MeetingPort) -> Option<TerminalCommand> {
        let state = port.floor_seats().get(&seat).copied()?;
        Some(TerminalCommand::seat(seat, Order::Speak(state)))
    }
}

/// 申请发言 or cancel at `seat`: the floor command, recorded before the key is acknowledged;
/// a refusal goes back to the seat with its reason. `pressed`: the press instant by the
/// terminal's synced clock (`KeyPressedAt`), which orders the queue.
pub async fn speak_key(
    port: &dyn MeetingPort,
    commands: &CommandSender,
    actor: &str,
    (seat, seq, key): KeyPress,
    pressed: Option<Timestamp>,
) {
    let who = Requester::Seat { seat };
    let command = match key {
        Key::Cancel => FloorCommand::Withdraw { who },
        Key::Priority => FloorCommand::Priority { who },
        _ => FloorCommand::Request {
            who,
            queue: Queue::Speak,
            pressed_at: pressed,
        },
    };
    let answer = match execute(port, actor, Command::Floor(command)).await {
        Ok(_) => None,
        // Cancel with nothing to cancel: the seat is idle, as it thinks.
        Err(_) if key == Key::Cancel => Some(SpeakState::Ended),
        Err(PortError::Refused(r)) => {
            tracing::info!(%seat, code = r.code(), "发言申请被拒 / speak request refused: {r}");
            Some(SpeakState::Refused {
                reason: speak_refusal(&r),
            })
        }
        Err(_) => Some(SpeakState::Refused {
            reason: SpeakRefusal::NotInSession,
        }),
    };
    let send = |order| commands.send(TerminalCommand::seat(seat, order));
    send(Order::EventAck(seq)).await;
    if let Some(state) = answer {
        send(Order::Speak(state)).await;
    }
}
