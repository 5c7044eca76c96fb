//! The contract every phone book backend fulfils: [`PhonebookSource`].
//!
//! A source is a folder of contact records. Every record carries its native vCard, so
//! that writes merge row edits into the card the record came from and lose nothing the
//! row does not show; the [`Row`] is the table view of that card under the source's
//! [`Schema`].
//!
//! # Contract
//!
//! * All methods are blocking and may do network I/O. They are safe to call from
//!   several threads at once. Async hosts call them through `spawn_blocking`.
//! * [`Version`]s are opaque (an HTTP ETag for CardDAV). Two versions of the same record
//!   are equal exactly when the record did not change in between.
//! * Writes are optimistic: [`PhonebookSource::update`] and [`PhonebookSource::delete`]
//!   carry the version the caller based the change on; when the record changed since,
//!   they fail with [`Error::Conflict`] and change nothing. [`PhonebookSource::create`]
//!   never overwrites an existing record.
//! * A [`SyncToken`] is opaque. [`PhonebookSource::changes_since`] reports every change
//!   after the token was issued, or fails with [`Error::TokenExpired`]: then the caller
//!   does a full [`PhonebookSource::list`].
//!
//! * A large listing need not be held whole: [`PhonebookSource::list_into`] hands the
//!   records to a [`RecordSink`] as they arrive.
//! * A long [`list`](PhonebookSource::list) or
//!   [`changes_since`](PhonebookSource::changes_since) can tell how far it got:
//!   [`PhonebookSource::list_with_progress`] and
//!   [`PhonebookSource::changes_since_with_progress`] call a callback with a
//!   [`SyncProgress`] as they go. Sources without anything to report keep the provided
//!   methods, which call no callback.
//!
//! # Why sources map cards to rows
//!
//! A source owns its [`Schema`] and hands out [`Record`]s with their row, rather than
//! dealing in cards and versions and leaving the mapping to the cache. Every consumer
//! of the trait wants the row: the cache, [`Phonebook`](crate::Phonebook), the C ABI,
//! the conformance suite and a host that uses a source without a cache (a
//! [`MemorySource`](crate::MemorySource) in a test, a CardDAV book read once). With
//! the schema here, each of them gets a table without a mapping layer of its own, and
//! [`PhonebookSource::create`] and [`PhonebookSource::update`] take rows, which is
//! what an edited table gives. The price is one schema value per backend, which
//! [`CachedFolder::set_schema`](crate::cache::CachedFolder::set_schema) keeps in step
//! with the folder's stored schema.
//!
//! Errors a caller branches on: [`Error::NotFound`], [`Error::Conflict`],
//! [`Error::Unauthorized`], [`Error::ReadOnly`], [`Error::TokenExpired`],
//! [`Error::Network`] (transient), [`Error::Certificate`] (not transient: the server's
//! TLS certificate is not trusted), [`Error::InvalidResponse`], [`Error::Config`].

use std::collections::HashMap;
use std::fmt;

#[allow(unused_imports)] // doc links
use crate::error::{Error, Result};
pub use crate::record::{Record, RecordId, RecordWarning, SyncToken, Version};
use crate::schema::{Row, Schema};

/// A full listing of a source.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Every record the source holds (those that could be read).
    pub records: Vec<Record>,
    /// Token for the next [`PhonebookSource::changes_since`], if the source has one.
    pub token: Option<SyncToken>,
    /// Records that could not be read, skipped.
    pub warnings: Vec<RecordWarning>,
    /// Requests (round trips) the listing cost.
    pub requests: u32,
}

/// The changes of a source since a token.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Records created or changed since the token, in their current state.
    pub changed: Vec<Record>,
    /// Records removed since the token.
    pub removed: Vec<RecordId>,
    /// Token for the next call.
    pub token: Option<SyncToken>,
    /// Records that could not be read, skipped.
    pub warnings: Vec<RecordWarning>,
    /// Requests (round trips) the check cost.
    pub requests: u32,
}

