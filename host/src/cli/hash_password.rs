//! `huitang hash-password`: reads a password from standard input (one line) and prints its
//! argon2id PHC hash for a `[[users]]` entry of hall.toml. The password never appears in the
//! command line or the configuration.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::bail;
use huitang::web::users::hash_password;

/// Arguments of `huitang hash-password` (none: the password comes on standard input).
#[derive(Debug, clap::Args)]
pub struct HashPasswordArgs {}

/// Runs `huitang hash-password`.
pub fn run(_args: HashPasswordArgs) -> anyhow::Result<ExitCode> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 8 {
        bail!("密码至少 8 个字符 / a password needs at least 8 characters");
    }
    println!("{}", hash_password(password)?);
    Ok(ExitCode::SUCCESS)
}
