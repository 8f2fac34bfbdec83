//! `guidedesk demo seed`: a believable brand, the same for a given seed, written to both
//! sides at once: GuideDesk's database (through the same paths a sync and the ingest API
//! take, so it is exactly what those would have stored) and the WeCom simulator's data file
//! (its members, contacts with followers and tags, and tag catalogue), so that the simulated
//! WeCom and GuideDesk agree about who serves whom.

pub mod brand;
pub mod calendar;
pub mod catalogue;
pub mod customers;
pub mod images;
pub mod random;
pub mod words;

pub use images::routes;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use futures_util::StreamExt;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::commerce::batch::{self, Kind};
use crate::database::begin_write;
use crate::directory;
use crate::entity::{customer, member, store};
use crate::wecom_sim::SimulatorData;

use brand::Brand;
use calendar::Calendar;
use customers::{Generated, World};

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub customers: u64,
    pub seed: u64,
    /// The last day of the two years of history (China time); today by default.
    pub last_day: NaiveDate,
    /// Where to write the WeCom simulator's data.
    pub simulator_data: Option<PathBuf>,
    /// Leave a database that already has customers or stores as it is.
    pub only_if_empty: bool,
    /// Progress lines on stderr.
    pub progress: bool,
}

/// What a seed wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSummary {
    /// The database already held data and `only_if_empty` was given: nothing was written.
    pub skipped: bool,
    pub stores: u64,
    pub staff: u64,
    pub tag_groups: u64,
    pub tags: u64,
    pub products: u64,
    pub coupon_templates: u64,
    pub customers: u64,
    pub members: u64,
    pub orders: u64,
    pub shipments: u64,
    pub events: u64,
    pub coupon_grants: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("cannot write the simulator data {path}: {source}")]
    SimulatorData {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The generator made a record the ingest rules refuse: a bug in the generator.
    #[error("the demo's {kind} record {id} was refused: {message}")]
    Refused {
        kind: &'static str,
        id: String,
        message: String,
    },
}

/// The simulated corp the demo's WeCom is.
pub const CORP_ID: &str = "wwsimcorp0000000001";
pub const CORP_SECRET: &str = "sim-corp-secret";
pub const AGENT_ID: i64 = 1_000_002;

/// Customers generated and written together (one directory transaction, ingest batches).
const CHUNK: u64 = 500;

/// Chunks written at once on PostgreSQL.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Members who buy in the stores without a WeCom contact, per 100 customers.
const WALK_IN_PER_100: u64 = 12;

/// Whether the database holds a brand already (stores, customers or members).
pub async fn database_is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(store::Entity::find().count(db).await? == 0
        && customer::Entity::find().count(db).await? == 0
        && member::Entity::find().count(db).await? == 0)
}

