//! The floor between the web contract and the meeting core: each console floor action becomes
//! a core [`FloorCommand`] (a seat by number or a county room by id; partial settings merged
//! onto those in force), and the core's [`Floor`](crate::meeting::Floor) the console's
//! [`FloorView`] with times in the hall's zone and time left counted from now.

use super::clock::format_clock;
use super::{CoreHall, refusal};
use crate::meeting::{
    Command, Floor, FloorCommand, FloorSettings, Meeting, MemberId, Party, Requester, SeatId,
    SiteId, Timestamp,
};
use crate::web::floor::{
    FloorAction, FloorPartyView, FloorRequestView, FloorSettingsInput, FloorSettingsView,
    FloorSpeechView, FloorTarget, FloorTotalView, FloorTurnView, FloorView,
};
use crate::web::hall::SiteConfig;
use crate::web::service::{Actor, Bilingual, Change, Refusal as WebRefusal, RefusalKind};

fn bad_target(zh: &str, en: &str) -> WebRefusal {
    refusal(
        RefusalKind::Invalid,
        "bad_floor_target",
        zh.to_owned(),
        en.to_owned(),
    )
}

/// The party a body names: a seat or a county room, never both; `None` when neither.
fn requester(seat: Option<u32>, site: &Option<String>) -> Result<Option<Requester>, WebRefusal> {
    let site = site.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (seat, site) {
        (Some(_), Some(_)) => Err(bad_target(
            "请只指定一个座位或一个会场。",
            "Name either a seat or a county room, not both.",
        )),
        (Some(0), None) => Err(bad_target("座位号从 1 开始。", "Seat numbers start at 1.")),
        (Some(seat), None) => Ok(Some(Requester::Seat { seat: SeatId(seat) })),
        (None, Some(site)) => Ok(Some(Requester::Site {
            site: SiteId(site.to_owned()),
        })),
        (None, None) => Ok(None),
    }
}

fn no_target() -> WebRefusal {
    bad_target(
        "请指定座位号（seat）或会场（site）。",
        "Name a seat (seat) or a county room (site).",
    )
}

fn required(t: &FloorTarget) -> Result<Requester, WebRefusal> {
    requester(t.seat, &t.site)?.ok_or_else(no_target)
}

/// `input` over the settings in force (a turn limit of 0 removes the limit).
fn merged(current: FloorSettings, input: &FloorSettingsInput) -> FloorSettings {
    FloorSettings {
        mode: input.mode.unwrap_or(current.mode),
        open_limit: input.open_limit.unwrap_or(current.open_limit),
        chair_in_limit: input.chair_in_limit.unwrap_or(current.chair_in_limit),
        queue_limit: input.queue_limit.unwrap_or(current.queue_limit),
        observers_may_speak: input
            .observers_may_speak
            .unwrap_or(current.observers_may_speak),
        turn_limit_s: match input.turn_limit_s {
            Some(0) => None,
            Some(s) => Some(s),
            None => current.turn_limit_s,
        },
        warning_s: input.warning_s.unwrap_or(current.warning_s),
        at_limit: input.at_limit.unwrap_or(current.at_limit),
        priority_clears_queue: input
            .priority_clears_queue
            .unwrap_or(current.priority_clears_queue),
    }
}

fn command(action: &FloorAction, current: FloorSettings) -> Result<FloorCommand, WebRefusal> {
    Ok(match action {
        FloorAction::Request(r) => FloorCommand::Request {
            who: requester(r.seat, &r.site)?.ok_or_else(no_target)?,
            queue: r.queue,
            pressed_at: None,
        },
        FloorAction::Grant(t) => FloorCommand::Grant {
            who: requester(t.seat, &t.site)?,
        },
        FloorAction::Deny(t) => FloorCommand::Deny { who: required(t)? },
        FloorAction::End(t) => FloorCommand::End { who: required(t)? },
        FloorAction::MuteAll(m) => FloorCommand::MuteAll {
            clear_queue: m.clear_queue,
        },
        FloorAction::Configure(input) => FloorCommand::Configure {
            settings: merged(current, input),
        },
    })
}