/// How far a listing or sync has got: `fetched` of `total` records dealt with.
///
/// A record counts as fetched once the source is done with it: delivered, skipped with
/// a [`RecordWarning`], or found gone meanwhile. So `fetched` only grows, and the last
/// event of a completed call has `fetched == total`. Removals a sync reports cost
/// nothing to fetch and are not counted.
///
/// `total` is `None` while the source does not know yet how many records it must
/// fetch, and `Some` from the moment it does: for CardDAV, once the ETag listing (a
/// full [`list`](PhonebookSource::list)) or the sync-collection report (a
/// [`changes_since`](PhonebookSource::changes_since)) said which cards to fetch.
///
/// Sources construct it with [`SyncProgress::new`]; it is `#[non_exhaustive]` so that
/// more detail can be added later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncProgress {
    /// Records dealt with so far.
    pub fetched: usize,
    /// How many records this call fetches in all, once known.
    pub total: Option<usize>,
}

impl SyncProgress {
    /// `fetched` of `total` records.
    pub fn new(fetched: usize, total: Option<usize>) -> SyncProgress {
        SyncProgress { fetched, total }
    }
}

/// The callback of [`PhonebookSource::list_with_progress`] and
/// [`PhonebookSource::changes_since_with_progress`]. `Sync`, so that a source may fetch
/// from several threads.
pub type ProgressFn<'a> = &'a (dyn Fn(SyncProgress) + Sync);

/// Where [`PhonebookSource::list_into`] hands records as they arrive, so that a
/// listing of 100,000 records is never held whole. The cache implements it to write
/// a reload as it comes in; [`Collected`] keeps everything.
///
/// A source calls it from one thread at a time (it is `Send`, so that the thread may
/// be one of the source's own), and stops the listing with the error any method
/// returns.
pub trait RecordSink: Send {
    /// Records that arrived. A record whose id was delivered before replaces it.
    ///
    /// # Errors
    /// Whatever keeps the sink from taking them; the listing then fails with it.
    fn records(&mut self, records: Vec<Record>) -> Result<()>;

    /// Records found removed after all, also ones delivered before (a listing in
    /// several rounds during which a record was deleted).
    ///
    /// # Errors
    /// As [`records`](Self::records).
    fn removed(&mut self, ids: Vec<RecordId>) -> Result<()>;

    /// Forget everything delivered so far: the listing starts over (a source that
    /// falls back to another way of listing after a partial one).
    ///
    /// # Errors
    /// As [`records`](Self::records).
    fn restart(&mut self) -> Result<()>;
}

/// A [`RecordSink`] that keeps what it is given, the last word on each id counting,
/// in the order the ids first came: what [`PhonebookSource::list`] returns, built
/// from [`PhonebookSource::list_into`].
#[derive(Debug, Default)]
pub struct Collected {
    index: HashMap<RecordId, usize>,
    entries: Vec<Option<Record>>,
}

impl Collected {
    /// An empty collection.
    pub fn new() -> Collected {
        Collected::default()
    }

    /// The records collected, without the removed ones.
    pub fn into_records(self) -> Vec<Record> {
        self.entries.into_iter().flatten().collect()
    }

    fn put(&mut self, id: RecordId, record: Option<Record>) {
        match self.index.get(&id) {
            Some(&i) => self.entries[i] = record,
            None if record.is_none() => {}
            None => {
                self.index.insert(id, self.entries.len());
                self.entries.push(record);
            }
        }
    }
}

impl RecordSink for Collected {
    fn records(&mut self, records: Vec<Record>) -> Result<()> {
        for r in records {
            self.put(r.id.clone(), Some(r));
        }
        Ok(())
    }

    fn removed(&mut self, ids: Vec<RecordId>) -> Result<()> {
        for id in ids {
            self.put(id, None);
        }
        Ok(())
    }

    fn restart(&mut self) -> Result<()> {
        *self = Collected::default();
        Ok(())
    }
}

/// What a source is and can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Human-readable name (the address book's display name).
    pub name: String,
    /// Whether create, update and delete are accepted.
    pub writable: bool,
    /// Whether [`PhonebookSource::changes_since`] reports changes without a full listing
    /// (a server-side change log), rather than by comparing versions.
    pub incremental: bool,
}

