//! Attendance handlers: counts and attendees, the seat map, manual late sign-in (补签到), a
//! county-room member confirmed by the clerk, leave requests and their decisions, county
//! sites, and cards.

use super::{ApiJson, Changes, no_meeting, run};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::service::{
    AttendeeView, CardView, Counts, HallCommand, LeaveView, QuorumView, SeatView, SiteView,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

/// Answer of `GET /api/meetings/{meeting}/attendance`.
#[derive(Debug, Serialize)]
pub struct Attendance {
    /// Counts.
    pub counts: Counts,
    /// Quorum with the clause.
    pub quorum: QuorumView,
    /// Attendees.
    pub attendees: Vec<AttendeeView>,
}

pub(super) async fn attendance(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Attendance>, ApiError> {
    let v = app.hall.hall(&meeting).ok_or_else(no_meeting)?;
    Ok(Json(Attendance {
        counts: v.counts,
        quorum: v.quorum,
        attendees: v.attendees,
    }))
}

pub(super) async fn seats(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Vec<SeatView>>, ApiError> {
    Ok(Json(app.hall.hall(&meeting).ok_or_else(no_meeting)?.seats))
}

pub(super) async fn sites(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Vec<SiteView>>, ApiError> {
    Ok(Json(app.hall.hall(&meeting).ok_or_else(no_meeting)?.sites))
}

pub(super) async fn leave(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Vec<LeaveView>>, ApiError> {
    Ok(Json(app.hall.hall(&meeting).ok_or_else(no_meeting)?.leave))
}

fn required(text: &str, zh: &str, en: &str) -> Result<String, ApiError> {
    let t = text.trim();
    if t.is_empty() {
        Err(ApiError::bad_request(zh, en))
    } else {
        Ok(t.to_owned())
    }
}

/// Body of `POST /api/meetings/{meeting}/late-sign-ins`.
#[derive(Debug, Deserialize)]
pub struct LateSignIn {
    /// Member id.
    pub member: String,
    /// Why the clerk signs the member in (required).
    pub reason: String,
}

pub(super) async fn late_sign_in(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<LateSignIn>,
) -> Result<Json<Changes>, ApiError> {
    let reason = required(
        &b.reason,
        "补签到须填写理由。",
        "A late sign-in needs a reason.",
    )?;
    run(
        &app,
        &user,
        HallCommand::LateSignIn {
            meeting,
            member: b.member,
            reason,
        },
    )
    .await
}

/// Body of `POST /api/meetings/{meeting}/departures`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Departure {
    /// Member id.
    pub member: String,
    /// Why (optional, e.g. 另有公务).
    #[serde(default)]
    pub reason: Option<String>,
}

pub(super) async fn depart(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<Departure>,
) -> Result<Json<Changes>, ApiError> {
    let reason = b
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    run(
        &app,
        &user,
        HallCommand::Depart {
            meeting,
            member: b.member,
            reason,
        },
    )
    .await
}

/// Body of `POST /api/meetings/{meeting}/remote-sign-ins`.
#[derive(Debug, Deserialize)]
pub struct RemoteSignIn {
    /// Member id.
    pub member: String,
    /// County site id the member attends from.
    pub site: String,
}

pub(super) async fn remote_sign_in(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<RemoteSignIn>,
) -> Result<Json<Changes>, ApiError> {
    let member = required(&b.member, "请填写参会人员。", "A member is required.")?;
    let site = required(&b.site, "请填写视频会场。", "A county site is required.")?;
    run(
        &app,
        &user,
        HallCommand::RemoteSignIn {
            meeting,
            member,
            site,
        },
    )
    .await
}

/// Body of `POST /api/meetings/{meeting}/leave`.
#[derive(Debug, Deserialize)]
pub struct LeaveRequest {
    /// Member id.
    pub member: String,
    /// Reason (required).
    pub reason: String,
    /// Submitted in writing (书面).
    #[serde(default)]
    pub written: bool,
}

pub(super) async fn request_leave(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<LeaveRequest>,
) -> Result<Json<Changes>, ApiError> {
    let reason = required(
        &b.reason,
        "请假须填写理由。",
        "A leave request needs a reason.",
    )?;
    let cmd = HallCommand::RequestLeave {
        meeting,
        member: b.member,
        reason,
        written: b.written,
    };
    run(&app, &user, cmd).await
}

/// Body of `POST …/leave/{request}/approve` and `…/reject` (optional for approve).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveDecision {
    /// The approver: a person on the meeting's roster holding an approving role for this
    /// request. Absent: the roster person whose name is the console user's display name.
    #[serde(default)]
    pub approver: Option<String>,
    /// Why (required to reject).
    #[serde(default)]
    pub reason: Option<String>,
}

/// An optional JSON body: empty means the default.
fn optional_body<T: Default + serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            format!("请求内容无法识别：{e}"),
            format!("The request body could not be read: {e}"),
        )
    })
}

