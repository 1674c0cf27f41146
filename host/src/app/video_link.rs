//! The video gateway's events, into the hall: every site event becomes a `site.link` ledger
//! record (the audit trail and the console's alert, with the site as its key), then the
//! meeting commands it implies (a lost site's members absent after the grace period, a
//! restored site back, a hung-up site's members departed, a one-member room's keypad vote,
//! a room's floor keys); and while a room has the floor, the MCU puts it in focus.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::hall::{Hall, HallError};
use crate::video::GatewayEvent;
use crate::video::meeting_link::{meeting_commands, timestamp};

/// Ledger kind of a site's link events.
pub const SITE_LINK_KIND: &str = "site.link";

/// Feeds `events` into `hall` for meeting `meeting_id` until the gateway stops.
pub async fn run_video_link(
    hall: Arc<Hall>,
    meeting_id: String,
    mut events: mpsc::UnboundedReceiver<GatewayEvent>,
) {
    while let Some(event) = events.recv().await {
        if let Err(e) = apply_site_event(&hall, &meeting_id, &event).await {
            tracing::error!(error = %e, site = %event.event.site.0, "video event not recorded");
        }
    }
}

/// Records one gateway event and carries out the meeting commands it implies. A command the
/// meeting refuses (e.g. a hang-up after adjournment) is logged, not fatal; the site event
/// itself is always recorded first.
pub async fn apply_site_event(
    hall: &Hall,
    meeting_id: &str,
    event: &GatewayEvent,
) -> Result<(), HallError> {
    let site = event.event.site.0.clone();
    let mut payload = serde_json::to_value(event)?;
    if let Some(map) = payload.as_object_mut() {
        map.insert("key".into(), serde_json::Value::String(site.clone()));
    }
    let actor = format!("site:{site}");
    hall.record(&actor, Some(meeting_id), SITE_LINK_KIND, payload)
        .await?;
    for command in meeting_commands(&event.event) {
        match hall
            .execute_at(meeting_id, &actor, command, timestamp(event))
            .await
        {
            Ok(_) => {}
            Err(HallError::Refused(refusal)) => {
                tracing::warn!(%site, %refusal, "meeting refused a video command");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The county rooms of a hall, dialled for each meeting: [`run_video_service`] connects every
/// site when a meeting's sign-in opens (or at start-up, if one is already signing in or in
/// session) and hangs them up when it adjourns. Each site is dialled with the members of its
/// room who are on that meeting's roster.
pub async fn run_video_service(
    hall: Arc<Hall>,
    gateway: Arc<dyn crate::video::VideoGateway>,
    sites: Vec<crate::video::SiteConfig>,
) {
    use crate::meeting::{Event, Phase};
    let Some(mut events) = gateway.take_events() else {
        tracing::error!("video gateway events already taken; county sites are not supervised");
        return;
    };
    let mut changes = hall.subscribe();
    let live = |hall: &Hall| {
        hall.with_meetings(|ms| {
            ms.iter()
                .find(|(_, m)| matches!(m.phase(), Phase::SignIn | Phase::InSession))
                .map(|(id, _)| id.clone())
        })
    };
    let mut current: Option<String> = None;
    // The county room in focus on the MCU (the newest open turn of a room), as last set.
    let mut focused: Option<String> = None;
    if let Some(id) = live(&hall) {
        dial(&hall, gateway.as_ref(), &sites, &id);
        current = Some(id);
    }
    loop {
        tokio::select! {
            change = changes.recv() => match change {
                Ok(c) => match (&c.event, &c.meeting_id) {
                    (Some(Event::SignInOpened { .. }), Some(id)) if current.as_ref() != Some(id) => {
                        if current.is_some() {
                            hang_up(gateway.as_ref(), &sites);
                        }
                        dial(&hall, gateway.as_ref(), &sites, id);
                        current = Some(id.clone());
                    }
                    (Some(Event::Adjourned { .. }), Some(id)) if current.as_ref() == Some(id) => {
                        hang_up(gateway.as_ref(), &sites);
                        current = None;
                        focused = None;
                    }
                    (Some(Event::Floor(_)), Some(id)) if current.as_ref() == Some(id) => {
                        let want = room_speaking(&hall, id);
                        if want != focused {
                            let site = want.as_deref().map(crate::video::SiteId::from);
                            tracing::info!(site = ?want, "county room in focus");
                            if let Err(e) = gateway.focus_site(site.as_ref()) {
                                tracing::warn!(error = %e, "county room not put in focus");
                            }
                            focused = want;
                        }
                    }
                    _ => {}
                },
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    // The missed changes may have opened or adjourned a meeting: follow the
                    // meetings' state now instead.
                    let now = live(&hall);
                    tracing::warn!(missed = n, live = ?now,
                        "video service fell behind the hall's changes; resynchronised from the meetings");
                    if now != current {
                        if current.is_some() {
                            hang_up(gateway.as_ref(), &sites);
                        }
                        if let Some(id) = &now {
                            dial(&hall, gateway.as_ref(), &sites, id);
                        }
                        current = now;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            event = events.recv() => {
                let Some(event) = event else { return };
                match &current {
                    Some(id) => {
                        if let Err(e) = apply_site_event(&hall, id, &event).await {
                            tracing::error!(error = %e, site = %event.event.site.0,
                                "video event not recorded");
                        }
                    }
                    None => tracing::info!(site = %event.event.site.0,
                        "video event outside any meeting: {:?}", event.event.kind),
                }
            }
        }
    }
}

/// The county room whose turn opened last among the open microphones of `meeting_id`.
fn room_speaking(hall: &Hall, meeting_id: &str) -> Option<String> {
    hall.with_meeting(meeting_id, |m| {
        m.floor().open.iter().rev().find_map(|t| match &t.party {
            crate::meeting::Party::Site { site } => Some(site.0.clone()),
            crate::meeting::Party::Seat { .. } => None,
        })
    })
    .flatten()
}

/// Connects every site for `meeting_id`, naming the room's members who are on its roster.
/// Each call's grace period after a link loss is the meeting's rulebook value
/// ([`crate::meeting::Meeting::loss_grace`]) unless the site already carries one (the hall's
/// own override, see `serve`).
fn dial(
    hall: &Hall,
    gateway: &dyn crate::video::VideoGateway,
    sites: &[crate::video::SiteConfig],
    meeting_id: &str,
) {
    let (roster, grace): (Vec<String>, _) = hall
        .with_meeting(meeting_id, |m| {
            let roster = m
                .setup()
                .participants
                .iter()
                .map(|p| p.id.0.clone())
                .collect();
            (roster, Some(m.loss_grace()))
        })
        .unwrap_or_default();
    for site in sites {
        let mut site = site.clone();
        site.members.retain(|m| roster.contains(&m.0));
        if site.loss_grace.is_none() {
            site.loss_grace = grace;
        }
        tracing::info!(site = %site.id.0, meeting = meeting_id, "拨号 dialling county site");
        if let Err(e) = gateway.connect_site(site.clone()) {
            tracing::error!(site = %site.id.0, error = %e, "county site not dialled");
        }
    }
}

fn hang_up(gateway: &dyn crate::video::VideoGateway, sites: &[crate::video::SiteConfig]) {
    for site in sites {
        if let Err(e) = gateway.hang_up_site(&site.id) {
            tracing::warn!(site = %site.id.0, error = %e, "county site not hung up");
        }
    }
}
