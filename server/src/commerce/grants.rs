//! Coupon grants: a coupon a member holds, from the brand's coupon system, with its state
//! (`issued`, `claimed`, `used`, `expired`). The sidebar counts a customer's usable ones.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryTrait,
};
use serde::Deserialize;

use super::record::{
    ROWS_PER_STATEMENT, RecordError, Versioned, check_all, check_id, check_one_of, invalid,
    newer_wins, newest_versions, resolve, unknown_reference, upsert_returning,
};
use crate::entity::{coupon_grant, coupon_template, member, share};

pub const STATUSES: &[&str] = &["issued", "claimed", "used", "expired"];

/// `coupon-grants`: one coupon of a template held by a member.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    /// The coupon template's source id.
    pub template_id: String,
    /// The member's source id.
    pub member_id: String,
    pub status: String,
    pub issued_at: DateTime<Utc>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub used_at: Option<DateTime<Utc>>,
    /// The share token (the stamp's `gd_share`) of the link it was claimed through, when
    /// a guide sent it: the share is marked claimed and keeps its quota.
    #[serde(default)]
    pub share_token: Option<String>,
}

fn check(record: &GrantRecord) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_one_of("status", &record.status, STATUSES)?;
    if record.status == "used" && record.used_at.is_none() {
        return Err(invalid("invalid_field", "a `used` coupon needs `used_at`"));
    }
    if record.expires_at.is_some_and(|end| end < record.issued_at) {
        return Err(invalid(
            "invalid_field",
            "`expires_at` is before `issued_at`",
        ));
    }
    Ok(())
}

/// A batch in a handful of statements: templates and members resolved in one query each, the
/// grants upserted a thousand per statement (a version not newer than the stored one is not
/// written).
pub async fn apply_many(
    db: &impl ConnectionTrait,
    records: Vec<(usize, Result<GrantRecord, RecordError>)>,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<(usize, RecordError)>), DbErr> {
    let (checked, mut refused) = check_all(records, |index, record| {
        check(&record).map(|()| (index, record))
    })?;
    let templates = resolve::<coupon_template::Entity>(
        db,
        coupon_template::Column::SourceId,
        checked.iter().map(|(_, r)| r.template_id.clone()),
    )
    .await?;
    let members = resolve::<member::Entity>(
        db,
        member::Column::SourceId,
        checked.iter().map(|(_, r)| r.member_id.clone()),
    )
    .await?;
    let mut resolved = Vec::with_capacity(checked.len());
    for (index, record) in checked {
        let Some(&template_id) = templates.get(&record.template_id) else {
            refused.push((index, unknown_reference("template_id", &record.template_id)));
            continue;
        };
        let Some(&member_id) = members.get(&record.member_id) else {
            refused.push((index, unknown_reference("member_id", &record.member_id)));
            continue;
        };
        resolved.push(((template_id, member_id), record));
    }
    let accepted = resolved.len() as u64;
    let tokens: Vec<String> = resolved
        .iter()
        .filter_map(|(_, record)| record.share_token.clone())
        .collect();
    upsert_grants(db, newest_versions(resolved), now).await?;
    mark_claimed(db, tokens, now).await?;
    Ok((accepted, refused))
}

impl Versioned for GrantRecord {
    fn source_id(&self) -> &str {
        &self.id
    }

    fn version(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

/// The grants a thousand per statement, each with its template's and member's ids.
async fn upsert_grants(
    db: &impl ConnectionTrait,
    grants: Vec<((i64, i64), GrantRecord)>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let rows: Vec<coupon_grant::ActiveModel> = grants
        .into_iter()
        .map(
            |((template_id, member_id), record)| coupon_grant::ActiveModel {
                source_id: Set(record.id),
                template_id: Set(template_id),
                member_id: Set(member_id),
                status: Set(record.status),
                issued_at: Set(record.issued_at),
                expires_at: Set(record.expires_at),
                used_at: Set(record.used_at),
                share_token: Set(record.share_token),
                source_updated_at: Set(record.updated_at),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let on_conflict = newer_wins::<coupon_grant::Entity>(
            coupon_grant::Column::SourceId,
            coupon_grant::Column::SourceUpdatedAt,
            [
                coupon_grant::Column::TemplateId,
                coupon_grant::Column::MemberId,
                coupon_grant::Column::Status,
                coupon_grant::Column::IssuedAt,
                coupon_grant::Column::ExpiresAt,
                coupon_grant::Column::UsedAt,
                coupon_grant::Column::ShareToken,
                coupon_grant::Column::SourceUpdatedAt,
                coupon_grant::Column::UpdatedAt,
            ],
        );
        let insert = coupon_grant::Entity::insert_many(chunk.to_vec())
            .on_conflict(on_conflict)
            .into_query();
        upsert_returning(db, insert).await?;
    }
    Ok(())
}

/// The coupon shares these grants were claimed through: claimed now (the first report wins),
/// so they no longer lapse and keep the quota they took. A claim reported after its share
/// lapsed is recorded on the grant only (the mall refuses claims past the window).
async fn mark_claimed(
    db: &impl ConnectionTrait,
    tokens: Vec<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in tokens.chunks(ROWS_PER_STATEMENT) {
        share::Entity::update_many()
            .col_expr(share::Column::ClaimedAt, Expr::value(Some(now)))
            .filter(share::Column::Token.is_in(chunk.to_vec()))
            .filter(share::Column::Kind.eq("coupon"))
            .filter(share::Column::State.is_in(["prepared", "sent"]))
            .filter(share::Column::ClaimedAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(())
}
