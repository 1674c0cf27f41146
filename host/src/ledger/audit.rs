//! What `huitang verify --db` concludes about a ledger: the file's own integrity, the chain,
//! the checkpoint signatures and the anchors kept elsewhere, as one [`Verdict`].

use std::fmt;

use super::anchor::{AnchorTarget, read_anchors};
use super::checkpoint::{CREATED_KIND, Created, signed_message};
use super::crypto::{CheckpointSigner, Suite, fingerprint, short_hex, verify_signature};
use super::envelope::{Envelope, Hash};
use super::error::LedgerError;
use super::store::{Access, Store};
use super::verify::{Audit, ChainVerifier, Fault, KeySource};

/// What to check a ledger against.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// The public key printed at install (`huitang keygen`): signatures must verify under it.
    pub trusted_key: Option<(Suite, Vec<u8>)>,
    /// A head recorded earlier (`--expect-head`).
    pub expect_head: Option<Hash>,
    /// Checkpoints copied outside the database (`--anchor`).
    pub anchor: Option<AnchorTarget>,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every record is covered by a valid checkpoint.
    Signed(Audit),
    /// The chain is intact, and the records after the last checkpoint are unverified: they
    /// may have been appended by anyone with database access.
    UnverifiedTail(Audit),
    /// The chain is intact but nothing is signed (a ledger from before checkpoints).
    Unsigned(Audit),
    /// A record, checkpoint or anchor is wrong.
    Fault {
        /// The first fault.
        fault: Fault,
        /// The last signed point before it, if any.
        last_signed: Option<i64>,
    },
    /// The database file itself is damaged.
    Damaged(String),
    /// An anchored checkpoint does not verify (the anchor target itself was altered).
    AnchorInvalid(String),
}

impl Verdict {
    /// Process exit code of `huitang verify`: 0 signed or unsigned-legacy, 3 unverified tail,
    /// 1 anything wrong.
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Signed(_) | Verdict::Unsigned(_) => 0,
            Verdict::UnverifiedTail(_) => 3,
            _ => 1,
        }
    }
}

fn describe_key(key: &KeySource) -> String {
    match key {
        KeySource::Trusted { fingerprint } => format!("key {fingerprint} (trusted)"),
        KeySource::FromLedger { fingerprint } => format!(
            "key {fingerprint} named by the ledger itself — 请与安装时打印的指纹核对 / compare it with the fingerprint printed at install, or pass --public-key"
        ),
        KeySource::None => "no key".into(),
    }
}

fn describe_signed(a: &Audit) -> String {
    match &a.last_signed {
        None => String::new(),
        Some(p) => format!(
            "last signed checkpoint at seq {} ({}, 指纹 fingerprint {}), {} checkpoint(s), {}",
            p.seq,
            p.reason,
            short_hex(&p.head),
            a.checkpoints,
            describe_key(&a.key)
        ),
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Signed(a) => {
                write!(
                    f,
                    "OK 账本校验通过，已签名 / ledger verified and signed: {} records, suite {}, head {}; {}",
                    a.count,
                    a.suite,
                    hex::encode(a.head),
                    describe_signed(a)
                )?;
                for (from, to) in &a.late_signed {
                    write!(
                        f,
                        "\nNOTE seq {from}..{to}: 主机停止前未签名，重启后补签 / not signed when written (the host stopped first); signed late at restart"
                    )?;
                }
                Ok(())
            }
            Verdict::UnverifiedTail(a) => {
                let p = a.last_signed.as_ref().map_or(0, |p| p.checkpoint_seq);
                write!(
                    f,
                    "WARN 最后签名检查点之后的记录未经验证 / records after the last signed checkpoint are unverified: seq {}..{} ({} records); {}",
                    p + 1,
                    a.count,
                    a.unsigned_tail(),
                    describe_signed(a)
                )
            }
            Verdict::Unsigned(a) => write!(
                f,
                "OK 账本链完整，未签名 / chain intact, UNSIGNED (no checkpoint: anyone with database access could have appended or re-chained it): {} records, suite {}, head {}",
                a.count,
                a.suite,
                hex::encode(a.head)
            ),
            Verdict::Fault { fault, last_signed } => {
                write!(f, "FAIL {fault}")?;
                if let Some(s) = last_signed {
                    write!(f, " (最后有效签名 / last valid signed point: seq {s})")?;
                }
                Ok(())
            }
            Verdict::Damaged(d) => write!(
                f,
                "FAIL 账本数据库文件损坏 / ledger database file is damaged (not a shorter valid ledger): {d}"
            ),
            Verdict::AnchorInvalid(d) => write!(f, "FAIL 外部锚点无效 / anchor invalid: {d}"),
        }
    }
}

