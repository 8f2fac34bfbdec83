//! The sidebar's API on a seeded demo brand: a guide reads the profile, orders (paged), one
//! order with its parcels' timelines and the behaviour trail of customers they follow, and
//! nothing of anyone else; tags are edited through WeCom and read back; without a member the
//! WeCom half still answers; with WeCom down every read still answers.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use reqwest::header::COOKIE;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use server::demo::seed;
use server::sidebar::profile::{read_composed, read_in_one_statement};
use server::wecom_sim::Fault;
use tests::backends::{TestDatabase, test_database_url};
use tests::guide_session::{SessionCookie, sign_in};
use tests::seeded::{SeededBrand, connect, seed_options, seeded_brand};
use tests::sql::{number, numbers, texts};

/// The first guide of the demo brand (李娜).
const GUIDE: &str = "guide.li";

/// A customer `GUIDE` follows, linked to a member, chosen by the most orders with a parcel.
async fn busy_customer(brand: &SeededBrand) -> String {
    texts(
        &brand.db,
        &format!(
            "SELECT c.external_userid FROM customers c
             JOIN guide_customers r ON r.customer_id = c.id
             JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'
             JOIN member_customers mc ON mc.customer_id = c.id
             JOIN orders o ON o.member_id = mc.member_id
             JOIN shipments s ON s.order_id = o.id
             WHERE r.status = 'active'
             GROUP BY c.external_userid ORDER BY COUNT(*) DESC, c.external_userid LIMIT 1"
        ),
    )
    .await
    .pop()
    .expect("the demo guide follows a customer with shipped orders")
}

async fn member_id_of(db: &DatabaseConnection, external_userid: &str) -> i64 {
    number(
        db,
        &format!(
            "SELECT mc.member_id FROM member_customers mc JOIN customers c ON c.id = mc.customer_id
             WHERE c.external_userid = '{external_userid}'"
        ),
    )
    .await
}

async fn get(brand: &SeededBrand, cookie: &SessionCookie, path: &str) -> (StatusCode, Value) {
    brand.app.get_as(cookie, path).await
}

