//! Presiding by entrustment (委托主持 / 代行): who entrusted whom to preside over this meeting,
//! recorded as a `chair_entrusted` event before the session opens, and who signs the minutes
//! because of it.
//!
//! The rulebook names, per kind, the roles that preside in their own right
//! (`[kinds.presiding]`) and those that preside only when entrusted
//! (`[kinds.presiding.entrusted]`): the 常务副市长 while the mayor is away (Jiaxing 第五条,
//! Zhuzhou 第七条, Wuxi 六/四十/四十一), a 副秘书长 entrusted with a topic meeting (Jiaxing
//! 第三十九条, Zhuzhou 第四十五条, Wuxi 四十三, Rizhao 第四十条). A chair who needs an
//! entrustment cannot open the session without one. The minutes name the acting chair and who
//! entrusted them; the signer `entrusting` is the leader who entrusted the chair (or the
//! presiding leader where nobody did), so an entrusted 副秘书长 never signs his own minutes
//! (Jiaxing 第四十一条, Zhuzhou 第四十八条, Wuxi 五十).

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::explain;
use super::ids::{ActorId, MemberId, Timestamp};
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::roster::{Participant, Standing};
use super::session::Phase;

/// The leader who entrusted the chair. Often not on the roster (the mayor is away); when they
/// are, `member` names them and the name and role are the roster's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entruster {
    /// Name as printed in the minutes.
    pub name: String,
    /// Role id from the rulebook (one of `[kinds.presiding.entrusted].by`).
    pub role: String,
    /// The participant, when on the roster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
}

/// An entrustment in force: `by` entrusted `to` with presiding over this meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entrustment {
    /// The meeting it is for.
    pub meeting_id: String,
    /// Who entrusted.
    pub by: Entruster,
    /// Who presides.
    pub to: MemberId,
    /// Why (e.g. 市长外出).
    pub reason: String,
    /// When it was recorded.
    pub at: Timestamp,
}

/// One signer of the minutes, resolved to a person where the meeting knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesSigner {
    /// The rulebook's signer token (a role id, `presiding` or `entrusting`).
    pub token: String,
    /// The role the signer holds, Chinese.
    pub role_zh: String,
    /// The same in English.
    pub role_en: String,
    /// The person, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// They sign as the leader who entrusted the chair.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub as_entruster: bool,
}

impl MinutesSigner {
    /// `mayor Zhang San` / `the vice mayor Li Si, who entrusted the chair`.
    pub fn en(&self) -> String {
        let mut s = match &self.name {
            Some(n) => format!("{} {n}", self.role_en),
            None => self.role_en.clone(),
        };
        if self.as_entruster {
            s.push_str(", who entrusted the chair");
        }
        s
    }

    /// `市长 张三` / `委托主持的副市长 李四` / `市长`.
    pub fn zh(&self) -> String {
        let role = if self.as_entruster {
            format!("委托主持的{}", self.role_zh)
        } else {
            self.role_zh.clone()
        };
        match &self.name {
            Some(n) => format!("{role} {n}"),
            None => role,
        }
    }
}

fn entrust_refusal(code: &'static str, zh: String, en: String) -> Refusal {
    Refusal::Entrustment { code, zh, en }
}

impl Meeting {
    /// The entrustment in force, if any.
    pub fn entrustment(&self) -> Option<&Entrustment> {
        self.entrustment.as_ref()
    }

    fn participant(&self, id: &MemberId) -> Option<&Participant> {
        self.setup.participants.iter().find(|p| &p.id == id)
    }

