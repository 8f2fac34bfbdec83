//! The sidebar's files as the browser (and WeCom's webview) receives them.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION,
    VARY,
};
use shared::ApiError;
use tests::app::sidebar_dist_dir;
use tests::{TestOptions, spawn_app, spawn_app_with};

/// The hashed file names Trunk wrote (they change with every build).
fn built_file(suffix: &str) -> String {
    let dir = sidebar_dist_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|_| {
        panic!(
            "{} is missing: build the sidebar first (the README's test command does)",
            dir.display()
        )
    });
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no *{suffix} in {}", dir.display()))
}

#[tokio::test]
async fn the_index_is_served_at_sidebar_slash_and_always_revalidated() {
    let app = spawn_app().await;
    let response = app.get("/sidebar/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>导购助手</title>"), "{html}");
    assert!(
        html.contains(&built_file("_bg.wasm")),
        "the index names the current wasm"
    );
}

#[tokio::test]
async fn sidebar_without_slash_redirects_and_deep_links_get_the_index() {
    let app = spawn_app().await;
    let response = app.get("/sidebar").await;
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(response.headers()[LOCATION], "/sidebar/");

    let response = app.get("/sidebar/customers/wmABC").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("导购助手"));

    let (status, error): (_, ApiError) = app.get_json("/sidebar/missing-0123456789abcdef.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error.code, "not_found");
}

#[tokio::test]
async fn hashed_wasm_is_application_wasm_cached_for_a_year_and_compressed() {
    let app = spawn_app().await;
    let wasm = built_file("_bg.wasm");
    let path = format!("/sidebar/{wasm}");
    let on_disk = std::fs::read(sidebar_dist_dir().join(&wasm)).unwrap();

    let plain = app.get(&path).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(plain.headers()[CONTENT_TYPE], "application/wasm");
    assert_eq!(
        plain.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(plain.headers()[VARY], "Accept-Encoding");
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), on_disk.as_slice());

    let gzip = app
        .http
        .get(app.url(&path))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
    let compressed = gzip.bytes().await.unwrap();
    assert!(
        compressed.len() < on_disk.len() / 2,
        "gzip: {} of {}",
        compressed.len(),
        on_disk.len()
    );
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut inflated,
    )
    .unwrap();
    assert_eq!(inflated, on_disk, "gzip decodes to the file");

    // Brotli is made in the background at start-up; until then gzip is served. Generous: a
    // debug build compresses the WASM at quality 11 while the rest of the suite loads the CPU.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let brotli = loop {
        let response = app
            .http
            .get(app.url(&path))
            .header(ACCEPT_ENCODING, "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        let encoding = response.headers()[CONTENT_ENCODING]
            .to_str()
            .unwrap()
            .to_owned();
        if encoding == "br" {
            break response.bytes().await.unwrap();
        }
        assert_eq!(encoding, "gzip", "before brotli is ready, gzip");
        assert!(
            tokio::time::Instant::now() < deadline,
            "brotli never became available"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(brotli.len() < compressed.len(), "brotli beats gzip on wasm");
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut &brotli[..], &mut decoded).unwrap();
    assert_eq!(decoded, on_disk, "brotli decodes to the file");
}

#[tokio::test]
async fn an_unchanged_asset_answers_304_to_its_etag() {
    let app = spawn_app().await;
    let path = format!("/sidebar/{}", built_file(".js"));
    let first = app.get(&path).await;
    assert_eq!(
        first.headers()[CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    let etag = first.headers()[ETAG].clone();

    let again = app
        .http
        .get(app.url(&path))
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);
    assert!(again.bytes().await.unwrap().is_empty());

    let stale = app
        .http
        .get(app.url(&path))
        .header(IF_NONE_MATCH, "\"old\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_sidebar_build_the_page_says_so_and_the_api_still_works() {
    let empty = tempfile::tempdir().unwrap();
    let app = spawn_app_with(TestOptions {
        sidebar_dir: Some(empty.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let (status, error): (_, ApiError) = app.get_json("/sidebar/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error.code, "sidebar_not_built");
    assert!(error.message.contains("trunk build"), "{}", error.message);
    assert_eq!(app.health().await.status, "ok");
}
