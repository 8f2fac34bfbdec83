//! Every request counted and timed by method, route pattern and status
//! (`guidedesk_http_requests_total`, `guidedesk_http_request_duration_seconds`).

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub async fn count_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let method = request.method().as_str().to_owned();
    // The pattern (`/s/:token`), never the path: a path carries tokens and ids.
    let route = request
        .match_pattern()
        .map_or_else(|| "unmatched".to_owned(), |pattern| route_label(&pattern));
    let started = Instant::now();
    let outcome = next.call(request).await;
    let status = match &outcome {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.as_response_error().status_code().as_u16(),
    };
    let seconds = started.elapsed().as_secs_f64();
    metrics::counter!("guidedesk_http_requests_total", "method" => method.clone(),
        "route" => route.clone(), "status" => status.to_string())
    .increment(1);
    metrics::histogram!("guidedesk_http_request_duration_seconds", "method" => method,
        "route" => route)
    .record(seconds);
    outcome
}

/// actix's `/s/{token}` and `/sidebar/{path:.*}` as `/s/:token` and `/sidebar/:path`: braces
/// in a label value are valid Prometheus text, but some parsers and most shell one-liners
/// trip over them.
fn route_label(pattern: &str) -> String {
    let mut label = String::with_capacity(pattern.len());
    let mut in_segment = false;
    let mut naming = false;
    for c in pattern.chars() {
        match c {
            '{' => {
                label.push(':');
                in_segment = true;
                naming = true;
            }
            '}' if in_segment => {
                in_segment = false;
                naming = false;
            }
            ':' if in_segment => naming = false,
            _ if in_segment && !naming => {}
            _ => label.push(c),
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn patterns_become_labels_without_braces_or_regexes() {
        assert_eq!(route_label("/s/{token}"), "/s/:token");
        assert_eq!(route_label("/sidebar/{path:.*}"), "/sidebar/:path");
        assert_eq!(
            route_label("/api/v1/orders/{id}/credit"),
            "/api/v1/orders/:id/credit"
        );
        assert_eq!(route_label("/healthz"), "/healthz");
    }
}
