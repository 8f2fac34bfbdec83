//! Sign-in and sign-out: `/auth/wecom/start` → WeCom's authorize page → the sidebar with
//! `?code=` → `POST /api/v1/session` → a session cookie. `DELETE /api/v1/session` signs out.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use shared::{SessionInfo, SignIn};

use super::guide::refusal_for_status;
use super::{Guide, OAUTH_STATE_COOKIE, SESSION_COOKIE, cookies};
use sea_orm::DatabaseConnection;

use super::Sessions;
use super::page_signatures::{self, MaybePageUrl};
use crate::config::{AuthSettings, PublicUrl, WecomSettings};
use crate::directory;
use crate::entity::guide;
use crate::error::{AppError, DoorRefusals, SessionRefusals, configured_wecom};
use crate::wecom::api::{Member, OAuthIdentity, errcode};
use crate::wecom::client::{WecomClient, WecomError};

/// WeCom's answers for a code that is unknown (40029), already used (40163) or expired (42003).
const CODE_REFUSED: [i64; 3] = [40029, 40163, 42003];

/// `GET /auth/wecom/start`: the sidebar's entry URL in WeCom's admin console. Sends the
/// member to WeCom's authorize page, which comes back to the sidebar with `?code=`.
#[utoipa::path(get, path = "/auth/wecom/start", tag = "session",
    description = "The sidebar's entry URL in WeCom's admin console: redirects to WeCom's authorize \
        page with a one-time `state` (also set as a cookie), which comes back to `/sidebar/?code=`.",
    responses(
        (status = 302, description = "To WeCom's authorize page", headers(("Location" = String))),
        (status = 503, description = "`wecom_not_configured`", body = shared::ApiError),
        DoorRefusals,
    ))]
pub async fn start_oauth(
    wecom: web::Data<WecomSettings>,
    public_url: web::Data<PublicUrl>,
) -> Result<HttpResponse, AppError> {
    let corp_id = wecom
        .corp_id
        .as_deref()
        .ok_or(AppError::Wecom(WecomError::NotConfigured("WECOM_CORP_ID")))?;
    let oauth_state = random_state()?;
    let mut authorize = wecom
        .oauth_base
        .join("connect/oauth2/authorize")
        .map_err(|err| anyhow::anyhow!("WECOM_OAUTH_BASE cannot be joined: {err}"))?;
    {
        let mut query = authorize.query_pairs_mut();
        query
            .append_pair("appid", corp_id)
            .append_pair("redirect_uri", &format!("{}/sidebar/", public_url.as_str()))
            .append_pair("response_type", "code")
            .append_pair("scope", "snsapi_base")
            .append_pair("state", &oauth_state);
        if let Some(agent_id) = wecom.agent_id {
            query.append_pair("agentid", &agent_id.to_string());
        }
    }
    // WeCom requires this fragment on the authorize URL.
    authorize.set_fragment(Some("wechat_redirect"));
    let secure = cookies::secure_for(public_url.as_str());
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, authorize.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookies::oauth_state(oauth_state, secure))
        .finish())
}

/// `POST /api/v1/session {"code", "state"?}`: trades WeCom's OAuth code for a session.
#[utoipa::path(post, path = "/api/v1/session", tag = "session",
    description = "Trades WeCom's one-time OAuth `code` for a session cookie (`guidedesk_session`, \
        HttpOnly). The guide is whoever WeCom says the code belongs to.",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; `Set-Cookie` carries the session", body = SessionInfo),
        (status = 400, description = "`invalid_code`, `invalid_json`", body = shared::ApiError),
        (status = 401, description = "`code_expired` (unknown, used or expired code), `oauth_state_mismatch`", body = shared::ApiError),
        (status = 403, description = "`not_a_member`, `department_not_allowed`, `guide_disabled`, `guide_resigned`", body = shared::ApiError),
        (status = 502, description = "`wecom_error`: WeCom refused the call", body = shared::ApiError),
        (status = 503, description = "`wecom_not_configured`, `wecom_unavailable`, `database_unavailable`", body = shared::ApiError),
        DoorRefusals,
    ))]
pub async fn sign_in(
    db: web::Data<DatabaseConnection>,
    sessions: web::Data<Sessions>,
    public_url: web::Data<PublicUrl>,
    wecom: Option<web::Data<WecomClient>>,
    settings: web::Data<AuthSettings>,
    request: HttpRequest,
    body: web::Json<SignIn>,
) -> Result<HttpResponse, AppError> {
    let SignIn {
        code,
        state: returned_state,
        page_url,
    } = body.into_inner();
    let code = code.trim();
    check_code(code, &request, returned_state.as_deref())?;
    let client = configured_wecom(&wecom)?;
    let identity = client.oauth_identity(code).await.map_err(|err| match err {
        WecomError::Api { code, .. } if CODE_REFUSED.contains(&code) => AppError::Unauthorized {
            code: "code_expired",
            message: "登录码已使用或已过期，请重新打开导购助手".into(),
        },
        other => other.into(),
    })?;
    let guide = guide_for(&db, client, &settings, &identity).await?;
    // The page's signatures are made while the session is stored: both are needed before the
    // page can ask WeCom which chat it is beside.
    let (started, jssdk) = tokio::join!(
        sessions.start(guide.id),
        page_signatures::along_with_session(&public_url, &wecom, page_url.as_deref()),
    );
    let (token, session) = started?;
    tracing::info!(guide_id = guide.id, "guide signed in");
    metrics::counter!("guidedesk_sessions_total", "event" => "started").increment(1);

    let secure = cookies::secure_for(public_url.as_str());
    let ttl = sessions.ttl().as_secs();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookies::session(token, ttl, secure))
        .cookie(cookies::expired(
            OAUTH_STATE_COOKIE,
            cookies::OAUTH_STATE_PATH,
            secure,
        ))
        .json(SessionInfo {
            userid: guide.wecom_userid,
            name: guide.name,
            position: guide.position,
            expires_at: session.expires_at,
            jssdk,
        }))
}

