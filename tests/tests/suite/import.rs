//! Bulk import from CSV and JSON Lines: the same validation as the ingest API, bad rows
//! reported by line and skipped, child rows grouped by id, and a re-run after an interruption
//! leaves no duplicates.

use std::path::{Path, PathBuf};

use sea_orm::{DatabaseConnection, EntityTrait};
use server::commerce::batch::Kind;
use server::commerce::import::{BadRow, Format, ImportSummary, import_file};
use server::entity::{member, order, order_item, shipment_event, store};
use server::progress::ShowProgress;
use tests::count_rows;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn import(
    db: &DatabaseConnection,
    kind: Kind,
    path: &Path,
    format: Format,
) -> (ImportSummary, Vec<BadRow>) {
    let mut bad = Vec::new();
    let summary = import_file(
        (db, &server::commerce::stamped::NothingAfter),
        kind,
        path,
        format,
        2,
        ShowProgress::Quiet,
        |row| bad.push(row.clone()),
    )
    .await
    .unwrap();
    (summary, bad)
}

const STORES: &str = "id,updated_at,name,region,city\n\
S001,2026-01-01T00:00:00Z,上海南京西路店,华东,上海\n\
S002,2026-01-01T00:00:00Z,\"北京三里屯店, 北区\",华北,北京\n";

const MEMBERS: &str = r#"{"id":"M001","updated_at":"2026-02-01T00:00:00Z","name":"张小姐","home_store_id":"S001"}
{"id":"M002","updated_at":"2026-02-01T00:00:00Z","name":"刘先生"}

