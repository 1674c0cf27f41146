//! The attendance sheet print view with the minutes attendance block (the CSV lives in the API).

use super::{Ui, not_found, render};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::i18n::Lang;
use crate::web::service::Report;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    ui: Ui,
    r: Report,
}

pub(super) async fn sheet(
    State(app): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(meeting): Path<String>,
) -> Response {
    let ui = Ui::new(lang, Some(&user), &format!("/meetings/{meeting}/report"));
    match app.hall.report(&meeting) {
        Some(r) => render(ReportPage { ui, r }),
        None => not_found(ui),
    }
}
