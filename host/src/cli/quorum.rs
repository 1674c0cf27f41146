//! `huitang quorum --rulebook CITY --kind KIND --expected N --present M [--remote R]`: applies
//! a city's quorum rule and prints the explanation with its clause. Exit 0 when met, 1 when
//! not, 2 on bad input (unknown city or kind, impossible counts, substitutes where the kind
//! forbids them, e.g. Wuxi 四十六).

use std::process::ExitCode;

use clap::Args;
use huitang::meeting::{Headcount, Rulebook, explain, quorum};

use super::EXIT_BAD_INPUT;

/// Arguments of `huitang quorum`.
#[derive(Debug, Args)]
pub struct QuorumArgs {
    /// City id (jiaxing, rizhao, zhuzhou, shangcheng, wuxi) or a rulebook file path.
    #[arg(long)]
    rulebook: String,
    /// Meeting kind (plenary, executive, mayor-office, topic, mayor-monthly, citywide, mayor-briefing).
    #[arg(long)]
    kind: String,
    /// 应到: members of the composition, including those on approved leave.
    #[arg(long)]
    expected: u32,
    /// 实到 on site.
    #[arg(long)]
    present: u32,
    /// Members signed in over the video link.
    #[arg(long, default_value_t = 0)]
    remote: u32,
    /// Substitutes (代会) present for absent members.
    #[arg(long, default_value_t = 0)]
    substitutes: u32,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `huitang quorum`.
pub fn run(args: QuorumArgs) -> anyhow::Result<ExitCode> {
    let rules = match Rulebook::resolve(&args.rulebook).and_then(|b| b.meeting_rules(&args.kind)) {
        Ok(rules) => rules,
        Err(e) => return Ok(bad_input(&e.to_string())),
    };
    if args.expected == 0 {
        return Ok(bad_input(
            "应到人数须大于 0 / --expected must be at least 1",
        ));
    }
    let subs = &rules.kind.substitutes;
    if args.substitutes > 0 && !subs.allowed {
        return Ok(bad_input(&format!(
            "本类会议不得安排他人代会{} / substitutes are not allowed in this kind of meeting {}",
            explain::citation_zh(&rules, subs),
            explain::citation_en(&rules, subs)
        )));
    }
    let attending = u64::from(args.present) + u64::from(args.remote) + u64::from(args.substitutes);
    if attending > u64::from(args.expected) {
        return Ok(bad_input(&format!(
            "实到 {attending} 超过应到 {} / present + remote + substitutes ({attending}) exceeds --expected ({})",
            args.expected, args.expected
        )));
    }
    let headcount = Headcount {
        expected: args.expected,
        on_site: args.present,
        remote: args.remote,
        substitutes: args.substitutes,
    };
    let verdict = quorum::evaluate(&rules, headcount);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
    } else {
        println!("{}", verdict.explanation_zh);
        println!("{}", verdict.explanation_en);
    }
    Ok(if verdict.met {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn bad_input(message: &str) -> ExitCode {
    eprintln!("huitang quorum: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}
