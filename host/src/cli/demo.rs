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
    /// Seat a person elsewhere, e.g. a member on an MQTT seat: `--seat vm1=33` (repeatable;
    /// person ids as in `GET /api/members`; applies to the meeting the demo schedules).
    #[arg(long = "seat", value_name = "PERSON=SEAT", value_parser = parse_move)]
    pub seat_moves: Vec<(String, u32)>,
    /// Leave an MQTT seat to your own terminal: no virtual firmware runs there and its terminal
    /// id is `seat-N` (repeatable), e.g. `--external-seat 60 --seat vm1=60`.
    #[arg(long = "external-seat", value_name = "SEAT")]
    pub external_seats: Vec<u32>,
}

fn parse_move(s: &str) -> Result<(String, u32), String> {
    let (who, seat) = s
        .split_once('=')
        .ok_or_else(|| format!("expected PERSON=SEAT, e.g. vm1=33; got {s:?}"))?;
    let seat = seat
        .parse()
        .map_err(|_| format!("seat must be a number, got {seat:?}"))?;
    if who.is_empty() {
        return Err("expected PERSON=SEAT, e.g. vm1=33".into());
    }
    Ok((who.to_owned(), seat))
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
        seat_moves: args.seat_moves,
        external_seats: args.external_seats,
    };
    super::block_on(async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        demo::run(options, ctrl_c).await?;
        Ok(ExitCode::SUCCESS)
    })
}
