//! The agenda (议题) part of the web contract: what the clerk enters for a topic, the agenda
//! commands, and the agenda as the console, the display and the API read it. Times are local
//! (`YYYY-MM-DD HH:MM` in the hall's zone), as everywhere in the console; member ids are the
//! hall's. The hall maps these onto the meeting core (`crate::meeting::agenda`).

use super::service::Bilingual;
use serde::{Deserialize, Serialize};

/// Someone who acted on a topic before the meeting (proposed, reviewed, confirmed, consented).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct OfficerInput {
    /// Role id from the rulebook (`mayor`, `vice-mayor`, `department`, …).
    pub role: String,
    /// Name as printed in the minutes.
    pub name: String,
    /// When they acted, local `YYYY-MM-DD HH:MM`, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// One side's position on a topic the departments disagree on (各方理据).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PositionInput {
    /// The department or person.
    pub party: String,
    /// Their view.
    pub view: String,
    /// Their grounds.
    pub grounds: String,
}

/// 意见不一致: the positions and, where the city allows tabling with consent, who consented.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DisagreementInput {
    /// The positions.
    #[serde(default)]
    pub positions: Vec<PositionInput>,
    /// Who consented to tabling it anyway (Wuxi 四十二: 经市长同意).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<OfficerInput>,
}

/// What the clerk enters for a topic, when adding it or (whole) when editing it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct TopicInput {
    /// Title.
    pub title: String,
    /// 汇报单位.
    pub reporting_unit: String,
    /// Who proposed it.
    pub proposer: OfficerInput,
    /// Who coordinated or reviewed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<OfficerInput>,
    /// Departments that countersigned it (会签).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countersigned_by: Vec<String>,
    /// Who confirmed it for the agenda (确定) and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<OfficerInput>,
    /// Unresolved disagreement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<DisagreementInput>,
    /// Observers invited for this topic only (member ids of the hall's observers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observers: Vec<String>,
    /// Expected minutes (planning only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

/// A change to a meeting's agenda.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AgendaCommand {
    /// Puts a topic on the agenda (checked against the city's agenda rules).
    Add {
        /// The topic.
        topic: TopicInput,
    },
    /// Replaces a pending or in-progress topic's details.
    Edit {
        /// Topic number.
        topic: String,
        /// The whole new details.
        spec: TopicInput,
    },
    /// Puts the pending topics in a new order (every pending topic once).
    Reorder {
        /// Topic numbers.
        order: Vec<String>,
    },
    /// Takes a pending topic off the agenda.
    Withdraw {
        /// Topic number.
        topic: String,
        /// Why.
        reason: String,
    },
    /// Takes up a topic.
    Start {
        /// Topic number.
        topic: String,
    },
    /// Ends the topic in progress with its outcome.
    End {
        /// Topic number.
        topic: String,
        /// The presiding officer's decision where the chair decides: `approved_in_principle`,
        /// `approved`, `approved_with_changes`, `deferred`, `not_approved` or the Chinese
        /// wording (`原则同意` …). None where a binding vote decides.
        decision: Option<String>,
        /// 议定事项, free text.
        text: String,
    },
}

/// An officer as shown.
#[derive(Debug, Clone, Serialize)]
pub struct OfficerView {
    /// Role id.
    pub role: String,
    /// Role name in both languages.
    pub role_name: Bilingual,
    /// Name.
    pub name: String,
    /// When, local.
    pub at: Option<String>,
}

/// A topic's disagreement as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DisagreementView {
    /// The positions.
    pub positions: Vec<PositionInput>,
    /// Who consented to tabling it.
    pub consent: Option<OfficerView>,
}

/// A per-topic observer and their attendance for the topic.
#[derive(Debug, Clone, Serialize)]
pub struct TopicObserverView {
    /// Member id.
    pub member: String,
    /// Name.
    pub name: String,
    /// Present now (signed in and not departed).
    pub present: bool,
    /// Was present while the topic was in progress (counted 列席 for it).
    pub attended: bool,
    /// When they left after the topic, local `HH:MM:SS`.
    pub left_at: Option<String>,
}

