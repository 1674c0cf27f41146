//! The rehearsal's floor lines (发言) as parsed from a scenario: `floor-grant`, `floor-deny`,
//! `floor-end`, `floor-reply`, `mute-all`, `floor-mode`, `fire-alarm`. A seat's own 申请发言
//! and cancel keys are `press SEATS speak|cancel`. Kept apart from playing them (in `floor.rs`),
//! so the fuzzed scenario loader compiles without the hall.

use crate::meeting::{FloorMode, Requester, SeatId, SiteId};

use super::scenario::ScenarioError;

/// A floor line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FloorStep {
    /// `floor-grant [WHO]`: give the floor to a queued seat or county room, or the next.
    Grant(Option<Requester>),
    /// `floor-deny WHO`: deny a queued request.
    Deny(Requester),
    /// `floor-end WHO`: end a speaker's turn.
    End(Requester),
    /// `floor-reply WHO`: the clerk queues a reply (答复/插话) for a seat or county room.
    Reply(Requester),
    /// `mute-all [clear]`: close every delegate microphone, optionally clearing the queue.
    MuteAll(bool),
    /// `floor-mode MODE [limit N] [turn SECONDS]`: change the floor settings live.
    Mode {
        /// `request`, `fifo`, `open` or `override`.
        mode: FloorMode,
        /// Open-microphone limit, 1–25.
        limit: Option<u8>,
        /// Per-turn limit in seconds (0: none).
        turn_s: Option<u32>,
    },
    /// `fire-alarm on|off`.
    FireAlarm(bool),
}

fn err(line: usize, zh: &str, en: impl Into<String>) -> ScenarioError {
    ScenarioError {
        line,
        zh: zh.into(),
        en: en.into(),
    }
}

/// `WHO`: a seat number, or `site:ID` for a county room.
fn who(line: usize, s: Option<&String>) -> Result<Requester, ScenarioError> {
    let bad = || {
        err(
            line,
            "发言对象应为座位号或 site:会场编号",
            "name a seat number or site:ID",
        )
    };
    let s = s.ok_or_else(bad)?;
    if let Some(site) = s.strip_prefix("site:") {
        if site.is_empty() {
            return Err(bad());
        }
        return Ok(Requester::Site {
            site: SiteId(site.to_owned()),
        });
    }
    let seat: u32 = s.parse().map_err(|_| bad())?;
    if seat == 0 || seat > super::scenario::MAX_SEAT {
        return Err(bad());
    }
    Ok(Requester::Seat { seat: SeatId(seat) })
}

fn mode(line: usize, w: &[String]) -> Result<FloorStep, ScenarioError> {
    let usage = || {
        err(
            line,
            "格式：floor-mode request|fifo|open|override [limit 1-25] [turn 秒]",
            "usage: floor-mode request|fifo|open|override [limit 1-25] [turn SECONDS]",
        )
    };
    let mode = match w.get(1).map(String::as_str) {
        Some("request") => FloorMode::Request,
        Some("fifo") => FloorMode::Fifo,
        Some("open") => FloorMode::Open,
        Some("override") => FloorMode::Override,
        _ => return Err(usage()),
    };
    let (mut limit, mut turn_s) = (None, None);
    let mut k = 2;
    while k < w.len() {
        let value = w.get(k + 1).ok_or_else(usage)?;
        match w[k].as_str() {
            "limit" => {
                limit = Some(
                    value
                        .parse::<u8>()
                        .ok()
                        .filter(|n| (1..=25).contains(n))
                        .ok_or_else(usage)?,
                )
            }
            "turn" => turn_s = Some(value.parse::<u32>().map_err(|_| usage())?),
            _ => return Err(usage()),
        }
        k += 2;
    }
    Ok(FloorStep::Mode {
        mode,
        limit,
        turn_s,
    })
}

/// Parses a floor line (`w[0]` is the step name); `None` when it is not one.
pub fn parse(line: usize, w: &[String]) -> Option<Result<FloorStep, ScenarioError>> {
    let step = match w.first()?.as_str() {
        "floor-grant" => match w.get(1) {
            None => Ok(FloorStep::Grant(None)),
            some => who(line, some).map(|r| FloorStep::Grant(Some(r))),
        },
        "floor-deny" => who(line, w.get(1)).map(FloorStep::Deny),
        "floor-end" => who(line, w.get(1)).map(FloorStep::End),
        "floor-reply" => who(line, w.get(1)).map(FloorStep::Reply),
        "mute-all" => match w.get(1).map(String::as_str) {
            None => Ok(FloorStep::MuteAll(false)),
            Some("clear") => Ok(FloorStep::MuteAll(true)),
            Some(_) => Err(err(
                line,
                "格式：mute-all [clear]",
                "usage: mute-all [clear]",
            )),
        },
        "floor-mode" => mode(line, w),
        "fire-alarm" => match w.get(1).map(String::as_str) {
            Some("on") => Ok(FloorStep::FireAlarm(true)),
            Some("off") => Ok(FloorStep::FireAlarm(false)),
            _ => Err(err(
                line,
                "格式：fire-alarm on|off",
                "usage: fire-alarm on|off",
            )),
        },
        _ => return None,
    };
    Some(step)
}
