//! JS-SDK signatures: made with the simulator's tickets for our own pages only, for a
//! signed-in guide only, and never carrying a ticket or token out.

use reqwest::StatusCode;
use serde_json::{Value, json};
use server::wecom::jssdk::signature;
use tests::guide_session::{SessionCookie, session_cookie, sign_in, spawn_app_on};
use tests::simulator::TestSimulator;

fn config_path(url: &str) -> String {
    format!("/api/v1/jssdk/config?url={}", encode(url))
}

#[tokio::test]
async fn a_signed_in_guide_gets_corp_and_agent_signatures_for_a_sidebar_page() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let cookie = sign_in(&app, &simulator, "guide.li").await;
    let page = app.url("/sidebar/?code=abc&state=x");

    let (status, config) = app
        .get_as(&cookie, &config_path(&format!("{page}#/orders")))
        .await;
    assert_eq!(status, StatusCode::OK, "{config}");
    let (corp_tickets, agent_tickets) = simulator.tickets().await;
    assert_eq!((corp_tickets.len(), agent_tickets.len()), (1, 1));

    let corp = &config["corp"];
    assert_eq!(corp["corpId"], simulator.data.corp_id);
    let timestamp = corp["timestamp"].as_i64().expect("timestamp");
    assert!((timestamp - chrono::Utc::now().timestamp()).abs() < 60);
    let nonce = corp["nonceStr"].as_str().expect("nonce");
    assert_eq!(
        corp["signature"],
        signature(&corp_tickets[0], nonce, timestamp, &page),
        "the corp signature is over the page without its #fragment"
    );

    let agent = &config["agent"];
    assert_eq!(agent["corpId"], simulator.data.corp_id);
    assert_eq!(agent["agentId"], simulator.data.agent_id);
    let agent_nonce = agent["nonceStr"].as_str().expect("nonce");
    assert_eq!(
        agent["signature"],
        signature(
            &agent_tickets[0],
            agent_nonce,
            agent["timestamp"].as_i64().unwrap(),
            &page
        )
    );

    let text = config.to_string();
    for secret in corp_tickets.iter().chain(&agent_tickets) {
        assert!(!text.contains(secret.as_str()), "no ticket in the answer");
    }
    assert!(!text.contains("simtoken-"), "no access token in the answer");

    // Tickets are cached: a second page costs WeCom nothing.
    let (status, _) = app
        .get_as(&cookie, &config_path(&app.url("/sidebar/")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(simulator.calls("cgi-bin/get_jsapi_ticket").await, 1);
    assert_eq!(simulator.calls("cgi-bin/ticket/get").await, 1);
}

#[tokio::test]
async fn pages_that_are_not_ours_are_not_signed() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let cookie = sign_in(&app, &simulator, "guide.li").await;
    let host_lookalike = format!("{}.evil.io/", app.address);
    let cases = [
        ("https://evil.io/sidebar/", "another site"),
        (
            host_lookalike.as_str(),
            "our address as a prefix of another host",
        ),
        ("", "an empty url"),
        ("javascript:alert(1)", "not a page at all"),
    ];
    for (url, what) in cases {
        let (status, body) = app.get_as(&cookie, &config_path(url)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}");
        assert_eq!(body["code"], "foreign_url", "{what}: {body}");
    }
    let (status, body) = app.get_as(&cookie, "/api/v1/jssdk/config").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no url: {body}");
    assert_eq!(
        simulator.calls("cgi-bin/get_jsapi_ticket").await,
        0,
        "nothing fetched"
    );
}

#[tokio::test]
async fn signatures_need_a_session() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let path = config_path(&app.url("/sidebar/"));
    assert_eq!(app.get(&path).await.status(), StatusCode::UNAUTHORIZED);
    let forged =
        SessionCookie("guidedesk_session=bm90LWEtc2Vzc2lvbi1hdC1hbGwtZm9yZ2VkLXRva2Vu".into());
    assert_eq!(app.get_as(&forged, &path).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(simulator.calls("cgi-bin/get_jsapi_ticket").await, 0);
}

