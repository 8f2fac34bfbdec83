//! The WeCom parts the settings configure: the API client (its tokens and tickets kept in the
//! app's cache) and the callback verifier. Each is `None` until its settings are given.

use anyhow::Context as _;

use crate::cache::{self, SharedCache};
use crate::config::WecomSettings;
use crate::wecom::callback::CallbackVerifier;
use crate::wecom::client::{ClientSettings, WecomClient};
use crate::wecom::crypto::CallbackCrypto;

/// The API client: `None` until the corp id and secret are set.
pub fn wecom_client(
    wecom: &WecomSettings,
    cache: &SharedCache,
) -> anyhow::Result<Option<WecomClient>> {
    let (Some(corp_id), Some(secret)) = (&wecom.corp_id, &wecom.secret) else {
        return Ok(None);
    };
    let settings = ClientSettings::new(
        wecom.api_base.clone(),
        corp_id.clone(),
        wecom.agent_id,
        secret.clone(),
    );
    let client = WecomClient::new(settings, cache::credential_store(cache))
        .context("cannot build the WeCom API client")?;
    Ok(Some(client))
}

/// Like [`wecom_client`], for the commands that cannot work without WeCom.
pub fn required_wecom_client(
    wecom: &WecomSettings,
    cache: &SharedCache,
) -> anyhow::Result<WecomClient> {
    wecom_client(wecom, cache)?
        .context("the WeCom app is not configured: set WECOM_CORP_ID and WECOM_SECRET")
}

/// The callback verifier, when the settings configure it (they are validated all-or-none).
pub fn callback_verifier(wecom: &WecomSettings) -> anyhow::Result<Option<CallbackVerifier>> {
    let (Some(token), Some(key), Some(corp_id)) = (
        &wecom.callback_token,
        &wecom.callback_aes_key,
        &wecom.corp_id,
    ) else {
        return Ok(None);
    };
    let crypto = CallbackCrypto::new(token.clone(), key.expose(), corp_id)
        .context("WECOM_CALLBACK_AES_KEY is not a valid EncodingAESKey")?;
    Ok(Some(CallbackVerifier {
        crypto,
        max_skew_secs: wecom.callback_max_skew_secs,
    }))
}

/// Both, for a server: what is missing is said once ([`warn_unconfigured`]).
pub(super) fn configured(
    wecom: &WecomSettings,
    cache: &SharedCache,
) -> anyhow::Result<(Option<CallbackVerifier>, Option<WecomClient>)> {
    let callback = callback_verifier(wecom)?;
    let client = wecom_client(wecom, cache)?;
    warn_unconfigured(&callback, &client);
    Ok((callback, client))
}

/// What a server started without its WeCom settings cannot do, said once at start-up (the
/// commands that need WeCom refuse to run instead).
fn warn_unconfigured(callback: &Option<CallbackVerifier>, wecom: &Option<WecomClient>) {
    if callback.is_none() {
        tracing::warn!("WeCom callbacks are not configured; /wecom/callback answers 503");
    }
    if wecom.is_none() {
        tracing::warn!("the WeCom API is not configured (WECOM_CORP_ID, WECOM_SECRET)");
    }
}
