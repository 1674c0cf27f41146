//! The one error shape every API route answers with: a stable code, a Chinese and an English
//! message, and the HTTP status that fits. Clerk-facing text says what to do next.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered by the API as `{code, message_zh, message_en}` (plus optional `detail`).
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    /// HTTP status of the answer (not serialised).
    #[serde(skip)]
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `quorum_not_met`.
    pub code: String,
    /// Message in Chinese.
    pub message_zh: String,
    /// Message in English.
    pub message_en: String,
    /// Structured detail, e.g. the quorum explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl ApiError {
    /// An error with the given status, code and messages.
    pub fn new(
        status: StatusCode,
        code: &str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            message_zh: zh.into(),
            message_en: en.into(),
            detail: None,
        }
    }

    /// Attaches structured detail.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// 401: no valid session.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "未登录或会话已过期，请重新登录。",
            "Not signed in or the session expired; please log in again.",
        )
    }

    /// 403: the user's role may not do this.
    pub fn forbidden_role() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden_role",
            "您的角色无权执行此操作，请联系管理员。",
            "Your role may not do this; ask an administrator.",
        )
    }

    /// 403: the CSRF token is missing or wrong.
    pub fn bad_csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_token_invalid",
            "安全令牌缺失或无效，请刷新页面后重试。",
            "The security token is missing or invalid; reload the page and try again.",
        )
    }

    /// 404 for an unknown thing.
    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("找不到{what_zh}。"),
            format!("No such {what_en}."),
        )
    }

    /// 400 for input that could not be read.
    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", zh, en)
    }

    /// 500 for a failure that is not the caller's fault.
    pub fn internal(en: impl Into<String>) -> Self {
        let en = en.into();
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("服务器内部错误，操作未完成，请稍后重试（{en}）。"),
            format!("Internal error; nothing was changed, please retry ({en})."),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message_en)
    }
}

impl std::error::Error for ApiError {}
