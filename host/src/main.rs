//! The `huitang` command: parses the command line and hands each subcommand to its module in
//! `cli/`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("huitang: {e:#}");
            ExitCode::FAILURE
        }
    }
}
