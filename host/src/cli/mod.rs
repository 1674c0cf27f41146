//! The subcommands of `huitang`, one file each. Add a variant to [`Command`] and an arm to
//! [`run`] for a new one.

mod backup;
mod demo;
mod export;
mod hash_password;
mod keygen;
mod ledger_burst;
mod quorum;
mod rehearse;
mod report;
mod rules;
mod serve;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Huitang (会堂): the meeting-hall controller.
#[derive(Debug, Parser)]
#[command(name = "huitang", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole hall on embedded defaults: ledger, broker, virtual seats, county site, console.
    Demo(demo::DemoArgs),
    /// The production hall from a configuration file: serial ports, broker, database, SIP, TLS.
    Serve(serve::ServeArgs),
    /// City rulebooks: list them, show one, or check a rulebook file.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Is quorum met? Exit 0 when met, 1 when not, 2 on bad input.
    Quorum(quorum::QuorumArgs),
    /// A scripted meeting on the virtual hall against the real host and ledger.
    Rehearse(rehearse::RehearseArgs),
    /// Verify the ledger's chain, signed checkpoints and anchors (or an export): 0 signed or
    /// unsigned-legacy, 3 records after the last checkpoint unverified, 1 tampered or damaged.
    Verify(verify::VerifyArgs),
    /// Export one meeting's events as JSON lines with the chain head, for offline verification.
    Export(export::ExportArgs),
    /// A meeting's attendance sheet (CSV, HTML print view) or minutes attendance block.
    Report(report::ReportArgs),
    /// Print the argon2 hash of a password read from standard input (for hall.toml users).
    HashPassword(hash_password::HashPasswordArgs),
    /// Make the hall's ledger signing key (SHA-256/Ed25519 or SM3/SM2) and print its public key.
    Keygen(keygen::KeygenArgs),
    /// Online, consistent backup of the SQLite ledger.
    Backup(backup::BackupArgs),
    /// Restore the SQLite ledger from a verified backup.
    Restore(backup::RestoreArgs),
    /// Test helper: append a burst of events, printing each acknowledged seq.
    #[command(hide = true)]
    LedgerBurst(ledger_burst::BurstArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Report(args) => block_on(report::run(args)),
        Command::HashPassword(args) => hash_password::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Quorum(args) => quorum::run(args),
        Command::Rehearse(args) => rehearse::run(args),
        Command::Verify(args) => block_on(verify::run(args)),
        Command::Export(args) => block_on(export::run(args)),
        Command::Backup(args) => block_on(backup::run_backup(args)),
        Command::Restore(args) => block_on(backup::run_restore(args)),
        Command::LedgerBurst(args) => block_on(ledger_burst::run(args)),
    }
}

/// Runs an async subcommand on a fresh multi-threaded runtime.
fn block_on(f: impl Future<Output = anyhow::Result<ExitCode>>) -> anyhow::Result<ExitCode> {
    tokio::runtime::Runtime::new()?.block_on(f)
}

/// Exit code for bad input (same as clap's usage errors).
pub const EXIT_BAD_INPUT: u8 = 2;
