//! The callback door's load shedding: at most so many callbacks taken in at once; the next
//! gets 503 before its body is read, and WeCom sends it again (it retries what was not
//! answered 200). A callback answered 200 was stored first, so shedding never loses one.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use tokio::sync::Semaphore;

use crate::config::LimitSettings;
use crate::error::AppError;

/// `None`: no limit (`GUIDEDESK_CALLBACK_MAX_IN_FLIGHT=0`, the benchmark's baseline).
#[derive(Clone)]
pub struct CallbackLoad(Option<Arc<Semaphore>>);

impl CallbackLoad {
    pub fn new(settings: &LimitSettings) -> Self {
        let most = settings.callback_max_in_flight as usize;
        Self((most > 0).then(|| Arc::new(Semaphore::new(most))))
    }
}

pub async fn shed_callbacks(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(room) = request
        .app_data::<web::Data<CallbackLoad>>()
        .and_then(|load| load.0.clone())
    else {
        return next.call(request).await;
    };
    let Ok(_taken) = room.try_acquire_owned() else {
        metrics::counter!("guidedesk_callbacks_shed_total").increment(1);
        return Err(AppError::Unavailable {
            code: "overloaded",
            message: "callbacks are arriving faster than they can be stored; send again".into(),
        }
        .into());
    };
    next.call(request).await
}
