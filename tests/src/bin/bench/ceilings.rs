//! Raw ceilings, measured in the same run as the host's figures so the host can be reported
//! as a fraction of what its parts can do at most on this machine: Mosquitto's own loopback
//! throughput (mosquitto_pub → broker → mosquitto_sub, QoS 1, payloads the size of a seat
//! envelope) and SQLite's raw insert rate with the ledger's durability (WAL, synchronous=FULL).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use huitang_e2e::mosquitto::Mosquitto;
use sqlx::{Connection, Executor, SqliteConnection};

/// A seat's `key_pressed` envelope is about this long in JSON.
const PAYLOAD: &str =
    r#"{"v":1,"seq":123456,"msg":{"key_pressed":{"key":"yes","at_ms":1795136400123}}}"#;

/// Messages per second through the broker, one publisher and one subscriber, QoS 1.
pub fn mosquitto_throughput(messages: usize) -> anyhow::Result<f64> {
    let broker = Mosquitto::start()?;
    let port = broker.port.to_string();
    let topic = "huitang/bench/seat/raw/up";
    let mut sub = Command::new("mosquitto_sub")
        .args(["-h", "127.0.0.1", "-p", &port, "-q", "1", "-t", topic])
        .args(["-C", &messages.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .context("cannot run mosquitto_sub (apt-get install mosquitto-clients)")?;
    // Give the subscription time to reach the broker before anything is published.
    std::thread::sleep(Duration::from_millis(500));
    let t = Instant::now();
    let mut publisher = Command::new("mosquitto_pub")
        .args(["-h", "127.0.0.1", "-p", &port, "-q", "1", "-t", topic, "-l"])
        .stdin(Stdio::piped())
        .spawn()
        .context("cannot run mosquitto_pub")?;
    {
        let mut stdin = publisher.stdin.take().context("pub stdin")?;
        let mut buf = String::with_capacity((PAYLOAD.len() + 1) * messages);
        for _ in 0..messages {
            buf.push_str(PAYLOAD);
            buf.push('\n');
        }
        stdin.write_all(buf.as_bytes())?;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = sub.try_wait()? {
            if !status.success() {
                bail!("mosquitto_sub failed: {status}");
            }
            break;
        }
        if Instant::now() > deadline {
            let _ = sub.kill();
            let _ = publisher.kill();
            bail!("mosquitto_sub did not receive {messages} messages within 120 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let secs = t.elapsed().as_secs_f64();
    let _ = publisher.wait();
    drop(broker);
    Ok(messages as f64 / secs)
}

/// SQLite with the ledger's settings: returns (single-row commits per second, rows per second
/// in transactions of `batch` rows), on rows shaped like ledger records.
pub async fn sqlite_inserts(
    dir: &std::path::Path,
    commits: usize,
    rows: usize,
    batch: usize,
) -> anyhow::Result<(f64, f64)> {
    let path = dir.join("raw.db");
    let mut conn =
        SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute(
        "CREATE TABLE raw (seq INTEGER PRIMARY KEY NOT NULL, ts_ms INTEGER NOT NULL, \
         actor TEXT NOT NULL, meeting_id TEXT, kind TEXT NOT NULL, payload TEXT NOT NULL, \
         prev_hash BLOB NOT NULL, hash BLOB NOT NULL)",
    )
    .await?;
    let hash = [7u8; 32];
    let payload = r#"{"kind":"checked_in","member":"m1234","seat":1234,"at":1795136400123,"card":"04a1b2c3"}"#;
    let mut seq = 0i64;
    let insert = "INSERT INTO raw VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

    let t = Instant::now();
    for _ in 0..commits {
        seq += 1;
        let mut tx = conn.begin().await?;
        sqlx::query(insert)
            .bind(seq)
            .bind(seq)
            .bind("terminal:hall1/seat-1234")
            .bind("m1")
            .bind("checked_in")
            .bind(payload)
            .bind(&hash[..])
            .bind(&hash[..])
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let single = commits as f64 / t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut done = 0;
    while done < rows {
        let mut tx = conn.begin().await?;
        for _ in 0..batch.min(rows - done) {
            seq += 1;
            sqlx::query(insert)
                .bind(seq)
                .bind(seq)
                .bind("terminal:hall1/seat-1234")
                .bind("m1")
                .bind("checked_in")
                .bind(payload)
                .bind(&hash[..])
                .bind(&hash[..])
                .execute(&mut *tx)
                .await?;
            done += 1;
        }
        tx.commit().await?;
    }
    let batched = rows as f64 / t.elapsed().as_secs_f64();
    conn.close().await?;
    Ok((single, batched))
}
