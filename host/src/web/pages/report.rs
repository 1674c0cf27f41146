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

/// The print view as a self-contained HTML file (stylesheet inlined, no script), for
/// `huitang report --format html`: the same page the console prints.
pub fn standalone_html(r: Report, lang: Lang) -> Result<String, askama::Error> {
    let ui = Ui::new(lang, None, &format!("/meetings/{}/report", r.meeting.id));
    let page = ReportPage { ui, r }.render()?;
    let style = format!("<style>\n{}</style>", crate::web::assets::CSS);
    Ok(page
        .replace(
            r#"<link rel="stylesheet" href="/assets/console.css">"#,
            &style,
        )
        .replace(r#"<script src="/assets/console.js" defer></script>"#, ""))
}
