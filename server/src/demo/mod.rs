//! `guidedesk demo seed`: a believable brand, the same for a given seed, written to both
//! sides at once: GuideDesk's database (through the same paths a sync and the ingest API
//! take, so it is exactly what those would have stored) and the WeCom simulator's data file
//! (its members, contacts with followers and tags, and tag catalogue), so that the simulated
//! WeCom and GuideDesk agree about who serves whom.

pub mod brand;
mod brand_records;
pub mod calendar;
pub mod catalogue;
mod demo_mall;
pub mod generated_customers;
pub mod images;
mod mall_reports;
mod member_history;
mod orders_and_parcels;
pub mod random;
mod seed_progress;
mod simulator_file;
pub mod words;
mod world;

pub use images::{DemoPages, routes};

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use futures_util::StreamExt;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};
use serde_json::Value;

use crate::commerce::batch::{self, Kind};
use crate::commerce::stamped::NothingAfter;
use crate::database::begin_write;
use crate::directory;
use crate::entity::{customer, member, store};

use brand::Brand;
use calendar::Calendar;
use seed_progress::{Phases, Progress};
use simulator_file::SimulatorFile;
use world::{Generated, World};

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

impl SeedSummary {
    /// Adds what a chunk of customers (or walk-in members) wrote.
    fn add_customers(&mut self, chunk: &SeedSummary) {
        self.customers += chunk.customers;
        self.members += chunk.members;
        self.orders += chunk.orders;
        self.shipments += chunk.shipments;
        self.events += chunk.events;
        self.coupon_grants += chunk.coupon_grants;
    }
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

/// Seeds the brand: its fixed part, then its customers a chunk at a time, several chunks in
/// flight, recorded in order.
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
            write_simulator_only(path, &brand, &world, options.customers)?;
        }
        return Ok(SeedSummary {
            skipped: true,
            ..SeedSummary::default()
        });
    }

    let mut summary = SeedSummary::default();
    let guide_ids =
        brand_records::seed_brand(db, &brand, &calendar, &products, &mut summary).await?;
    let mut simulator_file = (options.simulator_data.as_deref())
        .map(|path| SimulatorFile::create(path, &brand))
        .transpose()?;
    let mut progress = Progress::new(options.progress, options.customers);
    let walk_ins = options.customers * WALK_IN_PER_100 / 100;
    let chunks = chunks(0..options.customers, true).chain(chunks(0..walk_ins, false));
    // A few chunks in flight on PostgreSQL: while one waits on the database another is
    // generated or written. SQLite has one writer, so there one at a time.
    let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let in_flight = if sqlite { 1 } else { CHUNKS_IN_FLIGHT };
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
        summary.add_customers(&chunk.counts);
        progress.phases.add(&chunk.phases);
        progress.update(&summary);
    }
    progress.finish(&summary);

    if let Some(file) = simulator_file {
        file.finish()?;
    }
    Ok(summary)
}

/// The simulator's file alone, for a database seeded before.
fn write_simulator_only(
    path: &std::path::Path,
    brand: &Brand,
    world: &World<'_>,
    customers: u64,
) -> Result<(), SeedError> {
    let mut file = SimulatorFile::create(path, brand)?;
    for index in 0..customers {
        if let Some(contact) = generated_customers::customer(world, index).contact {
            file.add(&contact)?;
        }
    }
    file.finish()
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
            .map(|i| generated_customers::customer(world, i))
            .collect()
    } else {
        chunk
            .range
            .clone()
            .map(|i| generated_customers::walk_in_member(world, i))
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
        // Seeded history is not credited as it is written (a million customers' worth would
        // slow the seed several times over); the demo's own sales are, through the ingest API.
        let answer = batch::apply_batch(db, kind, batch, Utc::now(), &NothingAfter).await?;
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
