use serde::{Deserialize, Serialize};

/// A share's state, as `POST /api/v1/shares/{token}/sent` and `…/cancel` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareStatus {
    pub token: String,
    /// `prepared`, `sent` or `cancelled`.
    pub state: String,
    /// RFC 3339, when the page reported it sent.
    pub sent_at: Option<String>,
    pub cancelled_at: Option<String>,
}
