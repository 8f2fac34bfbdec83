//! Time from navigation to the customer's profile on screen, in headless Chromium on loopback
//! against a running `guidedesk serve` (and its WeCom simulator, for the sign-in). The page
//! itself records the moment the customer's name appears (`performance.now()`, which counts
//! from the navigation's start). Run through `bash .ci/bench profile`.

use std::time::Duration;

use clap::Parser;
use tests::browser::{HeadlessBrowser, click, wait_for_text};

#[derive(Parser)]
struct Args {
    /// The server's base URL.
    #[arg(long)]
    url: String,
    #[arg(long, default_value = "guide.li")]
    guide: String,
    #[arg(long, default_value_t = 30)]
    runs: usize,
}

/// Installed before the page's own scripts: notes when the profile's name first shows.
const OBSERVER: &str = r#"(() => {
  new MutationObserver((_, observer) => {
    if (document.querySelector('[data-testid=customer-name]')) {
      window.__profileShownAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });
})();"#;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let browser = HeadlessBrowser::launch().await;
    let sign_in = browser
        .open(&format!("{}/auth/wecom/start", args.url))
        .await;
    click(&sign_in, &format!("a[data-userid='{}']", args.guide)).await;
    wait_for_text(&sign_in, "[data-testid=signed-in]").await;
    let customers: serde_json::Value = sign_in
        .evaluate("fetch('/api/v1/customers').then(r => r.json())")
        .await
        .expect("list the guide's customers")
        .into_value()
        .expect("customers as JSON");
    let ids: Vec<String> = customers["customers"]
        .as_array()
        .expect("a customer list")
        .iter()
        .filter_map(|c| c["externalUserid"].as_str().map(str::to_owned))
        .collect();
    assert!(!ids.is_empty(), "the guide has no customers");

    let mut shown = Vec::with_capacity(args.runs);
    for run in 0..args.runs {
        let page = browser.open("about:blank").await;
        page.evaluate_on_new_document(OBSERVER)
            .await
            .expect("install the observer");
        let url = format!("{}/sidebar/?customer={}", args.url, ids[run % ids.len()]);
        page.goto(url).await.expect("navigate");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let at = loop {
            let value: Option<f64> = page
                .evaluate("window.__profileShownAt ?? null")
                .await
                .ok()
                .and_then(|v| v.into_value().ok());
            if let Some(at) = value {
                break at;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the profile did not show"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        shown.push(at);
        let _ = page.close().await;
    }
    let first = shown[0];
    let mut warm: Vec<f64> = shown[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    let pick = |q: f64| warm[((warm.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "navigation → profile shown, {} runs: first (cold cache) {first:.0} ms; then median {:.0} ms, p95 {:.0} ms, min {:.0} ms, max {:.0} ms",
        shown.len(),
        pick(0.5),
        pick(0.95),
        warm[0],
        warm[warm.len() - 1]
    );
    browser.close().await;
}
