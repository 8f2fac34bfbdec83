//! How the server writes its logs: human-readable lines (the default), or JSON lines for a
//! log collector (`GUIDEDESK_LOG_FORMAT=json`). In JSON each line carries the span it was
//! written in: inside a request, `span.request_id` is the id the response's `X-Request-Id`
//! carries (`request_log`), so a guide's error report leads to its lines.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `GUIDEDESK_LOG_FORMAT`'s value: `text` (also when unset) or `json`.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!(
                "GUIDEDESK_LOG_FORMAT is {other:?}: it must be text or json"
            )),
        }
    }
}

/// Installs the process's log subscriber: `filter` in `EnvFilter` syntax (`info`,
/// `server=debug,sqlx=warn`, …; an unreadable one falls back to `info`), lines to `writer`.
pub fn install_logging<W>(format: LogFormat, filter: &str, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false);
    match format {
        LogFormat::Text => lines.init(),
        LogFormat::Json => lines
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

#[cfg(test)]
mod tests {
    use super::LogFormat;

    #[test]
    fn the_format_is_text_unless_json_is_asked_and_anything_else_is_refused() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" json ")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).is_err());
    }
}
