//! `POST /api/meetings/{meeting}/entrust`: 委托主持 — the clerk records that a leader entrusted
//! a member with presiding over this meeting, before it opens (Jiaxing 第五条, Zhuzhou 第七条 /
//! 第四十五条, Wuxi 六/四十/四十三, Rizhao 第四十条). The core checks both roles against the
//! rulebook's `presiding.entrusted` and refuses with the clause.

use super::{ApiJson, Changes, run};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::service::HallCommand;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

/// Body of `POST /api/meetings/{meeting}/entrust`.
#[derive(Debug, Deserialize)]
pub struct Entrust {
    /// Member id of the person who will preside.
    pub to: String,
    /// Member id of the entruster when on the roster (their name and role are the roster's).
    #[serde(default)]
    pub by: Option<String>,
    /// The entruster's name when not on the roster (e.g. the mayor away).
    #[serde(default)]
    pub by_name: Option<String>,
    /// The entruster's rulebook role id when not on the roster (e.g. `mayor`).
    #[serde(default)]
    pub by_role: Option<String>,
    /// Why (required, e.g. 市长外出).
    pub reason: String,
}

fn filled(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(super) async fn entrust_chair(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(meeting): Path<String>,
    ApiJson(b): ApiJson<Entrust>,
) -> Result<Json<Changes>, ApiError> {
    let by_member = filled(&b.by).map(str::to_owned);
    let (by_name, by_role) = match (&by_member, filled(&b.by_name), filled(&b.by_role)) {
        (Some(_), _, _) => (String::new(), String::new()),
        (None, Some(name), Some(role)) => (name.to_owned(), role.to_owned()),
        (None, _, _) => {
            return Err(ApiError::bad_request(
                "请写明委托人：名单中的人员编号（by），或不在名单中的委托人姓名和角色（by_name、by_role）。",
                "Name the entruster: a member id on the roster (by), or the name and role of one not on it (by_name, by_role).",
            ));
        }
    };
    if b.reason.trim().is_empty() {
        return Err(ApiError::bad_request(
            "请填写委托事由。",
            "The reason for the entrustment is required.",
        ));
    }
    let cmd = HallCommand::EntrustChair {
        meeting,
        to: b.to.trim().to_owned(),
        by_member,
        by_name,
        by_role,
        reason: b.reason.trim().to_owned(),
    };
    run(&app, &user, cmd).await
}
