//! A real headless Chromium (Debian's `chromium`), driven over the DevTools protocol.

use std::path::PathBuf;
use std::time::Duration;

use chromiumoxide::Page;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::emulation::{
    SetDeviceMetricsOverrideParams, SetTimezoneOverrideParams,
};
use chromiumoxide::page::ScreenshotParams;
use futures_util::StreamExt;

/// The width of WeCom's sidebar panel on the desktop client.
pub const SIDEBAR_WIDTH: u32 = 360;
pub const SIDEBAR_HEIGHT: u32 = 720;
/// The time zone the browser's pages run in.
pub const GUIDE_TIME_ZONE: &str = "Asia/Shanghai";

pub struct HeadlessBrowser {
    browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

fn chromium_path() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "headless Chromium not found at {} (install Debian's `chromium`, or run the README's \
         test command, which installs it; CHROMIUM=/path overrides)",
        path.display()
    );
    path
}

impl HeadlessBrowser {
    pub async fn launch() -> Self {
        let profile = tempfile::tempdir().expect("browser profile dir");
        let config = BrowserConfig::builder()
            .chrome_executable(chromium_path())
            .no_sandbox()
            .user_data_dir(profile.path())
            .window_size(SIDEBAR_WIDTH, SIDEBAR_HEIGHT)
            .viewport(chromiumoxide::handler::viewport::Viewport {
                width: SIDEBAR_WIDTH,
                height: SIDEBAR_HEIGHT,
                device_scale_factor: Some(2.0),
                ..Default::default()
            })
            .launch_timeout(Duration::from_secs(30))
            .request_timeout(Duration::from_secs(30))
            // This machine reaches no Google host: without these Chromium keeps trying.
            .args([
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ])
            .build()
            .expect("browser config");
        let (browser, mut events) = Browser::launch(config).await.expect("launch Chromium");
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Self {
            browser,
            handler,
            _profile: profile,
        }
    }

    /// Opens `url` in a new tab whose clock reads China time, as a guide's phone would.
    pub async fn open(&self, url: &str) -> Page {
        let page = self
            .browser
            .new_page("about:blank")
            .await
            .expect("open page");
        page.execute(SetTimezoneOverrideParams::new(GUIDE_TIME_ZONE))
            .await
            .expect("set the time zone");
        page.goto(url).await.expect("navigate");
        page.wait_for_navigation().await.expect("page loads");
        page
    }

    /// Opens `url` as the WeCom client would: its user agent (`wxwork/{version}`) and, before
    /// any of the page's scripts run, `bridge` (the in-page `WeixinJSBridge` the client injects).
    pub async fn open_in_wecom(&self, url: &str, version: &str, bridge: &str) -> Page {
        let page = self
            .browser
            .new_page("about:blank")
            .await
            .expect("open page");
        page.execute(SetTimezoneOverrideParams::new(GUIDE_TIME_ZONE))
            .await
            .expect("set the time zone");
        page.set_user_agent(format!(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/156.0.0.0 Safari/537.36 wxwork/{version} MicroMessenger/7.0.1 Language/zh"
        ))
        .await
        .expect("set the user agent");
        page.evaluate_on_new_document(bridge)
            .await
            .expect("inject the bridge");
        page.goto(url).await.expect("navigate");
        page.wait_for_navigation().await.expect("page loads");
        page
    }

    /// Lets pages of `origin` read and write the clipboard without asking (a test reads what
    /// the page copied).
    pub async fn grant_clipboard(&self, origin: &str) {
        use chromiumoxide::cdp::browser_protocol::browser::{
            PermissionDescriptor, PermissionSetting, SetPermissionParams,
        };
        for name in ["clipboard-read", "clipboard-write"] {
            let params = SetPermissionParams::builder()
                .permission(PermissionDescriptor::new(name))
                .setting(PermissionSetting::Granted)
                .origin(origin)
                .build()
                .expect("permission params");
            self.browser
                .execute(params)
                .await
                .unwrap_or_else(|e| panic!("grant {name}: {e}"));
        }
    }

    pub async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
    }
}

/// Waits (up to 15 s) for an element with text to appear and returns its text. WASM start-up
/// and the first fetch are asynchronous, so the test polls the real DOM instead of sleeping;
/// an element that is there but still empty (a list before its rows) is not enough.
pub async fn wait_for_text(page: &Page, selector: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(element) = page.find_element(selector).await
            && let Ok(Some(text)) = element.inner_text().await
            && !text.trim().is_empty()
        {
            return text;
        }
        if tokio::time::Instant::now() > deadline {
            let html = page.content().await.unwrap_or_default();
            panic!("`{selector}` with text did not appear within 15 s; the page is:\n{html}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (up to 15 s) until the first element matching `selector` shows exactly `text`.
pub async fn wait_for_exact(page: &Page, selector: &str, text: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let shown = wait_for_text(page, selector).await;
        if shown.trim() == text {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "`{selector}` shows {shown:?}, not {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (up to 15 s) until `selector` matches exactly `count` elements.
pub async fn wait_for_count(page: &Page, selector: &str, count: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let found = page.find_elements(selector).await.map_or(0, |e| e.len());
        if found == count {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            let html = page.content().await.unwrap_or_default();
            panic!("`{selector}` matched {found}, not {count}, within 15 s; the page is:\n{html}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (up to 15 s) until nothing matches `selector`.
pub async fn wait_until_gone(page: &Page, selector: &str) {
    wait_for_count(page, selector, 0).await;
}

/// How a guide reads an amount of `fen`: `¥12.30`, `¥1,234.50`, `¥12,345,678.00` (written
/// here again, independently of the page's own formatting, to check it).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let digits = (fen / 100).to_string();
    let mut groups: Vec<&str> = Vec::new();
    let mut end = digits.len();
    while end > 3 {
        groups.insert(0, &digits[end - 3..end]);
        end -= 3;
    }
    groups.insert(0, &digits[..end]);
    format!("{sign}¥{}.{:02}", groups.join(","), fen % 100)
}

/// Saves a screenshot under `target/screenshots/` and returns its path.
pub async fn screenshot(page: &Page, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let path = dir.join(format!("{name}.png"));
    page.save_screenshot(ScreenshotParams::builder().full_page(true).build(), &path)
        .await
        .expect("screenshot");
    // A full-page capture resizes the emulated window to the page and leaves it so (500 px
    // wide afterwards): back to the sidebar's panel for whatever the test does next.
    let panel = SetDeviceMetricsOverrideParams::new(
        i64::from(SIDEBAR_WIDTH),
        i64::from(SIDEBAR_HEIGHT),
        2.0,
        false,
    );
    page.execute(panel).await.expect("restore the panel size");
    path
}

/// Waits for `selector` and clicks it.
pub async fn click(page: &Page, selector: &str) {
    wait_for_text(page, selector).await;
    page.find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("find {selector}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
}
