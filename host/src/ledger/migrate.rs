//! Versioned schema migrations, one directory per backend (`host/migrations/{sqlite,postgres}`),
//! compiled into the binary and run at start-up by sqlx's migrator (which records applied
//! versions and checksums in `_sqlx_migrations`, so an edited migration is refused).
//!
//! To add a migration: add `NNNN_name.sql` to *both* directories and a line to each table below.

use std::borrow::Cow;

use sqlx::AnyPool;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::store::Backend;

/// (version, description, SQL) for SQLite.
const SQLITE: &[(i64, &str, &str)] = &[(
    1,
    "ledger events",
    include_str!("../../migrations/sqlite/0001_ledger_events.sql"),
)];

/// (version, description, SQL) for PostgreSQL.
const POSTGRES: &[(i64, &str, &str)] = &[(
    1,
    "ledger events",
    include_str!("../../migrations/postgres/0001_ledger_events.sql"),
)];

/// The migrator for a backend.
pub fn migrator(backend: Backend) -> Migrator {
    let table = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    Migrator::with_migrations(
        table
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sqlx::SqlSafeStr::into_sql_str(sql),
                    false,
                )
            })
            .collect(),
    )
}

/// Brings the schema up to date.
pub async fn run(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::migrate::MigrateError> {
    migrator(backend).run(pool).await
}
