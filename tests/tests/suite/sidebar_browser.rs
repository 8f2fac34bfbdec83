//! The sidebar in headless Chromium on a seeded demo brand: a guide signs in through the
//! (simulated) WeCom OAuth page, picks a customer with the dev bridge, sees their name, tags
//! and orders, opens an order, copies a tracking number, adds a tag (still there after a
//! reload, and WeCom was asked), and is refused a customer they do not follow. Each tab is
//! saved as a screenshot under `target/screenshots/`.

use std::time::Duration;

use chromiumoxide::Page;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entity::order;
use tests::browser::{
    HeadlessBrowser, click, screenshot, wait_for_count, wait_for_exact, wait_for_text,
};
use tests::seeded::seeded_brand;
use tests::sql::{number, texts};

const GUIDE: &str = "guide.li";

/// The page fits WeCom's 360 px panel: nothing is wider than the viewport.
async fn assert_fits_the_panel(page: &Page, what: &str) {
    let overflow: String = page
        .evaluate(
            "(() => { const w = document.documentElement.clientWidth; \
              const wide = [...document.querySelectorAll('body *')] \
                .filter(e => e.getBoundingClientRect().right > w + 1) \
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + \
                  Math.round(e.getBoundingClientRect().right)); \
              return document.documentElement.scrollWidth > w ? wide.join('; ') || 'scrollWidth' : ''; })()",
        )
        .await
        .unwrap()
        .into_value()
        .unwrap();
    assert_eq!(overflow, "", "{what}: wider than the panel");
}

