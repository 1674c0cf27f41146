//! What each video event means for the meeting core: the [`Command`]s the host executes when
//! a [`GatewayEvent`] arrives. Every event also goes to the ledger and the console as it is;
//! this only adds the attendance and vote consequences.
//!
//! | video event | meeting command |
//! |---|---|
//! | `LinkLost` | `Floor(SiteLeft)`: the room's turn ends and its request is withdrawn at once; attendance waits (the console alerts the chair within 5 s) |
//! | `GraceExpired` | `SiteLinkLost` (members stop counting; quorum is recomputed) |
//! | `LinkRestored` | `SiteLinkRestored` (no-op in the core if the grace never expired) |
//! | `Ended` (either side) | `Depart` for each member of the site, and `Floor(SiteLeft)` |
//! | `Vote` from a one-member site | `CastVote` for that member |
//! | `Vote` from a site with several members | none: a key names a site, not a person; the clerk attributes it (the `site.link` ledger record keeps the key, choice and source) |
//! | `Floor` key 4 / 5 | `Floor(Request)` for the room, in the speak / reply queue (the floor belongs to the room, whatever its size) |
//! | `Floor` key 6 | `Floor(Withdraw)`: the room's request is withdrawn, or its turn ends |

use crate::meeting::{
    Choice, Command, FloorCommand, MemberId, Queue, Requester, SiteId, Timestamp, Voter,
};

use super::dtmf::{FloorKey, VoteChoice};
use super::events::{EndReason, SiteEvent, SiteEventKind};
use super::gateway::GatewayEvent;

/// The meeting core's choice for a keypad vote.
pub fn choice(vote: VoteChoice) -> Choice {
    match vote {
        VoteChoice::Yes => Choice::Yes,
        VoteChoice::No => Choice::No,
        VoteChoice::Abstain => Choice::Abstain,
    }
}

/// The meeting core's id of the event's site.
pub fn site_id(event: &SiteEvent) -> SiteId {
    SiteId(event.site.0.clone())
}

/// The `now` to execute the commands with.
pub fn timestamp(event: &GatewayEvent) -> Timestamp {
    Timestamp(event.at_unix_ms)
}