impl CoreHall {
    /// Runs a floor action on a meeting.
    pub(super) async fn floor(
        &self,
        actor: &Actor,
        meeting: &str,
        action: FloorAction,
    ) -> Result<Vec<Change>, WebRefusal> {
        let current = self
            .app
            .with_meeting(meeting, |m| m.floor().settings)
            .ok_or_else(super::no_meeting)?;
        let cmd = command(&action, current)?;
        self.run(actor, meeting, Command::Floor(cmd)).await
    }
}

fn bi(zh: &str, en: &str) -> Bilingual {
    Bilingual {
        zh: zh.into(),
        en: en.into(),
    }
}

fn party_view(m: &Meeting, sites: &[SiteConfig], p: &Party) -> FloorPartyView {
    match p {
        Party::Seat { seat, member } => FloorPartyView {
            seat: Some(seat.0),
            member: Some(member.0.clone()),
            site: None,
            name: m
                .attendance()
                .records
                .get(member)
                .map_or_else(|| member.0.clone(), |r| r.participant.name.clone()),
        },
        Party::Site { site } => FloorPartyView {
            seat: None,
            member: None,
            site: Some(site.0.clone()),
            name: sites
                .iter()
                .find(|s| s.id == site.0)
                .map_or_else(|| site.0.clone(), |s| s.name.clone()),
        },
    }
}

fn settings_view(s: &FloorSettings) -> FloorSettingsView {
    FloorSettingsView {
        settings: *s,
        mode_name: bi(s.mode.name_zh(), s.mode.name_en()),
    }
}

fn seconds(ms: u64) -> u64 {
    ms / 1000
}

fn totals(m: &Meeting, sites: &[SiteConfig], f: &Floor) -> Vec<FloorTotalView> {
    let seat_of = |member: &MemberId| {
        f.speeches
            .iter()
            .rev()
            .find_map(|s| match &s.party {
                Party::Seat { seat, member: m } if m == member => Some(*seat),
                _ => None,
            })
            .unwrap_or(SeatId(0))
    };
    let members = f.member_ms.iter().map(|(member, ms)| {
        let party = Party::Seat {
            seat: seat_of(member),
            member: member.clone(),
        };
        (party, *ms)
    });
    let rooms = f
        .site_ms
        .iter()
        .map(|(site, ms)| (Party::Site { site: site.clone() }, *ms));
    let mut out: Vec<FloorTotalView> = members
        .chain(rooms)
        .map(|(p, ms)| FloorTotalView {
            party: party_view(m, sites, &p),
            spoken_s: seconds(ms),
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.spoken_s));
    out
}

/// The meeting's floor as the console and the display show it, at `now`.
pub fn floor(m: &Meeting, sites: &[SiteConfig], now: Timestamp, offset: i8) -> FloorView {
    let f = m.floor();
    let queue = f
        .waiting()
        .enumerate()
        .map(|(i, r)| FloorRequestView {
            position: i as u32 + 1,
            party: party_view(m, sites, &r.party),
            queue: r.queue,
            since: format_clock(r.at, offset),
        })
        .collect();
    let open = f
        .open
        .iter()
        .map(|t| FloorTurnView {
            party: party_view(m, sites, &t.party),
            chair: t.chair,
            since: format_clock(t.since, offset),
            spoken_s: seconds(now.since(t.since)),
            remaining_s: t.ends_at.map(|e| seconds(e.since(now) + 999)),
            warned: t.warned,
            time_up: t.time_up,
        })
        .collect();
    let speeches = f
        .speeches
        .iter()
        .map(|s| FloorSpeechView {
            party: party_view(m, sites, &s.party),
            topic: s.topic.map(|t| t.0.to_string()),
            from: format_clock(s.from, offset),
            to: s.to.map(|t| format_clock(t, offset)),
            spoken_s: seconds(s.to.unwrap_or(now).since(s.from)),
            ended: s.reason.map(|r| {
                let (zh, en) = r.text().split_once(" / ").unwrap_or((r.text(), r.text()));
                bi(zh, en)
            }),
        })
        .collect();
    FloorView {
        settings: settings_view(&f.settings),
        queue,
        open,
        delegates_open: f.delegates_open() as u32,
        totals: totals(m, sites, f),
        speeches,
        fire_alarm: f.alarm.is_some(),
    }
}
