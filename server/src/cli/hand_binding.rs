//! `guidedesk attribution bind --member ID --guide USERID --note TEXT`: a member bound to a
//! guide by hand, from now on (see `attribution::manual_binding`).

use crate::attribution::manual_binding::{ByHand, bind_by_hand};
use crate::attribution::policy;
use crate::config::Settings;
use crate::database;
use crate::entity::guide;
use sea_orm::EntityTrait;

pub(super) async fn bind_command(
    settings: Settings,
    member: &str,
    guide_userid: &str,
    note: &str,
) -> anyhow::Result<()> {
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    let version = policy::register(&db, &settings.attribution).await?;
    // The operating system's user: who bound them, kept with the binding.
    let by = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let asked = ByHand {
        member,
        guide: guide_userid,
        note,
        by: &by,
    };
    let bound = bind_by_hand(&db, &settings.attribution, version, asked).await?;
    let previous = match bound.previous_guide {
        Some(id) => guide::Entity::find_by_id(id).one(&db).await?.map_or_else(
            || format!("guide {id}"),
            |g| format!("{} ({})", g.name, g.wecom_userid),
        ),
        None => "no guide".into(),
    };
    println!(
        "member {member} ({}) is bound to {} ({guide_userid}) from {}; was bound to {previous}. \
         Orders paid from now on are credited by this binding (policy version {version}).",
        bound.member_name,
        bound.guide_name,
        bound.bound_at.to_rfc3339(),
    );
    Ok(())
}