#[tokio::test]
async fn wecom_down_while_signing_answers_503_without_secrets() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let cookie = sign_in(&app, &simulator, "guide.li").await;
    simulator
        .inject(tests::simulator::fault("cgi-bin/get_jsapi_ticket", -1, 3))
        .await;
    let (status, body) = app
        .get_as(&cookie, &config_path(&app.url("/sidebar/")))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "wecom_unavailable");
    let message: &Value = &body["message"];
    assert!(message.as_str().unwrap_or_default().contains("企业微信"));
}

/// Inside WeCom the page names its URL when it signs in (`pageUrl`) or checks its session
/// (`?url=`): the answer carries the same signatures as `/api/v1/jssdk/config`, so the page
/// registers without a second round trip. A URL that cannot be signed costs the sign-in
/// nothing: the session answers without `jssdk`.
#[tokio::test]
async fn the_session_answer_brings_the_pages_signatures_when_asked() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let page = app.url("/sidebar/");
    let check = |answer: &Value, corp_ticket: &str, agent_ticket: &str| {
        let corp = &answer["jssdk"]["corp"];
        assert_eq!(corp["corpId"], simulator.data.corp_id);
        let stamp = corp["timestamp"].as_i64().unwrap();
        let nonce = corp["nonceStr"].as_str().unwrap();
        assert_eq!(
            corp["signature"],
            signature(corp_ticket, nonce, stamp, &page)
        );
        let agent = &answer["jssdk"]["agent"];
        assert_eq!(agent["agentId"], simulator.data.agent_id);
        let stamp = agent["timestamp"].as_i64().unwrap();
        let nonce = agent["nonceStr"].as_str().unwrap();
        assert_eq!(
            agent["signature"],
            signature(agent_ticket, nonce, stamp, &page)
        );
        assert!(!answer.to_string().contains(corp_ticket), "no ticket");
    };

    // Signing in with the page's URL.
    let code = simulator.oauth_code(json!({ "userid": "guide.li" })).await;
    let response = app
        .http
        .post(app.url("/api/v1/session"))
        .json(&json!({ "code": code, "pageUrl": format!("{page}#/orders") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response).unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["userid"], "guide.li");
    let (corp_tickets, agent_tickets) = simulator.tickets().await;
    check(&answer, &corp_tickets[0], &agent_tickets[0]);

    // The session check on a reload, with and without the URL.
    let (status, answer) = app
        .get_as(&cookie, &format!("/api/v1/session?url={}", encode(&page)))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    check(&answer, &corp_tickets[0], &agent_tickets[0]);
    let (_, answer) = app.get_as(&cookie, "/api/v1/session").await;
    assert!(answer.get("jssdk").is_none(), "{answer}");

    // A foreign URL, or WeCom unable to issue tickets: signed in all the same, no signatures.
    let (status, answer) = app
        .get_as(
            &cookie,
            &format!("/api/v1/session?url={}", encode("https://evil.io/sidebar/")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.get("jssdk").is_none(), "{answer}");
    assert_eq!(simulator.calls("cgi-bin/get_jsapi_ticket").await, 1);

    let fresh = TestSimulator::start().await;
    let app = spawn_app_on(&fresh, vec![]).await;
    fresh
        .inject(tests::simulator::fault("cgi-bin/get_jsapi_ticket", -1, 3))
        .await;
    let code = fresh.oauth_code(json!({ "userid": "guide.li" })).await;
    let response = app
        .http
        .post(app.url("/api/v1/session"))
        .json(&json!({ "code": code, "pageUrl": app.url("/sidebar/") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(session_cookie(&response).is_some());
    let answer: Value = response.json().await.unwrap();
    assert!(answer.get("jssdk").is_none(), "{answer}");
}

fn encode(url: &str) -> String {
    percent_encoding::utf8_percent_encode(url, percent_encoding::NON_ALPHANUMERIC).to_string()
}
