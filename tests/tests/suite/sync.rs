//! The WeCom mirror against the simulator: a fresh server gets the corp's guides, contacts,
//! relations and tags from one sync; runs resume after an interruption; the re-sync queue is
//! drained; tags are marked through WeCom first.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use server::cache::MemoryCache;
use server::directory::tags::{MarkTagError, Marker, mark_tags, mirror_catalogue};
use server::directory::{self, SyncKind};
use server::entity::{
    customer, guide, guide_customer, guide_customer_tag, sync_run, tag, tag_group, wecom_sync_queue,
};
use server::progress::ShowProgress;
use server::sync::{SyncError, SyncOptions, drain_queue, sync_contacts};
use server::wecom::client::WecomClient;
use tests::guide_session::spawn_app_on;
use tests::simulator::{TestSimulator, fault};

const FAST: SyncOptions = SyncOptions {
    calls_per_sec: 1000,
    restart: false,
};

struct Setup {
    simulator: TestSimulator,
    app: tests::TestApp,
    db: DatabaseConnection,
    wecom: WecomClient,
}

async fn setup() -> Setup {
    let simulator = TestSimulator::start().await;
    let app = spawn_app_on(&simulator, vec![]).await;
    let db = app.db().await;
    let wecom = simulator.client(Arc::new(MemoryCache::new()));
    Setup {
        simulator,
        app,
        db,
        wecom,
    }
}

async fn sync(setup: &Setup) -> Result<server::sync::ContactSyncSummary, SyncError> {
    sync_contacts(&setup.db, &setup.wecom, FAST, ShowProgress::Quiet).await
}

/// `(guide userid, external_userid, status)` of every relation.
async fn relations(db: &DatabaseConnection) -> BTreeSet<(String, String, String)> {
    let guides = guide::Entity::find().all(db).await.unwrap();
    let customers = customer::Entity::find().all(db).await.unwrap();
    guide_customer::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let g = guides.iter().find(|g| g.id == r.guide_id).unwrap();
            let c = customers.iter().find(|c| c.id == r.customer_id).unwrap();
            (g.wecom_userid.clone(), c.external_userid.clone(), r.status)
        })
        .collect()
}

