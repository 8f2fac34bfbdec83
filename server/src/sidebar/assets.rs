//! The sidebar's static files (Trunk's `dist/`), served at `/sidebar/`.
//!
//! The whole build is a handful of files, so it is read once at start-up and compressed
//! once instead of on every request: the first paint inside a guide's chat window waits on
//! the `.wasm` download and nothing else. Gzip is made at load (milliseconds); brotli at its
//! best quality takes longer, so it is made on a background thread and served once ready.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::error::AppError;

const INDEX: &str = "index.html";

/// Trunk puts a content hash in asset names (`sidebar-ui-0a1b2c3d4e5f6a7b_bg.wasm`), so
/// such a file never changes under its name and browsers may keep it for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The index names the current hashed assets, so it must be revalidated every time.
const REVALIDATE: &str = "no-cache";
const SHORT: &str = "public, max-age=3600";

/// Smaller files gain nothing from compression but a header.
const COMPRESS_MIN_BYTES: usize = 512;

#[derive(Clone, Default)]
pub struct SidebarAssets {
    files: Arc<HashMap<String, Asset>>,
}

struct Asset {
    content_type: String,
    cache_control: &'static str,
    etag: String,
    identity: web::Bytes,
    gzip: Option<web::Bytes>,
    /// Empty until the background thread has compressed it; `Some(None)` when brotli did
    /// not make the file smaller.
    brotli: OnceLock<Option<web::Bytes>>,
    compressible: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("cannot read the sidebar build in {dir}: {source}")]
    Read {
        dir: PathBuf,
        source: std::io::Error,
    },
}

impl SidebarAssets {
    /// Reads and compresses every file under `dir`. A missing directory is not an error
    /// (the API works without the page); the server says so in its log and at `/sidebar/`.
    pub fn load(dir: &Path) -> Result<Self, AssetError> {
        if !dir.join(INDEX).is_file() {
            return Ok(Self::default());
        }
        let mut files = HashMap::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            let entries = std::fs::read_dir(&current).map_err(|source| AssetError::Read {
                dir: current.clone(),
                source,
            })?;
            for entry in entries {
                let path = entry
                    .map_err(|source| AssetError::Read {
                        dir: current.clone(),
                        source,
                    })?
                    .path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let Ok(relative) = path.strip_prefix(dir) else {
                    continue;
                };
                let name = relative.to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(&path).map_err(|source| AssetError::Read {
                    dir: path.clone(),
                    source,
                })?;
                files.insert(name.clone(), Asset::new(&name, bytes));
            }
        }
        let assets = Self {
            files: Arc::new(files),
        };
        assets.compress_with_brotli_in_background();
        Ok(assets)
    }

    fn compress_with_brotli_in_background(&self) {
        let files = Arc::clone(&self.files);
        let spawned = std::thread::Builder::new()
            .name("sidebar-brotli".into())
            .spawn(move || {
                for asset in files.values() {
                    let compressed = if asset.compressible {
                        brotli(&asset.identity).filter(|c| c.len() < asset.identity.len())
                    } else {
                        None
                    };
                    let _ = asset.brotli.set(compressed.map(web::Bytes::from));
                }
            });
        if let Err(err) = spawned {
            // Gzip is still served; brotli would only have made the download smaller.
            tracing::warn!(error = %err, "cannot start the brotli thread; serving gzip only");
        }
    }

    pub fn is_built(&self) -> bool {
        self.files.contains_key(INDEX)
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// The file for a path under `/sidebar/`. Paths without an extension are the page's
    /// own routes and get the index, so a reload on a deep link still opens the sidebar.
    fn find(&self, path: &str) -> Option<&Asset> {
        let path = path.trim_start_matches('/');
        if path.is_empty() {
            return self.files.get(INDEX);
        }
        self.files.get(path).or_else(|| {
            let last = path.rsplit('/').next().unwrap_or(path);
            if last.contains('.') {
                None
            } else {
                self.files.get(INDEX)
            }
        })
    }
}

impl Asset {
    fn new(name: &str, bytes: Vec<u8>) -> Self {
        let content_type = content_type(name);
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..32]);
        let compressible = bytes.len() >= COMPRESS_MIN_BYTES && is_compressible(&content_type);
        let gzip = if compressible { gzip(&bytes) } else { None };
        let cache_control = if name == INDEX {
            REVALIDATE
        } else if has_content_hash(name) {
            IMMUTABLE
        } else {
            SHORT
        };
        // Keep a compressed copy only where it is actually smaller.
        let gzip = gzip.filter(|c| c.len() < bytes.len()).map(web::Bytes::from);
        Self {
            content_type,
            cache_control,
            etag,
            identity: web::Bytes::from(bytes),
            gzip,
            brotli: OnceLock::new(),
            compressible,
        }
    }
}

fn content_type(name: &str) -> String {
    // mime_guess knows .wasm, but browsers refuse streaming compilation for anything but
    // exactly `application/wasm`, so it is pinned here rather than left to a table.
    if name.ends_with(".wasm") {
        return "application/wasm".into();
    }
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    match mime.type_() {
        mime_guess::mime::TEXT => format!("{mime}; charset=utf-8"),
        _ if mime.subtype() == mime_guess::mime::JAVASCRIPT => {
            "text/javascript; charset=utf-8".into()
        }
        _ => mime.to_string(),
    }
}

fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/wasm")
        || content_type.starts_with("application/json")
        || content_type.starts_with("image/svg+xml")
}

/// Trunk's hash is a 64-bit number in lowercase hex after a dash, before the extension or
/// `_bg`: 16 digits, or fewer when it starts with zeros (`{:x}`, unpadded: one build in
/// sixteen has 15). Ten or more is taken as a hash: a shorter one comes once in 16^6 builds,
/// and then the file is only cached for an hour.
fn has_content_hash(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.split(['-', '.', '_'])
        .any(|part| (10..=16).contains(&part.len()) && part.chars().all(|c| c.is_ascii_hexdigit()))
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

fn brotli(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
    Some(out)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// Picks the best encoding the client accepts: brotli, then gzip. A `q=0` refuses one.
fn preferred_encoding(accept_encoding: Option<&str>) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let accepts = |wanted: &str| {
        header.split(',').any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(wanted) && !refused
        })
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `GET /sidebar` → `/sidebar/`, so relative asset URLs resolve under the right path.
#[utoipa::path(get, path = "/sidebar", tag = "page",
    responses((status = 308, description = "To `/sidebar/`", headers(("Location" = String)))))]
pub async fn redirect_to_index() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/sidebar/"))
        .finish()
}

/// `GET|HEAD /sidebar/{path}`
#[utoipa::path(method(get, head), path = "/sidebar/{path}", tag = "page",
    description = "The sidebar page (the WASM build), precompressed (br, gzip) by `Accept-Encoding`; \
        `index.html` for `/sidebar/`. Hashed files are cached for a year, `index.html` is revalidated.",
    params(("path" = String, Path, description = "A file of the build; empty for the page itself")),
    responses(
        (status = 200, description = "The file", body = String, content_type = "application/octet-stream"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`not_found`", body = shared::ApiError),
        (status = 503, description = "`sidebar_not_built`: run the build first (see the README)", body = shared::ApiError),
    ))]
pub async fn serve_asset(
    request: HttpRequest,
    path: web::Path<String>,
    assets: web::Data<SidebarAssets>,
) -> Result<HttpResponse, AppError> {
    if !assets.is_built() {
        return Err(AppError::Unavailable {
            code: "sidebar_not_built",
            message: "侧边栏页面尚未构建：请先运行 trunk build（见 README）".into(),
        });
    }
    let asset = assets.find(&path).ok_or(AppError::NotFound)?;

    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == asset.etag));

    let accept = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let brotli = asset.brotli.get().cloned().flatten();
    let (body, encoding) = match preferred_encoding(accept) {
        Encoding::Brotli if brotli.is_some() => (brotli, Some("br")),
        Encoding::Brotli | Encoding::Gzip if asset.gzip.is_some() => {
            (asset.gzip.clone(), Some("gzip"))
        }
        _ => (None, None),
    };
    let body = body.unwrap_or_else(|| asset.identity.clone());

    let mut response = HttpResponse::build(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    response
        .insert_header((header::CACHE_CONTROL, asset.cache_control))
        .insert_header((header::ETAG, asset.etag.as_str()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if asset.compressible {
        response.insert_header((header::VARY, "Accept-Encoding"));
    }
    if not_modified {
        return Ok(response.finish());
    }
    response.insert_header((header::CONTENT_TYPE, asset.content_type.as_str()));
    if let Some(encoding) = encoding {
        response.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static(encoding)));
    }
    // For HEAD, actix sends these headers (Content-Length included) and drops the body.
    Ok(response.body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_follows_accept_encoding() {
        let cases: &[(Option<&str>, Encoding)] = &[
            (None, Encoding::Identity),
            (Some("gzip, deflate, br, zstd"), Encoding::Brotli),
            (Some("gzip"), Encoding::Gzip),
            (Some("br;q=0, gzip"), Encoding::Gzip),
            (Some("identity"), Encoding::Identity),
            (Some("BR"), Encoding::Brotli),
        ];
        for (header, expected) in cases {
            assert_eq!(
                preferred_encoding(*header),
                *expected,
                "Accept-Encoding: {header:?}"
            );
        }
    }

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(has_content_hash("sidebar-ui-0a1b2c3d4e5f6a7b_bg.wasm"));
        assert!(has_content_hash("sidebar-ui-0a1b2c3d4e5f6a7b.js"));
        assert!(has_content_hash("style-0a1b2c3d4e5f6a7b.css"));
        // The hash's leading zero is not written.
        assert!(has_content_hash("sidebar-ui-49d509b65963c84_bg.wasm"));
        assert!(!has_content_hash("logo-ad.png"));
        assert!(!has_content_hash("index.html"));
        assert!(!has_content_hash("favicon.ico"));
    }

    #[test]
    fn wasm_is_served_as_application_wasm() {
        assert_eq!(content_type("a_bg.wasm"), "application/wasm");
        assert_eq!(content_type("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    }
}