    pub(super) fn entrust_chair(
        &self,
        to: &MemberId,
        by: Entruster,
        reason: &str,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        if !matches!(self.phase, Phase::Scheduled | Phase::SignIn) {
            return Err(self.wrong_phase("委托主持", "entrust the chair"));
        }
        let presiding = &self.rules.kind.presiding;
        let Some(rule) = &presiding.entrusted else {
            return Err(entrust_refusal(
                "entrustment_not_provided",
                format!(
                    "{}不设委托主持，只能由{}主持{}",
                    self.rules.kind.name_zh,
                    self.role_list_zh(&presiding.roles),
                    explain::citation_zh(&self.rules, presiding)
                ),
                format!(
                    "a {} is not presided by entrustment; only the {} may preside {}",
                    self.rules.kind.name_en,
                    self.role_list_en(&presiding.roles),
                    explain::citation_en(&self.rules, presiding)
                ),
            ));
        };
        if reason.trim().is_empty() {
            return Err(Refusal::Required("委托事由 / reason"));
        }
        let chair = self
            .participant(to)
            .ok_or_else(|| Refusal::UnknownMember(to.clone()))?;
        let by = match &by.member {
            Some(id) => {
                let p = self
                    .participant(id)
                    .ok_or_else(|| Refusal::UnknownMember(id.clone()))?;
                Entruster {
                    name: p.name.clone(),
                    role: p.role.clone(),
                    member: Some(p.id.clone()),
                }
            }
            None => {
                if by.name.trim().is_empty() {
                    return Err(Refusal::Required("委托人姓名 / entruster's name"));
                }
                Entruster {
                    name: by.name.trim().to_owned(),
                    ..by
                }
            }
        };
        if by.member.as_ref() == Some(to) {
            return Err(entrust_refusal(
                "self_entrustment",
                "不能委托本人主持 / nobody entrusts the chair to themselves".into(),
                "nobody entrusts the chair to themselves".into(),
            ));
        }
        let cite_zh = explain::citation_zh(&self.rules, rule);
        let cite_en = explain::citation_en(&self.rules, rule);
        if chair.standing != Standing::Member || !rule.roles.contains(&chair.role) {
            return Err(entrust_refusal(
                "entrustee_role",
                format!(
                    "{}（{}）不能受委托主持，可受委托的是{}{cite_zh}",
                    chair.name,
                    self.rules.role_zh(&chair.role),
                    self.role_list_zh(&rule.roles)
                ),
                format!(
                    "{} ({}) may not be entrusted with the chair; the {} may {cite_en}",
                    chair.name,
                    self.rules.role_en(&chair.role),
                    self.role_list_en(&rule.roles)
                ),
            ));
        }
        if !rule.by.contains(&by.role) {
            return Err(entrust_refusal(
                "entruster_role",
                format!(
                    "{}（{}）不能委托主持，委托人应为{}{cite_zh}",
                    by.name,
                    self.rules.role_zh(&by.role),
                    self.role_list_zh(&rule.by)
                ),
                format!(
                    "{} ({}) may not entrust the chair; it must be the {} {cite_en}",
                    by.name,
                    self.rules.role_en(&by.role),
                    self.role_list_en(&rule.by)
                ),
            ));
        }
        if rule.while_away
            && let Some(id) = &by.member
            && self.attendance.is_present(id)
        {
            return Err(entrust_refusal(
                "entruster_present",
                format!(
                    "{}（{}）已到会，本条委托以其外出为前提，应由其本人主持{cite_zh}",
                    by.name,
                    self.rules.role_zh(&by.role)
                ),
                format!(
                    "{} ({}) is signed in to this meeting; the article entrusts the chair only while they are away, so they preside themselves {cite_en}",
                    by.name,
                    self.rules.role_en(&by.role)
                ),
            ));
        }
        if self.is_excused(to) {
            return Err(entrust_refusal(
                "entrustee_on_leave",
                format!("{} 已准假，不能受委托主持", chair.name),
                format!(
                    "{} is on approved leave and cannot take the chair",
                    chair.name
                ),
            ));
        }
        Ok(vec![Event::ChairEntrusted {
            meeting_id: self.setup.meeting_id.clone(),
            by,
            to: to.clone(),
            reason: reason.trim().to_owned(),
            actor,
            at: now,
        }])
    }

    pub(super) fn apply_entrustment(&mut self, event: &Event) {
        if let Event::ChairEntrusted {
            meeting_id,
            by,
            to,
            reason,
            at,
            ..
        } = event
        {
            self.setup.presiding = to.clone();
            self.entrustment = Some(Entrustment {
                meeting_id: meeting_id.clone(),
                by: by.clone(),
                to: to.clone(),
                reason: reason.clone(),
                at: *at,
            });
        }
    }

