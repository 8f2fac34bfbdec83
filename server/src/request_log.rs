//! One log line per request, inside a span that carries the request id, and the id echoed
//! in `X-Request-Id` so a guide's error report can be found in the logs.
//!
//! Written here rather than taken from tracing-actix-web because that crate logs the full
//! query string, and ours carry OAuth codes and signed URLs.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub async fn log_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_sane_request_id(value))
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_owned);

    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.path(),
    );
    let started = Instant::now();
    let outcome = next.call(request).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;

    let _entered = span.enter();
    match outcome {
        Ok(mut response) => {
            let status = response.status().as_u16();
            tracing::info!(status, elapsed_ms, "served");
            if let Ok(value) = HeaderValue::from_str(&id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
            }
            Ok(response)
        }
        Err(error) => {
            tracing::warn!(elapsed_ms, error = %error, "failed");
            Err(error)
        }
    }
}

/// An upstream proxy's id is kept only if it cannot smuggle anything into our logs.
fn is_sane_request_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
