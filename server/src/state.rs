use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::cache::SharedCache;
use crate::config::Settings;
use crate::inbox::Intake;
use crate::wecom::callback::CallbackConfig;
use crate::wecom::client::WecomClient;

/// What every handler may need, built once at start-up and shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub cache: SharedCache,
    pub settings: Arc<Settings>,
    /// `None` until the callback Token, EncodingAESKey and CorpID are configured.
    pub callback: Option<Arc<CallbackConfig>>,
    /// `None` until WECOM_CORP_ID and WECOM_SECRET are configured.
    pub wecom: Option<WecomClient>,
    /// Stores callbacks in group commits (and wakes the inbox worker when one is new).
    pub inbox: Intake,
}
