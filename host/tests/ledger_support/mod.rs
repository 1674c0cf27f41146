//! The databases the ledger tests run on: a SQLite file, or a PostgreSQL schema of its own
//! (`HUITANG_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/test`) dropped afterwards.
//! PostgreSQL unreachable is a FAILURE, never a skip. Shared by `ledger_suite` and
//! `ledger_tamper`.

#![allow(dead_code)]

use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

// ---- the databases under test ---------------------------------------------------------------

pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        path: String,
    },
    Postgres {
        base: String,
        schema: String,
        url: String,
    },
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db").to_str().unwrap().to_owned();
        Self::Sqlite { _dir: dir, path }
    }

    pub async fn postgres() -> Self {
        let base = std::env::var("HUITANG_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!("ledger_test_{:016x}", rand_u64());
        let admin = pool(&base).await.unwrap_or_else(|e| {
            panic!("PostgreSQL at {base} is unreachable ({e}); start it (see .ci/run) — this test does not skip")
        });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        Self::Postgres { base, schema, url }
    }

    /// Another, empty database on the same backend.
    pub async fn fresh(&self) -> TestDb {
        if self.is_sqlite() {
            TestDb::sqlite()
        } else {
            TestDb::postgres().await
        }
    }

    /// Inserts records as given (an attacker's forged rows; the append-only triggers do not
    /// stop inserts), with the same INSERT the store uses.
    pub async fn insert_raw(&self, recs: &[huitang::ledger::Envelope]) {
        use huitang::ledger::{Access, Store};
        let store = Store::connect(self.url(), Access::ReadWrite).await.unwrap();
        store.insert(recs).await.unwrap();
        store.close().await;
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { path, .. } => path,
            Self::Postgres { url, .. } => url,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite { .. })
    }

    /// A raw connection for plain-SQL tampering (not through the ledger code).
    pub async fn raw(&self) -> AnyPool {
        let url = match self {
            Self::Sqlite { path, .. } => format!("sqlite://{path}"),
            Self::Postgres { url, .. } => url.clone(),
        };
        pool(&url).await.unwrap()
    }

    /// Runs plain SQL statements as an attacker who first removes the append-only triggers.
    pub async fn tamper(&self, statements: &[&'static str]) {
        let raw = self.raw().await;
        let drops: &[&'static str] = if self.is_sqlite() {
            &[
                "DROP TRIGGER ledger_events_no_update",
                "DROP TRIGGER ledger_events_no_delete",
            ]
        } else {
            &["DROP TRIGGER ledger_events_no_change ON ledger_events"]
        };
        for s in drops.iter().chain(statements) {
            sqlx::query(*s).execute(&raw).await.unwrap();
        }
        raw.close().await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres { base, schema, .. } = self {
            let (base, schema) = (base.clone(), schema.clone());
            // Drop runs inside the test's runtime; use a thread with its own.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(p) = pool(&base).await {
                        let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&p).await;
                        p.close().await;
                    }
                });
            })
            .join()
            .unwrap();
        }
    }
}

pub async fn pool(url: &str) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

pub fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
        ^ std::time::UNIX_EPOCH.elapsed().unwrap().as_nanos() as u64
}

/// Runs the suite's tests against each backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::ledger_support::TestDb::sqlite()).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::ledger_support::TestDb::postgres().await).await } )*
        }
    };
}