/// The commands the meeting core must execute for `event` (often none). Refusals from the
/// core (e.g. a vote with no vote open, a departure of someone not signed in) are expected
/// and should be shown to the clerk, not treated as failures.
pub fn meeting_commands(event: &SiteEvent) -> Vec<Command> {
    let members = || event.members.iter().map(|m| MemberId(m.0.clone()));
    match &event.kind {
        SiteEventKind::GraceExpired { .. } => vec![Command::SiteLinkLost {
            site: site_id(event),
        }],
        SiteEventKind::LinkRestored { .. } => vec![Command::SiteLinkRestored {
            site: site_id(event),
        }],
        SiteEventKind::LinkLost { .. } => vec![site_left(event)],
        SiteEventKind::Ended { reason } => {
            let why = match reason {
                EndReason::RemoteHangup => "视频会场挂断 the county room hung up",
                EndReason::LocalHangup => "会堂挂断视频 the hall hung up the county room",
            };
            members()
                .map(|member| Command::Depart {
                    member,
                    reason: Some(why.to_owned()),
                })
                .chain([site_left(event)])
                .collect()
        }
        SiteEventKind::Floor { action, .. } => {
            let who = Requester::Site {
                site: site_id(event),
            };
            let floor = match action {
                FloorKey::Request => FloorCommand::Request {
                    who,
                    queue: Queue::Speak,
                    pressed_at: None,
                },
                FloorKey::Reply => FloorCommand::Request {
                    who,
                    queue: Queue::Reply,
                    pressed_at: None,
                },
                FloorKey::Cancel => FloorCommand::Withdraw { who },
            };
            vec![Command::Floor(floor)]
        }
        SiteEventKind::Vote { choice: vote, .. } if event.members.len() == 1 => members()
            .map(|member| Command::CastVote {
                voter: Voter::Member { member },
                choice: choice(*vote),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn site_left(event: &SiteEvent) -> Command {
    Command::Floor(FloorCommand::SiteLeft {
        site: site_id(event),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::{
        LossReason, MemberId as VideoMember, SiteId as VideoSite, SiteStatus, VoteSource,
    };
    use std::time::Instant;

    fn event(members: &[&str], kind: SiteEventKind) -> SiteEvent {
        SiteEvent {
            site: VideoSite::from("jiashan"),
            members: members.iter().map(|m| VideoMember::from(*m)).collect(),
            at: Instant::now(),
            status: SiteStatus::Connected,
            kind,
        }
    }

    #[test]
    fn loss_changes_attendance_only_after_the_grace_period() {
        let lost = SiteEventKind::LinkLost {
            reason: LossReason::ProbeTimeout { missed: 2 },
            silent_ms: 3_000,
        };
        assert_eq!(
            meeting_commands(&event(&["m3"], lost)),
            vec![Command::Floor(FloorCommand::SiteLeft {
                site: SiteId("jiashan".into())
            })],
            "a lost link ends the room's turn at once but changes no attendance"
        );
        let expired = event(&["m3"], SiteEventKind::GraceExpired { lost_ms: 60_000 });
        assert_eq!(
            meeting_commands(&expired),
            vec![Command::SiteLinkLost {
                site: SiteId("jiashan".into())
            }]
        );
        let restored = event(&["m3"], SiteEventKind::LinkRestored { down_ms: 9 });
        assert_eq!(
            meeting_commands(&restored),
            vec![Command::SiteLinkRestored {
                site: SiteId("jiashan".into())
            }]
        );
    }

    #[test]
    fn a_hang_up_departs_every_member_of_the_site() {
        let ended = event(
            &["m3", "m4"],
            SiteEventKind::Ended {
                reason: EndReason::RemoteHangup,
            },
        );
        let cmds = meeting_commands(&ended);
        assert_eq!(cmds.len(), 3);
        assert!(matches!(&cmds[1], Command::Depart { member, .. } if member.0 == "m4"));
        assert!(
            matches!(&cmds[2], Command::Floor(FloorCommand::SiteLeft { site }) if site.0 == "jiashan")
        );
    }

    #[test]
    fn floor_keys_queue_the_room_whatever_its_size() {
        let key = |action| SiteEventKind::Floor {
            key: '4',
            action,
            source: VoteSource::Rfc4733,
        };
        let room = || Requester::Site {
            site: SiteId("jiashan".into()),
        };
        assert_eq!(
            meeting_commands(&event(&["m3", "m4"], key(FloorKey::Request))),
            vec![Command::Floor(FloorCommand::Request {
                who: room(),
                queue: Queue::Speak,
                pressed_at: None,
            })]
        );
        assert_eq!(
            meeting_commands(&event(&["m3"], key(FloorKey::Reply))),
            vec![Command::Floor(FloorCommand::Request {
                who: room(),
                queue: Queue::Reply,
                pressed_at: None,
            })]
        );
        assert_eq!(
            meeting_commands(&event(&["m3"], key(FloorKey::Cancel))),
            vec![Command::Floor(FloorCommand::Withdraw { who: room() })]
        );
    }

    #[test]
    fn a_key_votes_only_for_a_one_member_site() {
        let vote = SiteEventKind::Vote {
            key: '2',
            choice: VoteChoice::No,
            source: VoteSource::SipInfo,
        };
        assert_eq!(
            meeting_commands(&event(&["m3"], vote.clone())),
            vec![Command::CastVote {
                voter: Voter::Member {
                    member: MemberId("m3".into())
                },
                choice: Choice::No
            }]
        );
        assert!(meeting_commands(&event(&["m3", "m4"], vote)).is_empty());
    }
}
