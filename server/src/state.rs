use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::cache::SharedCache;
use crate::config::Settings;

/// What every handler may need, built once at start-up and shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub cache: SharedCache,
    pub settings: Arc<Settings>,
}
