//! The rehearsal scenario format (documented in `scenarios/README.md`): one step per line,
//! `#` starts a comment, arguments separated by spaces, text in double quotes, seat lists as
//! `3`, `1..6` or `1,3,5`.

use std::time::Duration;

use huitang_protocol::Key;

/// A parsed scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// City rulebook (e.g. `wuxi`).
    pub city: String,
    /// Meeting kind in that rulebook (e.g. `executive`).
    pub kind: String,
    /// Members m1..mN sit at seats 1..N with cards `040000NN`.
    pub members: u32,
    /// Serial buses: seats on each.
    pub serial: Vec<usize>,
    /// MQTT seats (numbered after the serial ones).
    pub mqtt: usize,
    /// The steps, with their line numbers.
    pub steps: Vec<(usize, Step)>,
}

/// Vote settings in a `vote` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteStep {
    /// Secret (无记名) rather than named.
    pub secret: bool,
    /// Last press valid rather than first.
    pub last_press: bool,
    /// The motion.
    pub motion: String,
    /// Duration of a timed vote.
    pub duration: Option<Duration>,
}

/// The leave route, substitutes and video sign-in (members named by their seat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaveStep {
    /// `leave SEAT "reason"`: the whole route: asked in writing a day before, passed by the
    /// office where the rules route it so, approved by the first person on the roster who
    /// may, reported where the rules require it.
    Whole(u32, String),
    /// `leave-request SEAT "reason" [oral] [late]`: only the request (not in writing with
    /// `oral`; submitted now, after the scheduled start, with `late`).
    Request {
        /// Whose.
        seat: u32,
        /// Why.
        reason: String,
        /// In writing.
        written: bool,
        /// Submitted after the scheduled start.
        late: bool,
    },
    /// `leave-forward SEAT`: the office passes the member's request on.
    Forward(u32),
    /// `leave-approve SEAT BY` / `leave-reject SEAT BY "reason"`: the member at seat BY decides.
    Decide {
        /// Whose request.
        seat: u32,
        /// The approver's seat.
        by: u32,
        /// `Some(reason)`: rejected.
        reject: Option<String>,
    },
    /// `leave-report SEAT`: the approved leave is reported (报备).
    Report(u32),
    /// `substitute SEAT "name" ["post"]`: designate a substitute (代会).
    Substitute {
        /// The member represented.
        seat: u32,
        /// Name.
        name: String,
        /// Post.
        post: String,
    },
    /// `substitute-sign-in SEAT`: the clerk signs the member's substitute in.
    SubstituteSignIn(u32),
    /// `remote SEAT SITE`: the member signs in from a county room, confirmed by the clerk.
    Remote(u32, String),
    /// `entrust SEAT BY ["reason"]` (BY: the seat of an entruster on the roster) or
    /// `entrust SEAT ROLE "name" ["reason"]` (an entruster not on the roster, e.g. the mayor
    /// away): 委托主持, the member at SEAT presides by entrustment (before the session opens).
    Entrust {
        /// The seat of the member entrusted with the chair.
        seat: u32,
        /// The entruster's seat, or `(role, name)` when not on the roster.
        by: Result<u32, (String, String)>,
        /// Why (default 外出).
        reason: String,
    },
}

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Open the sign-in window.
    OpenSignIn,
    /// Close it.
    CloseSignIn,
    /// Seats tap their member's card, or the given card UID (hex).
    Tap(Vec<u32>, Option<Vec<u8>>),
    /// Seats press a key.
    Press(Vec<u32>, Key),
    /// A leave, substitute or video sign-in step.
    Leave(LeaveStep),
    /// 补签到 of the member of this seat by the clerk.
    Late(u32, String),
    /// The member of this seat leaves the room.
    Depart(u32, Option<String>),
    /// The member of this seat comes back.
    Return(u32),
    /// Open the session.
    OpenSession,
    /// An agenda line (议题).
    Agenda(super::agenda_lines::AgendaStep),
    /// A floor line (发言): grant, deny, end, reply, mute-all, mode, fire alarm.
    Floor(super::floor_lines::FloorStep),
    /// Open a vote.
    Vote(VoteStep),
    /// Hold, resume, close the vote.
    HoldVote,
    /// Resume the held vote.
    ResumeVote,
    /// Close the vote.
    CloseVote,
    /// Adjourn.
    Adjourn,
    /// Pull the cable of these seats.
    Unplug(Vec<u32>),
    /// Put it back.
    Plug(Vec<u32>),
    /// Power-cycle these seats.
    PowerCycle(Vec<u32>),
    /// Corrupt this fraction of bytes on serial bus N (0-based).
    Noise(usize, f64),
    /// Wait.
    Wait(Duration),
    /// Wait until every plugged seat's events are acknowledged.
    Sync,
}

