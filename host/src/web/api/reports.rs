//! Report handlers: the attendance sheet and minutes block as JSON, and the sheet as CSV (UTF-8
//! with a byte-order mark so spreadsheet programs read the Chinese correctly).

use super::no_meeting;
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::i18n::Lang;
use crate::web::present::state_label;
use crate::web::service::Report;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;

pub(super) async fn json(
    State(app): State<AppState>,
    _u: CurrentUser,
    Path(meeting): Path<String>,
) -> Result<Json<Report>, ApiError> {
    app.hall.report(&meeting).map(Json).ok_or_else(no_meeting)
}

pub(super) async fn csv(
    State(app): State<AppState>,
    _u: CurrentUser,
    lang: Lang,
    Path(meeting): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let report = app.hall.report(&meeting).ok_or_else(no_meeting)?;
    let body = sheet_csv(&report, lang);
    Ok(download("attendance", &report.meeting.id, body))
}

/// A CSV answer saved as `<name>-<meeting>.csv`.
pub(super) fn download(name: &str, meeting: &str, body: String) -> impl IntoResponse + use<> {
    let disposition = format!(
        "attachment; filename=\"{name}-{}.csv\"",
        meeting.replace('"', "")
    );
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
}

/// One CSV field, quoted when it must be.
pub(super) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The attendance sheet as CSV in the given language.
pub fn sheet_csv(report: &Report, lang: Lang) -> String {
    let mut out = String::from('\u{feff}');
    let header = match lang {
        Lang::Zh => "姓名,职务,座位,状态,签到时间,方式,备注",
        Lang::En => "Name,Office,Seat,Status,Signed in at,Via,Note",
    };
    out.push_str(header);
    out.push_str("\r\n");
    for r in &report.rows {
        let cells = [
            r.name.as_str(),
            lang.pick(&r.office.zh, &r.office.en),
            r.seat.as_deref().unwrap_or(""),
            state_label(r.state, lang),
            r.signed_in_at.as_deref().unwrap_or(""),
            r.via
                .as_deref()
                .map_or("", |v| crate::web::present::via_label(v, lang)),
            r.note.as_deref().unwrap_or(""),
        ];
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
    }
}
