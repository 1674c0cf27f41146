//! `huitang report MEETING --db URL --format csv|html|minutes|topics-csv [--lang zh|en]`: the attendance
//! sheet (CSV or the console's print view as one HTML file) or the minutes attendance block,
//! rebuilt from the ledger.

use std::process::ExitCode;

use anyhow::{Context, bail};
use huitang::app::Hall;
use huitang::ledger::{Ledger, store::sqlite_path};
use huitang::meeting::{CheckInMode, Rulebook, embedded_cities};
use huitang::web::HallService;
use huitang::web::hall::{CoreHall, HallConfig};
use huitang::web::i18n::Lang;

/// What to print.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// The attendance sheet as CSV (UTF-8 with BOM, for spreadsheet programs).
    Csv,
    /// The attendance sheet print view, one self-contained HTML file.
    Html,
    /// The minutes (会议纪要): the topics, then the attendance block, ready to paste.
    Minutes,
    /// The agenda as CSV: each topic with its reporting department, observers, votes, decision.
    TopicsCsv,
}

/// Arguments of `huitang report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The meeting id.
    meeting: String,
    /// Ledger database: a SQLite path, sqlite://PATH or postgres://URL.
    #[arg(long)]
    db: String,
    /// csv, html or minutes.
    #[arg(long, value_enum, default_value = "minutes")]
    format: Format,
    /// Language: zh (default) or en.
    #[arg(long, default_value = "zh")]
    lang: String,
    /// Hours east of UTC for the times printed (China: 8).
    #[arg(long, default_value_t = 8, allow_hyphen_values = true)]
    utc_offset: i8,
}

/// Runs `huitang report`.
pub async fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let lang = match args.lang.as_str() {
        "zh" => Lang::Zh,
        "en" => Lang::En,
        other => bail!("未知语言 “{other}”（zh、en）/ unknown language “{other}” (zh, en)"),
    };
    if let Some(path) = sqlite_path(&args.db)
        && !path.exists()
    {
        bail!("账本不存在 / no ledger at {}", path.display());
    }
    let ledger = Ledger::open(&args.db)
        .await
        .with_context(|| format!("无法打开账本 / cannot open the ledger {}", args.db))?;
    let hall = Hall::open(ledger).await?;
    let config = HallConfig {
        rulebooks: embedded_cities()
            .iter()
            .filter_map(|c| Rulebook::embedded(c).ok())
            .collect(),
        check_in_mode: CheckInMode::AssignedSeat,
        people: Vec::new(),
        sites: Vec::new(),
        utc_offset_hours: args.utc_offset,
    };
    let core = CoreHall::new(hall, config);
    let Some(report) = core.report(&args.meeting) else {
        let known: Vec<String> = core.meetings().into_iter().map(|m| m.id).collect();
        eprintln!(
            "未知会议 “{}”；账本中的会议：{} / unknown meeting “{}”; in the ledger: {}",
            args.meeting,
            known.join("、"),
            args.meeting,
            known.join(", ")
        );
        return Ok(ExitCode::from(super::EXIT_BAD_INPUT));
    };
    let text = match args.format {
        Format::Csv => huitang::web::api::sheet_csv(&report, lang),
        Format::TopicsCsv => huitang::web::api::topics_csv(&report, lang),
        Format::Html => huitang::web::report_html(report, lang)?,
        Format::Minutes => {
            let (block, witness) = match lang {
                Lang::Zh => (report.minutes.zh, report.witness.map(|w| w.line.zh)),
                Lang::En => (report.minutes.en, report.witness.map(|w| w.line.en)),
            };
            match witness {
                // The signed head under the minutes, as on paper.
                Some(w) => format!("{}\n{w}\n", block.trim_end()),
                None => format!("{}\n", block.trim_end()),
            }
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
