//! The hall display (大屏) for the projector: title, counts, quorum state and the vote result as
//! bars and numbers, refreshed live. Any logged-in role may show it; the `display` role exists
//! for the projector PC.

use super::{Ui, not_found, render};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::i18n::Lang;
use crate::web::service::HallView;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "display.html")]
struct DisplayPage {
    ui: Ui,
    v: HallView,
}

#[derive(Template)]
#[template(path = "display_live.html")]
struct DisplayLive {
    ui: Ui,
    v: HallView,
}

pub(super) async fn page(
    State(app): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(meeting): Path<String>,
) -> Response {
    let ui = Ui::new(lang, Some(&user), &format!("/display/{meeting}"));
    match app.hall.hall(&meeting) {
        Some(v) => render(DisplayPage { ui, v }),
        None => not_found(ui),
    }
}

pub(super) async fn live(
    State(app): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(meeting): Path<String>,
) -> Response {
    let ui = Ui::new(lang, Some(&user), &format!("/display/{meeting}"));
    match app.hall.hall(&meeting) {
        Some(v) => render(DisplayLive { ui, v }),
        None => not_found(ui),
    }
}
