//! `guidedesk demo seed`: the brand it writes reads like a brand, the WeCom simulator's half
//! agrees with the database's (a sync against it changes nothing), the same seed gives the
//! same brand, a second run changes nothing, and the product images are served.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use server::cache::MemoryCache;
use server::demo::{SeedOptions, SeedSummary, seed};
use server::progress::ShowProgress;
use server::sync::{SyncOptions, sync_contacts};
use server::wecom_sim::SimulatorData;
use tests::backends::TestDatabase;
use tests::seeded::{connect, seed_options};
use tests::simulator::TestSimulator;
use tests::sql::{number, texts};

/// Rows of a query as text, one string per row, sorted: to compare two databases.
async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let mut out = texts(db, sql).await;
    out.sort();
    out
}

/// What the sidebar reads, as text: members, orders with items, parcels, relations, tags.
async fn brand_dump(db: &DatabaseConnection) -> Vec<String> {
    let mut all = Vec::new();
    for sql in [
        "SELECT source_id || '|' || name || '|' || COALESCE(level, '') || '|' || points || '|' || COALESCE(mobile_last4, '') FROM members",
        "SELECT o.source_id || '|' || o.channel || '|' || o.status || '|' || o.total_fen || '|' || o.paid_fen || '|' || COUNT(i.id) FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id, o.source_id, o.channel, o.status, o.total_fen, o.paid_fen",
        "SELECT s.source_id || '|' || s.tracking_no || '|' || s.status || '|' || COUNT(e.id) FROM shipments s LEFT JOIN shipment_events e ON e.shipment_id = s.id GROUP BY s.id, s.source_id, s.tracking_no, s.status",
        "SELECT g.wecom_userid || '|' || c.external_userid || '|' || c.name || '|' || r.status FROM guide_customers r JOIN guides g ON g.id = r.guide_id JOIN customers c ON c.id = r.customer_id",
        "SELECT c.external_userid || '|' || t.wecom_tag_id FROM guide_customer_tags rt JOIN guide_customers r ON r.id = rt.guide_customer_id JOIN customers c ON c.id = r.customer_id JOIN tags t ON t.id = rt.tag_id",
        "SELECT m.source_id || '|' || c.external_userid || '|' || mc.matched_by FROM member_customers mc JOIN members m ON m.id = mc.member_id JOIN customers c ON c.id = mc.customer_id",
        "SELECT g.source_id || '|' || t.source_id || '|' || g.status FROM coupon_grants g JOIN coupon_templates t ON t.id = g.template_id",
    ] {
        all.extend(rows(db, sql).await);
    }
    all
}

#[tokio::test]
async fn the_simulators_half_agrees_with_the_database_a_sync_changes_nothing() {
    let database = TestDatabase::create().await;
    let db = connect(&database).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wecom-sim.json");
    let summary = seed(&db, &seed_options(300, 7, &file)).await.unwrap();
    assert_eq!(summary.customers, 300);
    let before = brand_dump(&db).await;

    let data = SimulatorData::from_file(&file).unwrap();
    assert_eq!(data.contacts.len(), 300);
    assert_eq!(data.members.len() as u64, summary.staff);
    let simulator = TestSimulator::start_with(data, std::time::Duration::from_secs(7200)).await;
    let wecom = simulator.client(Arc::new(MemoryCache::new()));
    let options = SyncOptions {
        calls_per_sec: 1000,
        restart: false,
    };
    let synced = sync_contacts(&db, &wecom, options, ShowProgress::Quiet)
        .await
        .unwrap();
    assert!(synced.contacts_seen >= 300, "{synced:?}");
    let after = brand_dump(&db).await;
    let changed: Vec<_> = after.iter().filter(|row| !before.contains(row)).collect();
    assert!(
        changed.is_empty(),
        "the sync changed: {:?}",
        &changed[..changed.len().min(5)]
    );
    assert_eq!(before.len(), after.len());
}

#[tokio::test]
async fn the_same_seed_gives_the_same_brand_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (first_db, second_db) = (TestDatabase::create().await, TestDatabase::create().await);
    let (a, b) = (connect(&first_db).await, connect(&second_db).await);
    let (file_a, file_b, file_c) = (
        dir.path().join("a.json"),
        dir.path().join("b.json"),
        dir.path().join("c.json"),
    );
    let first = seed(&a, &seed_options(120, 3, &file_a)).await.unwrap();
    let second = seed(&b, &seed_options(120, 3, &file_b)).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(brand_dump(&a).await, brand_dump(&b).await);
    assert_eq!(
        std::fs::read(&file_a).unwrap(),
        std::fs::read(&file_b).unwrap()
    );

    // Again on the same database: every record is already there, nothing moves.
    let dump = brand_dump(&a).await;
    let orders = number(&a, "SELECT COUNT(*) FROM orders").await;
    let again = seed(&a, &seed_options(120, 3, &file_a)).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(brand_dump(&a).await, dump);
    assert_eq!(number(&a, "SELECT COUNT(*) FROM orders").await, orders);

    // `--if-empty` leaves a seeded database alone.
    let skipped = seed(
        &a,
        &SeedOptions {
            only_if_empty: true,
            ..seed_options(120, 9, &file_a)
        },
    )
    .await
    .unwrap();
    assert_eq!(
        skipped,
        SeedSummary {
            skipped: true,
            ..SeedSummary::default()
        }
    );
    assert_eq!(brand_dump(&a).await, dump);

    // Another seed, another brand.
    let other_db = TestDatabase::create().await;
    let c = connect(&other_db).await;
    seed(&c, &seed_options(120, 4, &file_c)).await.unwrap();
    assert_ne!(
        std::fs::read(&file_a).unwrap(),
        std::fs::read(&file_c).unwrap()
    );
    assert_ne!(brand_dump(&c).await, dump);
}

