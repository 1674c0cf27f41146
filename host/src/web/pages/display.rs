//! The hall display (大屏) for the projector: title, counts, quorum state and the vote result as
//! bars and numbers, refreshed live. Any logged-in role may show it; the `display` role exists
//! for the projector PC.

use super::{Ui, not_found, render};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::i18n::Lang;
use crate::web::service::HallView;
use crate::web::service::Phase;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

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

/// `/display`: the projector's bookmark. Shows the meeting in sign-in or in session, else the
/// next scheduled one, else the meetings list.
pub(super) async fn current(State(app): State<AppState>, _user: CurrentUser) -> Response {
    let meetings = app.hall.meetings();
    let live = meetings
        .iter()
        .find(|m| matches!(m.phase, Phase::SignIn | Phase::Opened))
        .or_else(|| {
            meetings
                .iter()
                .filter(|m| m.phase == Phase::Scheduled)
                .min_by(|a, b| a.scheduled_at.cmp(&b.scheduled_at))
        });
    match live {
        Some(m) => Redirect::to(&format!("/display/{}", m.id)).into_response(),
        None => Redirect::to("/meetings").into_response(),
    }
}
