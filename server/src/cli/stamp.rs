//! `guidedesk stamp verify URL`: what a shared link's stamp says, and whether it is genuine
//! (signed with one of this deployment's keys, unaltered, not expired). For the brand's IT
//! team and the mall's developers checking a link by hand.

use clap::Subcommand;

use crate::config::Settings;
use crate::stamp::verify_link;

#[derive(Debug, Subcommand)]
pub(super) enum StampAction {
    /// Exit 0 and print what the stamp says when genuine; non-zero and why when not.
    Verify {
        /// The link (an http(s) URL or a mini-program page path with its query).
        url: String,
    },
}

pub(super) fn stamp(settings: &Settings, action: StampAction) -> anyhow::Result<()> {
    let StampAction::Verify { url } = action;
    let stamping = settings.stamp.as_ref().ok_or_else(|| {
        anyhow::anyhow!(
            "no stamp keys are configured (GUIDEDESK_STAMP_KEYS): nothing to verify with"
        )
    })?;
    let now = chrono::Utc::now().timestamp();
    let (stamp, key_id) = verify_link(
        &url,
        &stamping.keys,
        &stamping.params,
        now,
        stamping.max_age_secs,
    )
    .map_err(|why| anyhow::anyhow!("not genuine: {why}"))?;
    let (recipient_kind, recipient) = (stamp.recipient.kind(), stamp.recipient.id());
    let issued = chrono::DateTime::from_timestamp(stamp.issued_at, 0)
        .map(|at| at.to_rfc3339())
        .unwrap_or_default();
    println!("genuine: signed with key {key_id}");
    println!("share     {}", stamp.share);
    println!("{recipient_kind:<9} {recipient}");
    println!("staff     {}", stamp.staff);
    println!("guide     {}", stamp.guide);
    println!(
        "store     {}",
        stamp.store.map_or("(none)".to_owned(), |id| id.to_string())
    );
    println!("issued    {issued} ({})", stamp.issued_at);
    Ok(())
}
