use serde::{Deserialize, Serialize};

/// `GET /healthz`: the process is alive and answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `"ok"` when the server answers at all.
    pub status: String,
    /// The server's package version, so a guide's screenshot tells support what runs.
    pub version: String,
}

/// `GET /readyz`: whether the server can do its work (database and cache reachable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    pub ready: bool,
    pub checks: Vec<ReadinessCheck>,
}

/// One dependency's state in a readiness answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadinessCheck {
    /// `database` or `cache`.
    pub name: String,
    pub ok: bool,
    /// Why it is not reachable; never contains a URL or credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