#[tokio::test]
async fn a_seeded_brand_reads_like_a_brand() {
    let database = TestDatabase::create().await;
    let db = connect(&database).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = seed(&db, &seed_options(400, 1, &dir.path().join("sim.json")))
        .await
        .unwrap();

    // Stores across regions, several guides each, a big tag catalogue.
    assert!(summary.stores >= 8);
    assert!(number(&db, "SELECT COUNT(DISTINCT region) FROM stores").await >= 7);
    assert!(
        number(&db, "SELECT MIN(n) FROM (SELECT COUNT(*) AS n FROM staff_assignments WHERE role = 'guide' GROUP BY store_id) AS per_store").await >= 3
    );
    assert!(
        summary.tag_groups >= 24 && summary.tags >= 150,
        "{summary:?}"
    );

    // Members: most linked to a WeCom customer, by each of the three ways; some not at all.
    let matched: BTreeMap<String, i64> = rows(
        &db,
        "SELECT matched_by || '=' || COUNT(*) FROM member_customers GROUP BY matched_by",
    )
    .await
    .into_iter()
    .filter_map(|row| {
        let (way, n) = row.split_once('=')?;
        Some((way.to_owned(), n.parse().ok()?))
    })
    .collect();
    let ways: BTreeSet<&str> = matched.keys().map(String::as_str).collect();
    assert_eq!(
        ways,
        BTreeSet::from(["explicit", "mobile", "unionid"]),
        "{matched:?}"
    );
    let linked: i64 = matched.values().sum();
    let members = number(&db, "SELECT COUNT(*) FROM members").await;
    assert!(
        linked * 100 > members * 70 && linked < members,
        "{linked} of {members}"
    );

    // About five orders per member, money adding up to the fen, busier in November.
    assert!(summary.orders >= 4 * summary.members, "{summary:?}");
    let mismatched = number(
        &db,
        "SELECT COUNT(*) FROM orders o WHERE o.total_fen <> (SELECT SUM(amount_fen) FROM order_items i WHERE i.order_id = o.id) OR o.paid_fen > o.total_fen",
    )
    .await;
    assert_eq!(mismatched, 0);
    let per_month: BTreeMap<String, i64> = rows(
        &db,
        "SELECT SUBSTR(CAST(ordered_at AS TEXT), 6, 2) || '=' || COUNT(*) FROM orders GROUP BY SUBSTR(CAST(ordered_at AS TEXT), 6, 2)",
    )
    .await
    .into_iter()
    .filter_map(|row| {
        let (month, n) = row.split_once('=')?;
        Some((month.to_owned(), n.parse().ok()?))
    })
    .collect();
    assert!(per_month["11"] > 2 * per_month["07"], "{per_month:?}");

    // Parcels: real carriers, tracking timelines, signed for when delivered.
    let carriers = rows(&db, "SELECT DISTINCT carrier_name FROM shipments").await;
    assert!(carriers.contains(&"顺丰速运".to_owned()), "{carriers:?}");
    assert_eq!(
        number(&db, "SELECT COUNT(*) FROM shipments s WHERE s.status = 'delivered' AND (SELECT COUNT(*) FROM shipment_events e WHERE e.shipment_id = s.id) < 4").await,
        0
    );
    let last_words = rows(
        &db,
        "SELECT DISTINCT SUBSTR(description, 1, 3) FROM shipment_events e WHERE e.happened_at = (SELECT MAX(happened_at) FROM shipment_events f WHERE f.shipment_id = e.shipment_id) AND e.shipment_id IN (SELECT id FROM shipments WHERE status = 'delivered')",
    )
    .await;
    assert_eq!(last_words, vec!["已签收".to_owned()]);

    // Recent behaviour of every kind the sidebar shows.
    let kinds = rows(&db, "SELECT DISTINCT kind FROM behaviour_events").await;
    for kind in [
        "browse_product",
        "search",
        "add_to_cart",
        "claim_coupon",
        "switch_store",
    ] {
        assert!(kinds.contains(&kind.to_owned()), "{kinds:?}");
    }
    assert!(summary.coupon_templates >= 10 && summary.products >= 30);

    // Coupons members hold: usable ones (issued or claimed, not yet expired), used ones with
    // their time, lapsed ones.
    let statuses = rows(&db, "SELECT DISTINCT status FROM coupon_grants").await;
    assert_eq!(
        statuses,
        vec!["claimed", "expired", "issued", "used"],
        "{statuses:?}"
    );
    assert!(summary.coupon_grants > summary.members / 2, "{summary:?}");
    assert_eq!(
        number(
            &db,
            "SELECT COUNT(*) FROM coupon_grants WHERE (status = 'used') <> (used_at IS NOT NULL)"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn product_images_are_served_by_the_server() {
    let app = tests::spawn_app().await;
    let image = app.get("/demo/images/P0001.svg").await;
    assert_eq!(image.status(), 200);
    assert_eq!(
        image.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    let svg = image.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("焕颜"), "{svg}");
    for missing in [
        "/demo/images/P9999.svg",
        "/demo/images/P0001.png",
        "/demo/images/..%2Fetc.svg",
    ] {
        assert_eq!(app.get(missing).await.status(), 404, "{missing}");
    }
}