{"id":"M003","updated_at":"2026-02-01T00:00:00Z","name":"坏余额","balance_fen":-5}
{not json
{"id":"M004","updated_at":"2026-02-01T00:00:00Z","name":"周女士","mobile":"13900000004"}
"#;

const ORDERS: &str = "id,updated_at,member_id,channel,store_id,status,total_fen,paid_fen,ordered_at,item_sku,item_title,item_quantity,item_price_fen\n\
O1,2026-03-01T00:00:00Z,M001,online,S001,paid,47700,47700,2026-03-01T00:00:00Z,SKU-1,保湿面霜,2,19900\n\
O1,2026-03-01T00:00:00Z,M001,online,S001,paid,47700,47700,2026-03-01T00:00:00Z,SKU-2,洁面乳,1,7900\n\
O2,2026-03-02T00:00:00Z,M002,pos,S002,completed,100,100,2026-03-02T00:00:00Z,SKU-3,小样,1,99\n\
O3,2026-03-03T00:00:00Z,M002,offline,S002,paid,12.50,12.50,2026-03-03T00:00:00Z,SKU-4,发票,1,1250\n\
O4,2026-03-04T00:00:00Z,M001,offline,S001,completed,8800,8800,2026-03-04T00:00:00Z,SKU-5,护手霜,1,8800\n";

#[tokio::test]
async fn csv_and_json_lines_import_with_bad_rows_reported_by_line() {
    let app = tests::spawn_app().await;
    let db = app.db().await;
    let dir = tempfile::tempdir().unwrap();

    let stores = write(dir.path(), "stores.csv", STORES);
    let (summary, bad) = import(&db, Kind::Stores, &stores, Format::Csv).await;
    assert_eq!((summary.accepted, summary.rejected), (2, 0), "{bad:?}");

    let members = write(dir.path(), "members.jsonl", MEMBERS);
    let (summary, bad) = import(&db, Kind::Members, &members, Format::JsonLines).await;
    assert_eq!(
        (summary.records, summary.accepted, summary.rejected),
        (5, 3, 2)
    );
    let lines: Vec<(u64, &str)> = bad.iter().map(|b| (b.line, b.code.as_str())).collect();
    assert_eq!(lines, vec![(4, "invalid_amount"), (5, "unreadable_line")]);
    assert_eq!(bad[0].id.as_deref(), Some("M003"));

    let orders = write(dir.path(), "orders.csv", ORDERS);
    let (summary, bad) = import(&db, Kind::Orders, &orders, Format::Csv).await;
    assert_eq!(
        (summary.records, summary.accepted, summary.rejected),
        (4, 2, 2),
        "{bad:?}"
    );
    let lines: Vec<(u64, &str)> = bad.iter().map(|b| (b.line, b.code.as_str())).collect();
    assert_eq!(
        lines,
        vec![(4, "amounts_mismatch"), (5, "invalid_record")],
        "O2's items add to 99 of 100; O3's fen are fractional (refused, never rounded)"
    );
    assert_eq!(count_rows::<order::Entity>(&db).await, 2);
    assert_eq!(
        count_rows::<order_item::Entity>(&db).await,
        3,
        "O1's two item lines are one order"
    );
    let names: Vec<String> = store::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert!(
        names.contains(&"北京三里屯店, 北区".to_owned()),
        "quoted CSV cells: {names:?}"
    );
}

#[tokio::test]
async fn an_import_run_again_after_an_interruption_leaves_no_duplicates() {
    let app = tests::spawn_app().await;
    let db = app.db().await;
    let dir = tempfile::tempdir().unwrap();
    import(
        &db,
        Kind::Stores,
        &write(dir.path(), "stores.csv", STORES),
        Format::Csv,
    )
    .await;
    import(
        &db,
        Kind::Members,
        &write(dir.path(), "members.jsonl", MEMBERS),
        Format::JsonLines,
    )
    .await;
    // The first run stopped in the middle of the file, after O1's first item line: that half
    // order does not add up and is refused rather than stored short of an item.
    let cut: String = ORDERS.lines().take(2).map(|l| format!("{l}\n")).collect();
    let cut_file = write(dir.path(), "cut.csv", &cut);
    let (summary, _) = import(&db, Kind::Orders, &cut_file, Format::Csv).await;
    assert_eq!(summary.rejected, 1);
    assert_eq!(count_rows::<order_item::Entity>(&db).await, 0);
    // A later cut: O1 whole, then O2.
    let cut: String = ORDERS.lines().take(4).map(|l| format!("{l}\n")).collect();
    let cut_file = write(dir.path(), "cut.csv", &cut);
    import(&db, Kind::Orders, &cut_file, Format::Csv).await;
    assert_eq!(count_rows::<order_item::Entity>(&db).await, 2);
    let whole = write(dir.path(), "orders.csv", ORDERS);
    for _ in 0..2 {
        import(&db, Kind::Orders, &whole, Format::Csv).await;
    }
    assert_eq!(count_rows::<order::Entity>(&db).await, 2);
    assert_eq!(count_rows::<member::Entity>(&db).await, 3);
    assert_eq!(
        count_rows::<order_item::Entity>(&db).await,
        3,
        "O1's two items once, O4's one"
    );
}

#[tokio::test]
async fn shipments_group_their_tracking_events_by_id() {
    let app = tests::spawn_app().await;
    let db = app.db().await;
    let dir = tempfile::tempdir().unwrap();
    import(
        &db,
        Kind::Stores,
        &write(dir.path(), "stores.csv", STORES),
        Format::Csv,
    )
    .await;
    import(
        &db,
        Kind::Members,
        &write(dir.path(), "members.jsonl", MEMBERS),
        Format::JsonLines,
    )
    .await;
    import(
        &db,
        Kind::Orders,
        &write(dir.path(), "orders.csv", ORDERS),
        Format::Csv,
    )
    .await;
    let shipments = "id,updated_at,order_id,carrier_code,carrier_name,tracking_no,status,event_at,event_location,event_description\n\
SH1,2026-03-02T00:00:00Z,O1,SF,顺丰速运,SF100,in_transit,2026-03-01T08:00:00Z,上海,已揽收\n\
SH1,2026-03-02T00:00:00Z,O1,SF,顺丰速运,SF100,in_transit,2026-03-01T20:00:00Z,上海转运中心,运输中\n\
SH1,2026-03-02T00:00:00Z,O1,SF,顺丰速运,SF100,in_transit,2026-03-02T06:00:00Z,北京,派送中\n";
    let (summary, bad) = import(
        &db,
        Kind::Shipments,
        &write(dir.path(), "shipments.csv", shipments),
        Format::Csv,
    )
    .await;
    assert_eq!((summary.records, summary.accepted), (1, 1), "{bad:?}");
    assert_eq!(count_rows::<shipment_event::Entity>(&db).await, 3);
}
