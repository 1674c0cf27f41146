//! The attendance sheet and the minutes attendance block of a meeting, from the core's sheet.
//! The Chinese block is the core's own text; the English one is rendered here from the same
//! rows.

use super::clock::{format_clock, format_local};
use super::config::HallConfig;
use super::views::{state_of, summary};
use crate::meeting::{Meeting, SheetStatus, Standing, Timestamp, attendance_sheet};
use crate::web::service::{Bilingual, Report, SeatState, SheetRow, WitnessView};

/// The report of a meeting.
pub fn report(id: &str, m: &Meeting, config: &HallConfig) -> Report {
    let sheet = attendance_sheet(m);
    let rules = m.rules();
    let hall_view_counts =
        super::views::hall(id, m, config, &Default::default(), &Default::default()).counts;
    let mut ordered: Vec<&crate::meeting::SheetRow> = sheet.rows.iter().collect();
    ordered.sort_by_key(|r| {
        let seat = m
            .attendance()
            .records
            .get(&r.member)
            .and_then(|rec| rec.participant.seat);
        (
            r.standing == Standing::Observer,
            seat.map_or(u32::MAX, |s| s.0),
        )
    });
    let rows: Vec<SheetRow> = ordered
        .into_iter()
        .map(|r| {
            let record = m.attendance().records.get(&r.member);
            let role = record.map_or("", |rec| rec.participant.role.as_str());
            let state = record.map_or(SeatState::NotSignedIn, |rec| state_of(m, rec));
            let via = match (r.status, &r.late_reason) {
                (SheetStatus::PresentRemote, _) => Some("video"),
                (_, Some(_)) => Some("clerk"),
                (SheetStatus::Present | SheetStatus::Departed, _) => Some("card"),
                _ => None,
            };
            let note = [
                r.late_reason.clone(),
                r.leave.clone(),
                r.substitute.clone().map(|s| format!("代会 {s}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("；");
            SheetRow {
                name: r.name.clone(),
                office: Bilingual {
                    zh: r.role_zh.clone(),
                    en: rules.role_en(role).to_owned(),
                },
                seat: r
                    .seat
                    .or_else(|| record.and_then(|rec| rec.participant.seat))
                    .map(|s| s.0.to_string()),
                state,
                signed_in_at: r
                    .signed_in_at
                    .map(|t| format_clock(t, config.utc_offset_hours)),
                via: via.map(str::to_owned),
                note: (!note.is_empty()).then_some(note),
            }
        })
        .collect();
    let minutes_en = minutes_en(m, &sheet);
    Report {
        meeting: summary(id, m, config.utc_offset_hours),
        counts: hall_view_counts,
        rows,
        agenda: super::agenda::agenda(m, config.utc_offset_hours),
        witness: None,
        minutes: Bilingual {
            zh: format!("{}{}", m.topics_minutes_zh(), sheet.minutes_block_zh()),
            en: format!("{}{minutes_en}", m.topics_minutes_en()),
        },
    }
}

fn names(
    sheet: &crate::meeting::AttendanceSheet,
    standing: Standing,
    st: &[SheetStatus],
) -> String {
    let v: Vec<&str> = sheet
        .rows
        .iter()
        .filter(|r| r.standing == standing && st.contains(&r.status))
        .map(|r| r.name.as_str())
        .collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

fn minutes_en(m: &Meeting, sheet: &crate::meeting::AttendanceSheet) -> String {
    let rules = m.rules();
    let presiding = m.presiding_en();
    let q = m.quorum();
    let present = names(
        sheet,
        Standing::Member,
        &[
            SheetStatus::Present,
            SheetStatus::PresentRemote,
            SheetStatus::Departed,
        ],
    );
    let excused = names(
        sheet,
        Standing::Member,
        &[SheetStatus::Excused, SheetStatus::Substituted],
    );
    let absent = names(
        sheet,
        Standing::Member,
        &[SheetStatus::Absent, SheetStatus::NotArrived],
    );
    let observers = names(
        sheet,
        Standing::Observer,
        &[
            SheetStatus::Present,
            SheetStatus::PresentRemote,
            SheetStatus::Departed,
        ],
    );
    let signers: Vec<String> = m.minutes_signers().iter().map(|s| s.en()).collect();
    let mut out = format!(
        "Meeting: {} ({})\nPresiding: {presiding}\nAttended: {present} (expected {}, attended {})\nOn leave: {excused}\nAbsent or not arrived: {absent}\nObservers: {observers}\nQuorum (members in the room; those who left and did not return are not counted): {}\n",
        sheet.title, rules.kind.name_en, sheet.expected, sheet.attended, q.explanation_en
    );
    let withdrawn: Vec<&str> = sheet
        .rows
        .iter()
        .filter(|r| r.leave_withdrawn)
        .map(|r| r.name.as_str())
        .collect();
    if !withdrawn.is_empty() {
        out.push_str(&format!(
            "Leave withdrawn (came after approval): {}\n",
            withdrawn.join(", ")
        ));
    }
    if !signers.is_empty() {
        out.push_str(&format!("Minutes signed by: {}\n", signers.join(" → ")));
    }
    out
}

/// The witness line of a signed checkpoint.
pub fn witness(a: &crate::ledger::anchor::Anchored, utc_offset_hours: i8) -> WitnessView {
    let cp = &a.checkpoint;
    let key_fingerprint = hex::decode(&cp.public_key)
        .map(|k| crate::ledger::crypto::fingerprint(&k))
        .unwrap_or_default();
    let head_fingerprint = cp.head_fingerprint();
    let signed_at = format_local(Timestamp(a.ts_ms.max(0) as u64), utc_offset_hours);
    WitnessView {
        seq: cp.seq,
        head: cp.head.clone(),
        line: Bilingual {
            zh: format!(
                "账本签名点：第 {} 条记录 · 头指纹 {head_fingerprint} · 密钥指纹 {key_fingerprint} · {} · {signed_at} 签名（以 huitang verify 核对）",
                cp.seq, cp.suite
            ),
            en: format!(
                "Signed ledger head: record {} · head {head_fingerprint} · key {key_fingerprint} · {} · signed {signed_at} (check with huitang verify)",
                cp.seq, cp.suite
            ),
        },
        head_fingerprint,
        key_fingerprint,
        suite: cp.suite.clone(),
        signed_at,
    }
}
