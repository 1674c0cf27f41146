//! Errors at the ledger's boundary. Messages a clerk may see carry Chinese and English.

use super::verify::Fault;

/// Anything that can go wrong opening, writing, reading or checking the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The database could not be reached or a statement failed.
    #[error("账本数据库错误 / ledger database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A schema migration failed at start-up.
    #[error("账本数据库升级失败 / ledger migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The batch holding this event failed to commit; the event was NOT recorded.
    #[error("事件未写入，请重试 / event NOT recorded (commit failed), retry: {0}")]
    CommitFailed(String),
    /// The writer task has stopped (the ledger was closed or crashed).
    #[error("账本写入已停止 / ledger writer has stopped")]
    WriterGone,
    /// The payload could not be serialised as JSON.
    #[error("事件内容无法编码 / event payload is not serialisable: {0}")]
    Payload(#[from] serde_json::Error),
    /// The stored chain is broken: a record was edited, deleted, reordered or inserted.
    #[error("账本校验失败 / ledger verification failed: {0}")]
    Tampered(Fault),
    /// A stored value has the wrong shape (e.g. a hash that is not 32 bytes).
    #[error("账本记录格式错误 / malformed ledger record at seq {seq}: {what}")]
    Malformed {
        /// The record's seq.
        seq: i64,
        /// What is wrong with it.
        what: String,
    },
    /// The database URL is neither `sqlite:` nor `postgres://`.
    #[error(
        "不支持的数据库地址 / unsupported database URL {0:?} (use a file path, sqlite://PATH or postgres://...)"
    )]
    BadUrl(String),
    /// A SQLite ledger that should exist does not.
    #[error("账本数据库不存在 / ledger database {0} not found")]
    NotFound(String),
    /// A file operation (backup, restore, export) failed.
    #[error("文件操作失败 / file operation failed: {0}")]
    Io(#[from] std::io::Error),
    /// An operation that only exists for SQLite was asked of another backend.
    #[error("此操作仅适用于 SQLite / this operation is only for SQLite: {0}")]
    SqliteOnly(&'static str),
    /// A caller tried to append a kind only the ledger writes.
    #[error("保留的记录类型 / reserved record kind {0:?}: only the ledger writes it")]
    ReservedKind(String),
    /// A signing or key operation failed.
    #[error("账本密码运算失败 / ledger cryptography failed: {0}")]
    Crypto(String),
    /// The hall's key or suite does not fit the ledger it opens.
    #[error("账本与签名密钥不符 / ledger and signing key do not fit: {0}")]
    KeyMismatch(String),
    /// The database file itself is damaged (torn or overwritten pages).
    #[error("账本数据库文件损坏 / ledger database file is damaged: {0}")]
    Damaged(String),
    /// Restore would overwrite an existing database and `--force` was not given.
    #[error(
        "目标数据库已存在，请先停止服务并使用 --force / target database {0} exists; stop the service and pass --force to overwrite"
    )]
    WouldOverwrite(String),
}