/// The code looks like one of WeCom's, and it comes back with the `state` sent from
/// `/auth/wecom/start` (when the sign-in began there): nobody can sign a guide into someone
/// else's account with a code of their own.
fn check_code(
    code: &str,
    request: &HttpRequest,
    returned_state: Option<&str>,
) -> Result<(), AppError> {
    if code.is_empty() || code.len() > 512 || !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::BadRequest {
            code: "invalid_code",
            message: "登录码格式不正确，请重新打开导购助手".into(),
        });
    }
    if let Some(expected) = request.cookie(OAUTH_STATE_COOKIE)
        && returned_state != Some(expected.value())
    {
        return Err(AppError::Unauthorized {
            code: "oauth_state_mismatch",
            message: "登录请求已失效，请重新打开导购助手".into(),
        });
    }
    Ok(())
}

/// `GET /api/v1/session?url=`: who is signed in, and the page's JS-SDK signatures if `url`
/// names it (a reload inside WeCom: one round trip instead of two).
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    description = "Who is signed in; with `?url=` of one of our pages, the JS-SDK signatures for it too.",
    params(MaybePageUrl),
    responses(
        (status = 200, description = "The signed-in guide", body = SessionInfo),
        SessionRefusals,
        DoorRefusals,
    ),
    security(("session" = [])))]
pub async fn current_session(
    public_url: web::Data<PublicUrl>,
    wecom: Option<web::Data<WecomClient>>,
    guide: Guide,
    query: web::Query<MaybePageUrl>,
) -> HttpResponse {
    let jssdk =
        page_signatures::along_with_session(&public_url, &wecom, query.url.as_deref()).await;
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SessionInfo {
            userid: guide.userid,
            name: guide.name,
            position: guide.position,
            expires_at: guide.session_expires_at,
            jssdk,
        })
}

/// `DELETE /api/v1/session`: signs out; signing out without a session is no error.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    description = "Ends the session (if any) and expires its cookie; answering `204` either way.",
    responses(
        (status = 204, description = "Signed out"),
        (status = 503, description = "`database_unavailable`, `cache_unavailable`", body = shared::ApiError),
        DoorRefusals,
    ),
    security(("session" = [])))]
pub async fn sign_out(
    sessions: web::Data<Sessions>,
    public_url: web::Data<PublicUrl>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if let Some(cookie) = request.cookie(SESSION_COOKIE) {
        sessions.end(cookie.value()).await?;
        metrics::counter!("guidedesk_sessions_total", "event" => "ended").increment(1);
    }
    let secure = cookies::secure_for(public_url.as_str());
    Ok(HttpResponse::NoContent()
        .cookie(cookies::expired(SESSION_COOKIE, "/", secure))
        .finish())
}

/// The guide the OAuth identity names, made one from user/get if this member is new here.
async fn guide_for(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    settings: &AuthSettings,
    identity: &OAuthIdentity,
) -> Result<guide::Model, AppError> {
    let Some(userid) = identity.userid.as_deref().filter(|id| !id.is_empty()) else {
        return Err(not_a_member());
    };
    let allowed_departments = &settings.guide_departments;
    let known = directory::find_guide(db, userid).await?;
    // A guide first seen in a callback has no departments yet; they decide here.
    let needs_details = known
        .as_ref()
        .is_none_or(|g| !allowed_departments.is_empty() && g.department.is_none());
    let guide = if needs_details {
        let member = wecom.member(userid).await.map_err(|err| match err {
            WecomError::Api {
                code: errcode::NO_SUCH_MEMBER,
                ..
            } => not_a_member(),
            other => other.into(),
        })?;
        refuse_inactive(&member)?;
        directory::upsert_member(db, &member, Utc::now()).await?
    } else {
        known.ok_or_else(not_a_member)?
    };
    if let Some(refusal) = refusal_for_status(&guide.status) {
        return Err(refusal);
    }
    if !allowed_departments.is_empty()
        && !directory::departments_of(&guide)
            .iter()
            .any(|d| allowed_departments.contains(d))
    {
        return Err(AppError::Forbidden {
            code: "department_not_allowed",
            message: "你所在的部门尚未开通导购助手，请联系管理员".into(),
        });
    }
    Ok(guide)
}

/// Only members who can work today become guides.
fn refuse_inactive(member: &Member) -> Result<(), AppError> {
    match directory::status_from_wecom(member.status) {
        Some(status) => refusal_for_status(status).map_or(Ok(()), Err),
        None => Err(AppError::Forbidden {
            code: "guide_disabled",
            message: "你的企业微信账号当前不可用，无法使用导购助手，请联系管理员".into(),
        }),
    }
}

fn not_a_member() -> AppError {
    AppError::Forbidden {
        code: "not_a_member",
        message: "仅限本企业成员使用导购助手".into(),
    }
}

/// 128 random bits, hex: the OAuth `state`.
fn random_state() -> Result<String, AppError> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|err| anyhow::anyhow!("no randomness: {err}"))?;
    Ok(hex::encode(random))
}
