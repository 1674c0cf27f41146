//! The ledger table on SQLite or PostgreSQL through one sqlx `AnyPool` code path.
//!
//! Portable SQL only: `$N` placeholders (SQLite accepts them), i64/TEXT/bytes columns. SQLite
//! connections run in WAL mode with `synchronous=FULL`, so a committed transaction is on disk
//! before `insert` returns — that is the ledger's acknowledgement point.

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Executor, Row};

use super::envelope::{Envelope, Hash};
use super::error::LedgerError;
use super::migrate;

/// Which database the URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file (the default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Whether the store may write (and migrate) or only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Open (creating a SQLite file if missing), migrate, read and append.
    ReadWrite,
    /// Open an existing database for reading only; never creates or migrates.
    ReadOnly,
}

/// Rows per multi-row INSERT statement (8 binds each; well under every backend's limit).
const INSERT_CHUNK: usize = 64;
const COLUMNS: &str = "seq, ts_ms, actor, meeting_id, kind, payload, prev_hash, hash";

/// The ledger table behind a connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Turns a `--db` argument into a sqlx URL: `postgres://…` and `sqlite:…` pass through; anything
/// else is taken as a SQLite file path.
pub fn normalize_url(db: &str, access: Access) -> Result<(String, Backend), LedgerError> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok((db.to_owned(), Backend::Postgres));
    }
    let path = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    if path.is_empty() || path.contains("://") {
        return Err(LedgerError::BadUrl(db.to_owned()));
    }
    let path = path.split('?').next().unwrap_or(path);
    let mode = match access {
        Access::ReadWrite => "rwc",
        Access::ReadOnly => "ro",
    };
    Ok((format!("sqlite://{path}?mode={mode}"), Backend::Sqlite))
}

/// The SQLite file path in a `--db` argument, if it names SQLite.
pub fn sqlite_path(db: &str) -> Option<std::path::PathBuf> {
    match normalize_url(db, Access::ReadOnly) {
        Ok((url, Backend::Sqlite)) => {
            let p = url.trim_start_matches("sqlite://");
            Some(p.split('?').next().unwrap_or(p).into())
        }
        _ => None,
    }
}

impl Store {
    /// Connects; with [`Access::ReadWrite`] also brings the schema up to date.
    pub async fn connect(db: &str, access: Access) -> Result<Self, LedgerError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalize_url(db, access)?;
        if let (Access::ReadOnly, Some(path)) = (access, sqlite_path(db))
            && !path.is_file()
        {
            return Err(LedgerError::NotFound(path.display().to_string()));
        }
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        if access == Access::ReadWrite {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                        }
                        conn.execute("PRAGMA synchronous = FULL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if access == Access::ReadWrite {
            migrate::run(&pool, backend).await?;
        }
        Ok(Self { pool, backend })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool (for backup and tests).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The last record, if any.
    pub async fn last(&self) -> Result<Option<Envelope>, LedgerError> {
        let row = sqlx::query(
            "SELECT seq, ts_ms, actor, meeting_id, kind, payload, prev_hash, hash \
             FROM ledger_events ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode).transpose()
    }

    /// Records with seq in `(after, until]`, at most `limit`, in seq order.
    pub async fn page(
        &self,
        after: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<Envelope>, LedgerError> {
        let rows = sqlx::query(
            "SELECT seq, ts_ms, actor, meeting_id, kind, payload, prev_hash, hash \
             FROM ledger_events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
        )
        .bind(after)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The seq of the last record of `kind`, if any.
    pub async fn last_seq_of_kind(&self, kind: &str) -> Result<Option<i64>, LedgerError> {
        let row = sqlx::query("SELECT MAX(seq) FROM ledger_events WHERE kind = $1")
            .bind(kind)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// SQLite's own check of the file (`PRAGMA quick_check`): `Ok(())` or the problems it
    /// lists. On PostgreSQL the server checks its pages itself; nothing to do here.
    pub async fn check_file(&self) -> Result<(), LedgerError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let rows = match sqlx::query("PRAGMA quick_check")
            .fetch_all(&self.pool)
            .await
        {
            Ok(rows) => rows,
            Err(e) => return Err(LedgerError::Damaged(e.to_string())),
        };
        let lines: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>(0).ok())
            .collect();
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(())
        } else {
            Err(LedgerError::Damaged(lines.join("; ")))
        }
    }

    /// The seq of the first record of a meeting, if it has any.
    pub async fn first_seq_of_meeting(&self, meeting_id: &str) -> Result<Option<i64>, LedgerError> {
        let row = sqlx::query("SELECT MIN(seq) FROM ledger_events WHERE meeting_id = $1")
            .bind(meeting_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// Writes sealed records in one transaction; returns once it has committed.
    pub async fn insert(&self, records: &[Envelope]) -> Result<(), LedgerError> {
        let mut tx = self.pool.begin().await?;
        for chunk in records.chunks(INSERT_CHUNK) {
            let mut query = sqlx::query(AssertSqlSafe(insert_sql(chunk.len())));
            for r in chunk {
                query = query
                    .bind(r.seq)
                    .bind(r.ts_ms)
                    .bind(r.actor.clone())
                    .bind(r.meeting_id.clone())
                    .bind(r.kind.clone())
                    .bind(r.payload.clone())
                    .bind(r.prev_hash.to_vec())
                    .bind(r.hash.to_vec());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `INSERT … VALUES ($1,…,$8),($9,…)` for `rows` rows: only placeholders, no data, in the SQL.
fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO ledger_events ({COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        let b = r * 8;
        sql.push_str(&format!(
            "(${},${},${},${},${},${},${},${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8
        ));
    }
    sql
}

fn decode(row: &AnyRow) -> Result<Envelope, LedgerError> {
    let seq: i64 = row.try_get("seq")?;
    let hash = |col: &str| -> Result<Hash, LedgerError> {
        let bytes: Vec<u8> = row.try_get(col)?;
        bytes
            .try_into()
            .map_err(|b: Vec<u8>| LedgerError::Malformed {
                seq,
                what: format!("{col} has {} bytes, not 32", b.len()),
            })
    };
    Ok(Envelope {
        seq,
        ts_ms: row.try_get("ts_ms")?,
        actor: row.try_get("actor")?,
        meeting_id: row.try_get("meeting_id")?,
        kind: row.try_get("kind")?,
        payload: row.try_get("payload")?,
        prev_hash: hash("prev_hash")?,
        hash: hash("hash")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls_pick_the_backend() {
        let (u, b) = normalize_url("data/h.db", Access::ReadWrite).unwrap();
        assert_eq!(
            (u.as_str(), b),
            ("sqlite://data/h.db?mode=rwc", Backend::Sqlite)
        );
        let (u, _) = normalize_url("sqlite:///tmp/h.db", Access::ReadOnly).unwrap();
        assert_eq!(u, "sqlite:///tmp/h.db?mode=ro");
        let (_, b) = normalize_url("postgres://u@h/db", Access::ReadOnly).unwrap();
        assert_eq!(b, Backend::Postgres);
        assert!(normalize_url("mysql://x", Access::ReadOnly).is_err());
        assert_eq!(sqlite_path("sqlite:/a/b.db"), Some("/a/b.db".into()));
    }

    #[test]
    fn insert_sql_numbers_placeholders_per_row() {
        assert_eq!(
            insert_sql(2),
            format!(
                "INSERT INTO ledger_events ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8),($9,$10,$11,$12,$13,$14,$15,$16)"
            )
        );
    }
}
