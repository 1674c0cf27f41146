//! `GET /api/events`: server-sent events, one `change` event per recorded hall event (meeting,
//! kind, sequence, time; never a ballot choice). The console and the hall display re-render on
//! each. The stream ends when the session does.
//!
//! Built for a vote storm (thousands of ballots a second to hundreds of consoles): changes are
//! rendered once, in batches ([`Published`]), and shared by every client, and the batches
//! already waiting for a client go out together in one chunk, one write instead of one per
//! change. A client that falls further behind than the stream's buffer gets `event: lagged`
//! (with how many batches it missed) and re-reads the hall. A comment line every 15 s keeps
//! idle proxies from closing it.

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

/// At most this many batches go into one chunk (bounds a chunk at a few hundred KiB).
const MAX_BATCHES: usize = 64;

/// Decrements the client gauge when the stream is dropped.
struct ClientGuard(AppState);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.metrics.stream_clients(-1);
    }
}

fn lagged(missed: u64) -> Bytes {
    Published::lagged(missed).frame.clone()
}

/// The next chunk for a client: every batch waiting for it (at least one, at most
/// [`MAX_BATCHES`]), a lag notice, or a keep-alive. `None` when the hall has shut down.
async fn next_chunk(rx: &mut broadcast::Receiver<Arc<Published>>) -> Option<Bytes> {
    let first = match tokio::time::timeout(KEEP_ALIVE, rx.recv()).await {
        Err(_) => return Some(Bytes::from_static(b":\n\n")),
        Ok(Ok(change)) => change,
        Ok(Err(RecvError::Lagged(n))) => return Some(lagged(n)),
        Ok(Err(RecvError::Closed)) => return None,
    };
    let mut more: Vec<Arc<Published>> = Vec::new();
    let mut missed = None;
    while more.len() + 1 < MAX_BATCHES {
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

    fn change(seq: u64) -> Change {
        Change {
            seq,
            meeting: Some("m1".into()),
            kind: "checked_in".into(),
            at_ms: 1_700_000_000_000,
        }
    }

    fn one(seq: u64) -> Arc<Published> {
        Published::new(vec![change(seq)])
    }

    fn ids(chunk: &Bytes) -> Vec<String> {
        std::str::from_utf8(chunk)
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("id: ").map(str::to_owned))
            .collect()
    }

    #[test]
    fn a_change_is_rendered_as_one_sse_event_with_its_sequence_as_id() {
        let p = one(42);
        assert_eq!(
            std::str::from_utf8(&p.frame).unwrap(),
            "event: change\nid: 42\ndata: {\"seq\":42,\"meeting\":\"m1\",\"kind\":\"checked_in\",\
             \"at_ms\":1700000000000}\n\n"
        );
    }

    #[test]
    fn a_batch_is_one_complete_event_per_change_in_order() {
        let p = Published::new((1..=3).map(change).collect());
        assert_eq!(ids(&p.frame), ["1", "2", "3"]);
        let text = std::str::from_utf8(&p.frame).unwrap();
        assert_eq!(text.matches("event: change\n").count(), 3);
        assert!(text.ends_with("}\n\n"));
    }

    #[tokio::test]
    async fn batches_waiting_for_a_client_go_out_in_one_chunk_in_order() {
        let (tx, mut rx) = broadcast::channel(64);
        tx.send(Published::new(vec![change(1), change(2)])).unwrap();
        for seq in 3..=5 {
            tx.send(one(seq)).unwrap();
        }
        let chunk = next_chunk(&mut rx).await.unwrap();
        assert_eq!(ids(&chunk), ["1", "2", "3", "4", "5"]);
        tx.send(one(6)).unwrap();
        let next = next_chunk(&mut rx).await.unwrap();
        assert_eq!(next, one(6).frame, "a lone batch is its shared frame");
    }

    #[tokio::test]
    async fn a_client_that_fell_behind_is_told_how_many_batches_it_missed() {
        let (tx, mut rx) = broadcast::channel(4);
        for seq in 1..=10 {
            tx.send(one(seq)).unwrap();
        }
        let chunk = next_chunk(&mut rx).await.unwrap();
        assert_eq!(chunk, Bytes::from_static(b"event: lagged\ndata: 6\n\n"));
        // Then it carries on with what the buffer still holds.
        let rest = next_chunk(&mut rx).await.unwrap();
        assert_eq!(ids(&rest), ["7", "8", "9", "10"]);
    }

    #[tokio::test]
    async fn a_closed_hall_ends_the_stream() {
        let (tx, mut rx) = broadcast::channel::<Arc<Published>>(4);
        drop(tx);
        assert!(next_chunk(&mut rx).await.is_none());
    }
}
