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
        return Ok(ExitCode::SUCCESS);
    }
    let name = resolved.file.hall.name.clone();
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
        })
        .await?;
        println!("会堂已停止，账本已保存 / hall stopped; the ledger is saved");
        Ok(ExitCode::SUCCESS)
    })
}