#[tokio::test]
async fn a_guide_opens_a_customer_sees_orders_copies_a_tracking_number_and_adds_a_tag() {
    let brand = seeded_brand(80).await;
    let db = &brand.db;
    let app = &brand.app;
    // The guide's customer with the most shipped orders, one of its parcels, and a customer
    // only other guides follow.
    let customer = texts(
        db,
        &format!(
            "SELECT c.external_userid FROM customers c
             JOIN guide_customers r ON r.customer_id = c.id AND r.status = 'active'
             JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'
             JOIN member_customers mc ON mc.customer_id = c.id
             JOIN orders o ON o.member_id = mc.member_id
             JOIN shipments s ON s.order_id = o.id
             GROUP BY c.external_userid ORDER BY COUNT(*) DESC, c.external_userid LIMIT 1"
        ),
    )
    .await
    .pop()
    .unwrap();
    let name = texts(
        db,
        &format!("SELECT name FROM customers WHERE external_userid = '{customer}'"),
    )
    .await
    .pop()
    .unwrap();
    let parcel = texts(
        db,
        &format!(
            "SELECT o.source_id || '|' || s.tracking_no FROM orders o
             JOIN shipments s ON s.order_id = o.id
             JOIN member_customers mc ON mc.member_id = o.member_id
             JOIN customers c ON c.id = mc.customer_id AND c.external_userid = '{customer}'
             ORDER BY o.ordered_at DESC, o.id DESC LIMIT 1"
        ),
    )
    .await
    .pop()
    .unwrap();
    let (order_no, tracking_no) = parcel.split_once('|').unwrap();
    let stranger = texts(
        db,
        &format!(
            "SELECT c.external_userid FROM customers c WHERE NOT EXISTS (
               SELECT 1 FROM guide_customers r JOIN guides g ON g.id = r.guide_id
               WHERE r.customer_id = c.id AND g.wecom_userid = '{GUIDE}')
             ORDER BY c.external_userid LIMIT 1"
        ),
    )
    .await
    .pop()
    .unwrap();

    let browser = HeadlessBrowser::launch().await;
    browser.grant_clipboard(&app.address).await;
    let page = browser.open(&app.url("/auth/wecom/start")).await;
    click(&page, &format!("a[data-userid='{GUIDE}']")).await;
    wait_for_text(&page, "[data-testid=signed-in]").await;

    // The dev bridge: pick the customer.
    click(
        &page,
        &format!("[data-testid=pick-customer][data-customer='{customer}']"),
    )
    .await;
    wait_for_exact(&page, "[data-testid=customer-name]", &name).await;
    wait_for_text(&page, "[data-testid=tags]").await;
    wait_for_text(&page, "[data-testid=recent-orders] .order-line").await;
    assert_fits_the_panel(&page, "客户").await;
    screenshot(&page, "sidebar-tab-customer").await;

    // 订单: open the newest shipped order, copy its tracking number.
    click(&page, "[data-testid=tab-orders]").await;
    let row = format!("[data-testid=order][data-order='{order_no}'] button.row");
    click(&page, &row).await;
    wait_for_exact(
        &page,
        &format!("[data-order='{order_no}'] [data-testid=tracking-no]"),
        tracking_no,
    )
    .await;
    wait_for_text(
        &page,
        &format!("[data-order='{order_no}'] [data-testid=tracking-timeline] li"),
    )
    .await;
    // Its time in the guide's time zone (China), its amount in yuan with two decimals.
    let stored = order::Entity::find()
        .filter(order::Column::SourceId.eq(order_no))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let local = stored
        .ordered_at
        .with_timezone(&china)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let yuan = tests::browser::yuan(stored.paid_fen);
    let shown = wait_for_text(&page, &format!("[data-order='{order_no}'] button.row")).await;
    assert!(shown.contains(&local), "{local} in {shown}");
    assert!(shown.contains(&yuan), "{yuan} in {shown}");
    let copy = format!("[data-order='{order_no}'] [data-testid=copy-tracking]");
    click(&page, &copy).await;
    wait_for_exact(&page, &copy, "已复制").await;
    page.bring_to_front().await.unwrap();
    let clipboard: String = page
        .evaluate("navigator.clipboard.readText()")
        .await
        .expect("read the clipboard")
        .into_value()
        .unwrap();
    assert_eq!(clipboard, tracking_no);
    assert_fits_the_panel(&page, "订单").await;
    screenshot(&page, "sidebar-tab-orders").await;

    // 动态: the seed gave this customer a trail; its first page shows, newest first.
    let events = number(
        db,
        &format!(
            "SELECT COUNT(*) FROM behaviour_events e
             JOIN member_customers mc ON mc.member_id = e.member_id
             JOIN customers c ON c.id = mc.customer_id AND c.external_userid = '{customer}'"
        ),
    )
    .await;
    assert!(events > 0, "the seed gives the busiest customer a trail");
    click(&page, "[data-testid=tab-timeline]").await;
    wait_for_text(&page, "[data-testid=timeline] [data-testid=event]").await;
    wait_for_count(
        &page,
        "[data-testid=timeline] [data-testid=event]",
        usize::try_from(events.min(30)).unwrap(),
    )
    .await;
    assert!(page.find_element("[data-testid=no-events]").await.is_err());
    assert_fits_the_panel(&page, "动态").await;
    screenshot(&page, "sidebar-tab-timeline").await;

    // 客户: add a tag from the catalogue; it stays after a reload, and WeCom was asked.
    click(&page, "[data-testid=tab-customer]").await;
    click(&page, "[data-testid=add-tag]").await;
    wait_for_text(&page, "[data-testid=tag-choice]").await;
    let choice = page.find_element("[data-testid=tag-choice]").await.unwrap();
    let tag_id = choice.attribute("data-tag").await.unwrap().unwrap();
    choice.click().await.unwrap();
    let tag = format!("[data-testid=tag][data-tag='{tag_id}']");
    wait_for_text(&page, &tag).await;
    page.reload().await.unwrap();
    wait_for_exact(&page, "[data-testid=customer-name]", &name).await;
    wait_for_text(&page, &tag).await;
    let marked = brand.simulator.mark_tags().await;
    let last = marked.last().expect("mark_tag was called");
    assert_eq!(
        (
            last.userid.as_str(),
            last.external_userid.as_str(),
            last.add_tag.clone()
        ),
        (GUIDE, customer.as_str(), vec![tag_id.clone()])
    );

    // A customer the guide does not follow: refused.
    page.goto(app.url(&format!("/sidebar/?customer={stranger}")))
        .await
        .unwrap();
    let refused = wait_for_text(&page, "[data-testid=customer-refused]").await;
    assert!(refused.contains("不是你的企业微信客户"), "{refused}");
    browser.close().await;
}