/// A line that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行：{zh} / line {line}: {en}")]
pub struct ScenarioError {
    /// Line number (from 1).
    pub line: usize,
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

fn err(line: usize, zh: &str, en: impl Into<String>) -> ScenarioError {
    ScenarioError {
        line,
        zh: zh.into(),
        en: en.into(),
    }
}

/// Splits a line into words; `"…"` is one word.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                if quoted {
                    out.push(std::mem::take(&mut cur));
                }
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Highest seat number a scenario may name (found by fuzzing: `tap 1..633333333` allocated
/// gigabytes before anything checked it).
pub const MAX_SEAT: u32 = 65_536;

/// A `serial N` / `mqtt N` count: a number that keeps the scenario's seats within
/// [`MAX_SEAT`] (found by fuzzing: `mqtt 1111111111111111111` twice overflowed the sum).
fn seat_count(line: usize, s: &str, so_far: usize) -> Result<usize, ScenarioError> {
    s.parse::<usize>()
        .ok()
        .filter(|n| so_far.saturating_add(*n) <= MAX_SEAT as usize)
        .ok_or_else(|| {
            err(
                line,
                "座位数无效",
                format!("seat count must be a number, at most {MAX_SEAT} seats in all"),
            )
        })
}

fn seats(line: usize, s: &str) -> Result<Vec<u32>, ScenarioError> {
    let bad = || {
        err(
            line,
            "座位号无效",
            format!("bad seat list {s:?} (3, 1..6 or 1,3,5; seats 1..={MAX_SEAT})"),
        )
    };
    let mut out = Vec::new();
    for part in s.split(',') {
        if let Some((a, b)) = part.split_once("..") {
            let (a, b): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            if a == 0 || b < a || b > MAX_SEAT || out.len() > MAX_SEAT as usize {
                return Err(bad());
            }
            out.extend(a..=b);
        } else {
            let n: u32 = part.parse().map_err(|_| bad())?;
            if n == 0 || n > MAX_SEAT || out.len() > MAX_SEAT as usize {
                return Err(bad());
            }
            out.push(n);
        }
    }
    Ok(out)
}

fn duration(line: usize, s: &str) -> Result<Duration, ScenarioError> {
    let bad = || {
        err(
            line,
            "时长无效",
            format!("bad duration {s:?} (e.g. 500ms, 2s)"),
        )
    };
    if let Some(ms) = s.strip_suffix("ms") {
        return ms.parse().map(Duration::from_millis).map_err(|_| bad());
    }
    let secs = s.strip_suffix('s').unwrap_or(s);
    secs.parse::<f64>()
        .ok()
        .and_then(|v| Duration::try_from_secs_f64(v).ok())
        .ok_or_else(bad)
}

fn key(line: usize, s: &str) -> Result<Key, ScenarioError> {
    Ok(match s {
        "yes" => Key::Yes,
        "no" => Key::No,
        "abstain" => Key::Abstain,
        "speak" => Key::RequestToSpeak,
        "cancel" => Key::Cancel,
        "priority" => Key::Priority,
        _ => {
            return Err(err(
                line,
                "按键无效",
                format!("unknown key {s:?} (yes, no, abstain, speak, cancel, priority)"),
            ));
        }
    })
}

fn hex(line: usize, s: &str) -> Result<Vec<u8>, ScenarioError> {
    let bytes =
        hex::decode(s).map_err(|_| err(line, "卡号无效", format!("card UID {s:?} is not hex")))?;
    if !matches!(bytes.len(), 4 | 7 | 10) {
        return Err(err(line, "卡号长度无效", "card UIDs are 4, 7 or 10 bytes"));
    }
    Ok(bytes)
}

impl Scenario {
    /// Parses a scenario text.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let mut sc = Scenario {
            city: String::new(),
            kind: String::new(),
            members: 0,
            serial: Vec::new(),
            mqtt: 0,
            steps: Vec::new(),
        };
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let w = words(raw.split('#').next().unwrap_or(""));
            let Some(cmd) = w.first() else { continue };
            let arg = |k: usize| {
                w.get(k)
                    .map(String::as_str)
                    .ok_or_else(|| err(line, "缺少参数", format!("`{cmd}` needs more arguments")))
            };
            let seat = |k: usize| -> Result<u32, ScenarioError> {
                let s = seats(line, arg(k)?)?;
                if s.len() != 1 {
                    return Err(err(line, "只能指定一个座位", "give one seat"));
                }
                Ok(s[0])
            };
            if let Some(step) = super::agenda_lines::parse(line, &w) {
                sc.steps.push((line, Step::Agenda(step?)));
                continue;
            }
            if let Some(step) = super::floor_lines::parse(line, &w) {
                sc.steps.push((line, Step::Floor(step?)));
                continue;
            }
            let step = match cmd.as_str() {
                "meeting" => {
                    sc.city = arg(1)?.to_owned();
                    sc.kind = arg(2)?.to_owned();
                    sc.members = arg(3)?
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_SEAT).contains(n))
                        .ok_or_else(|| {
                            err(
                                line,
                                "人数无效",
                                format!("member count must be a number 1..={MAX_SEAT}"),
                            )
                        })?;
                    continue;
                }
                "serial" => {
                    let n = seat_count(line, arg(1)?, sc.seats_so_far())?;
                    sc.serial.push(n);
                    continue;
                }
                "mqtt" => {
                    sc.mqtt += seat_count(line, arg(1)?, sc.seats_so_far())?;
                    continue;
                }
                "open-sign-in" => Step::OpenSignIn,
                "close-sign-in" => Step::CloseSignIn,
                "tap" => {
                    let card = match (w.get(2).map(String::as_str), w.get(3)) {
                        (Some("card"), Some(h)) => Some(hex(line, h)?),
                        (None, _) => None,
                        _ => {
                            return Err(err(
                                line,
                                "格式：tap 座位 [card 卡号]",
                                "usage: tap SEATS [card HEX]",
                            ));
                        }
                    };
                    Step::Tap(seats(line, arg(1)?)?, card)
                }
                "press" => Step::Press(seats(line, arg(1)?)?, key(line, arg(2)?)?),
                "leave" => Step::Leave(LeaveStep::Whole(seat(1)?, arg(2)?.to_owned())),
                "leave-request" => {
                    let mut written = true;
                    let mut late = false;
                    for flag in w.iter().skip(3) {
                        match flag.as_str() {
                            "oral" => written = false,
                            "late" => late = true,
                            other => {
                                return Err(err(
                                    line,
                                    "格式：leave-request 座位 \"事由\" [oral] [late]",
                                    format!("`{other}`: expected oral or late"),
                                ));
                            }
                        }
                    }
                    Step::Leave(LeaveStep::Request {
                        seat: seat(1)?,
                        reason: arg(2)?.to_owned(),
                        written,
                        late,
                    })
                }
                "leave-forward" => Step::Leave(LeaveStep::Forward(seat(1)?)),
                "leave-approve" => Step::Leave(LeaveStep::Decide {
                    seat: seat(1)?,
                    by: seat(2)?,
                    reject: None,
                }),
                "leave-reject" => Step::Leave(LeaveStep::Decide {
                    seat: seat(1)?,
                    by: seat(2)?,
                    reject: Some(arg(3)?.to_owned()),
                }),
                "leave-report" => Step::Leave(LeaveStep::Report(seat(1)?)),
                "substitute" => Step::Leave(LeaveStep::Substitute {
                    seat: seat(1)?,
                    name: arg(2)?.to_owned(),
                    post: w.get(3).cloned().unwrap_or_default(),
                }),
                "substitute-sign-in" => Step::Leave(LeaveStep::SubstituteSignIn(seat(1)?)),
                "remote" => Step::Leave(LeaveStep::Remote(seat(1)?, arg(2)?.to_owned())),
                "entrust" => {
                    let (by, rest) = match arg(2)?.parse::<u32>() {
                        Ok(by) => (Ok(by), 3),
                        Err(_) => (Err((arg(2)?.to_owned(), arg(3)?.to_owned())), 4),
                    };
                    Step::Leave(LeaveStep::Entrust {
                        seat: seat(1)?,
                        by,
                        reason: w.get(rest).cloned().unwrap_or_else(|| "外出".into()),
                    })
                }
                "late" => Step::Late(seat(1)?, arg(2)?.to_owned()),
                "depart" => Step::Depart(seat(1)?, w.get(2).cloned()),
                "return" => Step::Return(seat(1)?),
                "open-session" => Step::OpenSession,
                "vote" => {
                    let secret = match arg(1)? {
                        "named" => false,
                        "secret" => true,
                        other => {
                            return Err(err(
                                line,
                                "表决方式应为 named 或 secret",
                                format!("`{other}`: expected named or secret"),
                            ));
                        }
                    };
                    let last_press = match arg(2)? {
                        "first" => false,
                        "last" => true,
                        other => {
                            return Err(err(
                                line,
                                "按键规则应为 first 或 last",
                                format!("`{other}`: expected first or last"),
                            ));
                        }
                    };
                    let duration = w.get(4).map(|d| duration(line, d)).transpose()?;
                    Step::Vote(VoteStep {
                        secret,
                        last_press,
                        motion: arg(3)?.to_owned(),
                        duration,
                    })
                }
                "hold-vote" => Step::HoldVote,
                "resume-vote" => Step::ResumeVote,
                "close-vote" => Step::CloseVote,
                "adjourn" => Step::Adjourn,
                "unplug" => Step::Unplug(seats(line, arg(1)?)?),
                "plug" => Step::Plug(seats(line, arg(1)?)?),
                "power-cycle" => Step::PowerCycle(seats(line, arg(1)?)?),
                "noise" => Step::Noise(
                    arg(1)?
                        .parse()
                        .map_err(|_| err(line, "总线号无效", "bus must be a number"))?,
                    arg(2)?
                        .parse::<f64>()
                        .ok()
                        .filter(|f| (0.0..=1.0).contains(f))
                        .ok_or_else(|| {
                            err(line, "误码率应在 0 到 1 之间", "fraction must be 0..1")
                        })?,
                ),
                "wait" => Step::Wait(duration(line, arg(1)?)?),
                "sync" => Step::Sync,
                other => return Err(err(line, "未知步骤", format!("unknown step `{other}`"))),
            };
            sc.steps.push((line, step));
        }
        if sc.city.is_empty() {
            return Err(err(
                1,
                "缺少 meeting 行",
                "missing `meeting CITY KIND MEMBERS`",
            ));
        }
        if sc.serial.is_empty() && sc.mqtt == 0 {
            sc.serial.push(sc.members as usize);
        }
        let total = sc.serial.iter().sum::<usize>() + sc.mqtt;
        if (total as u32) < sc.members {
            return Err(err(
                1,
                "座位少于人数",
                format!("{total} seats for {} members", sc.members),
            ));
        }
        Ok(sc)
    }

    fn seats_so_far(&self) -> usize {
        self.serial.iter().sum::<usize>() + self.mqtt
    }

    /// Total seats.
    pub fn seats(&self) -> u32 {
        (self.serial.iter().sum::<usize>() + self.mqtt) as u32
    }
}

