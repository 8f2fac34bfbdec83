use serde::{Deserialize, Serialize};

/// `POST /api/v1/ingest/{kind}`: how many records were stored and which were refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestAnswer {
    pub accepted: u64,
    pub rejected: Vec<IngestRejection>,
}

/// One record that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestRejection {
    /// Its position in `records`, from 0.
    pub index: usize,
    /// Its `id`, when it had a readable one.
    pub id: Option<String>,
    pub code: String,
    pub message: String,
}
