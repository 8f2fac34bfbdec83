//! The sidebar in a real headless Chromium: the WASM loads from the spawned server, renders
//! the Chinese shell, and shows the result of its `/healthz` round trip.

use tests::browser::{HeadlessBrowser, screenshot, wait_for_text};
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