/// Versions the caller already holds, keyed by record id; lets sources without a
/// change log compute changes by comparison.
pub type KnownVersions = HashMap<RecordId, Version>;

/// A phone book backend. See the [module docs](self) for the contract.
pub trait PhonebookSource: Send + Sync + fmt::Debug {
    /// What the source is and can do.
    fn info(&self) -> SourceInfo;

    /// The schema rows are mapped with.
    fn schema(&self) -> Schema;

    /// Changes the schema rows are mapped with from now on (column counts and kinds).
    /// Cards are kept whole, so nothing is lost; records read afterwards show the new
    /// columns.
    fn set_schema(&self, schema: Schema);

    /// Every record, with a token for later incremental sync.
    ///
    /// # Errors
    /// [`Error::Unauthorized`], [`Error::Network`], [`Error::InvalidResponse`]. Single
    /// unreadable records are [`Listing::warnings`], not errors.
    fn list(&self) -> Result<Listing>;

    /// What changed since `token`. `known` holds the versions the caller has; sources
    /// without a change log compare against it, others may ignore it.
    ///
    /// # Errors
    /// [`Error::TokenExpired`] when the token is no longer accepted (do a full
    /// [`list`](Self::list)); otherwise as for [`list`](Self::list).
    fn changes_since(&self, token: &SyncToken, known: &KnownVersions) -> Result<Changes>;

    /// As [`list`](Self::list), calling `progress` as records arrive (see
    /// [`SyncProgress`]).
    ///
    /// Implementations call `progress` on the calling thread or on threads of their
    /// own, never while holding a lock that another method of the source needs, and
    /// let a panic in it unwind out of the call. They may call it not at all: the
    /// provided method just calls [`list`](Self::list).
    ///
    /// # Errors
    /// As [`list`](Self::list).
    fn list_with_progress(&self, progress: ProgressFn<'_>) -> Result<Listing> {
        let _ = progress;
        self.list()
    }

    /// As [`list_with_progress`](Self::list_with_progress), but the records go to
    /// `sink` as they arrive instead of into [`Listing::records`], which comes back
    /// empty: a source that reads its records in pieces (CardDAV does) never holds
    /// them all. The provided method lists with
    /// [`list_with_progress`](Self::list_with_progress) and hands everything over at
    /// once.
    ///
    /// # Errors
    /// As [`list`](Self::list), and an error of `sink`. `sink` may then hold part of
    /// the records.
    fn list_into(&self, progress: ProgressFn<'_>, sink: &mut dyn RecordSink) -> Result<Listing> {
        let mut listing = self.list_with_progress(progress)?;
        sink.records(std::mem::take(&mut listing.records))?;
        Ok(listing)
    }

    /// As [`changes_since`](Self::changes_since), calling `progress` as changed records
    /// arrive; the rules of [`list_with_progress`](Self::list_with_progress) apply. The
    /// provided method just calls [`changes_since`](Self::changes_since).
    ///
    /// # Errors
    /// As [`changes_since`](Self::changes_since).
    fn changes_since_with_progress(
        &self,
        token: &SyncToken,
        known: &KnownVersions,
        progress: ProgressFn<'_>,
    ) -> Result<Changes> {
        let _ = progress;
        self.changes_since(token, known)
    }

    /// One record in its current state.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist.
    fn get(&self, id: &RecordId) -> Result<Record>;

    /// Creates a record from a row (a new card with a fresh UID). Returns the record as
    /// the source stored it.
    ///
    /// # Errors
    /// [`Error::ReadOnly`]; network errors.
    fn create(&self, row: &Row) -> Result<Record>;

    /// Merges `row` into `base`'s card and stores it, if `base.version` is still current.
    /// Returns the record as the source stored it.
    ///
    /// # Errors
    /// [`Error::Conflict`] (with the current record when known) when `base.version` is
    /// stale; [`Error::NotFound`]; [`Error::ReadOnly`].
    fn update(&self, base: &Record, row: &Row) -> Result<Record>;

    /// Removes a record if `based_on` is still its version.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the version is stale; [`Error::NotFound`];
    /// [`Error::ReadOnly`].
    fn delete(&self, id: &RecordId, based_on: &Version) -> Result<()>;
}