/// The WeCom tag ids on the relation of `userid` and `external_userid`.
async fn tags_of(db: &DatabaseConnection, userid: &str, external_userid: &str) -> BTreeSet<String> {
    let g = directory::find_guide(db, userid).await.unwrap().unwrap();
    let c = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(external_userid))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let relation = guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(g.id))
        .filter(guide_customer::Column::CustomerId.eq(c.id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let tag_ids: Vec<i64> = guide_customer_tag::Entity::find()
        .filter(guide_customer_tag::Column::GuideCustomerId.eq(relation.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.tag_id)
        .collect();
    tag::Entity::find()
        .filter(tag::Column::Id.is_in(tag_ids))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.wecom_tag_id)
        .collect()
}

fn set<const N: usize>(items: [&str; N]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn relation(userid: &str, external: &str, status: &str) -> (String, String, String) {
    (userid.into(), external.into(), status.into())
}

#[tokio::test]
async fn a_fresh_server_mirrors_the_simulators_guides_contacts_relations_and_tags() {
    let setup = setup().await;
    let summary = sync(&setup).await.unwrap();
    assert!(!summary.resumed);
    assert_eq!((summary.guides, summary.contacts_seen), (3, 4));

    let guides: BTreeSet<(String, String, String)> = guide::Entity::find()
        .all(&setup.db)
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.wecom_userid, g.name, g.status))
        .collect();
    assert_eq!(
        guides,
        [
            ("guide.li", "李娜", "active"),
            ("guide.wang", "王芳", "active"),
            ("guide.zhao", "赵磊", "active"),
        ]
        .iter()
        .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
        .collect(),
        "the members who serve customers, with their details"
    );
    let zhang = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq("wmSIM0001"))
        .one(&setup.db)
        .await
        .unwrap()
        .expect("customer wmSIM0001");
    assert_eq!(zhang.name, "张小姐");
    assert_eq!(zhang.unionid.as_deref(), Some("oUNION0001"));
    assert_eq!(
        relations(&setup.db).await,
        BTreeSet::from([
            relation("guide.li", "wmSIM0001", "active"),
            relation("guide.li", "wmSIM0002", "active"),
            relation("guide.wang", "wmSIM0002", "active"),
            relation("guide.zhao", "wmSIM0003", "active"),
        ])
    );
    let li = directory::find_guide(&setup.db, "guide.li")
        .await
        .unwrap()
        .unwrap();
    let first = guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(li.id))
        .filter(guide_customer::Column::CustomerId.eq(zhang.id))
        .one(&setup.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.added_at.timestamp(),
        1_700_000_100,
        "added when WeCom says"
    );
    assert_eq!(
        first.state.as_deref(),
        Some("store-0101"),
        "the add's State kept"
    );
    assert_eq!(
        tags_of(&setup.db, "guide.li", "wmSIM0001").await,
        set(["etVIPGOLD"])
    );
    assert_eq!(
        tags_of(&setup.db, "guide.wang", "wmSIM0002").await,
        set(["etSKIN"])
    );
    assert_eq!(tags_of(&setup.db, "guide.li", "wmSIM0002").await, set([]));
    assert_eq!(tag_group::Entity::find().count(&setup.db).await.unwrap(), 2);
    assert_eq!(tag::Entity::find().count(&setup.db).await.unwrap(), 4);

    // Again: nothing changes, and the second run is a new one, not a resumption.
    let again = sync(&setup).await.unwrap();
    assert!(!again.resumed);
    assert_ne!(again.run_id, summary.run_id);
    assert_eq!(relations(&setup.db).await.len(), 4);
    assert_eq!(
        tags_of(&setup.db, "guide.li", "wmSIM0001").await,
        set(["etVIPGOLD"])
    );
    let done = sync_run::Entity::find()
        .filter(sync_run::Column::Status.eq("done"))
        .count(&setup.db)
        .await
        .unwrap();
    assert_eq!(done, 2);
    drop(setup.app);
}

#[tokio::test]
async fn a_relation_wecom_no_longer_lists_is_marked_lost_by_the_sync_and_kept() {
    let setup = setup().await;
    let now = Utc::now();
    // A relation whose del_external_contact callback never arrived.
    let li = directory::ensure_guide(&setup.db, "guide.li", now)
        .await
        .unwrap();
    let ghost = directory::ensure_customer(&setup.db, "wmGHOST", now)
        .await
        .unwrap();
    directory::record_added(
        &setup.db,
        li.id,
        ghost.id,
        directory::Added {
            at: now - chrono::Duration::days(30),
            state: None,
            welcome_code: None,
        },
        now,
    )
    .await
    .unwrap();

    let summary = sync(&setup).await.unwrap();
    assert_eq!(summary.relations_lost, 1);
    let lost = guide_customer::Entity::find()
        .filter(guide_customer::Column::CustomerId.eq(ghost.id))
        .one(&setup.db)
        .await
        .unwrap()
        .expect("kept as history");
    assert_eq!(lost.status, "lost");
    assert_eq!(lost.lost_by.as_deref(), Some("sync"));
    assert!(
        relations(&setup.db)
            .await
            .contains(&relation("guide.li", "wmSIM0001", "active"))
    );
}

