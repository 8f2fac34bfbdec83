//! Guide sign-in against the WeCom simulator: the OAuth code decides who the guide is, the
//! session lives on the server, and nothing the browser says about identity is believed.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::entity::guide;
use tests::backends::test_redis_url;
use tests::guide_session::{
    SessionCookie, post_code, session_cookie, set_cookie, sign_in, spawn_app_on,
};
use tests::simulator::TestSimulator;

async fn guide_row(app: &tests::TestApp, userid: &str) -> Option<guide::Model> {
    guide::Entity::find()
        .filter(guide::Column::WecomUserid.eq(userid))
        .one(&app.db().await)
        .await
        .expect("read guides")
}

#[tokio::test]
async fn a_member_signs_in_with_an_oauth_code_and_becomes_a_guide() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    assert!(guide_row(&app, "guide.li").await.is_none(), "not known yet");

    let code = simulator.oauth_code(json!({"userid": "guide.li"})).await;
    let response = post_code(&app, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = set_cookie(&response, "guidedesk_session").expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(header.contains(attribute), "{header} has {attribute}");
    }
    assert!(
        !header.contains("Secure"),
        "a plain-http public URL cannot carry a Secure cookie: {header}"
    );
    let cookie = session_cookie(&response).expect("cookie value");
    let signed_in: Value = response.json().await.unwrap();
    assert_eq!(signed_in["userid"], "guide.li");
    assert_eq!(signed_in["name"], "李娜");
    assert_eq!(signed_in["position"], "导购");

    let (status, current) = app.get_as(&cookie, "/api/v1/session").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(current, signed_in);

    let row = guide_row(&app, "guide.li")
        .await
        .expect("the member became a guide");
    assert_eq!(row.name, "李娜");
    assert_eq!(row.department.as_deref(), Some("101"));
    assert_eq!(row.status, "active");
    assert_eq!(simulator.calls("cgi-bin/user/get").await, 1);

    // A known guide signs in again without another user/get.
    sign_in(&app, &simulator, "guide.li").await;
    assert_eq!(simulator.calls("cgi-bin/user/get").await, 1);
}

#[tokio::test]
async fn a_used_unknown_or_malformed_code_is_refused() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let code = simulator.oauth_code(json!({"userid": "guide.li"})).await;
    assert_eq!(post_code(&app, &code).await.status(), StatusCode::OK);

    let cases = [
        (
            code.as_str(),
            StatusCode::UNAUTHORIZED,
            "code_expired",
            "a code used once",
        ),
        (
            "simcode-never-issued",
            StatusCode::UNAUTHORIZED,
            "code_expired",
            "an unknown code",
        ),
        ("", StatusCode::BAD_REQUEST, "invalid_code", "an empty code"),
        (
            "two words",
            StatusCode::BAD_REQUEST,
            "invalid_code",
            "a code with a space",
        ),
    ];
    for (code, status, error_code, what) in cases {
        let response = post_code(&app, code).await;
        assert_eq!(response.status(), status, "{what}");
        assert!(session_cookie(&response).is_none(), "{what}: no session");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], error_code, "{what}: {body}");
    }
    let malformed = app
        .http
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{\"code\":")
        .send()
        .await
        .unwrap();
    assert_eq!(
        malformed.status(),
        StatusCode::BAD_REQUEST,
        "malformed JSON"
    );
}

#[tokio::test]
async fn non_members_and_members_who_cannot_work_are_refused_in_chinese() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let cases = [
        (
            json!({"openid": "oWXUSER"}),
            "not_a_member",
            "a WeChat user (openid)",
        ),
        (
            json!({"external_userid": "wmSIM0001"}),
            "not_a_member",
            "a customer",
        ),
        (
            json!({"userid": "ghost"}),
            "not_a_member",
            "a userid WeCom does not know",
        ),
        (
            json!({"userid": "guide.sun"}),
            "guide_disabled",
            "a disabled member",
        ),
        (
            json!({"userid": "manager.chen"}),
            "guide_resigned",
            "a member who left",
        ),
    ];
    for (identity, error_code, what) in cases {
        let code = simulator.oauth_code(identity).await;
        let response = post_code(&app, &code).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
        assert!(session_cookie(&response).is_none(), "{what}: no session");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], error_code, "{what}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("导购助手"),
            "{what}: a Chinese message a guide understands: {message}"
        );
    }
    assert!(
        guide_row(&app, "guide.sun").await.is_none(),
        "refused members do not become guides"
    );
}

