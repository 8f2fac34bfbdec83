//! The brand's mall: where a sent coupon or product leads. A web page template (a news card
//! with the short link) and/or a mini-program page template (a mini-program card); `{id}` in
//! a template is the coupon template's or product's source id. With a mini-program page
//! configured the mini-program card is sent, otherwise the web page; with neither, that kind
//! cannot be sent (the sidebar says so).

use url::Url;

use super::keys::*;
use super::source::RawValues;
use super::validate::{parse_http_url, report};

#[derive(Debug, Clone)]
pub struct MallSettings {
    /// e.g. `https://mall.example.com/coupon/claim?template={id}`
    pub coupon_url: Option<String>,
    /// e.g. `https://mall.example.com/product/{id}`
    pub product_url: Option<String>,
    pub miniprogram: Option<MiniProgram>,
    /// The picture on coupon cards (and on product cards without one), http(s).
    pub card_image_url: Option<String>,
    /// How long a sent coupon may be claimed; unclaimed after that, its quota goes back.
    pub coupon_claim_hours: i64,
}

impl Default for MallSettings {
    fn default() -> Self {
        Self {
            coupon_url: None,
            product_url: None,
            miniprogram: None,
            card_image_url: None,
            coupon_claim_hours: 72,
        }
    }
}

/// The brand's mini-program, associated with the corp (WeCom sends its cards only then).
#[derive(Debug, Clone)]
pub struct MiniProgram {
    pub appid: String,
    /// e.g. `pages/coupon/claim.html?template={id}` (WeCom wants the page to end in `.html`).
    pub coupon_page: Option<String>,
    pub product_page: Option<String>,
}

pub(super) fn mall(raw: &RawValues<'_>, problems: &mut Vec<String>) -> MallSettings {
    let web_template = |key: &Key, problems: &mut Vec<String>| {
        let value = raw.get(key)?;
        let checked = parse_http_url(&value.replace("{id}", "ID")).and_then(|_| has_id(&value));
        report(problems, key, checked.clone());
        checked.ok().map(|()| value)
    };
    let coupon_url = web_template(&MALL_COUPON_URL, problems);
    let product_url = web_template(&MALL_PRODUCT_URL, problems);
    let card_image_url = raw.get(&CARD_IMAGE_URL).filter(|value| {
        let checked = parse_http_url(value).map(|_: Url| ());
        report(problems, &CARD_IMAGE_URL, checked.clone());
        checked.is_ok()
    });
    let coupon_claim_hours = raw.number(&COUPON_CLAIM_HOURS, 72, 1, 24 * 365, problems);
    MallSettings {
        coupon_url,
        product_url,
        miniprogram: miniprogram(raw, problems),
        card_image_url,
        coupon_claim_hours,
    }
}

fn miniprogram(raw: &RawValues<'_>, problems: &mut Vec<String>) -> Option<MiniProgram> {
    let page = |key: &Key, problems: &mut Vec<String>| {
        let value = raw.get(key)?;
        let checked = validate_page(&value);
        report(problems, key, checked.clone());
        checked.ok().map(|()| value)
    };
    let coupon_page = page(&MINIPROGRAM_COUPON_PAGE, problems);
    let product_page = page(&MINIPROGRAM_PRODUCT_PAGE, problems);
    let Some(appid) = raw.get(&MINIPROGRAM_APPID) else {
        if coupon_page.is_some() || product_page.is_some() {
            report(
                problems,
                &MINIPROGRAM_APPID,
                Err("is needed with a mini-program page".into()),
            );
        }
        return None;
    };
    let appid_ok = appid.len() == 18
        && appid.starts_with("wx")
        && appid.chars().all(|c| c.is_ascii_alphanumeric());
    if !appid_ok {
        report(
            problems,
            &MINIPROGRAM_APPID,
            Err(format!(
                "`{appid}` is not a mini-program appid (wx and 16 letters or digits)"
            )),
        );
        return None;
    }
    Some(MiniProgram {
        appid,
        coupon_page,
        product_page,
    })
}

fn has_id(template: &str) -> Result<(), String> {
    if template.contains("{id}") {
        Ok(())
    } else {
        Err(format!(
            "`{template}` has no {{id}} for the coupon's or product's id"
        ))
    }
}

/// A mini-program page: a path ending in `.html` before any query, with `{id}`.
fn validate_page(page: &str) -> Result<(), String> {
    let path = page.split('?').next().unwrap_or_default();
    if page.contains("://") || path.is_empty() || !path.ends_with(".html") {
        return Err(format!(
            "`{page}` is not a mini-program page like pages/coupon/claim.html?template={{id}} \
             (WeCom wants the page to end in .html)"
        ));
    }
    has_id(page)
}
