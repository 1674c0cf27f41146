//! A JSON body extractor whose refusals use the API's bilingual error shape.

use crate::web::error::ApiError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but a bad body answers `{code, message_zh, message_en}`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError::new(
                e.status(),
                "bad_body",
                format!("请求内容无法识别：{}", e.body_text()),
                format!("The request body could not be read: {}", e.body_text()),
            )),
        }
    }
}
