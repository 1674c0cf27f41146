//! Anchors: signed checkpoints copied outside the ledger's database, so that deleting or
//! rewriting the tail of the ledger is still seen (`huitang verify --anchor …`).
//!
//! A target is a file (one JSON line per checkpoint, appended and fsynced; put it on another
//! disk) or a PostgreSQL database other than the ledger's (table `huitang_anchors`). Each line
//! is the checkpoint payload plus the seq and time of the checkpoint record:
//! `{"checkpoint_seq":N,"ts_ms":T,"v":1,"suite":…,"seq":…,"head":…,…}`.

use std::io::Write as _;
use std::path::PathBuf;
use std::str::FromStr as _;

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

use super::checkpoint::{CHECKPOINT_KIND, Checkpoint};
use super::envelope::{Envelope, Hash, parse_hash};
use super::error::LedgerError;

/// One anchored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchored {
    /// Seq of the checkpoint record in the ledger.
    pub checkpoint_seq: i64,
    /// When it was written.
    pub ts_ms: i64,
    /// The checkpoint itself.
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
}

impl Anchored {
    /// The anchor line of a committed checkpoint record, if `rec` is one.
    pub fn of(rec: &Envelope) -> Option<Self> {
        if rec.kind != CHECKPOINT_KIND {
            return None;
        }
        Some(Self {
            checkpoint_seq: rec.seq,
            ts_ms: rec.ts_ms,
            checkpoint: serde_json::from_str(&rec.payload).ok()?,
        })
    }

    /// `(seq, head)` the ledger must still hold.
    pub fn point(&self) -> Option<(i64, Hash)> {
        Some((self.checkpoint.seq, parse_hash(&self.checkpoint.head)?))
    }
}

/// Where checkpoints are copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorTarget {
    /// A JSON-lines file.
    File(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl AnchorTarget {
    /// `postgres://…` or a file path.
    pub fn parse(s: &str) -> Self {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            AnchorTarget::Postgres(s.to_owned())
        } else {
            AnchorTarget::File(s.into())
        }
    }
}

const PG_TABLE: &str = "CREATE TABLE IF NOT EXISTS huitang_anchors (\
     checkpoint_seq BIGINT NOT NULL, line TEXT NOT NULL, \
     written_at TIMESTAMPTZ NOT NULL DEFAULT now())";

/// An open anchor target.
#[derive(Debug)]
pub enum AnchorSink {
    /// Appends to a file.
    File(PathBuf),
    /// Inserts into `huitang_anchors`.
    Postgres(AnyPool),
}

async fn pg_pool(url: &str) -> Result<AnyPool, LedgerError> {
    sqlx::any::install_default_drivers();
    let options = AnyConnectOptions::from_str(url)?;
    Ok(AnyPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

impl AnchorSink {
    /// Opens the target (creating the table on PostgreSQL; the file is created on first use).
    pub async fn open(target: &AnchorTarget) -> Result<Self, LedgerError> {
        match target {
            AnchorTarget::File(p) => Ok(AnchorSink::File(p.clone())),
            AnchorTarget::Postgres(url) => {
                let pool = pg_pool(url).await?;
                sqlx::query(PG_TABLE).execute(&pool).await?;
                Ok(AnchorSink::Postgres(pool))
            }
        }
    }

    /// Copies one checkpoint; returns when it is durable there.
    pub async fn push(&self, a: &Anchored) -> Result<(), LedgerError> {
        let line = serde_json::to_string(a)?;
        match self {
            AnchorSink::File(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || {
                    let mut f = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)?;
                    writeln!(f, "{line}")?;
                    f.sync_all()
                })
                .await
                .map_err(|e| LedgerError::Io(std::io::Error::other(e)))??;
                Ok(())
            }
            AnchorSink::Postgres(pool) => {
                sqlx::query("INSERT INTO huitang_anchors (checkpoint_seq, line) VALUES ($1, $2)")
                    .bind(a.checkpoint_seq)
                    .bind(line)
                    .execute(pool)
                    .await?;
                Ok(())
            }
        }
    }
}

/// Reads every anchored checkpoint from a target; an unreadable line is an error naming it.
pub async fn read_anchors(target: &AnchorTarget) -> Result<Vec<Anchored>, LedgerError> {
    let lines: Vec<String> = match target {
        AnchorTarget::File(p) => std::fs::read_to_string(p)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        AnchorTarget::Postgres(url) => {
            let pool = pg_pool(url).await?;
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT line FROM huitang_anchors ORDER BY checkpoint_seq")
                    .fetch_all(&pool)
                    .await?;
            pool.close().await;
            rows.into_iter().map(|(l,)| l).collect()
        }
    };
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| LedgerError::Malformed {
                seq: 0,
                what: format!("anchor line {}: {e}", i + 1),
            })
        })
        .collect()
}
