//! The hall's ledger signing from `[ledger]` of hall.toml: the suite (SHA-256/Ed25519 or
//! SM3/SM2), the key file, the checkpoint policy and the anchor target.
//!
//! The key is made at install (`huitang keygen`), or by the first `huitang serve` if its file
//! does not exist yet, which prints the public key and fingerprint to keep.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::ledger::anchor::AnchorTarget;
use crate::ledger::crypto::{CheckpointSigner as _, SoftwareSigner, Suite, fingerprint};
use crate::ledger::{CheckpointPolicy, LedgerOptions};

/// Default key file, next to hall.toml.
pub const DEFAULT_KEY_FILE: &str = "ledger-signing.key";

/// The signing keys of `[ledger]` (flattened into it).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SigningSection {
    /// `sha256-ed25519` (default) or `sm3-sm2`.
    #[serde(default)]
    pub suite: Option<String>,
    /// Secret-key file (default `ledger-signing.key` next to hall.toml).
    #[serde(default)]
    pub signing_key: Option<PathBuf>,
    /// A file (on another disk) or a postgres:// URL (another database) to copy checkpoints to.
    #[serde(default)]
    pub anchor: Option<String>,
    /// Sign after this many unsigned events (default 1000).
    #[serde(default)]
    pub checkpoint_every_events: Option<u64>,
    /// Sign unsigned events after this many minutes (default 5).
    #[serde(default)]
    pub checkpoint_every_minutes: Option<u64>,
}

/// What the hall will sign with, checked.
#[derive(Debug, Clone)]
pub struct SigningPlan {
    /// The suite.
    pub suite: Suite,
    /// The key file (absolute or relative to the working directory).
    pub key_file: PathBuf,
    /// The key, when its file exists already.
    pub signer: Option<Arc<SoftwareSigner>>,
    /// When to sign.
    pub policy: CheckpointPolicy,
    /// Where to copy checkpoints.
    pub anchor: Option<AnchorTarget>,
}

impl SigningSection {
    /// Checks the section (relative paths from `base`); errors are `(key, message)`.
    pub fn plan(&self, base: &Path) -> Result<SigningPlan, (String, String)> {
        let suite = match self.suite.as_deref() {
            None => Suite::default(),
            Some(s) => Suite::parse(s).ok_or_else(|| {
                (
                    "ledger.suite".to_owned(),
                    format!("“{s}”: expected sha256-ed25519 or sm3-sm2"),
                )
            })?,
        };
        let key_file = base.join(
            self.signing_key
                .clone()
                .unwrap_or_else(|| DEFAULT_KEY_FILE.into()),
        );
        let signer = if key_file.exists() {
            let s = SoftwareSigner::read_file(&key_file)
                .map_err(|e| ("ledger.signing_key".to_owned(), e.to_string()))?;
            if s.suite() != suite {
                return Err((
                    "ledger.signing_key".into(),
                    format!(
                        "密钥为 {}，配置为 {suite} / the key is {}, the hall is configured for {suite}",
                        s.suite(),
                        s.suite()
                    ),
                ));
            }
            Some(Arc::new(s))
        } else {
            None
        };
        let mut policy = CheckpointPolicy::default();
        if let Some(n) = self.checkpoint_every_events {
            if n == 0 {
                return Err((
                    "ledger.checkpoint_every_events".into(),
                    "must be at least 1".into(),
                ));
            }
            policy.every_events = n;
        }
        if let Some(m) = self.checkpoint_every_minutes {
            if m == 0 {
                return Err((
                    "ledger.checkpoint_every_minutes".into(),
                    "must be at least 1".into(),
                ));
            }
            policy.every_ms = i64::try_from(m.saturating_mul(60_000)).unwrap_or(i64::MAX);
        }
        let anchor = self
            .anchor
            .as_deref()
            .map(|a| match AnchorTarget::parse(a) {
                AnchorTarget::File(p) => AnchorTarget::File(base.join(p)),
                pg => pg,
            });
        Ok(SigningPlan {
            suite,
            key_file,
            signer,
            policy,
            anchor,
        })
    }
}

impl SigningPlan {
    /// One line for `serve --check` and the banner.
    pub fn describe(&self) -> String {
        let key = match &self.signer {
            Some(s) => format!(
                "key {} fingerprint {}",
                self.key_file.display(),
                fingerprint(&s.public_key())
            ),
            None => format!(
                "key {} 首次启动时生成 / made at first start",
                self.key_file.display()
            ),
        };
        let anchor = match &self.anchor {
            None => "no anchor".to_owned(),
            Some(AnchorTarget::File(p)) => format!("anchor file {}", p.display()),
            Some(AnchorTarget::Postgres(_)) => "anchor PostgreSQL".to_owned(),
        };
        format!(
            "账本签名 / ledger signing: {}, {key}, every {} events or {} min, {anchor}",
            self.suite,
            self.policy.every_events,
            self.policy.every_ms / 60_000
        )
    }

    /// The signer, making and saving the key (and printing its public key) if it is missing.
    pub fn signer(&self) -> Result<Arc<SoftwareSigner>, String> {
        if let Some(s) = &self.signer {
            return Ok(s.clone());
        }
        let s = SoftwareSigner::generate(self.suite);
        s.write_files(&self.key_file).map_err(|e| e.to_string())?;
        println!(
            "已生成账本签名密钥 / made the ledger signing key {}:",
            self.key_file.display()
        );
        println!("  {}", s.public_key_line());
        println!(
            "  指纹 / fingerprint {} (请打印并妥善保存 / print it and keep it)",
            fingerprint(&s.public_key())
        );
        Ok(Arc::new(s))
    }

    /// Ledger options signing with `signer`.
    pub fn options(&self, signer: Arc<SoftwareSigner>) -> LedgerOptions {
        LedgerOptions {
            signer: Some(signer),
            policy: self.policy.clone(),
            anchor: self.anchor.clone(),
            ..LedgerOptions::default()
        }
    }
}
