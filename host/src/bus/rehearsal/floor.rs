//! Plays the rehearsal's floor lines (`floor_lines.rs`) as clerk commands on the hall, so the
//! floor rules (the open-microphone limit, the queue, who may speak) refuse a step in a
//! scenario as they do on the console, and the refusal is listed with its line.

use crate::app::{Hall, HallError};
use crate::meeting::{Command, FloorCommand, Queue};

pub use super::floor_lines::{FloorStep, parse};

const CLERK: &str = "clerk:rehearsal";

/// Plays one floor line.
pub async fn play(hall: &Hall, id: &str, step: &FloorStep) -> Result<(), HallError> {
    let command = match step {
        FloorStep::Grant(who) => FloorCommand::Grant { who: who.clone() },
        FloorStep::Deny(who) => FloorCommand::Deny { who: who.clone() },
        FloorStep::End(who) => FloorCommand::End { who: who.clone() },
        FloorStep::Reply(who) => FloorCommand::Request {
            who: who.clone(),
            queue: Queue::Reply,
            pressed_at: None,
        },
        FloorStep::MuteAll(clear_queue) => FloorCommand::MuteAll {
            clear_queue: *clear_queue,
        },
        FloorStep::Mode {
            mode,
            limit,
            turn_s,
        } => {
            let mut settings = hall
                .with_meeting(id, |m| m.floor().settings)
                .unwrap_or_default();
            settings.mode = *mode;
            if let Some(n) = limit {
                settings.open_limit = *n;
            }
            if let Some(s) = turn_s {
                settings.turn_limit_s = (*s > 0).then_some(*s);
            }
            FloorCommand::Configure { settings }
        }
        FloorStep::FireAlarm(on) => FloorCommand::FireAlarm {
            on: *on,
            source: "rehearsal".into(),
        },
    };
    hall.execute(id, CLERK, Command::Floor(command))
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::super::scenario::{Scenario, Step};
    use super::*;
    use crate::meeting::{FloorMode, Requester, SeatId, SiteId};

    #[test]
    fn floor_lines_parse_and_bad_ones_name_the_line() {
        let sc = Scenario::parse(
            "meeting wuxi executive 5\nfloor-grant\nfloor-grant 3\nfloor-deny site:jiangyin\n\
             floor-end 2\nfloor-reply 4\nmute-all clear\nfloor-mode fifo limit 2 turn 120\nfire-alarm on\n",
        )
        .unwrap();
        let steps: Vec<FloorStep> = sc
            .steps
            .iter()
            .map(|(_, s)| match s {
                Step::Floor(f) => f.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        let seat = |n| Requester::Seat { seat: SeatId(n) };
        assert_eq!(
            steps,
            vec![
                FloorStep::Grant(None),
                FloorStep::Grant(Some(seat(3))),
                FloorStep::Deny(Requester::Site {
                    site: SiteId("jiangyin".into())
                }),
                FloorStep::End(seat(2)),
                FloorStep::Reply(seat(4)),
                FloorStep::MuteAll(true),
                FloorStep::Mode {
                    mode: FloorMode::Fifo,
                    limit: Some(2),
                    turn_s: Some(120)
                },
                FloorStep::FireAlarm(true),
            ]
        );
        for bad in [
            "floor-deny",
            "floor-end x",
            "floor-end 0",
            "floor-grant site:",
            "mute-all loud",
            "floor-mode fast",
            "floor-mode open limit 26",
            "floor-mode open turn",
            "fire-alarm maybe",
        ] {
            let e = Scenario::parse(&format!("meeting wuxi executive 5\n{bad}\n")).unwrap_err();
            assert_eq!(e.line, 2, "{bad}: {e}");
        }
    }
}
