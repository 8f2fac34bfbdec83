use serde::{Deserialize, Serialize};

/// The body of every error response the server sends.
///
/// `code` is stable and meant for programs (the sidebar decides what to show from it);
/// `message` is safe to show to a guide and never carries a secret or an internal cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let json = serde_json::to_value(ApiError::new("not_found", "未找到")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "未找到"})
        );
    }
}
