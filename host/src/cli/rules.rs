//! `huitang rules list | show CITY | check FILE`: the city rulebooks a clerk can read, with
//! every rule's clause, and a validator for a hall's own rulebook file (errors with line
//! numbers; exit 0 valid, 1 invalid, 2 unreadable or unknown).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use huitang::meeting::explain::citation_zh;
use huitang::meeting::rulebook::{
    Cited, DecisionMode, KindRules, MeetingRules, Source, Threshold, embedded_cities,
};
use huitang::meeting::{LossAction, QuorumRule, Rulebook, RulebookError};

use super::EXIT_BAD_INPUT;

/// `huitang rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rulebooks shipped in the binary and their meeting kinds.
    List,
    /// Show a city's rules (or a rulebook file's), every rule with its clause.
    Show {
        /// City id or rulebook file path.
        city: String,
        /// Only this meeting kind.
        #[arg(long)]
        kind: Option<String>,
        /// Print the rulebook as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a rulebook file; problems are printed with line numbers.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
}

/// Runs `huitang rules ...`.
pub fn run(cmd: RulesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RulesCommand::List => list(),
        RulesCommand::Show { city, kind, json } => show(&city, kind.as_deref(), json),
        RulesCommand::Check { file } => Ok(check(&file)),
    }
}

