//! Vote handlers: open, hold, resume, close, and the (interim) tallies. Tallies are counts only;
//! nothing here says how a seat voted.

use super::{ApiJson, Changes, no_meeting, run};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::service::{HallCommand, VoteView};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

pub(super) async fn list(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Vec<VoteView>>, ApiError> {
    Ok(Json(app.hall.hall(&meeting).ok_or_else(no_meeting)?.votes))
}

/// Body of `POST /api/meetings/{meeting}/votes`.
#[derive(Debug, Deserialize)]
pub struct OpenVote {
    /// Motion text.
    pub motion: String,
    /// Secret ballot (无记名).
    #[serde(default)]
    pub secret: bool,
}

pub(super) async fn open(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<OpenVote>,
) -> Result<Json<Changes>, ApiError> {
    let motion = b.motion.trim().to_owned();
    if motion.is_empty() {
        return Err(ApiError::bad_request(
            "请填写表决议题。",
            "Please state the motion.",
        ));
    }
    run(
        &app,
        &user,
        HallCommand::OpenVote {
            meeting,
            motion,
            secret: b.secret,
        },
    )
    .await
}

pub(super) async fn hold(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, vote)): Path<(String, String)>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::HoldVote { meeting, vote }).await
}

pub(super) async fn resume(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, vote)): Path<(String, String)>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::ResumeVote { meeting, vote }).await
}

pub(super) async fn close(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, vote)): Path<(String, String)>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::CloseVote { meeting, vote }).await
}
