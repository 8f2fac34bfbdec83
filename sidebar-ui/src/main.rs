//! GuideDesk sidebar: the page WeCom opens next to a customer's chat.

mod api;
mod app;
mod guide_session;
mod service_status;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
