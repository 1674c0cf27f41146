//! Validation of a parsed rulebook, with line numbers: every law rule cites an article and a
//! clause that appears verbatim in the source text, every hall-policy value says why, every role
//! named is defined, leave routing is unambiguous. `huitang rules check FILE` prints these.

use std::collections::BTreeSet;
use std::fmt;

use toml::de::{DeTable, DeValue};

use super::rulebook::{Cited, DecisionMode, Rulebook, SCHEMA, Source};

/// The longest link-loss grace period a rulebook may set (one hour).
pub const MAX_LOSS_GRACE_SECONDS: u32 = 3600;

/// One problem in a rulebook, located by its key path and, when found, its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path, e.g. `kinds[1].quorum.clause`.
    pub path: String,
    /// 1-based line of the key (or of its nearest enclosing table), when it could be located.
    pub line: Option<usize>,
    /// What is wrong and what to do, in Chinese and English.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// 1-based (line, column) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Collects every problem in `book`. `text` is the TOML it came from (for line numbers);
/// `source_text` is the quoted document, when available.
pub fn validate(book: &Rulebook, text: &str, source_text: Option<&str>) -> Vec<Problem> {
    let mut v = Validator {
        book,
        problems: Vec::new(),
        source_text,
        tree: DeTable::parse(text).ok().map(|t| (t, text)),
    };
    v.run();
    v.problems
}

struct Validator<'a> {
    book: &'a Rulebook,
    problems: Vec<Problem>,
    source_text: Option<&'a str>,
    tree: Option<(toml::Spanned<DeTable<'a>>, &'a str)>,
}

