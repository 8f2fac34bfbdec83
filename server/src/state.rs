use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::Sessions;
use crate::cache::SharedCache;
use crate::config::Settings;
use crate::error::AppError;
use crate::inbox::Intake;
use crate::wecom::callback::CallbackConfig;
use crate::wecom::client::{WecomClient, WecomError};

/// What every handler may need, built once at start-up and shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub cache: SharedCache,
    pub settings: Arc<Settings>,
    /// The server's public base URL, without a trailing slash (the sidebar is under
    /// `{public_url}/sidebar/`).
    pub public_url: Arc<str>,
    /// `None` until the callback Token, EncodingAESKey and CorpID are configured.
    pub callback: Option<Arc<CallbackConfig>>,
    /// `None` until WECOM_CORP_ID and WECOM_SECRET are configured.
    pub wecom: Option<WecomClient>,
    /// Stores callbacks in group commits (and wakes the inbox worker when one is new).
    pub inbox: Intake,
    pub sessions: Sessions,
}

impl AppState {
    /// The WeCom API client, or the error that says it is not configured.
    pub fn wecom_client(&self) -> Result<&WecomClient, AppError> {
        self.wecom
            .as_ref()
            .ok_or(AppError::Wecom(WecomError::NotConfigured(
                "WECOM_CORP_ID and WECOM_SECRET",
            )))
    }
}
