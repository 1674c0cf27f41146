//! The rehearsal's agenda lines (议题): `topic`, `topic-start`, `topic-end`, `topic-withdraw`.
//! Each is a clerk command on the hall, so the city's agenda rules (Wuxi 四十二, Zhuzhou
//! 第四十六条, Rizhao 第四十一条, Jiaxing 第三十七/三十八条) refuse a topic in a scenario as
//! they do on the console, and the refusal is listed with its line. Parsing is in
//! `agenda_lines.rs`.

use crate::app::{Hall, HallError};
use crate::meeting::{ActorId, Command, TopicId};

pub use super::agenda_lines::{AgendaStep, parse};

const CLERK: &str = "clerk:rehearsal";

/// Plays one agenda line.
pub async fn play(hall: &Hall, id: &str, step: &AgendaStep) -> Result<(), HallError> {
    let actor = ActorId(CLERK.into());
    let command = match step {
        AgendaStep::Add(spec) => Command::AddTopic {
            spec: spec.clone(),
            actor,
        },
        AgendaStep::Start(n) => Command::StartTopic {
            topic: TopicId(*n),
            actor,
        },
        AgendaStep::End(n, decision, text) => Command::EndTopic {
            topic: TopicId(*n),
            decision: *decision,
            text: text.clone(),
            actor,
        },
        AgendaStep::Withdraw(n, reason) => Command::WithdrawTopic {
            topic: TopicId(*n),
            reason: reason.clone(),
            actor,
        },
    };
    hall.execute(id, CLERK, command).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::super::scenario::{Scenario, Step};
    use super::*;
    use crate::meeting::Decision;

    #[test]
    fn topic_lines_parse_with_officers_disputes_and_decisions() {
        let sc = Scenario::parse(
            "meeting wuxi executive 5\n\
             topic \"关于城市更新的议题\" \"市住房城乡建设局\" proposer vice-mayor \"李副市长\" confirmed mayor \"赵市长\" \
             dispute \"市住房城乡建设局\" \"整体更新\" \"统筹配套\" dispute \"市财政局\" \"分期实施\" \"财力有限\" consent mayor \"赵市长\"\n\
             topic-start 1\ntopic-end 1 原则同意 \"按意见修改\"\ntopic-end 2 vote\ntopic-withdraw 3 \"材料未齐\"\n",
        )
        .unwrap();
        let Step::Agenda(AgendaStep::Add(spec)) = &sc.steps[0].1 else {
            panic!("{:?}", sc.steps[0])
        };
        assert_eq!(spec.proposer.role, "vice-mayor");
        assert_eq!(
            spec.confirmed_by.as_ref().map(|o| o.name.as_str()),
            Some("赵市长")
        );
        let d = spec.disagreement.as_ref().expect("disputed");
        assert_eq!(d.positions.len(), 2);
        assert_eq!(d.positions[1].grounds, "财力有限");
        assert_eq!(d.consent.as_ref().map(|o| o.role.as_str()), Some("mayor"));
        assert_eq!(sc.steps[1].1, Step::Agenda(AgendaStep::Start(1)));
        assert_eq!(
            sc.steps[2].1,
            Step::Agenda(AgendaStep::End(
                1,
                Some(Decision::ApprovedInPrinciple),
                "按意见修改".into()
            ))
        );
        assert_eq!(
            sc.steps[3].1,
            Step::Agenda(AgendaStep::End(2, None, String::new()))
        );
    }

    #[test]
    fn bad_topic_lines_name_the_line() {
        for bad in [
            "topic \"t\"",
            "topic \"t\" \"u\" proposer mayor",
            "topic \"t\" \"u\" boss mayor \"x\"",
            "topic-start x",
            "topic-end 1 maybe",
            "topic-withdraw 1",
        ] {
            let e = Scenario::parse(&format!("meeting wuxi executive 3\n{bad}\n")).unwrap_err();
            assert_eq!(e.line, 2, "{bad}");
        }
    }
}