fn list() -> anyhow::Result<ExitCode> {
    for city in embedded_cities() {
        let book = Rulebook::embedded(&city)?;
        println!("{:<11} {} / {}", book.city, book.name_zh, book.name_en);
        println!("            {}", book.document);
        for k in &book.kinds {
            let law = if k.quorum.source == Source::Law {
                ""
            } else {
                "（本会堂政策 hall policy）"
            };
            println!(
                "            - {:<15} {}  法定人数 quorum: {}{}",
                k.id,
                k.name_zh,
                rule_zh(k.quorum.rule),
                law
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(city: &str, kind: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let book = match Rulebook::resolve(city) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("huitang rules show: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let kinds: Vec<&KindRules> = match kind {
        Some(k) => match book.kind(k) {
            Ok(k) => vec![k],
            Err(e) => {
                eprintln!("huitang rules show: {e}");
                return Ok(ExitCode::from(EXIT_BAD_INPUT));
            }
        },
        None => book.kinds.iter().collect(),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&kinds)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} ({}) — {}", book.name_zh, book.city, book.document);
    for k in kinds {
        let rules = book.meeting_rules(&k.id)?;
        print_kind(&rules);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_kind(rules: &MeetingRules) {
    let k = &rules.kind;
    let roles = |ids: &[String]| {
        ids.iter()
            .map(|r| rules.role_zh(r))
            .collect::<Vec<_>>()
            .join("、")
    };
    println!();
    println!("[{}] {} / {}", k.id, k.name_zh, k.name_en);
    line(
        rules,
        "组成人员 composition",
        &roles(&k.composition.roles),
        &k.composition,
    );
    let observers = if k.observers.roles.is_empty() {
        k.observers.who.clone()
    } else {
        format!(
            "{}（以下角色在本类会议为列席，不计入应到 these roles observe at this kind, never counted: {}）",
            k.observers.who,
            roles(&k.observers.roles)
        )
    };
    line(rules, "列席 observers", &observers, &k.observers);
    line(
        rules,
        "主持 presiding",
        &roles(&k.presiding.roles),
        &k.presiding,
    );
    if let Some(e) = &k.presiding.entrusted {
        line(
            rules,
            "受委托主持 presiding by entrustment",
            &format!(
                "{}（须受{}委托{}，会前登记 chair_entrusted；纪要写明委托人）(only when entrusted by the {}{}, recorded before the session opens)",
                roles(&e.roles),
                roles(&e.by),
                if e.while_away {
                    "，且仅在委托人外出、未到会时"
                } else {
                    ""
                },
                e.by.iter()
                    .map(|r| rules.role_en(r))
                    .collect::<Vec<_>>()
                    .join(", "),
                if e.while_away {
                    " while they are away and not signed in"
                } else {
                    ""
                }
            ),
            e,
        );
    }
    line(rules, "法定人数 quorum", rule_zh(k.quorum.rule), &k.quorum);
    if k.quorum.rule != QuorumRule::None {
        let action = match k.quorum.loss_action() {
            LossAction::Refuse => "不开始表决、不形成决定 (no vote opens, no decision stands)",
            LossAction::Record => {
                "照常表决，记为不足法定人数时进行 (recorded as taken without quorum)"
            }
        };
        let c = k.quorum.when_lost_citation();
        println!(
            "  中途不足法定人数 quorum lost: {action}{}",
            huitang::meeting::explain::citation_of_zh(rules, c)
        );
        if let Some(note) = c.note {
            println!("      注 note: {note}");
        }
    }
    let decision = match (k.decision.mode, k.decision.threshold) {
        (DecisionMode::ChairDecides, _) => {
            "首长负责制：主持人决定，表决仅供参考 (chair decides; votes are advisory)".to_owned()
        }
        (DecisionMode::Binding, Some(t)) => format!("表决生效：{}", threshold_zh(t)),
        (DecisionMode::Binding, None) => "表决生效（未写门槛）".to_owned(),
    };
    line(rules, "决策 decision", &decision, &k.decision);
    for l in &k.leave {
        let who = if l.roles.is_empty() {
            "全体参会人员".to_owned()
        } else {
            roles(&l.roles)
        };
        let mut v = format!(
            "{who} → {}",
            l.approvers
                .iter()
                .map(|r| rules.role_zh(r))
                .collect::<Vec<_>>()
                .join("或")
        );
        if let Some(via) = &l.via {
            v.push_str(&format!("（经{}）", rules.role_zh(via)));
        }
        match (&l.report_by, &l.report_to) {
            (Some(by), Some(to)) => v.push_str(&format!(
                "，由{}向{}报告",
                rules.role_zh(by),
                rules.role_zh(to)
            )),
            (None, Some(to)) => v.push_str(&format!("，经同意后向{}报备", rules.role_zh(to))),
            _ => {}
        }
        if l.written {
            v.push_str("，须书面 (written)");
        }
        if l.in_advance {
            v.push_str("，须提前 (in advance)");
        }
        line(rules, "请假 leave", &v, l);
    }
    let s = &k.substitutes;
    let subs = match (s.allowed, s.requires_approved_leave, s.counts) {
        (false, _, _) => "不得代会 (not allowed)".to_owned(),
        (true, after, counts) => format!(
            "允许{}，{} (allowed{}, {})",
            if after {
                "（请假经同意后）"
            } else {
                ""
            },
            if counts {
                "计入实到"
            } else {
                "不计入实到"
            },
            if after { " after approved leave" } else { "" },
            if counts { "counted" } else { "not counted" }
        ),
    };
    let subs = if s.allowed && s.counts_source == Source::HallPolicy {
        format!(
            "{subs}；是否计入为本会堂政策，非规则条文 (whether they count is hall policy, not law)"
        )
    } else {
        subs
    };
    line(rules, "代会 substitutes", &subs, s);
    let remote = if k.remote.counts {
        "计入实到 (counted)"
    } else {
        "记录但不计入 (recorded, not counted)"
    };
    line(rules, "视频参会 remote", remote, &k.remote);
    let r = &k.remote;
    let may_vote = if r.may_vote() {
        "可以表决 (may vote)"
    } else {
        "不参加表决 (may not vote)"
    };
    line(
        rules,
        "视频参会表决 remote.may_vote",
        may_vote,
        r.may_vote_rule(),
    );
    let share = match r.max_share_percent() {
        Some(p) => format!(
            "不超过实到的 {p}%，超出部分不计入 (at most {p}% of those present; the excess is not counted)"
        ),
        None => "不设上限 (no cap)".to_owned(),
    };
    match &r.max_share {
        Some(rule) => line(rules, "视频参会比例 remote.max_share", &share, rule),
        None => println!("  视频参会比例 remote.max_share: {share}（未写明 / not stated）"),
    }
    let grace = r.loss_grace_seconds();
    let grace = format!("连接中断 {grace} 秒后该会场人员不计入 ({grace} s after a link loss)");
    match &r.loss_grace {
        Some(rule) => line(rules, "断线宽限 remote.loss_grace", &grace, rule),
        None => println!(
            "  断线宽限 remote.loss_grace: {grace}（{}）",
            rules.cite_zh(r.loss_grace_citation())
        ),
    }
    let signers = if k.minutes.signers.is_empty() {
        "未规定 (not stated)".to_owned()
    } else {
        k.minutes
            .signers
            .iter()
            .map(|r| rules.role_zh(r))
            .collect::<Vec<_>>()
            .join(" → ")
    };
    line(rules, "纪要签发 minutes", &signers, &k.minutes);
}

fn line(rules: &MeetingRules, label: &str, value: &str, rule: &dyn Cited) {
    println!("  {label}: {value}{}", citation_zh(rules, rule));
    if let Some(note) = rule.citation().note {
        println!("      注 note: {note}");
    }
}

fn rule_zh(rule: QuorumRule) -> &'static str {
    match rule {
        QuorumRule::MoreThanHalf => "超过应到人数的半数 (more than half)",
        QuorumRule::HalfOrMore => "应到人数的半数以上，含本数 (half or more)",
        QuorumRule::None => "不设 (none)",
    }
}

fn threshold_zh(t: Threshold) -> &'static str {
    match t {
        Threshold::MajorityOfPresent => "超过出席人数的半数 (majority of those present)",
        Threshold::MajorityOfExpected => "超过应到人数的半数 (majority of the composition)",
        Threshold::TwoThirdsOfPresent => "出席人数的三分之二以上 (two thirds of those present)",
        Threshold::TwoThirdsOfExpected => "应到人数的三分之二以上 (two thirds of the composition)",
    }
}

fn check(file: &std::path::Path) -> ExitCode {
    match Rulebook::load_file(file) {
        Ok(book) => {
            let policy = book
                .kinds
                .iter()
                .map(|k| {
                    k.cited_rules()
                        .iter()
                        .filter(|r| r.citation().source == Source::HallPolicy)
                        .count()
                })
                .sum::<usize>();
            println!(
                "{}: 有效 / valid — {} ({}), {} 种会议 kinds: {}; {} 条本会堂政策 hall-policy values",
                file.display(),
                book.name_zh,
                book.city,
                book.kinds.len(),
                book.kind_ids().join(", "),
                policy
            );
            ExitCode::SUCCESS
        }
        Err(e @ RulebookError::Io { .. }) => {
            eprintln!("{e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
