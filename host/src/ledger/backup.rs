//! Online backup and restore of the SQLite ledger.
//!
//! Backup runs `VACUUM INTO` on a read-only connection: SQLite copies one consistent snapshot
//! (a single read transaction) while the service keeps appending, then the copy's chain is
//! verified before the command reports success. Restore verifies the backup's chain first,
//! refuses to replace an existing database unless forced (stop the service first), and swaps
//! the file in atomically (copy to a temporary file, fsync, rename, drop stale `-wal`/`-shm`).

use std::fs;
use std::path::{Path, PathBuf};

use super::error::LedgerError;
use super::store::{Access, Store, sqlite_path};
use super::{ChainHead, verify_db};

/// Outcome of a backup or restore whose chain verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The chain verified; count and head.
    Good(ChainHead),
    /// The chain is broken at this record; nothing was restored.
    Bad(super::Fault),
}

/// Writes a consistent copy of the SQLite ledger `db` to `to` (which must not exist) and
/// verifies the copy.
pub async fn backup(db: &str, to: &Path) -> Result<Checked, LedgerError> {
    if sqlite_path(db).is_none() {
        return Err(LedgerError::SqliteOnly(
            "backup (use pg_dump for PostgreSQL)",
        ));
    }
    if to.exists() {
        return Err(LedgerError::WouldOverwrite(to.display().to_string()));
    }
    let store = Store::connect(db, Access::ReadOnly).await?;
    let target = to
        .to_str()
        .ok_or_else(|| LedgerError::Io(std::io::Error::other("backup path is not valid UTF-8")))?;
    let result = sqlx::query("VACUUM INTO $1")
        .bind(target.to_owned())
        .execute(store.pool())
        .await;
    store.close().await;
    result?;
    check(to).await
}

/// Replaces the SQLite ledger at `db` with the backup `from`, after verifying the backup.
/// Without `force`, an existing `db` is never touched.
pub async fn restore(from: &Path, db: &str, force: bool) -> Result<Checked, LedgerError> {
    let target = sqlite_path(db).ok_or(LedgerError::SqliteOnly("restore"))?;
    if !from.is_file() {
        return Err(LedgerError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("备份文件不存在 / backup {} not found", from.display()),
        )));
    }
    let checked = check(from).await?;
    if matches!(checked, Checked::Bad(_)) {
        return Ok(checked);
    }
    if target.exists() && !force {
        return Err(LedgerError::WouldOverwrite(target.display().to_string()));
    }
    install(from, &target)?;
    Ok(checked)
}

async fn check(file: &Path) -> Result<Checked, LedgerError> {
    let db = file
        .to_str()
        .ok_or_else(|| LedgerError::Io(std::io::Error::other("path is not valid UTF-8")))?;
    Ok(match verify_db(db, None).await? {
        Ok(head) => Checked::Good(head),
        Err(fault) => Checked::Bad(fault),
    })
}

fn install(from: &Path, target: &Path) -> Result<(), LedgerError> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = sibling(target, ".restore-tmp");
    fs::copy(from, &tmp)?;
    fs::File::open(&tmp)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        match fs::remove_file(sibling(target, suffix)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    fs::rename(&tmp, target)?;
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}