impl Validator<'_> {
    fn problem(&mut self, path: String, message: impl Into<String>) {
        let line = self
            .tree
            .as_ref()
            .and_then(|(t, text)| locate(t, text, &path));
        self.problems.push(Problem {
            path,
            line,
            message: message.into(),
        });
    }

    fn run(&mut self) {
        let book = self.book;
        if book.schema != SCHEMA {
            self.problem(
                "schema".into(),
                format!("只支持 schema = {SCHEMA} / only schema = {SCHEMA} is supported"),
            );
        }
        if !is_id(&book.city) {
            self.problem(
                "city".into(),
                "城市标识须为小写字母和连字符 / city id must be lowercase letters and '-'",
            );
        }
        if book.kinds.is_empty() {
            self.problem(
                "kinds".into(),
                "至少需要一种会议类型 / at least one [[kinds]] is required",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, kind) in book.kinds.iter().enumerate() {
            let at = format!("kinds[{i}]");
            if !is_id(&kind.id) {
                self.problem(
                    format!("{at}.id"),
                    "会议类型标识须为小写字母和连字符 / kind id must be lowercase letters and '-'",
                );
            }
            if !seen.insert(kind.id.as_str()) {
                self.problem(
                    format!("{at}.id"),
                    format!("会议类型 “{}” 重复 / duplicate kind “{}”", kind.id, kind.id),
                );
            }
            self.kind(&at, kind);
        }
    }

    fn kind(&mut self, at: &str, k: &super::rulebook::KindRules) {
        self.cited(&format!("{at}.composition"), &k.composition);
        self.cited(&format!("{at}.observers"), &k.observers);
        self.cited(&format!("{at}.presiding"), &k.presiding);
        self.cited(&format!("{at}.quorum"), &k.quorum);
        if let Some(w) = &k.quorum.when_lost {
            self.cited(&format!("{at}.quorum.when_lost"), w);
        }
        self.cited(&format!("{at}.decision"), &k.decision);
        self.cited(&format!("{at}.substitutes"), &k.substitutes);
        self.cited(&format!("{at}.remote"), &k.remote);
        self.cited(&format!("{at}.minutes"), &k.minutes);
        self.remote(&format!("{at}.remote"), &k.remote);
        if k.composition.roles.is_empty() {
            self.problem(
                format!("{at}.composition.roles"),
                "组成人员不能为空 / composition needs at least one role",
            );
        }
        self.roles(&format!("{at}.composition.roles"), &k.composition.roles);
        self.roles(&format!("{at}.presiding.roles"), &k.presiding.roles);
        self.roles(&format!("{at}.minutes.signers"), &k.minutes.signers);
        self.entrusted(at, k);
        self.roles(&format!("{at}.observers.roles"), &k.observers.roles);
        for r in &k.observers.roles {
            if k.composition.roles.contains(r) {
                self.problem(
                    format!("{at}.observers.roles"),
                    format!("角色 “{r}” 不能既是组成人员又是列席人员 / role “{r}” cannot be both a member and a statutory observer of one kind"),
                );
            }
        }
        self.counts_source(&format!("{at}.substitutes"), &k.substitutes);
        match (k.decision.mode, k.decision.threshold) {
            (DecisionMode::Binding, None) => self.problem(
                format!("{at}.decision.threshold"),
                "表决生效须写明通过门槛 / a binding decision needs a threshold",
            ),
            (DecisionMode::ChairDecides, Some(_)) => self.problem(
                format!("{at}.decision.threshold"),
                "首长负责制下表决仅供参考，不设门槛 / chair-decides takes no threshold",
            ),
            _ => {}
        }
        self.leave(at, k);
        if let Some(a) = &k.agenda {
            self.agenda(&format!("{at}.agenda"), a);
        }
    }

    /// `[kinds.agenda]`: each rule cited, every role defined, consent named where needed.
    fn agenda(&mut self, at: &str, a: &super::rulebook::AgendaRules) {
        self.cited(&format!("{at}.proposal"), &a.proposal);
        self.cited(&format!("{at}.confirmation"), &a.confirmation);
        self.cited(&format!("{at}.disagreement"), &a.disagreement);
        self.cited(&format!("{at}.observers"), &a.observers);
        self.roles(&format!("{at}.proposal.proposers"), &a.proposal.proposers);
        self.roles(&format!("{at}.proposal.reviewers"), &a.proposal.reviewers);
        self.roles(
            &format!("{at}.confirmation.confirmers"),
            &a.confirmation.confirmers,
        );
        self.roles(
            &format!("{at}.disagreement.consent"),
            &a.disagreement.consent,
        );
        let with_consent = a.disagreement.rule == super::rulebook::DisagreementRule::WithConsent;
        if with_consent == a.disagreement.consent.is_empty() {
            self.problem(
                format!("{at}.disagreement.consent"),
                "rule = \"with-consent\" 须且仅须写明同意人 / name the consenting roles exactly when rule = \"with-consent\"",
            );
        }
    }

    /// The video sub-rules: each cited; a cap between 1 and 100 percent; a sane grace; no
    /// vote or cap for members who are not counted at all.
    fn remote(&mut self, at: &str, r: &super::rulebook::RemotePolicy) {
        if let Some(v) = &r.may_vote {
            self.cited(&format!("{at}.may_vote"), v);
            if v.allowed && !r.counts {
                self.problem(
                    format!("{at}.may_vote.allowed"),
                    "视频参会不计入实到时不能表决（表决以实到为基数）/ members not counted in 实到 cannot vote (votes are over 实到); set counts = true or allowed = false",
                );
            }
        }
        if let Some(s) = &r.max_share {
            self.cited(&format!("{at}.max_share"), s);
            if let Some(p) = s.percent {
                if !(1..=100).contains(&p) {
                    self.problem(
                        format!("{at}.max_share.percent"),
                        "比例须在 1 至 100 之间 / percent must be 1..=100 (leave it out for no cap)",
                    );
                }
                if !r.counts {
                    self.problem(
                        format!("{at}.max_share.percent"),
                        "视频参会不计入时不设比例上限 / a cap needs counts = true",
                    );
                }
            }
        }
        if let Some(g) = &r.loss_grace {
            self.cited(&format!("{at}.loss_grace"), g);
            if g.seconds > MAX_LOSS_GRACE_SECONDS {
                self.problem(
                    format!("{at}.loss_grace.seconds"),
                    format!("宽限期不得超过 {MAX_LOSS_GRACE_SECONDS} 秒 / the grace period may not exceed {MAX_LOSS_GRACE_SECONDS} s"),
                );
            }
        }
    }

    /// `[kinds.presiding.entrusted]`: cited, roles defined, entrusting roles named; where a
    /// chair may preside by entrustment the minutes name the entrusting leader
    /// (`entrusting`), never `presiding`, so a 副秘书长 never signs the minutes of a meeting
    /// he was entrusted with (Jiaxing 第四十一条, Zhuzhou 第四十八条, Wuxi 五十).
    fn entrusted(&mut self, at: &str, k: &super::rulebook::KindRules) {
        let Some(e) = &k.presiding.entrusted else {
            return;
        };
        let ep = format!("{at}.presiding.entrusted");
        self.cited(&ep, e);
        self.roles(&format!("{ep}.roles"), &e.roles);
        self.roles(&format!("{ep}.by"), &e.by);
        if e.roles.is_empty() || e.by.is_empty() {
            self.problem(
                ep.clone(),
                "须写明受委托主持的角色（roles）和委托人角色（by）/ name both the roles that may be entrusted (roles) and who may entrust them (by)",
            );
        }
        if k.minutes.signers.iter().any(|s| s == "presiding") {
            self.problem(
                format!("{at}.minutes.signers"),
                "本类会议可受委托主持，纪要签发人应写 \"entrusting\"（主持会议或委托主持会议的领导），不能写 \"presiding\"：受委托主持人不签发本人主持的会议纪要 / this kind may be presided by entrustment: name \"entrusting\" (the presiding leader, or the leader who entrusted the chair) as signer, not \"presiding\": an entrusted chair never signs his own minutes",
            );
        }
    }

    /// `counts_source = "law"` only where the substitutes table itself cites the clause.
    fn counts_source(&mut self, at: &str, s: &super::rulebook::SubstitutePolicy) {
        let c = s.citation();
        let blank = |v: Option<&str>| v.is_none_or(|v| v.trim().is_empty());
        if s.counts_source == Source::Law
            && (c.source != Source::Law || blank(c.article) || blank(c.clause))
        {
            self.problem(
                format!("{at}.counts_source"),
                "counts_source = \"law\" 须由本表以条文（article、clause，source 为 law）写明；条文未规定代会人员是否计入时应为 \"hall-policy\"（默认）/ counts_source = \"law\" needs this table to cite the article and clause as law; where the text is silent on counting, use \"hall-policy\" (the default)",
            );
        }
    }

    fn leave(&mut self, at: &str, k: &super::rulebook::KindRules) {
        if k.leave.is_empty() {
            self.problem(
                format!("{at}.leave"),
                "须写明请假规则 / at least one [[kinds.leave]] is required",
            );
        }
        let mut claimed: BTreeSet<&str> = BTreeSet::new();
        let mut catch_all = 0;
        for (j, rule) in k.leave.iter().enumerate() {
            let lp = format!("{at}.leave[{j}]");
            self.cited(&lp, rule);
            self.roles(&format!("{lp}.roles"), &rule.roles);
            self.roles(&format!("{lp}.approvers"), &rule.approvers);
            for extra in [&rule.via, &rule.report_to, &rule.report_by]
                .into_iter()
                .flatten()
            {
                self.roles(&lp, std::slice::from_ref(extra));
            }
            if rule.approvers.is_empty() {
                self.problem(
                    format!("{lp}.approvers"),
                    "须写明批准人 / name at least one approver",
                );
            }
            if rule.roles.is_empty() {
                catch_all += 1;
            }
            for r in &rule.roles {
                if !claimed.insert(r.as_str()) {
                    self.problem(
                        format!("{lp}.roles"),
                        format!("角色 “{r}” 出现在两条请假规则中 / role “{r}” is routed by two leave rules"),
                    );
                }
            }
        }
        if catch_all > 1 {
            self.problem(
                format!("{at}.leave"),
                "只能有一条适用于全体（roles = []）的请假规则 / only one catch-all leave rule",
            );
        }
    }

    fn roles(&mut self, path: &str, roles: &[String]) {
        for r in roles {
            if !self.book.roles.contains_key(r) {
                let known: Vec<&str> = self.book.roles.keys().map(String::as_str).collect();
                self.problem(
                    path.to_owned(),
                    format!("未定义的角色 “{r}”，请在 [roles] 中定义 / undefined role “{r}”; defined: {}", known.join(", ")),
                );
            }
        }
    }

    fn cited(&mut self, path: &str, rule: &dyn Cited) {
        let c = rule.citation();
        let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
        match c.source {
            Source::Law => {
                if blank(c.article) {
                    self.problem(format!("{path}.article"), "条文规则须注明条款 / a law rule needs `article` (or mark source = \"hall-policy\" with a note)");
                }
                if blank(c.clause) {
                    self.problem(
                        format!("{path}.clause"),
                        "条文规则须引用原文 / a law rule needs the quoted `clause`",
                    );
                }
            }
            Source::HallPolicy => {
                if blank(c.note) {
                    self.problem(
                        format!("{path}.note"),
                        "本会堂政策须说明理由 / a hall-policy value needs a `note` saying why",
                    );
                }
            }
        }
        if let (Some(clause), Some(source)) = (c.clause, self.source_text)
            && !clause.trim().is_empty()
            && !source.contains(clause)
        {
            self.problem(
                format!("{path}.clause"),
                "引文与原文不一致 / the clause does not appear verbatim in the source text",
            );
        }
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The line of `path` (`kinds[1].quorum.clause`) in the parsed tree, or of its deepest ancestor.
fn locate(root: &toml::Spanned<DeTable<'_>>, text: &str, path: &str) -> Option<usize> {
    let mut best: Option<std::ops::Range<usize>> = None;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    for seg in path.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let Some((key, mut value)) =
            table.and_then(|t| t.iter().find(|(k, _)| k.get_ref() == name))
        else {
            break;
        };
        best = Some(key.span());
        if let (DeValue::Array(items), Some(i)) = (value.get_ref(), index) {
            let Some(item) = items.get(i) else { break };
            value = item;
            best = Some(item.span());
        }
        table = match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    best.map(|s| line_col(text, s.start).0)
}
