//! The video gateway's events, into the hall: every site event becomes a `site.link` ledger
//! record (the audit trail and the console's alert, with the site as its key), then the
//! meeting commands it implies (a lost site's members absent after the grace period, a
//! restored site back, a hung-up site's members departed, a one-member room's keypad vote).

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
