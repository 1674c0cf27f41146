//! `GET /api/events`: server-sent events, one `change` event per recorded hall event (meeting,
//! kind, sequence, time; never a ballot choice). The console and the hall display re-render on
//! each. The stream ends when the session does.

use super::AppState;
use super::auth::CurrentUser;
use super::session::{SESSION_COOKIE, cookie};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

/// Decrements the client gauge when the stream is dropped.
struct ClientGuard(AppState);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.metrics.stream_clients(-1);
    }
}

/// The event stream.
pub async fn stream(
    State(app): State<AppState>,
    _user: CurrentUser,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = app.hall.subscribe();
    let session_id = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    app.metrics.stream_clients(1);
    let guard = ClientGuard(app);
    let events =
        futures::stream::unfold((rx, guard, session_id), |(mut rx, guard, sid)| async move {
            let event = match rx.recv().await {
                Ok(change) => Event::default()
                    .event("change")
                    .id(change.seq.to_string())
                    .json_data(&change)
                    .unwrap_or_else(|_| Event::default().event("change").data("{}")),
                Err(RecvError::Lagged(n)) => Event::default().event("lagged").data(n.to_string()),
                Err(RecvError::Closed) => return None,
            };
            guard.0.sessions.get(&sid)?;
            Some((Ok(event), (rx, guard, sid)))
        });
    Sse::new(events).keep_alive(KeepAlive::default())
}
