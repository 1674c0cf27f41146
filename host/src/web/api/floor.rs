//! Floor handlers (发言管理): the floor's state, and the chair's and clerk's commands — a
//! request on a seat's or county room's behalf, grant (next or named), deny, end a turn, mute
//! all, settings. Each is one [`FloorAction`]; the core refuses with a bilingual reason
//! (nobody queued, the limit reached, a setting out of range) and changes nothing.

use super::{ApiJson, Changes, no_meeting, run};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::floor::{
    FireAlarmInput, FloorAction, FloorRequestInput, FloorSettingsInput, FloorTarget, FloorView,
    MuteAllInput,
};
use crate::web::service::HallCommand;
use axum::Json;
use axum::extract::{Path, State};

pub(super) async fn state(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<FloorView>, ApiError> {
    Ok(Json(app.hall.hall(&meeting).ok_or_else(no_meeting)?.floor))
}

async fn floor(
    app: &AppState,
    user: &CurrentUser,
    meeting: String,
    action: FloorAction,
) -> Result<Json<Changes>, ApiError> {
    run(app, user, HallCommand::Floor { meeting, action }).await
}

pub(super) async fn request(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<FloorRequestInput>,
) -> Result<Json<Changes>, ApiError> {
    floor(&app, &user, meeting, FloorAction::Request(b)).await
}

pub(super) async fn grant(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<FloorTarget>,
) -> Result<Json<Changes>, ApiError> {
    floor(&app, &user, meeting, FloorAction::Grant(b)).await
}

pub(super) async fn deny(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<FloorTarget>,
) -> Result<Json<Changes>, ApiError> {
    floor(&app, &user, meeting, FloorAction::Deny(b)).await
}

pub(super) async fn end(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<FloorTarget>,
) -> Result<Json<Changes>, ApiError> {
    floor(&app, &user, meeting, FloorAction::End(b)).await
}

pub(super) async fn mute_all(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<MuteAllInput>,
) -> Result<Json<Changes>, ApiError> {
    floor(&app, &user, meeting, FloorAction::MuteAll(b)).await
}

pub(super) async fn settings(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<FloorSettingsInput>,
) -> Result<Json<Changes>, ApiError> {
    floor(&app, &user, meeting, FloorAction::Configure(b)).await
}

pub(super) async fn fire_alarm(
    State(app): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<FireAlarmInput>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::FireAlarm { on: b.on }).await
}