#[tokio::test]
async fn guides_can_be_limited_to_some_departments() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(
        &simulator,
        vec![("GUIDEDESK_GUIDE_DEPARTMENTS", "102".into())],
    )
    .await;
    let code = simulator.oauth_code(json!({"userid": "guide.li"})).await;
    let refused = post_code(&app, &code).await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "guide.li is in 101"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "department_not_allowed");

    sign_in(&app, &simulator, "guide.zhao").await;
}

#[tokio::test]
async fn forged_expired_and_signed_out_sessions_get_401() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![("GUIDEDESK_SESSION_TTL_SECS", "2".into())]).await;

    let anonymous = app.get("/api/v1/session").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["code"], "not_signed_in");

    let forged = [
        "guidedesk_session=",
        "guidedesk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "guidedesk_session=guide.li",
        "guidedesk_session=%00%01",
    ];
    for cookie in forged {
        let (status, body) = app
            .get_as(&SessionCookie(cookie.into()), "/api/v1/session")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{cookie}");
        assert!(
            body["code"] == "session_expired" || body["code"] == "not_signed_in",
            "{cookie}: {body}"
        );
    }

    let cookie = sign_in(&app, &simulator, "guide.li").await;
    assert_eq!(
        app.get_as(&cookie, "/api/v1/session").await.0,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    let (status, body) = app.get_as(&cookie, "/api/v1/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "expired after its TTL");
    assert_eq!(body["code"], "session_expired");
}

#[tokio::test]
async fn signing_out_ends_the_session_and_a_second_sign_out_is_harmless() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let cookie = sign_in(&app, &simulator, "guide.li").await;
    for attempt in 1..=2 {
        let response = app
            .http
            .delete(app.url("/api/v1/session"))
            .header(COOKIE, &cookie.0)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "sign-out {attempt}"
        );
        let cleared = set_cookie(&response, "guidedesk_session").expect("the cookie is cleared");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
    }
    let (status, body) = app.get_as(&cookie, "/api/v1/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "session_expired");
}

#[tokio::test]
async fn a_session_answers_for_its_own_guide_whatever_the_request_claims() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let li = sign_in(&app, &simulator, "guide.li").await;
    let wang = sign_in(&app, &simulator, "guide.wang").await;
    assert_eq!(
        app.get_as(&li, "/api/v1/session").await.1["userid"],
        "guide.li"
    );
    assert_eq!(
        app.get_as(&wang, "/api/v1/session").await.1["userid"],
        "guide.wang"
    );

    let claims = app
        .http
        .get(app.url("/api/v1/session?userid=guide.wang&guide_id=2"))
        .header(COOKIE, &li.0)
        .header("X-Guide-Userid", "guide.wang")
        .header("X-WeCom-UserId", "guide.wang")
        .send()
        .await
        .unwrap();
    let body: Value = claims.json().await.unwrap();
    assert_eq!(body["userid"], "guide.li", "the session decides: {body}");
}

#[tokio::test]
async fn a_guide_disabled_after_signing_in_loses_the_sidebar_at_once() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let cookie = sign_in(&app, &simulator, "guide.li").await;
    // What a change_contact callback (status 2) does to the guide.
    let row = guide_row(&app, "guide.li").await.unwrap();
    let mut disabled: guide::ActiveModel = row.into();
    disabled.status = Set("disabled".into());
    disabled.update(&app.db().await).await.unwrap();

    let (status, body) = app.get_as(&cookie, "/api/v1/session").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "guide_disabled");
    let (status, _) = app.get_as(&cookie, "/api/v1/session").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the session was ended, not paused"
    );
}