pub async fn seed(
    db: &DatabaseConnection,
    options: &SeedOptions,
) -> Result<SeedSummary, SeedError> {
    let brand = Brand::generate(options.seed, options.customers);
    let calendar = Calendar::ending(options.last_day);
    let products = catalogue::products();
    let world = World::new(options.seed, &brand, &calendar, &products);

    if options.only_if_empty && !database_is_empty(db).await? {
        // The simulator still needs its half (a fresh checkout of the file, say).
        if let Some(path) = &options.simulator_data
            && !path.exists()
        {
            let mut file = SimulatorFile::create(path, &brand)?;
            for index in 0..options.customers {
                if let Some(contact) = customers::customer(&world, index).contact {
                    file.add(&contact)?;
                }
            }
            file.finish()?;
        }
        return Ok(SeedSummary {
            skipped: true,
            ..SeedSummary::default()
        });
    }

    let mut summary = SeedSummary::default();
    let now = Utc::now();
    let counts = directory::tags::mirror_catalogue(db, &brand.tag_groups, now).await?;
    summary.tag_groups = brand.tag_groups.len() as u64;
    summary.tags = counts.tags as u64;

    let stores: Vec<Value> = brand
        .stores
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "updated_at": calendar.until, "name": s.name,
                "region": words::REGIONS[s.region].name, "city": s.city, "address": s.address,
            })
        })
        .collect();
    summary.stores = ingest_all(db, Kind::Stores, stores).await?;

    // Guides are WeCom members first (as a sync makes them), then staff of their store.
    let txn = begin_write(db).await?;
    let mut guide_ids = HashMap::new();
    for staff in &brand.staff {
        let guide = directory::upsert_member(&txn, &staff.member, now).await?;
        guide_ids.insert(staff.member.userid.clone(), guide.id);
    }
    txn.commit().await?;
    let staff: Vec<Value> = brand
        .staff
        .iter()
        .map(|s| {
            json!({
                "id": format!("A-{}", s.member.userid), "updated_at": calendar.until,
                "wecom_userid": s.member.userid, "store_id": brand.stores[s.store].id,
                "role": if s.manager { "manager" } else { "guide" },
            })
        })
        .collect();
    summary.staff = ingest_all(db, Kind::Staff, staff).await?;

    let product_records: Vec<Value> = products
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "updated_at": calendar.until, "title": p.title, "price_fen": p.price_fen,
                "image_url": images::url(&p.id),
                "skus": p.skus.iter().map(|(sku, spec, price)| json!({"sku": sku, "spec": spec, "price_fen": price})).collect::<Vec<_>>(),
            })
        })
        .collect();
    summary.products = ingest_all(db, Kind::Products, product_records).await?;
    let coupons: Vec<Value> = catalogue::COUPONS
        .iter()
        .map(|c| {
            let stores: Vec<&str> = match c.region {
                Some(region) => brand
                    .stores
                    .iter()
                    .filter(|s| s.region == region)
                    .map(|s| s.id.as_str())
                    .collect(),
                None => Vec::new(),
            };
            json!({
                "id": c.id, "updated_at": calendar.until, "name": c.name, "kind": c.kind,
                "value": c.value, "threshold_fen": c.threshold_fen, "valid_days": c.valid_days,
                "total_stock": c.total_stock, "per_customer_limit": c.per_customer_limit,
                "store_ids": stores,
            })
        })
        .collect();
    summary.coupon_templates = ingest_all(db, Kind::CouponTemplates, coupons).await?;

    let mut simulator_file = match &options.simulator_data {
        Some(path) => Some(SimulatorFile::create(path, &brand)?),
        None => None,
    };
    let mut progress = Progress::new(options.progress, options.customers);
    let walk_ins = options.customers * WALK_IN_PER_100 / 100;
    let chunks = chunks(0..options.customers, true).chain(chunks(0..walk_ins, false));
    // A few chunks in flight on PostgreSQL: while one waits on the database another is
    // generated or written. SQLite has one writer, so there one at a time.
    let in_flight = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => 1,
        _ => CHUNKS_IN_FLIGHT,
    };
    let guide_ids = &guide_ids;
    let world = &world;
    let mut done = futures_util::stream::iter(chunks)
        .map(|chunk| seed_chunk(db, world, guide_ids, chunk))
        // In order: the simulator's file lists the contacts in the order they were made.
        .buffered(in_flight);
    while let Some(chunk) = done.next().await {
        let chunk = chunk?;
        if let Some(file) = simulator_file.as_mut() {
            for contact in &chunk.contacts {
                file.add(contact)?;
            }
        }
        summary.customers += chunk.counts.customers;
        summary.members += chunk.counts.members;
        summary.orders += chunk.counts.orders;
        summary.shipments += chunk.counts.shipments;
        summary.events += chunk.counts.events;
        summary.coupon_grants += chunk.counts.coupon_grants;
        progress.phases.add(&chunk.phases);
        progress.update(summary.customers, &summary);
    }
    progress.finish(&summary);

    if let Some(file) = simulator_file {
        file.finish()?;
    }
    Ok(summary)
}

/// Customers (with their contacts) or walk-in members, by index.
struct Chunk {
    range: std::ops::Range<u64>,
    customers: bool,
}

fn chunks(range: std::ops::Range<u64>, customers: bool) -> impl Iterator<Item = Chunk> {
    let end = range.end;
    range
        .step_by(usize::try_from(CHUNK).unwrap_or(500))
        .map(move |start| Chunk {
            range: start..(start + CHUNK).min(end),
            customers,
        })
}

