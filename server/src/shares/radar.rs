//! The radar (营销雷达): a person's first open of a share tells the guide who sent it, as a
//! WeCom application text card (who opened what, when), at most once per share per hour; the
//! open also joins that customer's 动态 trail. Link-preview fetches are not a person and do
//! not count. Fed by the click writer after each batch is stored, off the request path; a
//! send that WeCom refuses is logged, not retried (the next person's open may tell again).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use tokio::sync::mpsc;

use super::clicks::{Click, ClientKind};
use crate::entity::{
    behaviour_event, coupon_template, customer, material, member_customer, product, share,
    share_click,
};
use crate::wecom::client::WecomClient;
use crate::wecom::outbound::TextCard;

/// Batches of opens waiting for the radar; beyond this the newest are not told (counted).
const WAITING_BATCHES: usize = 64;

/// The click writer's side: hands over the people's opens of a stored batch.
#[derive(Clone)]
pub struct RadarFeed(mpsc::Sender<Vec<Click>>);

impl RadarFeed {
    /// Starts the radar's task; `public_url` is where the card's button leads (the sidebar).
    pub fn start(db: DatabaseConnection, wecom: WecomClient, public_url: String) -> Self {
        let (sender, mut receiver) = mpsc::channel::<Vec<Click>>(WAITING_BATCHES);
        tokio::spawn(async move {
            while let Some(opens) = receiver.recv().await {
                if let Err(err) = tell_guides(&db, &wecom, &public_url, opens).await {
                    tracing::warn!(error = %err, "the radar could not read the opens");
                }
            }
        });
        Self(sender)
    }

    /// The people's opens (not previews) among `clicks`, never waiting.
    pub fn opened(&self, clicks: &[Click]) {
        let people: Vec<Click> = clicks
            .iter()
            .filter(|click| click.client != ClientKind::Preview)
            .cloned()
            .collect();
        if !people.is_empty() && self.0.try_send(people).is_err() {
            tracing::warn!("the radar is behind: some opens are not told to their guides");
        }
    }
}

async fn tell_guides(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    public_url: &str,
    opens: Vec<Click>,
) -> Result<(), DbErr> {
    let mut seen = HashSet::new();
    for open in opens {
        if !seen.insert((open.share_id, open.visitor.clone())) || !first_open(db, &open).await? {
            continue;
        }
        let Some(share) = share::Entity::find_by_id(open.share_id).one(db).await? else {
            continue;
        };
        let what = what_was_shared(db, &share).await?;
        let recipient = recipient_customer(db, &share).await?;
        record_in_trail(db, &share, recipient.as_ref(), &open, &what).await?;
        if claim_hour(db, share.id, open.at).await? {
            let card = card(&share, recipient.as_ref(), &what, open.at, public_url);
            if let Err(err) = wecom.send_text_card(&share.staff_userid, &card).await {
                tracing::warn!(share = share.id, error = %err, "the radar's card could not be sent");
            }
        }
    }
    Ok(())
}

/// Whether this visitor had not opened this share before this open.
async fn first_open(db: &DatabaseConnection, open: &Click) -> Result<bool, DbErr> {
    let earlier = share_click::Entity::find()
        .filter(share_click::Column::ShareId.eq(open.share_id))
        .filter(share_click::Column::Visitor.eq(open.visitor.as_str()))
        .filter(share_click::Column::Client.ne(ClientKind::Preview.as_str()))
        .filter(share_click::Column::ClickedAt.lt(open.at))
        .count(db)
        .await?;
    Ok(earlier == 0)
}

/// Takes the share's hour: `false` when its guide was told less than an hour ago.
async fn claim_hour(
    db: &DatabaseConnection,
    share_id: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let taken = share::Entity::update_many()
        .col_expr(share::Column::RadarAt, Expr::value(Some(at)))
        .filter(share::Column::Id.eq(share_id))
        .filter(
            share::Column::RadarAt
                .is_null()
                .or(share::Column::RadarAt.lt(at - Duration::hours(1))),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// `优惠券「满200减30」`, `商品「羊绒围巾」`, `素材「冬季会员日」`.
async fn what_was_shared(db: &DatabaseConnection, share: &share::Model) -> Result<String, DbErr> {
    let title = match share.kind.as_str() {
        "coupon" => coupon_template::Entity::find()
            .filter(coupon_template::Column::SourceId.eq(share.item_id.as_str()))
            .one(db)
            .await?
            .map(|t| t.name),
        "product" => product::Entity::find()
            .filter(product::Column::SourceId.eq(share.item_id.as_str()))
            .one(db)
            .await?
            .map(|p| p.title),
        _ => material::Entity::find()
            .filter(material::Column::SourceId.eq(share.item_id.as_str()))
            .one(db)
            .await?
            .map(|m| m.title),
    };
    let kind = match share.kind.as_str() {
        "coupon" => "优惠券",
        "product" => "商品",
        _ => "素材",
    };
    Ok(format!(
        "{kind}「{}」",
        title.unwrap_or_else(|| share.item_id.clone())
    ))
}

/// The open joins the customer's 动态 (their member's trail), once per visitor.
async fn record_in_trail(
    db: &DatabaseConnection,
    share: &share::Model,
    recipient: Option<&customer::Model>,
    open: &Click,
    what: &str,
) -> Result<(), DbErr> {
    let Some(found) = recipient else {
        return Ok(());
    };
    let member = member_customer::Entity::find()
        .filter(member_customer::Column::CustomerId.eq(found.id))
        .one(db)
        .await?;
    let Some(member_id) = member.map(|link| link.member_id) else {
        return Ok(());
    };
    let details =
        serde_json::json!({"title": format!("打开了导购发送的{what}"), "share": share.token});
    let event = behaviour_event::ActiveModel {
        source_id: Set(format!("share-open:{}:{}", share.id, open.visitor)),
        member_id: Set(member_id),
        kind: Set("open_share".into()),
        happened_at: Set(open.at),
        details: Set(Some(details.to_string())),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    behaviour_event::Entity::insert(event)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(behaviour_event::Column::SourceId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The customer a share went to (none for a group chat).
async fn recipient_customer(
    db: &DatabaseConnection,
    share: &share::Model,
) -> Result<Option<customer::Model>, DbErr> {
    if share.recipient_kind != "customer" {
        return Ok(None);
    }
    customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(share.recipient_id.as_str()))
        .one(db)
        .await
}

fn card(
    share: &share::Model,
    recipient: Option<&customer::Model>,
    what: &str,
    at: DateTime<Utc>,
    public_url: &str,
) -> TextCard {
    let (who, url) = if share.recipient_kind == "customer" {
        let name = recipient.map_or_else(|| "客户".to_owned(), |c| c.name.clone());
        let url = format!("{public_url}/sidebar/?customer={}", share.recipient_id);
        (name, url)
    } else {
        ("群聊中的客户".to_owned(), format!("{public_url}/sidebar/"))
    };
    let local = at + Duration::hours(8);
    TextCard {
        title: "客户打开了你发送的内容".into(),
        description: format!(
            "<div class=\"gray\">{}</div><div class=\"normal\">{who} 打开了{what}</div>\
             <div class=\"highlight\">趁热跟进，回复更及时</div>",
            local.format("%m月%d日 %H:%M")
        ),
        url,
        btntxt: "查看".into(),
    }
}