#[tokio::test]
async fn an_interrupted_sync_resumes_at_the_guide_where_it_stopped() {
    let setup = setup().await;
    // WeCom answers the first guide's user/get, then refuses the second's.
    let mut refusal = fault("cgi-bin/user/get", 60020, 1);
    refusal.after = 1;
    setup.simulator.inject(refusal).await;
    let err = sync(&setup).await.unwrap_err();
    assert!(matches!(err, SyncError::Wecom(_)), "{err}");
    let failed = sync_run::Entity::find()
        .one(&setup.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, "failed");
    assert_eq!((failed.guides_done, failed.guides_total), (1, 3));
    assert!(failed.error.unwrap_or_default().contains("60020"));

    let resumed = sync(&setup).await.unwrap();
    assert!(resumed.resumed);
    assert_eq!(resumed.run_id, failed.id, "the same run goes on");
    assert_eq!(
        setup.simulator.calls("cgi-bin/user/get").await,
        4,
        "guide.li is not fetched again: 1 + the refused one + 2"
    );
    assert_eq!(
        setup
            .simulator
            .calls("cgi-bin/externalcontact/get_follow_user_list")
            .await,
        1,
        "the plan is the one made at the start"
    );
    assert_eq!(relations(&setup.db).await.len(), 4);

    // With --restart an unfinished run is superseded instead.
    setup
        .simulator
        .inject(fault("cgi-bin/user/get", 60020, 1))
        .await;
    sync(&setup).await.unwrap_err();
    let restarted = sync_contacts(
        &setup.db,
        &setup.wecom,
        SyncOptions {
            restart: true,
            ..FAST
        },
        ShowProgress::Quiet,
    )
    .await
    .unwrap();
    assert!(!restarted.resumed);
}

