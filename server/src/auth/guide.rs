//! The `Guide` extractor: the signed-in guide, from the session cookie and the database.
//! A handler that takes a `Guide` can only run for a live session of an active guide; one
//! that takes `SignedIn` checks the guide in its own query.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::{SESSION_COOKIE, Sessions};
use crate::directory::guide_status;
use crate::entity::guide;
use crate::error::AppError;

/// The guide a request is made for.
#[derive(Debug, Clone)]
pub struct Guide {
    pub id: i64,
    pub userid: String,
    pub name: String,
    pub position: Option<String>,
    /// When the session ends, in unix seconds.
    pub session_expires_at: i64,
}

impl FromRequest for Guide {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(request, payload);
        Box::pin(async move { signed_in.await?.confirm().await })
    }
}

/// A live session, its guide not yet re-read: for a handler whose own query checks that the
/// guide is still active (the profile, on PostgreSQL), and that calls `confirm` only when it
/// finds nothing, to tell a refused guide from a customer not found. Anything else takes
/// `Guide`.
pub struct SignedIn {
    pub guide_id: i64,
    db: web::Data<DatabaseConnection>,
    sessions: web::Data<Sessions>,
    token: String,
    session_expires_at: i64,
}

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let db = request.app_data::<web::Data<DatabaseConnection>>().cloned();
        let sessions = request.app_data::<web::Data<Sessions>>().cloned();
        let token = request
            .cookie(SESSION_COOKIE)
            .map(|cookie| cookie.value().to_owned());
        Box::pin(async move {
            let (Some(db), Some(sessions)) = (db, sessions) else {
                return Err(
                    anyhow::anyhow!("the database or the sessions are not registered").into(),
                );
            };
            let token = token.ok_or_else(not_signed_in)?;
            let session = sessions.find(&token).await?.ok_or_else(session_expired)?;
            Ok(Self {
                guide_id: session.guide_id,
                db,
                sessions,
                token,
                session_expires_at: session.expires_at,
            })
        })
    }
}

impl SignedIn {
    /// The session's guide, re-read: gone, disabled or resigned since signing in ends the
    /// session at once (staff changes arrive by callback), not when it would have expired.
    pub async fn confirm(self) -> Result<Guide, AppError> {
        let Some(found) = guide::Entity::find_by_id(self.guide_id)
            .one(self.db.get_ref())
            .await?
        else {
            self.sessions.end(&self.token).await?;
            return Err(session_expired());
        };
        if let Some(refusal) = refusal_for_status(&found.status) {
            self.sessions.end(&self.token).await?;
            return Err(refusal);
        }
        Ok(Guide {
            id: found.id,
            userid: found.wecom_userid,
            name: found.name,
            position: found.position,
            session_expires_at: self.session_expires_at,
        })
    }
}

fn not_signed_in() -> AppError {
    AppError::Unauthorized {
        code: "not_signed_in",
        message: "请从企业微信打开导购助手以登录".into(),
    }
}

pub(super) fn session_expired() -> AppError {
    AppError::Unauthorized {
        code: "session_expired",
        message: "登录已失效，请重新打开导购助手".into(),
    }
}

/// Why a guide with this status may not use the sidebar, if they may not.
pub(super) fn refusal_for_status(status: &str) -> Option<AppError> {
    match status {
        guide_status::ACTIVE => None,
        guide_status::RESIGNED => Some(AppError::Forbidden {
            code: "guide_resigned",
            message: "你的企业微信账号已离职，无法使用导购助手".into(),
        }),
        _ => Some(AppError::Forbidden {
            code: "guide_disabled",
            message: "你的企业微信账号已停用，无法使用导购助手，请联系管理员".into(),
        }),
    }
}
