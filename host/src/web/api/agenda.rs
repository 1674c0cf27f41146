//! Agenda handlers (议题): the list, and the clerk's add, edit, reorder and withdraw, taking a
//! topic up, and the chair's outcome. Each is one [`AgendaCommand`]; the core checks the city's
//! agenda rules and refuses with the article, changing nothing.

use super::{ApiJson, Changes, no_meeting, run};
use crate::web::AppState;
use crate::web::agenda::{AgendaCommand, AgendaView, TopicInput};
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::service::HallCommand;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

pub(super) async fn list(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<AgendaView>, ApiError> {
    Ok(Json(app.hall.hall(&meeting).ok_or_else(no_meeting)?.agenda))
}

async fn agenda(
    app: &AppState,
    user: &CurrentUser,
    meeting: String,
    action: AgendaCommand,
) -> Result<Json<Changes>, ApiError> {
    let action = Box::new(action);
    run(app, user, HallCommand::Agenda { meeting, action }).await
}

pub(super) async fn add(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(topic): ApiJson<TopicInput>,
) -> Result<Json<Changes>, ApiError> {
    agenda(&app, &user, meeting, AgendaCommand::Add { topic }).await
}

pub(super) async fn edit(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, topic)): Path<(String, String)>,
    ApiJson(spec): ApiJson<TopicInput>,
) -> Result<Json<Changes>, ApiError> {
    agenda(&app, &user, meeting, AgendaCommand::Edit { topic, spec }).await
}

/// Body of `POST /api/meetings/{meeting}/agenda/order`.
#[derive(Debug, Deserialize)]
pub struct AgendaOrder {
    /// Every pending topic's number, once, in the new order.
    pub order: Vec<String>,
}

pub(super) async fn reorder(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<AgendaOrder>,
) -> Result<Json<Changes>, ApiError> {
    let order = b.order;
    agenda(&app, &user, meeting, AgendaCommand::Reorder { order }).await
}

/// Body of `POST /api/meetings/{meeting}/agenda/{topic}/withdraw`.
#[derive(Debug, Deserialize)]
pub struct WithdrawTopic {
    /// Why it is taken off the agenda.
    #[serde(default)]
    pub reason: String,
}

pub(super) async fn withdraw(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, topic)): Path<(String, String)>,
    ApiJson(b): ApiJson<WithdrawTopic>,
) -> Result<Json<Changes>, ApiError> {
    let reason = b.reason;
    agenda(
        &app,
        &user,
        meeting,
        AgendaCommand::Withdraw { topic, reason },
    )
    .await
}

pub(super) async fn start(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, topic)): Path<(String, String)>,
) -> Result<Json<Changes>, ApiError> {
    agenda(&app, &user, meeting, AgendaCommand::Start { topic }).await
}

/// Body of `POST /api/meetings/{meeting}/agenda/{topic}/end`.
#[derive(Debug, Deserialize)]
pub struct EndTopic {
    /// The presiding officer's decision (id or Chinese wording); omitted where a vote decides.
    #[serde(default)]
    pub decision: Option<String>,
    /// 议定事项.
    #[serde(default)]
    pub text: String,
}

pub(super) async fn end(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, topic)): Path<(String, String)>,
    ApiJson(b): ApiJson<EndTopic>,
) -> Result<Json<Changes>, ApiError> {
    let action = AgendaCommand::End {
        topic,
        decision: b.decision,
        text: b.text,
    };
    agenda(&app, &user, meeting, action).await
}