#[tokio::test]
async fn a_second_sync_while_one_is_running_is_refused() {
    let setup = setup().await;
    let now = Utc::now();
    let running = sync_run::ActiveModel {
        kind: Set("contacts".into()),
        status: Set("running".into()),
        position: Set(r#"{"guides":["guide.li"],"next":0,"cursor":""}"#.into()),
        guides_total: Set(1),
        guides_done: Set(0),
        contacts_seen: Set(0),
        started_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&setup.db)
    .await
    .unwrap();
    match sync(&setup).await {
        Err(SyncError::AlreadyRunning { run_id }) => assert_eq!(run_id, running.id),
        other => panic!("expected AlreadyRunning, got {other:?}"),
    }
}

#[tokio::test]
async fn the_resync_queue_is_fetched_applied_and_emptied() {
    let setup = setup().await;
    let now = Utc::now();
    for (kind, target) in [
        (SyncKind::Contact, "wmSIM0002"),
        (SyncKind::User, "guide.zhao"),
        (SyncKind::Contact, "wmGONE"),
        (SyncKind::TagCatalogue, ""),
    ] {
        directory::queue_sync(&setup.db, kind, target, "test", now)
            .await
            .unwrap();
    }
    let mut pacer = server::sync::Pacer::new(1000);
    let counts = drain_queue(&setup.db, &setup.wecom, &mut pacer)
        .await
        .unwrap();
    // Applied: the four entries but the gone one, and the details of the two guides the
    // contact brought (first seen there, so queued in turn and fetched in the same drain).
    assert_eq!((counts.applied, counts.gone, counts.failed), (5, 1, 0));
    assert_eq!(
        wecom_sync_queue::Entity::find()
            .count(&setup.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        relations(&setup.db).await,
        BTreeSet::from([
            relation("guide.li", "wmSIM0002", "active"),
            relation("guide.wang", "wmSIM0002", "active"),
        ])
    );
    assert_eq!(
        tags_of(&setup.db, "guide.wang", "wmSIM0002").await,
        set(["etSKIN"])
    );
    for (userid, name) in [("guide.zhao", "赵磊"), ("guide.wang", "王芳")] {
        let guide = directory::find_guide(&setup.db, userid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(guide.name, name);
    }
    assert_eq!(tag::Entity::find().count(&setup.db).await.unwrap(), 4);

    // A fetch that fails stays queued with its attempt counted.
    directory::queue_sync(&setup.db, SyncKind::User, "guide.li", "test", now)
        .await
        .unwrap();
    setup
        .simulator
        .inject(fault("cgi-bin/user/get", 60020, 1))
        .await;
    let counts = drain_queue(&setup.db, &setup.wecom, &mut pacer)
        .await
        .unwrap();
    assert_eq!(counts.failed, 1);
    let waiting = wecom_sync_queue::Entity::find()
        .one(&setup.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(waiting.attempts, 1);
}

#[tokio::test]
async fn tags_are_marked_in_wecom_first_and_only_then_here() {
    let setup = setup().await;
    sync(&setup).await.unwrap();
    let li = directory::find_guide(&setup.db, "guide.li")
        .await
        .unwrap()
        .unwrap();
    let as_li = || Marker {
        guide_id: li.id,
        userid: "guide.li",
    };
    let ids = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    mark_tags(
        &setup.db,
        &setup.wecom,
        as_li(),
        "wmSIM0001",
        &ids(&["etSKIN"]),
        &ids(&["etVIPGOLD"]),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        tags_of(&setup.db, "guide.li", "wmSIM0001").await,
        set(["etSKIN"])
    );
    // A double tap: the same marking again changes nothing.
    mark_tags(
        &setup.db,
        &setup.wecom,
        as_li(),
        "wmSIM0001",
        &ids(&["etSKIN"]),
        &ids(&["etVIPGOLD"]),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        tags_of(&setup.db, "guide.li", "wmSIM0001").await,
        set(["etSKIN"])
    );
    assert_eq!(
        setup
            .simulator
            .calls("cgi-bin/externalcontact/mark_tag")
            .await,
        2
    );

    // WeCom refuses: nothing changes here and the caller gets WeCom's error.
    setup
        .simulator
        .inject(fault("cgi-bin/externalcontact/mark_tag", 40068, 1))
        .await;
    let err = mark_tags(
        &setup.db,
        &setup.wecom,
        as_li(),
        "wmSIM0001",
        &ids(&["etMAKEUP"]),
        &[],
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, MarkTagError::Wecom(e) if e.errcode() == Some(40068)),
        "{err}"
    );
    assert_eq!(
        tags_of(&setup.db, "guide.li", "wmSIM0001").await,
        set(["etSKIN"])
    );

    // Refused before WeCom is asked: a customer li does not follow, an unknown tag, nothing.
    let before = setup
        .simulator
        .calls("cgi-bin/externalcontact/mark_tag")
        .await;
    let not_followed = mark_tags(
        &setup.db,
        &setup.wecom,
        as_li(),
        "wmSIM0003",
        &ids(&["etSKIN"]),
        &[],
        Utc::now(),
    )
    .await;
    assert!(matches!(not_followed, Err(MarkTagError::NotFollowed)));
    let unknown = mark_tags(
        &setup.db,
        &setup.wecom,
        as_li(),
        "wmSIM0001",
        &ids(&["etNOPE"]),
        &[],
        Utc::now(),
    )
    .await;
    assert!(matches!(unknown, Err(MarkTagError::UnknownTag(id)) if id == "etNOPE"));
    let nothing = mark_tags(
        &setup.db,
        &setup.wecom,
        as_li(),
        "wmSIM0001",
        &[],
        &[],
        Utc::now(),
    )
    .await;
    assert!(matches!(nothing, Err(MarkTagError::NothingToMark)));
    assert_eq!(
        setup
            .simulator
            .calls("cgi-bin/externalcontact/mark_tag")
            .await,
        before
    );
}

#[tokio::test]
async fn tags_wecom_deleted_are_kept_and_marked_deleted() {
    let setup = setup().await;
    let mut groups = setup.wecom.corp_tags().await.unwrap();
    mirror_catalogue(&setup.db, &groups, Utc::now())
        .await
        .unwrap();
    // WeCom deletes the interest group and renames a tag.
    groups.retain(|g| g.group_id != "etGROUPINTEREST");
    groups[0].tag[0].name = "金卡会员".into();
    let counts = mirror_catalogue(&setup.db, &groups, Utc::now())
        .await
        .unwrap();
    assert_eq!(counts.deleted, 3, "the group and its two tags");
    let skin = tag::Entity::find()
        .filter(tag::Column::WecomTagId.eq("etSKIN"))
        .one(&setup.db)
        .await
        .unwrap()
        .expect("kept");
    assert!(skin.deleted);
    let gold = tag::Entity::find()
        .filter(tag::Column::WecomTagId.eq("etVIPGOLD"))
        .one(&setup.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((gold.name.as_str(), gold.deleted), ("金卡会员", false));
}
