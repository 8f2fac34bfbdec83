//! Reports, on both databases: a seeded brand's sales (stamped and not, members and guests,
//! partial and full refunds, cancellations, repeated reports) and a guide's share, opens,
//! visits and carts; every report's total (by guide, store, region, day, and as CSV) equals
//! the ledger and the orders to the fen, the summary equals the ledger recounted day by
//! day, a replay under another policy keeps it so, and each reader sees only their rows.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use server::attribution::replay::replay;
use server::attribution::{Attribution, policy};
use server::commerce::batch::Kind;
use server::config::{AttributionPolicy, CreditRule};
use server::reports::tally::report_day;
use tests::guide_session::{SessionCookie, sign_in};

use crate::attribution::{crediting, order, report};
use crate::sending::{Brand, brand_with, ingest, open_once, send, template, to};

/// The brand's orders: odd amounts, a third stamped by guide.li's share to M1, guests with
/// the stamp, partial and full refunds, cancellations; paid over the last day and a half.
fn seeded_orders(stamp: &str) -> Vec<Value> {
    (0..48_i64)
        .map(|n| {
            let paid = (Utc::now() - Duration::minutes(37 * n + 5)).to_rfc3339();
            let amount = 1_003 + n * 7_919 % 50_021;
            let mut extra = json!({"paid_at": paid, "ordered_at": paid, "updated_at": paid});
            match n % 6 {
                0 => extra["stamp"] = json!(stamp),
                1 => extra["member_id"] = json!("M2"),
                2 => {
                    extra["member_id"] = Value::Null;
                    extra["stamp"] = json!(stamp);
                }
                3 => {
                    extra["status"] = json!("completed");
                    extra["refunded_fen"] = json!(amount / 3);
                }
                4 => extra["status"] = json!("cancelled"),
                _ => {
                    extra["member_id"] = Value::Null;
                    extra["store_id"] = Value::Null;
                    extra["status"] = json!("refunded");
                }
            }
            order(&format!("O-{n:03}"), "M1", amount, extra)
        })
        .collect()
}

/// guide.li sends a coupon to M1's customer, reports it sent, and the link is opened: the
/// stamp as the mall receives it, and the short link.
pub(crate) async fn share_from_li(brand: &Brand) -> (String, String) {
    ingest(
        &brand.db,
        Kind::CouponTemplates,
        vec![template("CT-R", json!({}))],
    )
    .await;
    let (status, sent) = send(&brand.app, &brand.li, to(1), "coupon", "CT-R", "r-1").await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let token = sent["token"].as_str().unwrap();
    let url = brand.app.url(&format!("/api/v1/shares/{token}/sent"));
    let answer = brand
        .app
        .http
        .post(url)
        .header(COOKIE, &brand.li.0)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let link = sent["link"].as_str().unwrap().to_owned();
    let (_, target) = open_once(&brand.app, &link).await;
    (target.split_once('?').unwrap().1.to_owned(), link)
}

