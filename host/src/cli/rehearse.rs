//! `huitang rehearse SCENARIO --db PATH [--json] [--mqtt HOST:PORT]`: plays a scenario
//! (`scenarios/README.md`) on the virtual hall — seats running the firmware on pty serial
//! buses (and MQTT with `--mqtt`) — against the real host, writing a real ledger, then prints
//! the attendance and vote summary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use huitang::bus::mqtt::MqttSettings;
use huitang::bus::rehearsal::{MqttBroker, Scenario, Summary, rehearse};
use huitang_hallsim::MqttSeatSettings;

/// Arguments of `huitang rehearse`.
#[derive(Debug, Args)]
pub struct RehearseArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The ledger: a SQLite path or a postgres:// URL.
    #[arg(long)]
    pub db: String,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// MQTT broker for the scenario's MQTT seats (anonymous), HOST:PORT.
    #[arg(long)]
    pub mqtt: Option<String>,
}

/// Runs the rehearsal.
pub fn run(args: RehearseArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("读取场景文件失败 / cannot read {}", args.scenario.display()))?;
    let scenario = match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("huitang: {}: {e}", args.scenario.display());
            return Ok(ExitCode::from(super::EXIT_BAD_INPUT));
        }
    };
    // An unknown city or kind is a scenario error (exit 2), not a meeting that ran.
    if let Err(e) = huitang::meeting::Rulebook::embedded(&scenario.city)
        .and_then(|b| b.kind(&scenario.kind).map(drop))
    {
        eprintln!("huitang: {}: {e}", args.scenario.display());
        return Ok(ExitCode::from(super::EXIT_BAD_INPUT));
    }
    let mqtt = match &args.mqtt {
        None => None,
        Some(addr) => {
            let (host, port) = addr
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                .context("--mqtt 应为 HOST:PORT / --mqtt must be HOST:PORT")?;
            Some(MqttBroker {
                host: MqttSettings::new(host.clone(), port, "rehearsal"),
                seats: MqttSeatSettings {
                    host,
                    port,
                    hall: "rehearsal".into(),
                    password: None,
                },
            })
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = tokio::runtime::Runtime::new()?;
    let summary = runtime.block_on(rehearse(&scenario, &args.db, mqtt))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", text_summary(&summary));
    }
    Ok(ExitCode::SUCCESS)
}

fn text_summary(s: &Summary) -> String {
    use std::fmt::Write;
    let a = &s.attendance;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}) — {}", a.title, s.meeting_id, a.kind_zh);
    let _ = writeln!(out, "主持 presiding: {}", a.presiding);
    let _ = writeln!(
        out,
        "应到 expected {}，出席 attended {}，在场实到 present {}（法定人数按此计 quorum uses this）；{}",
        a.expected, a.attended, a.present, a.quorum_zh
    );
    if !a.signers_zh.is_empty() {
        let _ = writeln!(out, "纪要签发 minutes: {}", a.signers_zh.join(" → "));
    }
    for r in &a.rows {
        let seat = r.seat.map_or("-".into(), |s| s.0.to_string());
        let extra = [r.leave.as_deref(), r.late_reason.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "  座位 {seat:>3}  {:<8} {:<6} {}{}",
            r.name,
            r.status.zh(),
            if r.departures > 0 {
                format!("离场 {} 次 ", r.departures)
            } else {
                String::new()
            },
            extra
        );
    }
    for t in &s.topics {
        let outcome = t.outcome.as_ref().map_or(String::new(), |o| {
            format!(" → {} / {}", o.summary_zh(), o.summary_en())
        });
        let _ = writeln!(
            out,
            "议题 topic {} 「{}」（{}）{} {}{}",
            t.id,
            t.spec.title,
            t.spec.reporting_unit,
            t.status.name_zh(),
            t.status.name_en(),
            outcome
        );
    }
    for sp in &s.speeches {
        let secs = sp.to.map_or(String::new(), |to| {
            format!(" {} s", to.0.saturating_sub(sp.from.0) / 1000)
        });
        let topic = sp
            .topic
            .map_or(String::new(), |t| format!("（议题 topic {}）", t.0));
        let ended = sp
            .reason
            .map_or("发言中 / speaking".to_owned(), |r| r.text().to_owned());
        let _ = writeln!(
            out,
            "发言 speech: {}{secs}{topic} — {ended}",
            sp.party.label()
        );
    }
    for v in &s.votes {
        let t = v.result.tally;
        let _ = writeln!(
            out,
            "表决 vote {} 「{}」 {:?}: 赞成 yes {} 反对 no {} 弃权 abstain {}；已表决 voted {}/{} → {:?}",
            v.vote,
            v.motion,
            v.ballot,
            t.yes,
            t.no,
            t.abstain,
            v.result.voted,
            v.result.present,
            v.result.decision
        );
    }
    for (line, code, msg) in &s.refused {
        let _ = writeln!(out, "第 {line} 行被拒 line {line} refused [{code}]: {msg}");
    }
    let (n, mean, max) = s.event_latency_ms;
    let _ = writeln!(
        out,
        "账本 ledger: {} 条记录 records, 链校验 chain {}",
        s.ledger_records,
        if s.ledger_verified {
            "完好 verified"
        } else {
            "损坏 BROKEN"
        }
    );
    let _ = writeln!(
        out,
        "座位事件 seat events: {n}，刷卡/按键到记录 tap-to-recorded 平均 mean {mean:.1} ms，最大 max {max:.1} ms"
    );
    let b = &s.bus;
    let _ = writeln!(
        out,
        "总线 bus: sent {} received {} timeouts {} crc {} retries {} duplicates {} offline {}",
        b.sent, b.received, b.timeouts, b.crc_errors, b.retries, b.duplicates, b.offline
    );
    out
}
