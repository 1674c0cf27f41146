//! `huitang keygen --suite sm3-sm2 --out FILE`: makes the hall's ledger signing key at install.
//! Writes the secret key to FILE (mode 0600, never overwriting) and the public key to
//! FILE.pub, and prints the public key and its fingerprint: keep the printout, it is what
//! `huitang verify --public-key` trusts.

use std::path::PathBuf;
use std::process::ExitCode;

use huitang::ledger::crypto::{CheckpointSigner as _, SoftwareSigner, Suite, fingerprint};

/// Arguments of `huitang keygen`.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// sha256-ed25519 (default) or sm3-sm2 (商用密码).
    #[arg(long, default_value = "sha256-ed25519")]
    suite: String,
    /// Where to write the secret key (its public key goes to FILE.pub).
    #[arg(long)]
    out: PathBuf,
}

/// Runs `huitang keygen`.
pub fn run(args: KeygenArgs) -> anyhow::Result<ExitCode> {
    let Some(suite) = Suite::parse(&args.suite) else {
        eprintln!(
            "未知算法套件 / unknown suite {:?}: use sha256-ed25519 or sm3-sm2",
            args.suite
        );
        return Ok(ExitCode::from(super::EXIT_BAD_INPUT));
    };
    let signer = SoftwareSigner::generate(suite);
    if let Err(e) = signer.write_files(&args.out) {
        eprintln!("{e}");
        return Ok(ExitCode::from(super::EXIT_BAD_INPUT));
    }
    print_public_key(&signer);
    Ok(ExitCode::SUCCESS)
}

/// Prints a signer's public key line and fingerprint (also shown by `serve` at first start).
pub fn print_public_key(signer: &SoftwareSigner) {
    println!("账本签名公钥 / ledger signing public key:");
    println!("  {}", signer.public_key_line());
    println!(
        "  指纹 / fingerprint {}  (请打印并妥善保存 / print it and keep it)",
        fingerprint(&signer.public_key())
    );
}