async fn decide(
    app: &AppState,
    user: &CurrentUser,
    (meeting, request): (String, String),
    body: &[u8],
    approve: bool,
) -> Result<Json<Changes>, ApiError> {
    let b: LeaveDecision = optional_body(body)?;
    let reason = match (approve, b.reason) {
        (true, r) => r,
        (false, r) => Some(required(
            r.as_deref().unwrap_or(""),
            "不同意请假须填写理由。",
            "A rejection needs a reason.",
        )?),
    };
    let cmd = HallCommand::DecideLeave {
        meeting,
        request,
        approve,
        approver: b.approver,
        reason,
    };
    run(app, user, cmd).await
}

pub(super) async fn approve_leave(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(path): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Changes>, ApiError> {
    decide(&app, &user, path, &body, true).await
}

pub(super) async fn reject_leave(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(path): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Changes>, ApiError> {
    decide(&app, &user, path, &body, false).await
}

pub(super) async fn forward_leave(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, request)): Path<(String, String)>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::ForwardLeave { meeting, request }).await
}

pub(super) async fn report_leave(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((meeting, request)): Path<(String, String)>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::ReportLeave { meeting, request }).await
}

/// Body of `POST /api/meetings/{meeting}/substitutes`.
#[derive(Debug, Deserialize)]
pub struct Substitute {
    /// The member represented.
    pub member: String,
    /// The substitute's name (required).
    pub name: String,
    /// The substitute's post.
    #[serde(default)]
    pub post: String,
}

pub(super) async fn designate_substitute(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<Substitute>,
) -> Result<Json<Changes>, ApiError> {
    let name = required(
        &b.name,
        "请填写代会人员姓名。",
        "The substitute's name is required.",
    )?;
    let cmd = HallCommand::DesignateSubstitute {
        meeting,
        member: b.member,
        name,
        post: b.post,
    };
    run(&app, &user, cmd).await
}

/// Body of `POST /api/cards`.
#[derive(Debug, Deserialize)]
pub struct IssueCard {
    /// Member id.
    pub member: String,
    /// Card UID in hex (4, 7 or 10 bytes).
    pub card: String,
}

/// Query of `GET /api/cards`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardQuery {
    /// Only this member's cards.
    pub member: Option<String>,
}

pub(super) async fn cards(
    State(app): State<AppState>,
    _u: CurrentUser,
    Query(q): Query<CardQuery>,
) -> Json<Vec<CardView>> {
    let mut cards = app.hall.cards();
    if let Some(m) = q.member {
        cards.retain(|c| c.member.as_deref() == Some(m.as_str()));
    }
    Json(cards)
}

pub(super) async fn issue_card(
    State(app): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<IssueCard>,
) -> Result<Json<Changes>, ApiError> {
    run(
        &app,
        &user,
        HallCommand::IssueCard {
            member: b.member,
            card: b.card,
        },
    )
    .await
}

pub(super) async fn cancel_card(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(card): Path<String>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::CancelCard { card }).await
}

pub(super) async fn card_lost(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(card): Path<String>,
) -> Result<Json<Changes>, ApiError> {
    run(&app, &user, HallCommand::ReportCardLost { card }).await
}