async fn get(brand: &Brand, cookie: &SessionCookie, path: &str) -> (StatusCode, String) {
    let response = brand
        .app
        .http
        .get(brand.app.url(path))
        .header(COOKIE, &cookie.0)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn json_of(brand: &Brand, cookie: &SessionCookie, path: &str) -> Value {
    let (status, body) = get(brand, cookie, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The ledger's net (credits less reversals), and the orders' (paid less refunded).
async fn ledger_and_orders(db: &DatabaseConnection) -> (i64, i64) {
    let ledger = tests::sql::number(
        db,
        "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM order_credits",
    )
    .await;
    let orders = tests::sql::number(
        db,
        "SELECT CAST(COALESCE(SUM(paid_fen - refunded_fen), 0) AS BIGINT) FROM orders
         WHERE status IN ('paid', 'shipped', 'completed', 'refunded')",
    )
    .await;
    (ledger, orders)
}

/// The summary's order rows, and the same recounted from the ledger: day|guide|store →
/// orders, sales, refunds.
async fn summary_and_recount(
    db: &DatabaseConnection,
) -> (BTreeMap<String, [i64; 3]>, BTreeMap<String, [i64; 3]>) {
    let mut summary = BTreeMap::new();
    for line in tests::sql::texts(
        db,
        "SELECT day || '|' || guide_id || '|' || store_id || '|' || orders
        || '|' || sales_fen || '|' || refunds_fen FROM report_days",
    )
    .await
    {
        let parts: Vec<&str> = line.split('|').collect();
        let figures = [parts[3], parts[4], parts[5]].map(|p| p.parse::<i64>().unwrap());
        if figures != [0, 0, 0] {
            summary.insert(parts[..3].join("|"), figures);
        }
    }
    let mut recount: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    let rows = tests::sql::texts(
        db,
        "SELECT entry || '|' || amount_fen || '|' || COALESCE(guide_id, 0)
        || '|' || COALESCE(store_id, 0) || '|' || credited_at FROM order_credits",
    )
    .await;
    for line in rows {
        let parts: Vec<&str> = line.split('|').collect();
        let at = parts[4].replace(' ', "T");
        let at = chrono::DateTime::parse_from_rfc3339(&at)
            .or_else(|_| chrono::DateTime::parse_from_str(&at, "%Y-%m-%dT%H:%M:%S%.f%#z"))
            .unwrap_or_else(|e| panic!("{at}: {e}"))
            .with_timezone(&Utc);
        let key = format!("{}|{}|{}", report_day(at), parts[2], parts[3]);
        let amount: i64 = parts[1].parse().unwrap();
        let counts = recount.entry(key).or_default();
        if parts[0] == "reversal" {
            counts[2] -= amount;
        } else {
            counts[0] += 1;
            counts[1] += amount;
        }
    }
    (summary, recount)
}

/// Every breakdown's total, as headquarters reads it, is the ledger's.
async fn totals_reconcile(brand: &Brand, hq: &SessionCookie, net: i64, period: &str) {
    for by in ["guides", "stores", "regions", "days"] {
        let answer = json_of(brand, hq, &format!("/api/v1/reports/{by}?{period}")).await;
        let total = &answer["total"];
        assert_eq!(total["netFen"], net, "{by}: {answer}");
        let rows: i64 = answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["netFen"].as_i64().unwrap())
            .sum();
        assert_eq!(rows, net, "{by}: the rows add up to the total");
        assert_eq!(
            total["salesFen"].as_i64().unwrap() - total["refundsFen"].as_i64().unwrap(),
            net
        );
    }
}

#[tokio::test]
async fn every_report_reconciles_with_the_ledger_and_the_orders_to_the_fen() {
    let brand = brand_with(vec![
        ("GUIDEDESK_REPORT_HQ_USERIDS", "guide.zhao".into()),
        ("GUIDEDESK_COMMISSION_BASIS_POINTS", "300".into()),
    ])
    .await;
    tests::sql::execute(
        &brand.db,
        "UPDATE stores SET region = '华东' WHERE source_id = 'S001'",
    )
    .await;
    ingest(
        &brand.db,
        Kind::Members,
        vec![json!({"id": "M2", "updated_at": "2026-01-01T00:00:00Z",
        "name": "张先生", "home_store_id": "S001"})],
    )
    .await;
    let hq = sign_in(&brand.app, &brand.simulator, "guide.zhao").await;
    let after: Attribution = crediting(&brand.db, AttributionPolicy::default()).await;
    let (stamp, _) = share_from_li(&brand).await;
    let at = (Utc::now() - Duration::minutes(3)).to_rfc3339();
    let event = |id: &str, kind: &str| {
        json!({"id": id, "updated_at": at, "member_id": "M1",
        "kind": kind, "at": at, "stamp": stamp})
    };
    let events = vec![event("E-V", "visit"), event("E-C", "add_to_cart")];
    report(&brand.db, &after, Kind::Events, events.clone()).await;
    let orders = seeded_orders(&stamp);
    for batch in orders.chunks(7) {
        report(&brand.db, &after, Kind::Orders, batch.to_vec()).await;
    }
    // Reported again, in another order: nothing changes.
    let mut again = orders.clone();
    again.reverse();
    report(&brand.db, &after, Kind::Orders, again).await;
    report(&brand.db, &after, Kind::Events, events).await;

    let (ledger, paid) = ledger_and_orders(&brand.db).await;
    assert_eq!(ledger, paid, "the ledger is the orders' paid less refunded");
    assert!(ledger > 0);
    let (summary, recount) = summary_and_recount(&brand.db).await;
    assert_eq!(
        summary, recount,
        "the summary is the ledger recounted by day"
    );

    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let period = format!("from={}&to={}", today - Duration::days(3), today);
    totals_reconcile(&brand, &hq, ledger, &period).await;

    // guide.li's own figures: the share, the people who opened it, the visit and the cart.
    let mine = json_of(
        &brand,
        &brand.li,
        &format!("/api/v1/reports/guides?{period}"),
    )
    .await;
    let rows = mine["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "a guide sees only their own row: {mine}");
    assert_eq!(rows[0]["name"], "李娜");
    assert_eq!(
        (
            rows[0]["shares"].as_i64(),
            rows[0]["visits"].as_i64(),
            rows[0]["carts"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{mine}"
    );
    let li_net = rows[0]["netFen"].as_i64().unwrap();
    let expected_commission = (li_net * 300 + 5_000).div_euclid(10_000);
    assert_eq!(rows[0]["commissionFen"], expected_commission);
    let li_ledger = tests::sql::number(
        &brand.db,
        "SELECT CAST(SUM(c.amount_fen) AS BIGINT)
        FROM order_credits c JOIN guides g ON g.id = c.guide_id WHERE g.wecom_userid = 'guide.li'",
    )
    .await;
    assert_eq!(li_net, li_ledger);

    // The CSV opens in Excel: a BOM, Chinese headers, the total in yuan last.
    let (status, csv) = get(
        &brand,
        &hq,
        &format!("/api/v1/reports/stores?{period}&format=csv"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}编号,名称"), "{csv}");
    let last = csv.lines().last().unwrap();
    let yuan = format!("{}.{:02}", ledger / 100, ledger % 100);
    assert!(
        last.starts_with(",合计,") && last.contains(&yuan),
        "{last} / {yuan}"
    );

    // A replay under another policy (the store takes every sale) keeps everything reconciled.
    let stores_only = AttributionPolicy {
        rules: vec![CreditRule::Store],
        ..AttributionPolicy::default()
    };
    let version = policy::register(&brand.db, &stores_only).await.unwrap();
    replay(
        &brand.db,
        &stores_only,
        version,
        Utc::now() - Duration::days(5),
        true,
    )
    .await
    .unwrap();
    let (summary, recount) = summary_and_recount(&brand.db).await;
    assert_eq!(summary, recount, "after a replay");
    let (ledger, paid) = ledger_and_orders(&brand.db).await;
    assert_eq!(ledger, paid);
    totals_reconcile(&brand, &hq, ledger, &period).await;
    let mine = json_of(
        &brand,
        &brand.li,
        &format!("/api/v1/reports/mine?month={}", &today.to_string()[..7]),
    )
    .await;
    assert_eq!(
        mine["thisMonth"]["salesFen"], 0,
        "nothing is credited to li any more: {mine}"
    );
}

/// The link opened by one person twice (their cookie) and by a preview fetcher: one click in
/// the guide's figures, once the click writer has flushed.
async fn people_who_opened_count_once(brand: &Brand, link: &str) {
    const WECOM: &str =
        "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 wxwork/4.1.30 MicroMessenger/7.0.1";
    for agent in [WECOM, WECOM, "facebookexternalhit/1.1"] {
        let opened = brand
            .app
            .http
            .get(link)
            .header("user-agent", agent)
            .header(COOKIE, "gd_v=the-person-id-00000001")
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::FOUND);
    }
    let clicks = "SELECT CAST(COALESCE(SUM(clicks), 0) AS BIGINT) FROM report_days";
    let stored = "SELECT COUNT(*) FROM share_clicks";
    for _ in 0..100 {
        if tests::sql::number(&brand.db, stored).await == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        tests::sql::number(&brand.db, stored).await,
        4,
        "every open is stored"
    );
    assert_eq!(tests::sql::number(&brand.db, clicks).await, 1, "one person");
}

#[tokio::test]
async fn each_reader_sees_only_their_rows() {
    let brand = brand_with(vec![("GUIDEDESK_REPORT_HQ_USERIDS", "guide.zhao".into())]).await;
    let after = crediting(&brand.db, AttributionPolicy::default()).await;
    let (stamp, link) = share_from_li(&brand).await;
    people_who_opened_count_once(&brand, &link).await;
    let paid = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let at = json!({"paid_at": paid, "ordered_at": paid, "updated_at": paid});
    let mut stamped = at.clone();
    stamped["stamp"] = json!(stamp);
    report(
        &brand.db,
        &after,
        Kind::Orders,
        vec![
            order("O-LI", "M1", 8_888, stamped),
            order("O-S2", "M1", 1_111, {
                let mut guest = at.clone();
                guest["member_id"] = Value::Null;
                guest
            }),
        ],
    )
    .await;

    // A guide: their own month, no one else's, no store's.
    let (status, _) = get(&brand, &brand.li, "/api/v1/reports/stores").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&brand, &brand.li, "/api/v1/reports/guides?store=2").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&brand, &brand.li, "/api/v1/reports/weeks").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&brand, &brand.li, "/api/v1/reports/days?from=2026-13-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mine = json_of(&brand, &brand.li, "/api/v1/reports/mine").await;
    assert_eq!(mine["thisMonth"]["netFen"], 8_888, "{mine}");
    assert_eq!(mine["thisMonth"]["clicks"], 1, "{mine}");
    let days: i64 = mine["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_i64().unwrap())
        .sum();
    assert_eq!(days, 8_888);
    assert_eq!(mine["rank"]["position"], 1, "{mine}");
    assert_eq!(mine["rank"]["store"]["name"], "上海南京西路店");
    assert_eq!(mine["credits"][0]["orderNo"], "O-LI");
    assert!(
        // The binding's sentence (a store's also names 专属导购, as the one it lacked).
        mine["credits"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("客户的专属导购"),
        "{mine}"
    );
    let wang = json_of(&brand, &brand.wang, "/api/v1/reports/guides").await;
    assert_eq!(wang["rows"].as_array().unwrap().len(), 0, "{wang}");

    // A store manager (by WeCom position): their store's guides, no other store, no regions.
    tests::sql::execute(
        &brand.db,
        "UPDATE guides SET position = '店长' WHERE wecom_userid = 'guide.wang'",
    )
    .await;
    let store2 = json_of(&brand, &brand.wang, "/api/v1/reports/stores").await;
    let names: Vec<&str> = store2["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["杭州湖滨店"], "{store2}");
    assert_eq!(store2["total"]["netFen"], 1_111);
    let (status, _) = get(&brand, &brand.wang, "/api/v1/reports/regions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let li_store =
        tests::sql::number(&brand.db, "SELECT id FROM stores WHERE source_id = 'S001'").await;
    let (status, _) = get(
        &brand,
        &brand.wang,
        &format!("/api/v1/reports/guides?store={li_store}"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Headquarters: every store.
    let hq = sign_in(&brand.app, &brand.simulator, "guide.zhao").await;
    let all = json_of(&brand, &hq, "/api/v1/reports/stores").await;
    assert_eq!(all["rows"].as_array().unwrap().len(), 2, "{all}");
    assert_eq!(all["total"]["netFen"], 8_888 + 1_111);
    let one = json_of(
        &brand,
        &hq,
        &format!("/api/v1/reports/guides?store={li_store}"),
    )
    .await;
    assert_eq!(one["total"]["netFen"], 8_888, "{one}");
}