/// What the WeCom client injects, faked: every call is recorded in `window.__wecomCalls` and
/// answered as the client answers a page whose signatures it accepted.
fn fake_wecom_bridge(customer: &str) -> String {
    fake_wecom_bridge_in(customer, "single_chat_tools")
}

/// The same, opened from `entry`: outside a one-to-one chat there is no current contact, and
/// in a group chat (`group_chat_tools`) `id` is the chat's. `sendChatMessage` answers `ok`.
pub(crate) fn fake_wecom_bridge_in(id: &str, entry: &str) -> String {
    fake_wecom_bridge_sending(id, entry, "sendChatMessage:ok")
}

/// The same, `sendChatMessage` answering `send_answer` (e.g. `sendChatMessage:cancel`).
pub(crate) fn fake_wecom_bridge_sending(id: &str, entry: &str, send_answer: &str) -> String {
    let contact = if entry == "single_chat_tools" {
        format!("{{ err_msg: 'getCurExternalContact:ok', userId: '{id}' }}")
    } else {
        "{ err_msg: 'getCurExternalContact:fail_no permission' }".to_owned()
    };
    let chat = if entry == "group_chat_tools" {
        format!("{{ err_msg: 'getCurExternalChat:ok', chatId: '{id}' }}")
    } else {
        "{ err_msg: 'getCurExternalChat:fail_no permission' }".to_owned()
    };
    format!(
        r#"(() => {{
  window.__wecomCalls = [];
  window.WeixinJSBridge = {{
    invoke(name, params, callback) {{
      window.__wecomCalls.push({{ name, params: JSON.parse(JSON.stringify(params || {{}})) }});
      const answers = {{
        preVerifyJSAPI: {{ err_msg: 'config:ok' }},
        agentConfig: {{ err_msg: 'agentConfig:ok' }},
        getCurExternalContact: {contact},
        getContext: {{ err_msg: 'getContext:ok', entry: '{entry}' }},
        getCurExternalChat: {chat},
        sendChatMessage: {{ err_msg: '{send_answer}' }},
      }};
      setTimeout(() => callback(answers[name] || {{ err_msg: name + ':fail' }}), 0);
    }},
    on() {{}},
  }};
}})();"#
    )
}

