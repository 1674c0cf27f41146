//! Meeting pages: the list with the scheduling form, and the live hall (seat map, counts, quorum
//! bar, Open button with the reason it is disabled, leave, late sign-in, votes, sites).

use super::{Ui, not_found, render};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::i18n::Lang;
use crate::web::service::{Catalogue, HallView, MeetingSummary};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    ui: Ui,
    meetings: Vec<MeetingSummary>,
    catalogue: Catalogue,
}

pub(super) async fn list(State(app): State<AppState>, user: CurrentUser, lang: Lang) -> Response {
    render(MeetingsPage {
        ui: Ui::new(lang, Some(&user), "/meetings"),
        meetings: app.hall.meetings(),
        catalogue: app.hall.catalogue(),
    })
}

#[derive(Template)]
#[template(path = "hall.html")]
struct HallPage {
    ui: Ui,
    v: HallView,
}

#[derive(Template)]
#[template(path = "hall_live.html")]
struct HallLive {
    ui: Ui,
    v: HallView,
}

pub(super) async fn hall(
    State(app): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(meeting): Path<String>,
) -> Response {
    let ui = Ui::new(lang, Some(&user), &format!("/meetings/{meeting}"));
    match app.hall.hall(&meeting) {
        Some(v) => render(HallPage { ui, v }),
        None => not_found(ui),
    }
}

pub(super) async fn hall_live(
    State(app): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(meeting): Path<String>,
) -> Response {
    let ui = Ui::new(lang, Some(&user), &format!("/meetings/{meeting}"));
    match app.hall.hall(&meeting) {
        Some(v) => render(HallLive { ui, v }),
        None => not_found(ui),
    }
}