/// The card of the member at `seat` (`040000NN`).
pub fn card_of_seat(seat: u32) -> Vec<u8> {
    let b = seat.to_be_bytes();
    vec![0x04, b[1], b[2], b[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_and_member_counts_beyond_the_limit_are_refused_not_overflowed() {
        // Found by fuzzing: two huge `mqtt` counts overflowed the seat sum.
        let e = Scenario::parse(
            "meeting wuxi executive 3\nmqtt 1111111111111111111\nmqtt 11111111111111111111\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("at most 65536 seats"), "{e}");
        let e = Scenario::parse(&format!(
            "meeting wuxi executive 3\nserial {}\nmqtt {}\n",
            usize::MAX,
            usize::MAX
        ))
        .unwrap_err();
        assert!(e.to_string().contains("seat count"), "{e}");
        let e = Scenario::parse("meeting wuxi executive 3\nserial 60000\nmqtt 5537\n").unwrap_err();
        assert!(e.to_string().contains("at most"), "{e}");
        assert!(Scenario::parse("meeting wuxi executive 3\nserial 60000\nmqtt 5536\n").is_ok());
        let e = Scenario::parse("meeting wuxi executive 99999999999\n").unwrap_err();
        assert!(e.to_string().contains("member count"), "{e}");
    }

    #[test]
    fn a_scenario_parses_steps_with_seat_lists_and_quoted_text() {
        let sc = Scenario::parse(
            "meeting wuxi executive 6 # roster\nserial 6\nopen-sign-in\ntap 1..3,5\n\
             leave 6 \"出差 在外\"\nvote secret last \"关于预算的议案\" 30s\npress 1,2 yes\nwait 250ms\n",
        )
        .unwrap();
        assert_eq!(sc.members, 6);
        assert_eq!(sc.steps[1].1, Step::Tap(vec![1, 2, 3, 5], None));
        assert_eq!(
            sc.steps[2].1,
            Step::Leave(LeaveStep::Whole(6, "出差 在外".into()))
        );
        let Step::Vote(v) = &sc.steps[3].1 else {
            panic!()
        };
        assert!(v.secret && v.last_press && v.duration == Some(Duration::from_secs(30)));
        assert_eq!(sc.steps[5].1, Step::Wait(Duration::from_millis(250)));
    }

    #[test]
    fn leave_route_substitute_and_video_lines_parse() {
        let sc = Scenario::parse(
            "meeting zhuzhou plenary 6\nleave-request 6 \"出差\"\nleave-forward 6\n\
             leave-approve 6 1\nleave-reject 3 1 \"须到会\"\nleave-report 6\n\
             leave-request 2 \"病\" oral late\nsubstitute 6 \"赵局长\" \"副局长\"\n\
             substitute-sign-in 6\nremote 4 jiashan\n",
        )
        .unwrap();
        let steps: Vec<&Step> = sc.steps.iter().map(|(_, s)| s).collect();
        assert_eq!(
            steps[2],
            &Step::Leave(LeaveStep::Decide {
                seat: 6,
                by: 1,
                reject: None
            })
        );
        assert_eq!(
            steps[5],
            &Step::Leave(LeaveStep::Request {
                seat: 2,
                reason: "病".into(),
                written: false,
                late: true
            })
        );
        assert_eq!(
            steps[8],
            &Step::Leave(LeaveStep::Remote(4, "jiashan".into()))
        );
        let bad = Scenario::parse("meeting wuxi executive 3\nleave-request 2 \"x\" loud\n");
        assert_eq!(bad.unwrap_err().line, 2);
    }

    #[test]
    fn errors_name_the_line_in_both_languages() {
        let e = Scenario::parse("meeting wuxi executive 2\npress 1 maybe\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("第 2 行") && e.to_string().contains("unknown key"));
        assert!(Scenario::parse("tap 1\n").is_err(), "meeting line required");
        assert!(Scenario::parse("meeting wuxi executive 9\nserial 4\n").is_err());
    }
}
