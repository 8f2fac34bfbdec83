//! The sidebar in a real headless Chromium: the WASM loads from the spawned server, renders
//! the Chinese shell, shows the result of its `/healthz` round trip, and signs the guide in
//! through the (simulated) WeCom OAuth page.

use tests::browser::{HeadlessBrowser, click, screenshot, wait_for_text};
use tests::guide_session::spawn_app_on;
use tests::simulator::TestSimulator;
use tests::spawn_app;

#[tokio::test]
async fn the_sidebar_renders_and_shows_the_health_round_trip() {
    let app = spawn_app().await;
    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&app.url("/sidebar/")).await;

    let status = wait_for_text(&page, "[data-testid=health-ok]").await;
    assert!(status.contains("服务正常"), "status: {status}");
    assert!(
        status.contains(env!("CARGO_PKG_VERSION")),
        "the server's version shows: {status}"
    );

    let title = page.get_title().await.unwrap().unwrap_or_default();
    assert_eq!(title, "导购助手");
    let heading = wait_for_text(&page, "header h1").await;
    assert_eq!(heading, "导购助手");
    assert!(
        page.find_element("#boot").await.is_err(),
        "the static skeleton is replaced"
    );

    let shot = screenshot(&page, "sidebar-shell").await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 1000,
        "a real image at {}",
        shot.display()
    );
    browser.close().await;
}

#[tokio::test]
async fn a_guide_opens_the_sidebar_through_wecom_oauth_and_sees_who_is_signed_in() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let browser = HeadlessBrowser::launch().await;

    // The sidebar's entry URL → the (simulated) WeCom authorize page → back with ?code=.
    let page = browser.open(&app.url("/auth/wecom/start")).await;
    click(&page, "a[data-userid='guide.li']").await;
    let name = wait_for_text(&page, "[data-testid=guide-name]").await;
    assert_eq!(name, "李娜");
    let address = page.url().await.unwrap().unwrap_or_default();
    assert!(address.starts_with(&app.url("/sidebar/")), "{address}");
    assert!(
        !address.contains("code="),
        "the single-use code left the address bar: {address}"
    );
    screenshot(&page, "sidebar-signed-in").await;

    // The session is a cookie: a reload is still signed in, without a code.
    page.reload().await.unwrap();
    assert_eq!(
        wait_for_text(&page, "[data-testid=guide-name]").await,
        "李娜"
    );

    click(&page, "[data-testid=sign-out]").await;
    let prompt = wait_for_text(&page, "[data-testid=sign-in-needed]").await;
    assert!(prompt.contains("通过企业微信登录"), "{prompt}");
    page.reload().await.unwrap();
    wait_for_text(&page, "[data-testid=sign-in-needed]").await;
    browser.close().await;
}

#[tokio::test]
async fn a_disabled_member_is_told_why_the_sidebar_refuses_them() {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&app.url("/auth/wecom/start")).await;
    click(&page, "a[data-userid='guide.sun']").await;
    let refusal = wait_for_text(&page, "[data-testid=sign-in-refused]").await;
    assert!(refusal.contains("已停用"), "{refusal}");
    assert!(
        page.find_element("[data-testid=sign-in-refused] button")
            .await
            .is_err(),
        "no retry button for a refusal that retrying cannot change"
    );
    screenshot(&page, "sidebar-sign-in-refused").await;
    browser.close().await;
}
