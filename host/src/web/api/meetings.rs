//! Meeting handlers: list, schedule, live state, and the session lifecycle (sign-in, open,
//! adjourn). Opening without quorum is refused by the core; the refusal arrives here as 409
//! carrying the quorum explanation.

use super::{ApiJson, Changes, no_meeting, run};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::service::{
    Catalogue, HallCommand, HallView, MeetingSummary, MemberView, TerminalList,
};
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

/// `GET /healthz` answer.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `ok` when answering.
    pub status: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// Number of meetings known.
    pub meetings: usize,
}

pub(super) async fn healthz(State(app): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        meetings: app.hall.meetings().len(),
    })
}

pub(super) async fn catalogue(State(app): State<AppState>, _u: CurrentUser) -> Json<Catalogue> {
    Json(app.hall.catalogue())
}

pub(super) async fn members(State(app): State<AppState>, _u: CurrentUser) -> Json<Vec<MemberView>> {
    Json(app.hall.members())
}

pub(super) async fn terminals(State(app): State<AppState>, _u: CurrentUser) -> Json<TerminalList> {
    Json(app.hall.terminals())
}

pub(super) async fn list(
    State(app): State<AppState>,
    _u: CurrentUser,
) -> Json<Vec<MeetingSummary>> {
    Json(app.hall.meetings())
}

pub(super) async fn show(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<HallView>, ApiError> {
    app.hall.hall(&meeting).map(Json).ok_or_else(no_meeting)
}

/// Body of `POST /api/meetings`.
#[derive(Debug, Deserialize)]
pub struct ScheduleMeeting {
    /// Title.
    pub title: String,
    /// Kind id (`executive`, ...).
    pub kind: String,
    /// Rulebook id (`wuxi`, ...).
    pub rulebook: String,
    /// Local time `YYYY-MM-DD HH:MM`.
    pub scheduled_at: String,
}

pub(super) async fn schedule(
    State(app): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<ScheduleMeeting>,
) -> Result<Json<Changes>, ApiError> {
    if b.title.trim().is_empty() {
        return Err(ApiError::bad_request(
            "请填写会议名称。",
            "Please give the meeting a title.",
        ));
    }
    let cmd = HallCommand::ScheduleMeeting {
        title: b.title.trim().to_owned(),
        kind: b.kind,
        rulebook: b.rulebook,
        scheduled_at: b.scheduled_at,
    };
    run(&app, &user, cmd).await
}

pub(super) async fn open_sign_in(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::OpenSignIn { meeting }).await
}

pub(super) async fn open(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::OpenSession { meeting }).await
}

pub(super) async fn adjourn(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::Adjourn { meeting }).await
}
