//! What the document holds: every described path (listed here once; their descriptions live
//! on the handlers), the two ways in (the guide's session cookie, the ingest signature), the
//! tags, and the server's own public URL.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, ServerBuilder};
use utoipa::{Modify, OpenApi};

use crate::auth::SESSION_COOKIE;

#[derive(OpenApi)]
#[openapi(
    info(title = "GuideDesk", description = include_str!("about.md")),
    paths(
        crate::health::healthz,
        crate::health::readyz,
        crate::monitoring::scrape::metrics_text,
        crate::api_doc::openapi_json,
        crate::api_doc::page::redirect_to_page,
        crate::api_doc::page::page_file,
        crate::inbox::receive::verify_callback_url,
        crate::inbox::receive::receive_callback,
        crate::auth::sign_in::start_oauth,
        crate::auth::sign_in::sign_in,
        crate::auth::sign_in::current_session,
        crate::auth::sign_in::sign_out,
        crate::auth::page_signatures::jssdk_config,
        crate::shares::short_link::open_share,
        crate::commerce::ingest::receive,
        crate::sidebar::assets::redirect_to_index,
        crate::sidebar::assets::serve_asset,
        crate::sidebar::my_customers::my_customers,
        crate::sidebar::profile::customer_profile,
        crate::sidebar::customer_orders::customer_orders,
        crate::sidebar::customer_orders::customer_timeline,
        crate::sidebar::customer_orders::order_detail,
        crate::sidebar::order_credit::order_credit,
        crate::sidebar::customer_tags::add_tags,
        crate::sidebar::customer_tags::remove_tags,
        crate::sidebar::customer_tags::catalogue,
        crate::sidebar::performance::my_report,
        crate::sidebar::performance::breakdown_report,
        crate::sidebar::send_tabs::coupons_for_customer,
        crate::sidebar::send_tabs::coupons_for_chat,
        crate::sidebar::send_tabs::products,
        crate::sidebar::send_tabs::materials,
        crate::sidebar::sending::create_share,
        crate::sidebar::share_outcome::share_sent,
        crate::sidebar::share_outcome::share_cancelled,
    ),
    modifiers(&WaysIn, &HeadOperations),
    tags(
        (name = "sidebar", description = "What the guide's page reads and does; every answer is scoped \
            to the guide of the session cookie, never to an id the page sends."),
        (name = "session", description = "Signing in through WeCom OAuth, the session, the JS-SDK signatures."),
        (name = "ingest", description = "The brand's systems pushing stores, staff, members, orders and the rest."),
        (name = "callback", description = "WeCom's event callback (the URL set in WeCom's admin console)."),
        (name = "short links", description = "The links guides send."),
        (name = "page", description = "The sidebar page's files."),
        (name = "operations", description = "Probes, metrics and this description."),
    )
)]
struct GuideDeskApi;

/// The security schemes the paths name.
struct WaysIn;

impl Modify for WaysIn {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "Set by `POST /api/v1/session`; HttpOnly, so a page cannot read it.",
            ))),
        );
        components.add_security_scheme(
            "ingest_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-GuideDesk-Signature",
                "Hex HMAC-SHA256 of `{X-GuideDesk-Timestamp}.{raw body}` under \
                 `GUIDEDESK_INGEST_SECRET`.",
            ))),
        );
    }
}

/// A handler answering `GET` and `HEAD` (`method(get, head)`) gives both operations its name;
/// operation ids must be unique, so `HEAD`'s becomes `{name}_head`.
struct HeadOperations;

impl Modify for HeadOperations {
    fn modify(&self, openapi: &mut Document) {
        for item in openapi.paths.paths.values_mut() {
            if let Some(id) = item
                .head
                .as_mut()
                .and_then(|head| head.operation_id.as_mut())
            {
                id.push_str("_head");
            }
        }
    }
}

/// The whole description of GuideDesk's own routes, for a server answering at `public_url`
/// (the demo build merges its pages in: `demo::DemoPages`).
pub fn document(public_url: &str) -> Document {
    let mut document = GuideDeskApi::openapi();
    document.servers = Some(vec![ServerBuilder::new().url(public_url).build()]);
    document
}

/// The document as served, written once at start-up (`Bytes`: each answer shares it).
pub struct ApiDocument {
    pub json: actix_web::web::Bytes,
}

impl ApiDocument {
    pub fn new(document: &Document) -> anyhow::Result<Self> {
        Ok(Self {
            json: document.to_pretty_json()?.into(),
        })
    }
}