/// What one chunk wrote, and its contacts for the simulator's file.
struct ChunkDone {
    counts: SeedSummary,
    phases: Phases,
    contacts: Vec<crate::wecom::api::ContactDetails>,
}

async fn seed_chunk(
    db: &DatabaseConnection,
    world: &World<'_>,
    guide_ids: &HashMap<String, i64>,
    chunk: Chunk,
) -> Result<ChunkDone, SeedError> {
    let mut counts = SeedSummary::default();
    let mut phases = Phases::default();
    let batch: Vec<Generated> = if chunk.customers {
        chunk
            .range
            .clone()
            .map(|i| customers::customer(world, i))
            .collect()
    } else {
        chunk
            .range
            .clone()
            .map(|i| customers::walk_in_member(world, i))
            .collect()
    };
    if chunk.customers {
        let phase = Instant::now();
        write_contacts(db, &batch, guide_ids).await?;
        phases.contacts += phase.elapsed();
        counts.customers = chunk.range.end - chunk.range.start;
    }
    let mut batch = batch;
    let contacts = batch.iter_mut().filter_map(|g| g.contact.take()).collect();
    write_commerce(db, batch, &mut counts, &mut phases).await?;
    Ok(ChunkDone {
        counts,
        phases,
        contacts,
    })
}

