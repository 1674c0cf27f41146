//! `GET /api/events`: server-sent events, one `change` event per recorded hall event (meeting,
//! kind, sequence, time; never a ballot choice). The console and the hall display re-render on
//! each. The stream ends when the session does.
//!
//! Built for a vote storm (thousands of ballots a second to hundreds of consoles): each change
//! is rendered once ([`Published`]) and shared by every client, and the changes already waiting
//! for a client go out together in one chunk, one write instead of one per change. A client
//! that falls further behind than the hall's buffer gets `event: lagged` (with how many it
//! missed) and re-reads the hall. A comment line every 15 s keeps idle proxies from closing it.

use super::AppState;
use super::auth::CurrentUser;
use super::service::Published;
use super::session::{SESSION_COOKIE, cookie};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

/// Silence longer than this gets a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// At most this many changes go into one chunk (bounds a chunk at a few hundred KiB).
const MAX_BATCH: usize = 1024;

/// Decrements the client gauge when the stream is dropped.
struct ClientGuard(AppState);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.metrics.stream_clients(-1);
    }
}

fn lagged(missed: u64) -> Bytes {
    Bytes::from(format!("event: lagged\ndata: {missed}\n\n"))
}

/// The next chunk for a client: every change waiting for it (at least one, at most
/// [`MAX_BATCH`]), a lag notice, or a keep-alive. `None` when the hall has shut down.
async fn next_chunk(rx: &mut broadcast::Receiver<Arc<Published>>) -> Option<Bytes> {
    let first = match tokio::time::timeout(KEEP_ALIVE, rx.recv()).await {
        Err(_) => return Some(Bytes::from_static(b":\n\n")),
        Ok(Ok(change)) => change,
        Ok(Err(RecvError::Lagged(n))) => return Some(lagged(n)),
        Ok(Err(RecvError::Closed)) => return None,
    };
    let mut more: Vec<Arc<Published>> = Vec::new();
    let mut missed = None;
    while more.len() + 1 < MAX_BATCH {
        match rx.try_recv() {
            Ok(change) => more.push(change),
            Err(TryRecvError::Lagged(n)) => {
                missed = Some(n);
                break;
            }
            Err(TryRecvError::Empty | TryRecvError::Closed) => break,
        }
    }
    if more.is_empty() && missed.is_none() {
        // The common case when the hall is quiet: the shared frame itself, no copy.
        return Some(first.frame.clone());
    }
    let len = first.frame.len() + more.iter().map(|c| c.frame.len()).sum::<usize>();
    let mut chunk = Vec::with_capacity(len + 32);
    for change in std::iter::once(&first).chain(&more) {
        chunk.extend_from_slice(&change.frame);
    }
    if let Some(n) = missed {
        chunk.extend_from_slice(&lagged(n));
    }
    Some(chunk.into())
}

/// The event stream.
pub async fn stream(
    State(app): State<AppState>,
    _user: CurrentUser,
    headers: HeaderMap,
) -> Response {
    let rx = app.hall.subscribe();
    let session_id = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    app.metrics.stream_clients(1);
    let guard = ClientGuard(app);
    let chunks =
        futures::stream::unfold((rx, guard, session_id), |(mut rx, guard, sid)| async move {
            let chunk = next_chunk(&mut rx).await?;
            // Logged out or expired: the stream ends with the session.
            guard.0.sessions.get(&sid)?;
            Some((Ok::<_, Infallible>(chunk), (rx, guard, sid)))
        });
    let mut response = Body::from_stream(chunks).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::service::Change;

    fn change(seq: u64) -> Arc<Published> {
        Published::new(Change {
            seq,
            meeting: Some("m1".into()),
            kind: "checked_in".into(),
            at_ms: 1_700_000_000_000,
        })
    }

    #[test]
    fn a_change_is_rendered_as_one_sse_event_with_its_sequence_as_id() {
        let p = change(42);
        assert_eq!(
            std::str::from_utf8(&p.frame).unwrap(),
            "event: change\nid: 42\ndata: {\"seq\":42,\"meeting\":\"m1\",\"kind\":\"checked_in\",\
             \"at_ms\":1700000000000}\n\n"
        );
    }

    #[tokio::test]
    async fn changes_waiting_for_a_client_go_out_in_one_chunk_in_order() {
        let (tx, mut rx) = broadcast::channel(64);
        for seq in 1..=5 {
            tx.send(change(seq)).unwrap();
        }
        let chunk = next_chunk(&mut rx).await.unwrap();
        let text = std::str::from_utf8(&chunk).unwrap();
        let ids: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("id: "))
            .collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5"]);
        assert_eq!(text.matches("\n\n").count(), 5, "five complete events");
        tx.send(change(6)).unwrap();
        let next = next_chunk(&mut rx).await.unwrap();
        assert_eq!(next, change(6).frame, "a lone change is its shared frame");
    }

    #[tokio::test]
    async fn a_client_that_fell_behind_is_told_how_many_changes_it_missed() {
        let (tx, mut rx) = broadcast::channel(4);
        for seq in 1..=10 {
            tx.send(change(seq)).unwrap();
        }
        let chunk = next_chunk(&mut rx).await.unwrap();
        assert_eq!(chunk, lagged(6));
        // Then it carries on with what the buffer still holds.
        let rest = next_chunk(&mut rx).await.unwrap();
        let text = std::str::from_utf8(&rest).unwrap();
        assert!(text.starts_with("event: change\nid: 7\n"), "{text}");
        assert!(text.contains("id: 10\n"));
    }

    #[tokio::test]
    async fn a_closed_hall_ends_the_stream() {
        let (tx, mut rx) = broadcast::channel::<Arc<Published>>(4);
        drop(tx);
        assert!(next_chunk(&mut rx).await.is_none());
    }
}
