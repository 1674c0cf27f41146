//! `huitang demo`: the whole hall on embedded defaults (see [`huitang::demo`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use huitang::demo::{self, DemoOptions};

/// Options of `huitang demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Data directory (the SQLite ledger lives here; a restart replays it).
    #[arg(long, default_value = "huitang-data")]
    pub data_dir: PathBuf,
    /// Console address; if the port is taken a free one is used and printed.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The city rulebook of the scheduled meeting: wuxi, zhuzhou, rizhao, jiaxing, shangcheng.
    #[arg(long, default_value = "wuxi")]
    pub rulebook: String,
    /// Seats on each of the two virtual RS-485 segments.
    #[arg(long, default_value_t = 16)]
    pub serial_seats_per_bus: usize,
    /// Seats on MQTT.
    #[arg(long, default_value_t = 28)]
    pub mqtt_seats: usize,
    /// No simulated attendees: seats only act when driven from the console or tests.
    #[arg(long)]
    pub no_autopilot: bool,
}

/// Runs the demo until Ctrl-C.
pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let options = DemoOptions {
        data_dir: args.data_dir,
        listen: args.listen,
        rulebook: args.rulebook,
        serial_seats_per_bus: args.serial_seats_per_bus,
        mqtt_seats: args.mqtt_seats,
        autopilot: !args.no_autopilot,
    };
    super::block_on(async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        demo::run(options, ctrl_c).await?;
        Ok(ExitCode::SUCCESS)
    })
}