#[tokio::test]
async fn the_oauth_round_trip_starts_here_and_comes_back_with_code_and_state() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;

    let start = app.get("/auth/wecom/start").await;
    assert_eq!(start.status(), StatusCode::FOUND);
    let state_cookie = set_cookie(&start, "guidedesk_oauth_state").expect("state cookie");
    assert!(state_cookie.contains("HttpOnly") && state_cookie.contains("Path=/api/v1/session"));
    let authorize = url::Url::parse(start.headers()[LOCATION].to_str().unwrap()).unwrap();
    assert!(
        authorize
            .as_str()
            .starts_with(&format!("{}connect/oauth2/authorize?", simulator.base_url))
    );
    assert_eq!(authorize.fragment(), Some("wechat_redirect"));
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["appid"], simulator.data.corp_id);
    assert_eq!(query["redirect_uri"], app.url("/sidebar/"));
    assert_eq!(query["scope"], "snsapi_base");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["agentid"], simulator.data.agent_id.to_string());
    let state = query["state"].clone();
    assert!(state.len() >= 32, "an unguessable state");

    // The simulated authorize page comes back to the sidebar with a code and our state.
    let mut picked = authorize.clone();
    picked.set_fragment(None);
    picked
        .query_pairs_mut()
        .append_pair("sim_userid", "guide.wang");
    let back = app.http.get(picked).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::FOUND);
    let sidebar = url::Url::parse(back.headers()[LOCATION].to_str().unwrap()).unwrap();
    assert!(
        sidebar.as_str().starts_with(&app.url("/sidebar/?")),
        "{sidebar}"
    );
    let back_query: std::collections::HashMap<_, _> = sidebar.query_pairs().into_owned().collect();
    assert_eq!(back_query["state"], state);

    let state_pair = state_cookie.split(';').next().unwrap().to_owned();
    let sign_in_with = |code: String, state: &str| {
        app.http
            .post(app.url("/api/v1/session"))
            .header(COOKIE, &state_pair)
            .json(&json!({"code": code, "state": state}))
            .send()
    };
    let wrong = sign_in_with(back_query["code"].clone(), "not-the-state")
        .await
        .unwrap();
    assert_eq!(
        wrong.status(),
        StatusCode::UNAUTHORIZED,
        "a code from someone else's round trip"
    );
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["code"], "oauth_state_mismatch");

    let fresh = simulator.oauth_code(json!({"userid": "guide.wang"})).await;
    let signed_in = sign_in_with(fresh, &state).await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cleared = set_cookie(&signed_in, "guidedesk_oauth_state").expect("state cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let body: Value = signed_in.json().await.unwrap();
    assert_eq!(body["userid"], "guide.wang");
}

#[tokio::test]
async fn sign_in_without_a_configured_wecom_app_says_so() {
    let app = tests::spawn_app().await;
    let response = post_code(&app, "anything").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "wecom_not_configured");
    assert_eq!(
        app.get("/auth/wecom/start").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn sessions_on_redis_are_shared_by_two_replicas() {
    let Some(_) = test_redis_url() else {
        tests::backends::without_backend("TEST_REDIS_URL");
        return;
    };
    let simulator = TestSimulator::start().await;
    let first = spawn_app_on(&simulator, vec![]).await;
    // Both replicas under one key prefix, as two servers of one deployment.
    let shared_cache = tests::backends::TestCacheNamespace::create();
    let mut env = simulator.app_env();
    env.push(("GUIDEDESK_CACHE_PREFIX", shared_cache.prefix.clone()));
    let one = tests::spawn_app_with(tests::TestOptions {
        env: env.clone(),
        shared_database_url: Some(first.database_url.clone()),
        ..Default::default()
    })
    .await;
    let two = tests::spawn_app_with(tests::TestOptions {
        env,
        shared_database_url: Some(first.database_url.clone()),
        ..Default::default()
    })
    .await;
    assert!(one.cache_is_redis && two.cache_is_redis);
    let cookie = sign_in(&one, &simulator, "guide.li").await;
    let (status, body) = two.get_as(&cookie, "/api/v1/session").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the other replica knows the session: {body}"
    );
    two.http
        .delete(two.url("/api/v1/session"))
        .header(COOKIE, &cookie.0)
        .send()
        .await
        .unwrap();
    assert_eq!(
        one.get_as(&cookie, "/api/v1/session").await.0,
        StatusCode::UNAUTHORIZED
    );
}
