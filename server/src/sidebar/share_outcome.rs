//! The page reports what became of a share it prepared: `POST /api/v1/shares/{token}/sent`
//! after WeCom's `sendChatMessage:ok`, `POST /api/v1/shares/{token}/cancel` when the guide
//! gives up or WeCom refused. Only the guide who prepared the share may report on it;
//! another guide's token answers 404, as an unknown one does.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use shared::share::ShareStatus;

use crate::auth::Guide;
use crate::entity::share;
use crate::error::AppError;
use crate::error::SessionRefusals;
use crate::shares::{ShareError, ShareTargets, cancel_share, record_sent};
use crate::wire::time;

use super::sending::SendingSetup;

/// What reporting a share's outcome can be refused with, for the API description.
#[derive(utoipa::IntoResponses)]
pub enum ShareStateRefusals {
    /// `not_found`: not this guide's share
    #[response(status = 404)]
    NotTheirs(shared::ApiError),
    /// `share_state`: already cancelled (or sent)
    #[response(status = 409)]
    WrongState(shared::ApiError),
    /// `database_unavailable`
    #[response(status = 503)]
    Unavailable(shared::ApiError),
}

/// `POST /api/v1/shares/{token}/sent`
#[utoipa::path(post, path = "/api/v1/shares/{token}/sent", tag = "sidebar",
    description = "WeCom reported the share sent (a repeat answers the same).",
    params(("token" = String, Path, description = "The share's token")),
    responses(
        (status = 200, description = "The share now", body = shared::share::ShareStatus),
        ShareStateRefusals,
        SessionRefusals,
    ),
    security(("session" = [])))]
pub async fn share_sent(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(record_sent(&db, guide.id, &token).await)
}

/// `POST /api/v1/shares/{token}/cancel`: its short link stops redirecting here at once.
#[utoipa::path(post, path = "/api/v1/shares/{token}/cancel", tag = "sidebar",
    description = "The guide did not send it: its short link stops redirecting at once and a coupon's hold is released.",
    params(("token" = String, Path, description = "The share's token")),
    responses(
        (status = 200, description = "The share now", body = shared::share::ShareStatus),
        ShareStateRefusals,
        SessionRefusals,
    ),
    security(("session" = [])))]
pub async fn share_cancelled(
    db: web::Data<DatabaseConnection>,
    setup: web::Data<SendingSetup>,
    targets: web::Data<ShareTargets>,
    guide: Guide,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let cancelled = cancel_share(&db, &setup.gate, guide.id, &token).await;
    if let Ok(share) = &cancelled {
        targets.forget(&token).await;
        if share.kind == "coupon" {
            setup.lanes.forget_used_up(&share.item_id).await;
        }
    }
    answer(cancelled)
}

fn answer(outcome: Result<share::Model, ShareError>) -> Result<HttpResponse, AppError> {
    match outcome {
        Ok(share) => Ok(HttpResponse::Ok().json(ShareStatus {
            token: share.token,
            state: share.state,
            sent_at: share.sent_at.map(time),
            cancelled_at: share.cancelled_at.map(time),
        })),
        Err(ShareError::NotFound) => Err(AppError::NotFound),
        Err(ShareError::WrongState(message)) => Err(AppError::Conflict {
            code: "share_state",
            message: message.into(),
        }),
        Err(ShareError::Database(err)) => Err(err.into()),
        Err(other) => Err(AppError::Internal(other.into())),
    }
}