/// The contacts and their guides' relations and tags, as a sync would store them.
async fn write_contacts(
    db: &DatabaseConnection,
    batch: &[Generated],
    guide_ids: &HashMap<String, i64>,
) -> Result<(), SeedError> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    for contact in batch.iter().filter_map(|g| g.contact.as_ref()) {
        let customer = directory::upsert_contact(&txn, &contact.external_contact, now).await?;
        for follow in &contact.follow_user {
            if let Some(&guide_id) = guide_ids.get(&follow.userid) {
                directory::record_followed(&txn, guide_id, customer.id, follow, now).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Members, then their orders, parcels and behaviour, through the ingest API's rules.
async fn write_commerce(
    db: &DatabaseConnection,
    batch: Vec<Generated>,
    summary: &mut SeedSummary,
    phases: &mut Phases,
) -> Result<(), SeedError> {
    let mut members = Vec::new();
    let mut orders = Vec::new();
    let mut shipments = Vec::new();
    let mut events = Vec::new();
    let mut grants = Vec::new();
    for generated in batch {
        members.extend(generated.member);
        orders.extend(generated.orders);
        shipments.extend(generated.shipments);
        events.extend(generated.events);
        grants.extend(generated.grants);
    }
    let mut phase = Instant::now();
    let mut lap = |total: &mut Duration| {
        *total += phase.elapsed();
        phase = Instant::now();
    };
    summary.members += ingest_all(db, Kind::Members, members).await?;
    lap(&mut phases.members);
    summary.orders += ingest_all(db, Kind::Orders, orders).await?;
    lap(&mut phases.orders);
    summary.shipments += ingest_all(db, Kind::Shipments, shipments).await?;
    lap(&mut phases.shipments);
    summary.events += ingest_all(db, Kind::Events, events).await?;
    summary.coupon_grants += ingest_all(db, Kind::CouponGrants, grants).await?;
    lap(&mut phases.events);
    Ok(())
}

/// Applies records in ingest-sized batches; any refusal is the generator's bug, reported.
async fn ingest_all(
    db: &DatabaseConnection,
    kind: Kind,
    records: Vec<Value>,
) -> Result<u64, SeedError> {
    let mut accepted = 0;
    let mut records = records.into_iter().peekable();
    while records.peek().is_some() {
        let batch: Vec<Value> = records.by_ref().take(batch::MAX_RECORDS).collect();
        let answer = batch::apply_batch(db, kind, batch, Utc::now()).await?;
        if let Some(refused) = answer.rejected.into_iter().next() {
            return Err(SeedError::Refused {
                kind: kind.name(),
                id: refused.id.unwrap_or_default(),
                message: refused.message,
            });
        }
        accepted += answer.accepted as u64;
    }
    Ok(accepted)
}

/// The simulator's data, streamed as the contacts are made: a million contacts never sit in
/// memory at once. Written beside the target and renamed at the end, so a simulator never
/// reads a half-written file.
struct SimulatorFile {
    path: PathBuf,
    partial: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    /// What follows the contacts' array (the rest of the corp's fields).
    tail: String,
    first: bool,
}

impl SimulatorFile {
    fn create(path: &Path, brand: &Brand) -> Result<Self, SeedError> {
        let io_error = |source| SeedError::SimulatorData {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        let partial = path.with_extension("partial");
        let file = std::fs::File::create(&partial).map_err(io_error)?;
        let mut out = std::io::BufWriter::new(file);
        let head = SimulatorData {
            corp_id: CORP_ID.into(),
            corp_secret: CORP_SECRET.into(),
            agent_id: AGENT_ID,
            members: brand.staff.iter().map(|s| s.member.clone()).collect(),
            contacts: Vec::new(),
            tag_groups: brand.tag_groups.clone(),
            callback: None,
        };
        let head = serde_json::to_string(&head).map_err(|e| io_error(e.into()))?;
        // `…,"contacts":[],…}`: the contacts go between the brackets as they are made.
        let (before, after) = head
            .split_once("\"contacts\":[]")
            .ok_or_else(|| io_error(std::io::Error::other("no contacts field")))?;
        out.write_all(before.as_bytes()).map_err(io_error)?;
        out.write_all(b"\"contacts\":[").map_err(io_error)?;
        Ok(Self {
            path: path.to_owned(),
            partial,
            out,
            tail: format!("]{after}"),
            first: true,
        })
    }

    fn error(&self, source: std::io::Error) -> SeedError {
        SeedError::SimulatorData {
            path: self.path.clone(),
            source,
        }
    }

    fn add(&mut self, contact: &crate::wecom::api::ContactDetails) -> Result<(), SeedError> {
        if !self.first {
            self.out.write_all(b",").map_err(|e| self.error(e))?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, contact).map_err(|e| self.error(e.into()))
    }

    fn finish(mut self) -> Result<(), SeedError> {
        let tail = std::mem::take(&mut self.tail);
        self.out
            .write_all(tail.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|e| self.error(e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| self.error(e))
    }
}

/// Where the time went, said at the end (what to make faster next).
#[derive(Default)]
struct Phases {
    contacts: Duration,
    members: Duration,
    orders: Duration,
    shipments: Duration,
    events: Duration,
}

impl Phases {
    fn add(&mut self, other: &Phases) {
        self.contacts += other.contacts;
        self.members += other.members;
        self.orders += other.orders;
        self.shipments += other.shipments;
        self.events += other.events;
    }
}

/// Plain progress lines, every few seconds.
struct Progress {
    phases: Phases,
    enabled: bool,
    total: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool, total: u64) -> Self {
        let now = Instant::now();
        Self {
            phases: Phases::default(),
            enabled,
            total,
            started: now,
            last: now,
        }
    }

    fn update(&mut self, done: u64, summary: &SeedSummary) {
        if !self.enabled || self.last.elapsed() < Duration::from_secs(3) {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / secs;
        let eta = (self.total.saturating_sub(done)) as f64 / rate.max(0.001);
        eprintln!(
            "customers {done}/{} ({:.0}%), {:.0}/s, orders {}, about {:.0} s to go",
            self.total,
            done as f64 * 100.0 / self.total.max(1) as f64,
            rate,
            summary.orders,
            eta
        );
    }

    fn finish(&self, summary: &SeedSummary) {
        if self.enabled {
            let p = &self.phases;
            eprintln!(
                "seeded in {:.1} s: {} customers, {} members, {} orders; time in (summed over chunks in flight): contacts {:.1} s, \
                 members {:.1} s, orders {:.1} s, shipments {:.1} s, events and coupons held {:.1} s",
                self.started.elapsed().as_secs_f64(),
                summary.customers,
                summary.members,
                summary.orders,
                p.contacts.as_secs_f64(),
                p.members.as_secs_f64(),
                p.orders.as_secs_f64(),
                p.shipments.as_secs_f64(),
                p.events.as_secs_f64(),
            );
        }
    }
}