    /// Refuses opening when the chair presides only by entrustment and none is recorded.
    pub(super) fn check_chair_entrusted(&self) -> Result<(), Refusal> {
        let presiding = &self.rules.kind.presiding;
        let Some(chair) = self.participant(&self.setup.presiding) else {
            return Ok(());
        };
        let entrusted = self.entrustment.as_ref().is_some_and(|e| e.to == chair.id);
        match &presiding.entrusted {
            Some(rule) if presiding.needs_entrustment(&chair.role) && !entrusted => {
                Err(entrust_refusal(
                    "chair_not_entrusted",
                    format!(
                        "{}（{}）须受{}委托方可主持，请先登记委托{}",
                        chair.name,
                        self.rules.role_zh(&chair.role),
                        self.role_list_zh(&rule.by),
                        explain::citation_zh(&self.rules, rule)
                    ),
                    format!(
                        "{} ({}) presides only when entrusted by the {}: record the entrustment first {}",
                        chair.name,
                        self.rules.role_en(&chair.role),
                        self.role_list_en(&rule.by),
                        explain::citation_en(&self.rules, rule)
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The 主持 line of the minutes: `李四（负责常务工作的副市长，受市长张三委托：市长外出）`.
    pub fn presiding_zh(&self) -> String {
        self.presiding_line(true)
    }

    /// The presiding line in English: `Li Si (executive vice mayor, entrusted by the mayor
    /// Zhang San: away)`.
    pub fn presiding_en(&self) -> String {
        self.presiding_line(false)
    }

    fn presiding_line(&self, zh: bool) -> String {
        let Some(p) = self.participant(&self.setup.presiding) else {
            return String::new();
        };
        let role = |r: &str| {
            if zh {
                self.rules.role_zh(r).to_owned()
            } else {
                self.rules.role_en(r).to_owned()
            }
        };
        match (&self.entrustment, zh) {
            (Some(e), true) if e.to == p.id => format!(
                "{}（{}，受{}{}委托：{}）",
                p.name,
                role(&p.role),
                role(&e.by.role),
                e.by.name,
                e.reason
            ),
            (Some(e), false) if e.to == p.id => format!(
                "{} ({}, entrusted by the {} {}: {})",
                p.name,
                role(&p.role),
                role(&e.by.role),
                e.by.name,
                e.reason
            ),
            (_, true) => format!("{}（{}）", p.name, role(&p.role)),
            (_, false) => format!("{} ({})", p.name, role(&p.role)),
        }
    }

    /// Who signs the minutes, in order, each resolved to a person where the meeting knows
    /// them: `entrusting` is the leader who entrusted the chair (or the presiding leader where
    /// nobody did); `presiding` the chair; a role id the entruster holding it, or the one
    /// member on the roster who holds it.
    pub fn minutes_signers(&self) -> Vec<MinutesSigner> {
        let chair = self.participant(&self.setup.presiding);
        let entruster = self.entrustment.as_ref().map(|e| &e.by);
        self.rules
            .kind
            .minutes
            .signers
            .iter()
            .map(|token| {
                let person = |role: &str, name: Option<String>, as_entruster: bool| MinutesSigner {
                    token: token.clone(),
                    role_zh: self.rules.role_zh(role).to_owned(),
                    role_en: self.rules.role_en(role).to_owned(),
                    name,
                    as_entruster,
                };
                match (token.as_str(), entruster, chair) {
                    ("entrusting", Some(by), _) => person(&by.role, Some(by.name.clone()), true),
                    ("entrusting" | "presiding", _, Some(c)) => {
                        person(&c.role, Some(c.name.clone()), false)
                    }
                    (role, Some(by), _) if by.role == role => {
                        person(role, Some(by.name.clone()), false)
                    }
                    (role, _, _) => {
                        let mut holders = self
                            .setup
                            .participants
                            .iter()
                            .filter(|p| p.standing == Standing::Member && p.role == role);
                        let name = match (holders.next(), holders.next()) {
                            (Some(p), None) => Some(p.name.clone()),
                            _ => None,
                        };
                        person(role, name, false)
                    }
                }
            })
            .collect()
    }

    fn role_list_zh(&self, roles: &[String]) -> String {
        let names: Vec<&str> = roles.iter().map(|r| self.rules.role_zh(r)).collect();
        names.join("、")
    }

    fn role_list_en(&self, roles: &[String]) -> String {
        let names: Vec<&str> = roles.iter().map(|r| self.rules.role_en(r)).collect();
        names.join(", ")
    }
}
