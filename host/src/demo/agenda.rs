//! The demo meeting's agenda (议题): three topics, each with the head of its reporting
//! department invited to attend it only (列席相关议题, Wuxi 四十: 根据讨论事项安排有关部门、单位
//! 主要负责人 … 列席), proposed, reviewed, countersigned and confirmed as the chosen city's
//! rulebook asks, so the topics pass its agenda rules and the clerk can take them up in turn.
//! The autopilot brings each department head in when their topic is next and the meeting core
//! records them leaving when it ends.

use crate::app::Hall;
use crate::meeting::{ActorId, Command, MeetingRules, MemberId, Officer, Timestamp, TopicSpec};
use crate::web::hall::Person;

/// The department heads invited for one topic each: (id, name, seat, card UID). Seats 13–15
/// are on the first RS-485 segment; the demo's general observers sit at 10–12.
pub const DEMO_TOPIC_OBSERVERS: [(&str, &str, u32, &str); 3] = [
    ("zjj", "市住房城乡建设局局长", 13, "C3000001"),
    ("jtj", "市交通运输局局长", 14, "C3000002"),
    ("fgw", "市发展改革委主任", 15, "C3000003"),
];

/// The topics: (title, reporting department, the invited head's id, expected minutes).
const TOPICS: [(&str, &str, &str, u32); 3] = [
    (
        "关于城市更新三年行动计划的议题",
        "市住房城乡建设局",
        "zjj",
        20,
    ),
    ("关于优化公交线网的议题", "市交通运输局", "jtj", 15),
    ("关于2027年民生实事项目的议题", "市发展改革委", "fgw", 25),
];

/// The department heads as people of the demo hall (observers, one card each).
pub fn topic_observers() -> impl Iterator<Item = Person> {
    DEMO_TOPIC_OBSERVERS
        .iter()
        .map(|(id, name, seat, card)| Person {
            id: (*id).into(),
            name: (*name).into(),
            role: "市直部门负责人".into(),
            seat: Some(*seat),
            cards: vec![(*card).into()],
            observer: true,
        })
}

/// The demo's topic specs for a meeting under `rules` that starts at `start`: proposed a week
/// before, reviewed five days and confirmed three days before; names from `people` by role.
pub fn topic_specs(rules: &MeetingRules, people: &[Person], start: Timestamp) -> Vec<TopicSpec> {
    let agenda = rules.kind.agenda_rules();
    let name_of = |role: &str| {
        people
            .iter()
            .find(|p| p.role == role)
            .map_or_else(|| rules.role_zh(role).to_owned(), |p| p.name.clone())
    };
    let officer = |role: &str, days_before: u64| Officer {
        role: role.to_owned(),
        name: name_of(role),
        at: Some(Timestamp(start.0.saturating_sub(days_before * 86_400_000))),
    };
    // A vice mayor proposes where the city names proposers and allows them, else the first
    // role it names (e.g. the mayor for a plenary meeting), else the reporting department.
    let proposer_role = |unit: &str| -> Officer {
        let p = &agenda.proposal.proposers;
        let department = || Officer {
            role: "department".into(),
            name: unit.into(),
            at: Some(Timestamp(start.0.saturating_sub(7 * 86_400_000))),
        };
        if p.is_empty() {
            department()
        } else if p.iter().any(|r| r == "vice-mayor") {
            officer("vice-mayor", 7)
        } else if p.iter().any(|r| r == "department") {
            department()
        } else {
            officer(&p[0], 7)
        }
    };
    TOPICS
        .iter()
        .map(|(title, unit, head, minutes)| TopicSpec {
            title: (*title).into(),
            reporting_unit: (*unit).into(),
            proposer: proposer_role(unit),
            reviewed_by: agenda
                .proposal
                .reviewers
                .first()
                .map(|role| officer(role, 5)),
            countersigned_by: if agenda.proposal.countersign {
                vec!["市财政局".into(), "市司法局".into()]
            } else {
                Vec::new()
            },
            confirmed_by: agenda
                .confirmation
                .confirmers
                .first()
                .map(|role| officer(role, 3)),
            disagreement: None,
            observers: vec![MemberId((*head).into())],
            minutes: Some(*minutes),
        })
        .collect()
}

/// Puts the demo topics on meeting `id`'s agenda as the clerk; a topic the city's rules
/// refuse is reported and left off (the meeting still runs).
pub async fn schedule_agenda(hall: &Hall, id: &str, people: &[Person]) {
    let Some(specs) = hall.with_meeting(id, |m| {
        topic_specs(m.rules(), people, m.setup().scheduled_start)
    }) else {
        return;
    };
    for spec in specs {
        let title = spec.title.clone();
        let command = Command::AddTopic {
            spec: Box::new(spec),
            actor: ActorId("user:clerk".into()),
        };
        if let Err(e) = hall.execute(id, "user:clerk", command).await {
            tracing::warn!(%title, "演示议题未列入 / demo topic not put on the agenda: {e}");
        }
    }
}