#[tokio::test]
async fn inside_wecom_the_real_jssdk_registers_with_the_servers_signatures_and_opens_the_chat_customer()
 {
    let brand = seeded_brand(40).await;
    let db = &brand.db;
    let app = &brand.app;
    let (customer, name) = {
        let row = texts(
            db,
            &format!(
                "SELECT c.external_userid || '|' || c.name FROM customers c
                 JOIN guide_customers r ON r.customer_id = c.id AND r.status = 'active'
                 JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'
                 ORDER BY c.external_userid LIMIT 1"
            ),
        )
        .await
        .pop()
        .unwrap();
        let (id, name) = row.split_once('|').unwrap();
        (id.to_owned(), name.to_owned())
    };
    let browser = HeadlessBrowser::launch().await;
    // A WeCom client older than 3.0.24: the SDK runs config, then agentConfig, then the call.
    // The sidebar is opened as WeCom opens it: the OAuth page, then the sidebar with ?code=.
    let sidebar = app.url("/sidebar/");
    let page = browser
        .open_in_wecom(
            &app.url("/auth/wecom/start"),
            "3.0.16",
            &fake_wecom_bridge(&customer),
        )
        .await;
    click(&page, &format!("a[data-userid='{GUIDE}']")).await;
    wait_for_exact(&page, "[data-testid=customer-name]", &name).await;
    // The sign-in's answer brought the page's signatures: no separate round trip for them.
    let asked = api_requests(&page).await;
    assert_eq!(
        asked
            .iter()
            .filter(|path| path.starts_with("/api/v1/session"))
            .count(),
        1,
        "{asked:?}"
    );
    assert!(
        asked.iter().all(|path| !path.starts_with("/api/v1/jssdk")),
        "{asked:?}"
    );
    assert!(
        page.find_element("[data-testid=customer-picker]")
            .await
            .is_err(),
        "no dev bridge inside WeCom"
    );
    screenshot(&page, "sidebar-in-wecom").await;

    let calls: serde_json::Value = page
        .evaluate("window.__wecomCalls")
        .await
        .unwrap()
        .into_value()
        .unwrap();
    let names: Vec<&str> = calls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let position = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{name} was not called: {names:?}"))
    };
    assert!(
        position("preVerifyJSAPI") < position("agentConfig"),
        "{names:?}"
    );
    assert!(
        position("agentConfig") < position("getCurExternalContact"),
        "{names:?}"
    );

    // The signatures are the server's: recomputed here from the tickets the simulator issued.
    let (corp_tickets, agent_tickets) = brand.simulator.tickets().await;
    let config = &calls[position("preVerifyJSAPI")]["params"];
    assert_eq!(config["verifyAppId"], brand.simulator.data.corp_id);
    let expected = server::wecom::jssdk::signature(
        corp_tickets.last().unwrap(),
        config["verifyNonceStr"].as_str().unwrap(),
        config["verifyTimestamp"].as_str().unwrap().parse().unwrap(),
        &sidebar,
    );
    assert_eq!(config["verifySignature"], expected);
    let agent = &calls[position("agentConfig")]["params"];
    assert_eq!(agent["corpid"], brand.simulator.data.corp_id);
    assert_eq!(agent["agentid"], brand.simulator.data.agent_id.to_string());
    let expected = server::wecom::jssdk::signature(
        agent_tickets.last().unwrap(),
        agent["nonceStr"].as_str().unwrap(),
        agent["timestamp"].as_str().unwrap().parse().unwrap(),
        &sidebar,
    );
    assert_eq!(agent["signature"], expected);

    // A reload (the session stands): the session check brings the signatures too.
    page.reload().await.unwrap();
    wait_for_exact(&page, "[data-testid=customer-name]", &name).await;
    let asked = api_requests(&page).await;
    assert!(
        asked
            .iter()
            .any(|path| path.starts_with("/api/v1/session?url=")),
        "{asked:?}"
    );
    assert!(
        asked.iter().all(|path| !path.starts_with("/api/v1/jssdk")),
        "{asked:?}"
    );

    // The session request does not wait for the WASM: with WebAssembly stalled for good, the
    // page still asks (index.html starts it), and shows its skeleton meanwhile.
    let stalled = browser
        .open_in_wecom(
            &sidebar,
            "4.1.30",
            "WebAssembly.instantiateStreaming = () => new Promise(() => {});
             WebAssembly.instantiate = () => new Promise(() => {});
             window.__fetched = [];
             const fetchNow = window.fetch;
             window.fetch = function (url, options) {
               window.__fetched.push(String(url));
               return fetchNow.apply(this, arguments);
             };",
        )
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let fetched: Vec<String> = stalled
            .evaluate("window.__fetched")
            .await
            .unwrap()
            .into_value()
            .unwrap();
        if fetched
            .iter()
            .any(|url| url.starts_with("/api/v1/session?url="))
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no session request without the WASM: {fetched:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(stalled.find_element("#boot[aria-busy=true]").await.is_ok());
    assert!(
        stalled
            .find_element("[data-testid=signed-in]")
            .await
            .is_err()
    );
    browser.close().await;
}

/// The API paths (with query) the page has requested since it loaded, in order.
async fn api_requests(page: &Page) -> Vec<String> {
    page.evaluate(
        "performance.getEntriesByType('resource')
           .map(e => new URL(e.name)).filter(u => u.pathname.startsWith('/api/'))
           .map(u => u.pathname + u.search)",
    )
    .await
    .unwrap()
    .into_value()
    .unwrap()
}
