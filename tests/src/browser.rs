//! A real headless Chromium (Debian's `chromium`), driven over the DevTools protocol.

use std::path::PathBuf;
use std::time::Duration;

use chromiumoxide::Page;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::page::ScreenshotParams;
use futures_util::StreamExt;

/// The width of WeCom's sidebar panel on the desktop client.
pub const SIDEBAR_WIDTH: u32 = 360;
pub const SIDEBAR_HEIGHT: u32 = 720;

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

    pub async fn open(&self, url: &str) -> Page {
        let page = self.browser.new_page(url).await.expect("open page");
        page.wait_for_navigation().await.expect("page loads");
        page
    }

    pub async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
    }
}

/// Waits (up to 15 s) for an element to appear and returns its text. WASM start-up and the
/// first fetch are asynchronous, so the test polls the real DOM instead of sleeping.
pub async fn wait_for_text(page: &Page, selector: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(element) = page.find_element(selector).await
            && let Ok(Some(text)) = element.inner_text().await
        {
            return text;
        }
        if tokio::time::Instant::now() > deadline {
            let html = page.content().await.unwrap_or_default();
            panic!("`{selector}` did not appear within 15 s; the page is:\n{html}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    path
}