/// How a topic ended.
#[derive(Debug, Clone, Serialize)]
pub struct TopicOutcomeView {
    /// `chair` (首长负责制) or `vote` (a binding vote).
    pub by: String,
    /// The decision id (`approved_in_principle`, …) when the chair decided.
    pub decision: Option<String>,
    /// Who decided (member name) when the chair decided.
    pub decided_by: Option<String>,
    /// The vote when a binding vote decided.
    pub vote: Option<String>,
    /// Whether that vote adopted the motion.
    pub adopted: Option<bool>,
    /// The outcome in one phrase, both languages (`原则同意`, `表决通过（第 2 次表决）`).
    pub summary: Bilingual,
    /// 议定事项.
    pub text: String,
}

/// Where a topic is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TopicState {
    /// 待议.
    Pending,
    /// 进行中.
    InProgress,
    /// 已议.
    Ended,
    /// 已撤回.
    Withdrawn,
}

/// One topic as shown.
#[derive(Debug, Clone, Serialize)]
pub struct TopicView {
    /// Topic number (stable across reordering).
    pub id: String,
    /// Position on the agenda, from 1 (withdrawn topics have none).
    pub position: Option<u32>,
    /// Title.
    pub title: String,
    /// 汇报单位.
    pub reporting_unit: String,
    /// Proposer.
    pub proposer: OfficerView,
    /// Reviewer.
    pub reviewed_by: Option<OfficerView>,
    /// 会签 departments.
    pub countersigned_by: Vec<String>,
    /// Confirming officer and time.
    pub confirmed_by: Option<OfficerView>,
    /// Unresolved disagreement.
    pub disagreement: Option<DisagreementView>,
    /// Per-topic observers.
    pub observers: Vec<TopicObserverView>,
    /// Expected minutes.
    pub minutes: Option<u32>,
    /// State.
    pub state: TopicState,
    /// State name in both languages.
    pub state_name: Bilingual,
    /// Taken up at, local `HH:MM:SS`.
    pub started_at: Option<String>,
    /// Ended or withdrawn at, local `HH:MM:SS`.
    pub ended_at: Option<String>,
    /// Outcome once ended.
    pub outcome: Option<TopicOutcomeView>,
    /// Why it was withdrawn.
    pub withdrawn_reason: Option<String>,
    /// Votes held on it.
    pub votes: Vec<String>,
    /// Edits after it was added.
    pub edits: u32,
    /// What the clerk entered, as entered (for the edit form).
    pub input: TopicInput,
}

/// A decision the presiding officer may record.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionChoice {
    /// Id (`approved_in_principle`, …).
    pub id: String,
    /// Wording.
    pub name: Bilingual,
}

/// The agenda of a meeting.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaView {
    /// Topics in agenda order (taken up first, then pending in the clerk's order; withdrawn
    /// ones where they were).
    pub topics: Vec<TopicView>,
    /// The topic in progress (number).
    pub current: Option<String>,
    /// The next pending topic (number).
    pub next: Option<String>,
    /// Observers of the next topic not yet present: shown as waiting.
    pub waiting: Vec<TopicObserverView>,
    /// `chair_decides` (首长负责制) or `binding` (a vote decides).
    pub decision_mode: String,
    /// The decisions offered when the chair decides (empty when a vote decides).
    pub decisions: Vec<DecisionChoice>,
}

impl AgendaView {
    /// The topic in progress.
    pub fn current_topic(&self) -> Option<&TopicView> {
        let id = self.current.as_ref()?;
        self.topics.iter().find(|t| &t.id == id)
    }

    /// The next pending topic.
    pub fn next_topic(&self) -> Option<&TopicView> {
        let id = self.next.as_ref()?;
        self.topics.iter().find(|t| &t.id == id)
    }
}