/// The suite and key a first record declares (`None` for a ledger from before suites).
pub fn declared_suite(first: &Envelope) -> Result<Option<(Suite, Vec<u8>)>, LedgerError> {
    if first.kind != CREATED_KIND {
        return Ok(None);
    }
    let bad = |what: String| LedgerError::Malformed { seq: 1, what };
    let c: Created =
        serde_json::from_str(&first.payload).map_err(|e| bad(format!("ledger_created: {e}")))?;
    let suite =
        Suite::parse(&c.suite).ok_or_else(|| bad(format!("unknown suite {:?}", c.suite)))?;
    let key = hex::decode(&c.public_key).map_err(|_| bad("public key is not hex".into()))?;
    Ok(Some((suite, key)))
}

/// Refuses a signer whose suite or key is not the ledger's.
pub fn check_signer_fits(
    declared: Option<&(Suite, Vec<u8>)>,
    signer: &dyn CheckpointSigner,
) -> Result<(), LedgerError> {
    let (suite, key) = match declared {
        Some((s, k)) => (*s, Some(k)),
        None => (Suite::Sha256Ed25519, None),
    };
    if suite != signer.suite() {
        return Err(LedgerError::KeyMismatch(format!(
            "账本使用 {suite}，配置为 {} / the ledger uses {suite}, the hall is configured for {}",
            signer.suite(),
            signer.suite()
        )));
    }
    if let Some(k) = key
        && *k != signer.public_key()
    {
        return Err(LedgerError::KeyMismatch(format!(
            "账本由密钥 {} 签名，本机密钥为 {} / the ledger is signed by key {}, this host's key is {}",
            fingerprint(k),
            fingerprint(&signer.public_key()),
            fingerprint(k),
            fingerprint(&signer.public_key())
        )));
    }
    Ok(())
}

/// Opens `db` read-only and judges it.
pub async fn audit_db(db: &str, options: &AuditOptions) -> Result<Verdict, LedgerError> {
    let store = Store::connect(db, Access::ReadOnly).await?;
    let verdict = audit_store(&store, options).await;
    store.close().await;
    verdict
}

async fn audit_store(store: &Store, options: &AuditOptions) -> Result<Verdict, LedgerError> {
    if let Err(LedgerError::Damaged(d)) = store.check_file().await {
        return Ok(Verdict::Damaged(d));
    }
    let mut verifier = ChainVerifier::new();
    if let Some((suite, key)) = &options.trusted_key {
        verifier = verifier.trusting(*suite, key.clone());
    }
    if let Some(h) = options.expect_head {
        verifier = verifier.expecting_head(h);
    }
    if let Some(target) = &options.anchor {
        let mut points = Vec::new();
        for (i, a) in read_anchors(target).await?.iter().enumerate() {
            let cp = &a.checkpoint;
            let Some(point) = a.point() else {
                return Ok(Verdict::AnchorInvalid(format!(
                    "line {}: head is not hex",
                    i + 1
                )));
            };
            let Some(suite) = Suite::parse(&cp.suite) else {
                return Ok(Verdict::AnchorInvalid(format!(
                    "line {}: unknown suite",
                    i + 1
                )));
            };
            let key = match &options.trusted_key {
                Some((_, k)) => k.clone(),
                None => hex::decode(&cp.public_key).unwrap_or_default(),
            };
            let sig = hex::decode(&cp.signature).unwrap_or_default();
            let msg = signed_message(suite, cp.seq, &point.1, &cp.reason, cp.unsigned_from);
            if verify_signature(suite, &key, &msg, &sig).is_err() {
                return Ok(Verdict::AnchorInvalid(format!(
                    "line {} (seq {}): 签名无效 / signature does not verify under key {}",
                    i + 1,
                    cp.seq,
                    fingerprint(&key)
                )));
            }
            points.push(point);
            verifier = verifier.expecting_at_least(a.checkpoint_seq, point.1);
        }
        verifier = verifier.expecting_checkpoints(points);
    }
    let result = super::walk_verifier(store, verifier, |_| {}).await;
    let (verifier, result) = match result {
        Ok(r) => r,
        // A read that fails on a torn page is damage, not a verdict about the chain.
        Err(LedgerError::Db(e)) if is_corruption(&e) => return Ok(Verdict::Damaged(e.to_string())),
        Err(e) => return Err(e),
    };
    let audit = verifier.audit();
    let last_signed = audit.last_signed.as_ref().map(|p| p.seq);
    let result = result.and_then(|()| verifier.finish().map(|_| audit));
    Ok(match result {
        Err(fault) => Verdict::Fault { fault, last_signed },
        // A ledger from before suites with no checkpoint: as before, but said to be unsigned.
        Ok(audit) if audit.checkpoints == 0 && !audit.declared => Verdict::Unsigned(audit),
        Ok(audit) if audit.unsigned_tail() > 0 => Verdict::UnverifiedTail(audit),
        Ok(audit) => Verdict::Signed(audit),
    })
}

fn is_corruption(e: &sqlx::Error) -> bool {
    let m = e.to_string();
    m.contains("malformed") || m.contains("corrupt") || m.contains("not a database")
}
