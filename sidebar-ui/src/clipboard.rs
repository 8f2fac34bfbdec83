//! Copying text for the guide: the asynchronous Clipboard API where the page may use it, and
//! the older `execCommand("copy")` on a hidden text area where it may not (some embedded
//! web views refuse the API).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Puts `text` on the clipboard; whether it worked.
pub async fn copy(text: &str) -> bool {
    if write_with_api(text).await {
        return true;
    }
    write_with_command(text)
}

async fn write_with_api(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator: JsValue = window.navigator().into();
    let Ok(clipboard) = Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Ok(write) = Reflect::get(&clipboard, &"writeText".into()) else {
        return false;
    };
    let Some(write) = write.dyn_ref::<Function>() else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &text.into()) else {
        return false;
    };
    match promise.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}

fn write_with_command(text: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Ok(area) = document.create_element("textarea") else {
        return false;
    };
    let Some(body) = document.body() else {
        return false;
    };
    area.set_text_content(Some(text));
    let _ = area.set_attribute("style", "position:fixed;top:-1000px;opacity:0");
    if body.append_child(&area).is_err() {
        return false;
    }
    let select = Reflect::get(&area, &"select".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .map(|f| f.call0(&area));
    let copied = select.is_some()
        && Reflect::get(&document, &"execCommand".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call1(&document, &"copy".into()).ok())
            .and_then(|ok| ok.as_bool())
            .unwrap_or(false);
    area.remove();
    copied
}
