//! `huitang serve --config hall.toml`: the production hall (see [`huitang::serve`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use huitang::serve::{self, KEYS_HELP, ServeConfig};

/// Options of `huitang serve`.
#[derive(Debug, Args)]
#[command(after_long_help = KEYS_HELP)]
pub struct ServeArgs {
    /// The hall's configuration file (`--help` lists every key; deploy/hall.toml is a sample).
    #[arg(long)]
    pub config: PathBuf,
    /// Check the configuration (and the files it names) and exit: 0 when it would start.
    #[arg(long)]
    pub check: bool,
}

/// Runs the hall until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let resolved = match ServeConfig::load(&args.config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("配置错误 / configuration refused: {e}");
            return Ok(ExitCode::from(super::EXIT_BAD_INPUT));
        }
    };
    if args.check {
        println!(
            "配置有效 / configuration valid: hall {} — {} serial segment(s), {} MQTT terminal(s), {} county site(s), {} login(s)",
            resolved.file.hall.id,
            resolved.file.serial.len(),
            resolved.file.mqtt.as_ref().map_or(0, |m| m.terminals.len()),
            resolved.file.video.as_ref().map_or(0, |v| v.sites.len()),
            resolved.file.users.len(),
        );
        println!("  {}", resolved.signing.describe());
        print_secrecy(&resolved);
        return Ok(ExitCode::SUCCESS);
    }
    let name = resolved.file.hall.name.clone();
    let secrecy = secrecy_lines(&resolved);
    super::block_on(async move {
        let stop = async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        };
        serve::run(resolved, stop, |s| {
            let scheme = if s.https { "https" } else { "http" };
            println!("会堂 Huitang — {name}");
            println!("  控制台 console   {scheme}://{}/", s.console);
            if let Some(sip) = s.sip {
                println!("  SIP              {sip}");
            }
            for line in &secrecy {
                println!("{line}");
            }
        })
        .await?;
        println!("会堂已停止，账本已保存 / hall stopped; the ledger is saved");
        Ok(ExitCode::SUCCESS)
    })
}

/// What the secrecy profile did, one line each: the profile and every refused path.
fn secrecy_lines(resolved: &serve::Resolved) -> Vec<String> {
    if resolved.file.secrecy.is_none() {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "  涉密模式 secrecy profile: 拒绝 {n} 条路径 / {n} path(s) refused",
        n = resolved.refused.len()
    )];
    lines.extend(
        resolved
            .refused
            .iter()
            .map(|r| format!("    已拒绝 refused {r}")),
    );
    lines
}

fn print_secrecy(resolved: &serve::Resolved) {
    for line in secrecy_lines(resolved) {
        println!("{line}");
    }
}