async fn edit_tags(
    brand: &SeededBrand,
    cookie: &SessionCookie,
    method: reqwest::Method,
    customer: &str,
    tags: &[&str],
) -> (StatusCode, Value) {
    let response = brand
        .app
        .http
        .request(
            method,
            brand.app.url(&format!("/api/v1/customers/{customer}/tags")),
        )
        .header(COOKIE, &cookie.0)
        .json(&json!({ "tagIds": tags }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The corp tags (`source` `wecom`) among tag groups.
fn tag_ids(groups: &Value) -> BTreeSet<String> {
    groups
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["source"] == "wecom")
        .flat_map(|g| g["tags"].as_array().unwrap().iter())
        .map(|t| t["tagId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_guide_reads_profile_orders_an_order_and_the_timeline_of_a_customer_they_follow() {
    let brand = seeded_brand(80).await;
    let db = &brand.db;
    let cookie = sign_in(&brand.app, &brand.simulator, GUIDE).await;
    let customer = busy_customer(&brand).await;
    let member_id = member_id_of(db, &customer).await;

    let (status, profile) = get(
        &brand,
        &cookie,
        &format!("/api/v1/customers/{customer}/profile"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    let name = texts(
        db,
        &format!("SELECT name FROM customers WHERE external_userid = '{customer}'"),
    )
    .await;
    assert_eq!(profile["contact"]["name"], name[0]);
    assert_eq!(profile["contact"]["relation"], "active");
    let member = &profile["member"];
    let stored = texts(
        db,
        &format!("SELECT source_id FROM members WHERE id = {member_id}"),
    )
    .await;
    assert_eq!(member["memberId"], stored[0]);
    assert!(
        member["mobileMasked"]
            .as_str()
            .is_none_or(|m| m.starts_with("1** **** ") && m.len() == 13),
        "{member}"
    );
    // The three newest orders, newest first, as stored.
    let newest = texts(
        db,
        &format!(
            "SELECT source_id FROM orders WHERE member_id = {member_id}
             ORDER BY ordered_at DESC, id DESC LIMIT 3"
        ),
    )
    .await;
    let shown: Vec<&str> = profile["recentOrders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orderNo"].as_str().unwrap())
        .collect();
    assert_eq!(shown, newest);
    let usable = number(
        db,
        &format!(
            "SELECT COUNT(*) FROM coupon_grants WHERE member_id = {member_id}
             AND status IN ('issued', 'claimed')
             AND (expires_at IS NULL OR expires_at > CURRENT_TIMESTAMP)"
        ),
    )
    .await;
    assert_eq!(profile["usableCoupons"], usable);
    let tags = texts(
        db,
        &format!(
            "SELECT t.wecom_tag_id FROM guide_customer_tags rt
             JOIN guide_customers r ON r.id = rt.guide_customer_id
             JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'
             JOIN customers c ON c.id = r.customer_id AND c.external_userid = '{customer}'
             JOIN tags t ON t.id = rt.tag_id AND t.deleted = false"
        ),
    )
    .await;
    assert_eq!(tag_ids(&profile["tagGroups"]), tags.into_iter().collect());
    // The brand's own tags on the member, after the corp tags, as stored.
    let mut mall: Vec<String> = profile["tagGroups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["source"] == "mall")
        .flat_map(|g| {
            let group = g["name"].as_str().unwrap().to_owned();
            g["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| format!("{group}:{}", t["name"].as_str().unwrap()))
        })
        .collect();
    mall.sort();
    let mut stored = texts(
        db,
        &format!(
            "SELECT group_name || ':' || tag_name FROM member_tags WHERE member_id = {member_id}"
        ),
    )
    .await;
    stored.sort();
    assert!(
        !stored.is_empty(),
        "the demo gives members tags of the brand's own"
    );
    assert_eq!(mall, stored);
    assert!(
        ["active", "cooling", "dormant", "churned"]
            .contains(&profile["status"]["churn"].as_str().unwrap()),
        "{}",
        profile["status"]
    );

    // Every order, page by page, newest first, each once: 45 more orders, ten of them at the
    // same second (the page boundary falls inside them), so paging crosses pages and ties.
    let member_source = member["memberId"].as_str().unwrap().to_owned();
    for n in 0..45 {
        let at = if n < 10 {
            "2025-06-18T12:00:00Z".to_owned()
        } else {
            format!("2025-01-{:02}T08:00:00Z", n % 28 + 1)
        };
        let record: server::commerce::orders::OrderRecord = serde_json::from_value(json!({
            "id": format!("PAGING-{n:02}"), "updated_at": "2026-01-01T00:00:00Z",
            "member_id": member_source, "channel": "online", "status": "completed",
            "total_fen": 100, "paid_fen": 100, "ordered_at": at,
            "items": [{"sku": "S", "title": "测试", "quantity": 1, "price_fen": 100}]
        }))
        .unwrap();
        server::commerce::orders::apply(db, record, chrono::Utc::now())
            .await
            .unwrap();
    }
    let mut pages = 0;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/customers/{customer}/orders?cursor={c}"),
            None => format!("/api/v1/customers/{customer}/orders"),
        };
        let (status, page) = get(&brand, &cookie, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages += 1;
        for order in page["orders"].as_array().unwrap() {
            seen.push((
                order["orderedAt"].as_str().unwrap().to_owned(),
                order["id"].as_i64().unwrap(),
            ));
        }
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let all = numbers(
        db,
        &format!(
            "SELECT id FROM orders WHERE member_id = {member_id} ORDER BY ordered_at DESC, id DESC"
        ),
    )
    .await;
    assert_eq!(seen.iter().map(|(_, id)| *id).collect::<Vec<_>>(), all);
    assert!(pages >= 3, "{} orders in {pages} pages", all.len());

    // An order with parcels: items add up, every tracking event is there, newest first.
    let shipped = number(
        db,
        &format!(
            "SELECT o.id FROM orders o JOIN shipments s ON s.order_id = o.id
             WHERE o.member_id = {member_id} ORDER BY o.id LIMIT 1"
        ),
    )
    .await;
    let (status, order) = get(&brand, &cookie, &format!("/api/v1/orders/{shipped}")).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    let items_total: i64 = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amountFen"].as_i64().unwrap())
        .sum();
    assert_eq!(items_total, order["totalFen"].as_i64().unwrap());
    let events = number(
        db,
        &format!(
            "SELECT COUNT(*) FROM shipment_events e JOIN shipments s ON s.id = e.shipment_id
             WHERE s.order_id = {shipped}"
        ),
    )
    .await;
    let parcels = order["shipments"].as_array().unwrap();
    assert!(!parcels.is_empty());
    let shown: usize = parcels
        .iter()
        .map(|p| p["events"].as_array().unwrap().len())
        .sum();
    assert_eq!(shown as i64, events);
    for parcel in parcels {
        assert!(!parcel["trackingNo"].as_str().unwrap().is_empty());
        let times: Vec<&str> = parcel["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["at"].as_str().unwrap())
            .collect();
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted, "newest event first");
    }

    // The behaviour trail, page by page.
    let mut trail = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/customers/{customer}/timeline?cursor={c}"),
            None => format!("/api/v1/customers/{customer}/timeline"),
        };
        let (status, page) = get(&brand, &cookie, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        trail += page["events"].as_array().unwrap().len() as i64;
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let stored = number(
        db,
        &format!("SELECT COUNT(*) FROM behaviour_events WHERE member_id = {member_id}"),
    )
    .await;
    assert_eq!(trail, stored);
    let (status, bad) = get(
        &brand,
        &cookie,
        &format!("/api/v1/customers/{customer}/orders?cursor=yesterday"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["code"], "invalid_cursor");
}

#[tokio::test]
async fn customers_and_orders_of_other_guides_are_not_found_and_a_stranger_is_refused() {
    let brand = seeded_brand(80).await;
    let db = &brand.db;
    let cookie = sign_in(&brand.app, &brand.simulator, GUIDE).await;
    // A customer only other guides follow, with an order.
    let (other, order_id) = {
        let other = texts(
            db,
            &format!(
                "SELECT c.external_userid FROM customers c
                 JOIN member_customers mc ON mc.customer_id = c.id
                 JOIN orders o ON o.member_id = mc.member_id
                 WHERE NOT EXISTS (SELECT 1 FROM guide_customers r JOIN guides g ON g.id = r.guide_id
                   WHERE r.customer_id = c.id AND g.wecom_userid = '{GUIDE}')
                 ORDER BY c.external_userid LIMIT 1"
            ),
        )
        .await
        .pop()
        .expect("a customer of another guide");
        let member = member_id_of(db, &other).await;
        let order = number(
            db,
            &format!("SELECT MIN(id) FROM orders WHERE member_id = {member}"),
        )
        .await;
        (other, order)
    };
    for path in [
        format!("/api/v1/customers/{other}/profile"),
        format!("/api/v1/customers/{other}/orders"),
        format!("/api/v1/customers/{other}/timeline"),
        format!("/api/v1/orders/{order_id}"),
        "/api/v1/customers/wmNOBODY/profile".to_owned(),
        "/api/v1/orders/999999999".to_owned(),
        "/api/v1/orders/not-a-number".to_owned(),
    ] {
        let (status, body) = get(&brand, &cookie, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(body["code"], "not_found", "{path}");
    }
    let (status, _) = edit_tags(
        &brand,
        &cookie,
        reqwest::Method::POST,
        &other,
        &["etDEMOG01"],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without a session: 401, whoever the customer is.
    let response = brand
        .app
        .http
        .get(brand.app.url(&format!("/api/v1/customers/{other}/profile")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// The profile does not re-read the guide before its query (on PostgreSQL the query checks the
/// guide is active): a guide resigned or disabled since signing in is still told so at once
/// when opening a customer they follow, and signed out, as on every other call.
#[tokio::test]
async fn a_guide_refused_since_signing_in_reads_no_profile_and_is_signed_out() {
    let brand = seeded_brand(40).await;
    let db = &brand.db;
    for (status, code) in [
        ("resigned", "guide_resigned"),
        ("disabled", "guide_disabled"),
    ] {
        db.execute_unprepared(&format!(
            "UPDATE guides SET status = 'active' WHERE wecom_userid = '{GUIDE}'"
        ))
        .await
        .unwrap();
        let cookie = sign_in(&brand.app, &brand.simulator, GUIDE).await;
        let customer = busy_customer(&brand).await;
        let path = format!("/api/v1/customers/{customer}/profile");
        assert_eq!(get(&brand, &cookie, &path).await.0, StatusCode::OK);
        db.execute_unprepared(&format!(
            "UPDATE guides SET status = '{status}' WHERE wecom_userid = '{GUIDE}'"
        ))
        .await
        .unwrap();
        let (answer, body) = get(&brand, &cookie, &path).await;
        assert_eq!(answer, StatusCode::FORBIDDEN, "{status}: {body}");
        assert_eq!(body["code"], code);
        assert!(body.get("contact").is_none(), "{body}");
        let (answer, body) = get(&brand, &cookie, &path).await;
        assert_eq!(answer, StatusCode::UNAUTHORIZED, "signed out: {body}");
    }
}

#[tokio::test]
async fn a_customer_with_no_member_gets_the_wecom_half_and_the_unlinked_state() {
    let brand = seeded_brand(40).await;
    let db = &brand.db;
    let cookie = sign_in(&brand.app, &brand.simulator, GUIDE).await;
    let customer = busy_customer(&brand).await;
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_string(
        backend,
        format!(
            "DELETE FROM member_customers WHERE customer_id =
             (SELECT id FROM customers WHERE external_userid = '{customer}')"
        ),
    ))
    .await
    .unwrap();
    let (status, profile) = get(
        &brand,
        &cookie,
        &format!("/api/v1/customers/{customer}/profile"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["member"], Value::Null);
    assert_eq!(profile["status"]["churn"], "unknown");
    assert_eq!(profile["recentOrders"], json!([]));
    assert_eq!(profile["contact"]["externalUserid"], customer);
    let (status, page) = get(
        &brand,
        &cookie,
        &format!("/api/v1/customers/{customer}/orders"),
    )
    .await;
    assert_eq!(
        (status, page["orders"].clone()),
        (StatusCode::OK, json!([]))
    );
}

#[tokio::test]
async fn tags_are_marked_through_wecom_read_back_and_a_refusal_changes_nothing() {
    let brand = seeded_brand(40).await;
    let cookie = sign_in(&brand.app, &brand.simulator, GUIDE).await;
    let customer = busy_customer(&brand).await;
    let profile_tags = || async {
        let (status, profile) = get(
            &brand,
            &cookie,
            &format!("/api/v1/customers/{customer}/profile"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        tag_ids(&profile["tagGroups"])
    };
    let before = profile_tags().await;
    let (status, catalogue) = get(&brand, &cookie, "/api/v1/tags").await;
    assert_eq!(status, StatusCode::OK);
    let new_tag = tag_ids(&catalogue["groups"])
        .into_iter()
        .find(|t| !before.contains(t))
        .expect("a tag the customer does not have");

    let (status, answer) = edit_tags(
        &brand,
        &cookie,
        reqwest::Method::POST,
        &customer,
        &[&new_tag],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(tag_ids(&answer).contains(&new_tag));
    assert!(profile_tags().await.contains(&new_tag), "read back");
    let marks = brand.simulator.mark_tags().await;
    let last = marks.last().expect("WeCom was asked");
    assert_eq!(
        (last.userid.as_str(), last.external_userid.as_str()),
        (GUIDE, customer.as_str())
    );
    assert_eq!(last.add_tag, vec![new_tag.clone()]);
    // A double tap: harmless.
    let (status, _) = edit_tags(
        &brand,
        &cookie,
        reqwest::Method::POST,
        &customer,
        &[&new_tag],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // WeCom refuses the removal: the tag stays, the guide is told.
    brand
        .simulator
        .inject(Fault {
            path: "cgi-bin/externalcontact/mark_tag".into(),
            errcode: 40068,
            times: 1,
            delay_ms: 0,
            after: 0,
        })
        .await;
    let (status, error) = edit_tags(
        &brand,
        &cookie,
        reqwest::Method::DELETE,
        &customer,
        &[&new_tag],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{error}");
    assert_eq!(error["code"], "wecom_error");
    assert!(profile_tags().await.contains(&new_tag), "nothing changed");
    let (status, answer) = edit_tags(
        &brand,
        &cookie,
        reqwest::Method::DELETE,
        &customer,
        &[&new_tag],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(profile_tags().await, before);

    for (tags, code) in [
        (vec![], "invalid_tags"),
        (vec!["etNOSUCHTAG"], "unknown_tag"),
    ] {
        let (status, error) =
            edit_tags(&brand, &cookie, reqwest::Method::POST, &customer, &tags).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code))
        );
    }
}

/// Every read answers from local data: with WeCom down, the same bodies as with WeCom up.
#[tokio::test]
async fn with_wecom_down_every_read_still_answers_from_local_data() {
    let brand = seeded_brand(40).await;
    let cookie = sign_in(&brand.app, &brand.simulator, GUIDE).await;
    let customer = busy_customer(&brand).await;
    let paths = [
        format!("/api/v1/customers/{customer}/profile"),
        format!("/api/v1/customers/{customer}/orders"),
        format!("/api/v1/customers/{customer}/timeline"),
        "/api/v1/customers".to_owned(),
        "/api/v1/tags".to_owned(),
    ];
    let mut healthy = Vec::new();
    for path in &paths {
        let (status, body) = get(&brand, &cookie, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        healthy.push(body);
    }
    brand.simulator.stop().await;
    for (path, healthy) in paths.iter().zip(healthy) {
        let (status, body) = get(&brand, &cookie, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body, healthy, "{path}: the same answer as with WeCom up");
        assert_ne!(body, json!({}), "{path}");
    }
}

#[tokio::test]
async fn a_guide_lists_and_searches_only_their_own_customers() {
    let brand = seeded_brand(80).await;
    let db = &brand.db;
    let cookie = sign_in(&brand.app, &brand.simulator, GUIDE).await;
    let mine: BTreeSet<String> = texts(
        db,
        &format!(
            "SELECT c.external_userid FROM customers c JOIN guide_customers r ON r.customer_id = c.id
             JOIN guides g ON g.id = r.guide_id AND g.wecom_userid = '{GUIDE}'"
        ),
    )
    .await
    .into_iter()
    .collect();
    let (status, list) = get(&brand, &cookie, "/api/v1/customers").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed: Vec<&Value> = list["customers"].as_array().unwrap().iter().collect();
    let ids: BTreeSet<String> = listed
        .iter()
        .map(|c| c["externalUserid"].as_str().unwrap().to_owned())
        .collect();
    assert!(!mine.is_empty());
    assert_eq!(ids, mine.iter().take(50).cloned().collect());
    // A name's first two characters find that customer; LIKE's wildcards are plain text.
    let name = listed[0]["name"].as_str().unwrap();
    let fragment: String = name.chars().take(2).collect();
    let (status, found) = get(
        &brand,
        &cookie,
        &format!("/api/v1/customers?q={}", urlencode(&fragment)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        found["customers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["externalUserid"] == listed[0]["externalUserid"]),
        "{fragment}: {found}"
    );
    let (_, none) = get(&brand, &cookie, "/api/v1/customers?q=%25").await;
    assert_eq!(none["customers"], json!([]));
}

fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The profile's two readers (one statement on PostgreSQL; a query per part, SQLite's) read
/// the same parts for every relation of a demo brand: active and lost, customers with and
/// without a member, with and without orders, parcels and coupons, a corp tag deleted in
/// WeCom but still on relations; and neither reads a customer the guide does not follow.
#[tokio::test]
async fn the_one_statement_profile_reads_what_the_composed_reader_reads_on_postgres() {
    let admin = test_database_url().expect("this test needs TEST_DATABASE_URL (PostgreSQL)");
    let database = TestDatabase::create_postgres(&admin).await;
    let db = connect(&database).await;
    let dir = tempfile::tempdir().unwrap();
    seed(&db, &seed_options(60, 7, &dir.path().join("sim.json")))
        .await
        .unwrap();
    // Cases the seed may not hold on its own.
    for sql in [
        "UPDATE tags SET deleted = true WHERE id = (SELECT min(tag_id) FROM guide_customer_tags)",
        "DELETE FROM member_customers WHERE id = (SELECT min(id) FROM member_customers)",
        "UPDATE guide_customers SET status = 'lost' WHERE id = (SELECT max(id) FROM guide_customers)",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    let relations = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT g.id, g.wecom_userid, c.external_userid, g.status FROM guide_customers r
             JOIN guides g ON g.id = r.guide_id JOIN customers c ON c.id = r.customer_id
             ORDER BY r.id",
        ))
        .await
        .unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .to_utc();
    let (mut lost, mut no_member, mut no_orders, mut parcels, mut coupons, mut mall_tags) =
        (0, 0, 0, 0, 0, 0);
    for row in &relations {
        let guide: i64 = row.try_get_by_index(0).unwrap();
        let userid: String = row.try_get_by_index(1).unwrap();
        let customer: String = row.try_get_by_index(2).unwrap();
        let active = row.try_get_by_index::<String>(3).unwrap() == "active";
        let one = read_in_one_statement(&db, guide, &customer, now)
            .await
            .unwrap();
        if !active {
            // The statement reads for active guides only (the handler then tells why not).
            assert_eq!(one, None, "{userid} is not active");
            continue;
        }
        let composed = read_composed(&db, guide, &customer, now).await.unwrap();
        assert_eq!(one, composed, "{userid} reading {customer}");
        let parts = one.expect("a followed customer is read");
        lost += usize::from(parts.contact.relation == shared::customer::Relation::Lost);
        no_member += usize::from(parts.member.is_none());
        no_orders += usize::from(parts.member.is_some() && parts.recent_orders.is_empty());
        parcels += parts
            .recent_orders
            .iter()
            .filter(|o| o.shipment.as_ref().is_some_and(|s| s.latest.is_some()))
            .count();
        coupons += usize::from(parts.usable_coupons > 0);
        mall_tags += usize::from(!parts.mall_tags.is_empty());
        // Someone else's customer: a guide id that follows no one.
        let stranger = read_in_one_statement(&db, -1, &customer, now).await;
        assert_eq!(stranger.unwrap(), None, "{customer}");
        let stranger = read_composed(&db, -1, &customer, now).await;
        assert_eq!(stranger.unwrap(), None, "{customer}");
    }
    let covered = [lost, no_member, no_orders, parcels, coupons, mall_tags];
    assert!(covered.iter().all(|&n| n > 0), "cases met: {covered:?}");
}
