//! `POST /api/v1/ingest/{kind}`: the brand's systems push records, signed (see
//! [`super::signature`]), and they are written as one batch (`super::batch`).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use serde_json::Value;

use super::batch::{Kind, MAX_RECORDS, apply_batch};
use super::signature::{self, SignatureError};
use super::stamped::AfterBatch;
use crate::error::AppError;
use crate::secret::Secret;

/// At most this many bytes per request (1,000 large orders fit).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The key the brand's systems sign ingest requests with (registered only when configured).
pub struct IngestSecret(pub Secret);

/// `{"records": [...]}`: at most 1,000 records, all of the path's kind. Each is read on its
/// own (one bad record is refused alone, with its index) and upserted by its `id`; the
/// newest version wins, so a retried or reordered batch changes nothing.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[schema(as = IngestBatch)]
pub struct Batch {
    #[schema(value_type = Vec<IngestRecord>, max_items = 1000)]
    records: Vec<Value>,
}

/// A record of one kind, by the path's `{kind}`: `stores`, `staff`, `members`, `orders`,
/// `shipments`, `products`, `coupon-templates`, `coupon-grants`, `events`, `materials`,
/// `welcome-messages`. Unknown fields are refused.
#[derive(utoipa::ToSchema)]
#[serde(untagged)]
pub enum IngestRecord {
    Stores(super::stores::StoreRecord),
    Staff(super::staff::StaffRecord),
    Members(super::members::MemberRecord),
    Orders(super::orders::OrderRecord),
    Shipments(super::shipments::ShipmentRecord),
    Products(super::products::ProductRecord),
    CouponTemplates(super::coupons::CouponTemplateRecord),
    CouponGrants(super::grants::GrantRecord),
    Events(super::behaviour::BehaviourRecord),
    Materials(super::materials::MaterialRecord),
    WelcomeMessages(super::materials::WelcomeRecord),
}

/// `POST /api/v1/ingest/{kind}`.
#[utoipa::path(post, path = "/api/v1/ingest/{kind}", tag = "ingest",
    description = "The brand's systems push records, signed: `X-GuideDesk-Signature` is the lowercase \
        hex HMAC-SHA256 of `{timestamp}.{raw body}` under `GUIDEDESK_INGEST_SECRET`. The batch is \
        written in one transaction, orders credited in it.",
    params(
        ("kind" = String, Path, description = "`stores`, `staff`, `members`, `orders`, `shipments`, \
            `products`, `coupon-templates`, `coupon-grants`, `events`, `materials`, `welcome-messages`"),
        ("X-GuideDesk-Timestamp" = String, Header, description = "Unix seconds, within 300 s of the server's clock"),
        ("X-GuideDesk-Signature" = String, Header, description = "Hex HMAC-SHA256 of `{timestamp}.{body}`"),
    ),
    request_body(content = Batch, description = "At most 8 MiB"),
    responses(
        (status = 200, description = "Stored, and which records were refused and why", body = shared::IngestAnswer),
        (status = 400, description = "`invalid_json`, `bad_request` (unreadable body)", body = shared::ApiError),
        (status = 401, description = "`signature_missing`, `stale_timestamp`, `invalid_signature`", body = shared::ApiError),
        (status = 404, description = "`not_found`: no such kind", body = shared::ApiError),
        (status = 413, description = "`payload_too_large`: over 8 MiB or 1,000 records", body = shared::ApiError),
        (status = 503, description = "`ingest_not_configured`, `database_unavailable`", body = shared::ApiError),
    ),
    security(("ingest_signature" = [])))]
pub async fn receive(
    db: web::Data<DatabaseConnection>,
    secret: Option<web::Data<IngestSecret>>,
    after: web::Data<dyn AfterBatch>,
    kind: web::Path<String>,
    request: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let kind = Kind::parse(&kind).ok_or_else(|| AppError::NotFound)?;
    let secret = secret
        .as_ref()
        .map(|secret| secret.get_ref())
        .ok_or(AppError::Unavailable {
            code: "ingest_not_configured",
            message: "ingest is not configured (GUIDEDESK_INGEST_SECRET)".into(),
        })?;
    let body = read_body(&mut payload).await?;
    let now = Utc::now();
    check_signature(&request, &secret.0, &body, now)?;
    let batch: Batch = serde_json::from_slice(&body).map_err(|err| AppError::BadRequest {
        code: "invalid_json",
        message: format!("the body is not {{\"records\": [...]}}: {err}"),
    })?;
    if batch.records.len() > MAX_RECORDS {
        return Err(too_large(format!(
            "{} records; at most {MAX_RECORDS} per request",
            batch.records.len()
        )));
    }
    let answer = apply_batch(&db, kind, batch.records, now, after.get_ref()).await?;
    tracing::info!(
        kind = kind.name(),
        accepted = answer.accepted,
        rejected = answer.rejected.len(),
        "ingested"
    );
    let counted = |outcome: &'static str, n: u64| {
        metrics::counter!("guidedesk_ingest_records_total", "kind" => kind.name(),
            "outcome" => outcome)
        .increment(n);
    };
    counted("accepted", answer.accepted);
    counted("refused", answer.rejected.len() as u64);
    Ok(HttpResponse::Ok().json(answer))
}

/// The body, refused once it passes [`MAX_BODY_BYTES`].
async fn read_body(payload: &mut web::Payload) -> Result<web::BytesMut, AppError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|err| AppError::bad_request(format!("cannot read the body: {err}")))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large(format!(
                "the body is over {MAX_BODY_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The brand's signature over the body and its timestamp (see [`signature`]).
fn check_signature(
    request: &HttpRequest,
    secret: &Secret,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    signature::verify(
        secret.expose(),
        header("X-GuideDesk-Timestamp").as_deref(),
        header("X-GuideDesk-Signature").as_deref(),
        body,
        now.timestamp(),
    )
    .map_err(|err| AppError::Unauthorized {
        code: match err {
            SignatureError::Missing => "signature_missing",
            SignatureError::BadTimestamp | SignatureError::Stale => "stale_timestamp",
            SignatureError::Mismatch => "invalid_signature",
        },
        message: err.to_string(),
    })
}

fn too_large(message: String) -> AppError {
    AppError::PayloadTooLarge {
        code: "payload_too_large",
        message,
    }
}
