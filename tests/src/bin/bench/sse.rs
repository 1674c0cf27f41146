//! A minimal HTTP/1.1 client over a raw loopback [`TcpStream`], enough to act as a console:
//! log in (`POST /api/login`), read `/healthz` and `/metrics`, and follow the server-sent event
//! stream `/api/events` (chunked transfer decoding, SSE framing). Shared by the benchmark and
//! the SSE churn fault test (`tests/tests/web_sse_churn.rs` includes this file by path).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A plain answer: status, headers (lower-cased names), body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// Header (name lower-cased, value).
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl Answer {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn read_head(r: &mut BufReader<TcpStream>) -> anyhow::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    r.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            bail!("connection closed in the headers");
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    Ok((status, headers))
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"))
}

/// Reads one chunk of a chunked body into `out`; `false` at the last chunk or EOF.
async fn read_chunk(r: &mut BufReader<TcpStream>, out: &mut Vec<u8>) -> anyhow::Result<bool> {
    let mut line = String::new();
    if r.read_line(&mut line).await? == 0 {
        return Ok(false);
    }
    let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
        .with_context(|| format!("bad chunk size {line:?}"))?;
    if size == 0 {
        return Ok(false);
    }
    let start = out.len();
    out.resize(start + size + 2, 0);
    r.read_exact(&mut out[start..]).await?;
    out.truncate(start + size);
    Ok(true)
}

/// One request with `Connection: close` (as `login` when given: its cookie and CSRF token);
/// reads the whole answer.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    login: Option<&Login>,
    json: Option<&str>,
) -> anyhow::Result<Answer> {
    let mut s = TcpStream::connect(addr).await?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(l) = login {
        req += &format!("Cookie: {}\r\nX-CSRF-Token: {}\r\n", l.cookie, l.csrf);
    }
    if let Some(b) = json {
        req += &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        );
    }
    req += "\r\n";
    req += json.unwrap_or("");
    s.write_all(req.as_bytes()).await?;
    let mut r = BufReader::new(s);
    let (status, headers) = read_head(&mut r).await?;
    let mut body = Vec::new();
    if is_chunked(&headers) {
        while read_chunk(&mut r, &mut body).await? {}
    } else {
        r.read_to_end(&mut body).await?;
    }
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A console login: the session cookie (`name=value`) and the CSRF token.
#[derive(Clone, Debug)]
pub struct Login {
    /// `huitang_session=…`.
    pub cookie: String,
    /// The CSRF token for `X-CSRF-Token`.
    pub csrf: String,
}

/// Logs in through `POST /api/login`.
pub async fn login(addr: SocketAddr, user: &str, password: &str) -> anyhow::Result<Login> {
    let body = serde_json::json!({"username": user, "password": password}).to_string();
    let a = request(addr, "POST", "/api/login", None, Some(&body)).await?;
    if a.status != 200 {
        bail!("login {user}: {} {}", a.status, a.body);
    }
    let cookie = a
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .context("no session cookie")?
        .to_owned();
    let v: serde_json::Value = serde_json::from_str(&a.body)?;
    Ok(Login {
        cookie,
        csrf: v["csrf_token"].as_str().unwrap_or_default().to_owned(),
    })
}

/// `POST path` with a JSON body as `login`; the answer's JSON, or an error unless 200.
pub async fn post(
    addr: SocketAddr,
    login: &Login,
    path: &str,
    body: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let a = request(addr, "POST", path, Some(login), Some(&body.to_string())).await?;
    if a.status != 200 {
        bail!("POST {path}: {} {}", a.status, a.body);
    }
    Ok(serde_json::from_str(&a.body)?)
}

/// `huitang_event_stream_clients` from `GET /metrics`.
pub async fn stream_clients_gauge(addr: SocketAddr) -> anyhow::Result<i64> {
    let a = request(addr, "GET", "/metrics", None, None).await?;
    a.body
        .lines()
        .find_map(|l| l.strip_prefix("huitang_event_stream_clients "))
        .and_then(|v| v.trim().parse().ok())
        .context("no huitang_event_stream_clients in /metrics")
}

/// Whether `GET /healthz` answers 200 within `within`.
pub async fn healthy(addr: SocketAddr, within: Duration) -> bool {
    matches!(
        tokio::time::timeout(within, request(addr, "GET", "/healthz", None, None)).await,
        Ok(Ok(a)) if a.status == 200
    )
}

/// One server-sent event.
#[derive(Clone, Debug, Default)]
pub struct SseEvent {
    /// `event:` (empty when absent).
    pub event: String,
    /// `id:` as a number (the ledger sequence of a `change`).
    pub id: Option<u64>,
    /// `data:` lines joined by `\n`.
    pub data: String,
}

/// An open `/api/events` stream.
pub struct SseStream {
    r: BufReader<TcpStream>,
    chunked: bool,
    /// Bytes read and not yet parsed start at `pos` (a chunk can hold a thousand events:
    /// parsing moves `pos` and the buffer is compacted only before the next read).
    buf: Vec<u8>,
    pos: usize,
}

/// Parses one event block (without its blank line); `None` if it has no field (a comment).
fn parse_block(block: &[u8]) -> Option<SseEvent> {
    let text = String::from_utf8_lossy(block);
    let mut ev = SseEvent::default();
    let mut any = false;
    for line in text.lines() {
        let Some((field, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => ev.event = value.to_owned(),
            "id" => ev.id = value.parse().ok(),
            "data" => {
                if !ev.data.is_empty() {
                    ev.data.push('\n');
                }
                ev.data.push_str(value);
            }
            _ => continue,
        }
        any = true;
    }
    any.then_some(ev)
}

impl SseStream {
    /// Opens the stream with the session `cookie`; fails unless the answer is 200.
    pub async fn connect(addr: SocketAddr, cookie: &str) -> anyhow::Result<SseStream> {
        let mut s = TcpStream::connect(addr).await?;
        let req = format!(
            "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\
             Cookie: {cookie}\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await?;
        let mut r = BufReader::new(s);
        let (status, headers) = read_head(&mut r).await?;
        if status != 200 {
            bail!("/api/events answered {status}");
        }
        Ok(SseStream {
            chunked: is_chunked(&headers),
            r,
            buf: Vec::new(),
            pos: 0,
        })
    }

    /// The next event (comments and keep-alives skipped); `None` when the stream ended.
    pub async fn next(&mut self) -> anyhow::Result<Option<SseEvent>> {
        loop {
            let rest = &self.buf[self.pos..];
            if let Some(end) = rest.windows(2).position(|w| w == b"\n\n") {
                let ev = parse_block(&rest[..end]);
                self.pos += end + 2;
                match ev {
                    Some(ev) => return Ok(Some(ev)),
                    None => continue,
                }
            }
            self.buf.drain(..self.pos);
            self.pos = 0;
            let more = if self.chunked {
                read_chunk(&mut self.r, &mut self.buf).await?
            } else {
                let mut tmp = [0u8; 4096];
                let n = self.r.read(&mut tmp).await?;
                self.buf.extend_from_slice(&tmp[..n]);
                n > 0
            };
            if !more {
                return Ok(None);
            }
        }
    }
}
