//! [`MemorySource`]: a complete in-memory [`PhonebookSource`].
//!
//! Thread-safe, with versions, sync tokens and a change log. Applications use it to
//! offer a folder filled from their own data; tests use it as a faithful backend (it
//! passes the same [conformance](crate::source) contract as the CardDAV backend).
//!
//! Progress: everything is at hand at once, so
//! [`list_with_progress`](PhonebookSource::list_with_progress) and
//! [`changes_since_with_progress`](PhonebookSource::changes_since_with_progress) report
//! once, at the end (`n of n`, `n` the records listed or changed), with no lock held.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard, RwLock};

use crate::error::{Error, Result};
use crate::schema::{Row, Schema};
use crate::source::{
    Changes, KnownVersions, Listing, PhonebookSource, ProgressFn, Record, RecordId, SourceInfo,
    SyncProgress, SyncToken, Version,
};
use crate::vcard::{self, VCard};

#[derive(Debug, Default)]
struct State {
    records: BTreeMap<RecordId, (Version, VCard)>,
    /// (sequence number, id) of every change, oldest first.
    log: Vec<(u64, RecordId)>,
    seq: u64,
    /// Tokens older than this are expired.
    horizon: u64,
    versions: u64,
}

/// An in-memory phone book folder. See the [module docs](self).
#[derive(Debug)]
pub struct MemorySource {
    name: String,
    schema: RwLock<Schema>,
    writable: bool,
    new_card_version: vcard::Version,
    state: Mutex<State>,
}

const TOKEN_PREFIX: &str = "mem:";

impl MemorySource {
    /// An empty, writable folder with the default schema.
    pub fn new(name: impl Into<String>) -> MemorySource {
        MemorySource {
            name: name.into(),
            schema: RwLock::new(Schema::default()),
            writable: true,
            new_card_version: vcard::Version::V3_0,
            state: Mutex::new(State::default()),
        }
    }

    /// Uses `schema` for rows.
    pub fn with_schema(self, schema: Schema) -> MemorySource {
        self.set_schema(schema);
        self
    }

    /// Refuses writes through the trait ([`Error::ReadOnly`]).
    pub fn read_only(mut self) -> MemorySource {
        self.writable = false;
        self
    }

    /// The vCard version of cards created from rows (default 3.0).
    pub fn with_new_card_version(mut self, version: vcard::Version) -> MemorySource {
        self.new_card_version = version;
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in another thread cannot leave State inconsistent: every mutation is
        // a single insert/remove plus a log push.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn schema_now(&self) -> Schema {
        self.schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn record(&self, id: &RecordId, version: &Version, card: &VCard) -> Record {
        Record {
            id: id.clone(),
            version: version.clone(),
            row: self.schema_now().to_row(card),
            card: card.clone(),
        }
    }

    /// Stores `card` under `id` unconditionally (the application's own data, or
    /// "someone else's edit" in tests), bypassing the read-only flag. Returns the
    /// new version.
    pub fn put_card(&self, id: impl Into<RecordId>, card: VCard) -> Version {
        let id = id.into();
        let mut s = self.lock();
        let v = next_version(&mut s);
        s.records.insert(id.clone(), (v.clone(), card));
        log(&mut s, id);
        v
    }

    /// Removes `id` unconditionally. Returns whether it existed.
    pub fn remove_card(&self, id: &RecordId) -> bool {
        let mut s = self.lock();
        let existed = s.records.remove(id).is_some();
        if existed {
            log(&mut s, id.clone());
        }
        existed
    }

    /// Forgets the change log: every token issued so far expires, as when a server
    /// prunes its history.
    pub fn expire_tokens(&self) {
        let mut s = self.lock();
        s.log.clear();
        s.horizon = s.seq;
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// Whether the folder is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check_writable(&self) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(Error::ReadOnly(self.name.clone()))
        }
    }

    fn conflict(&self, s: &State, id: &RecordId, based_on: &Version) -> Error {
        Error::Conflict {
            id: id.clone(),
            based_on: based_on.clone(),
            current: s
                .records
                .get(id)
                .map(|(v, c)| Box::new(self.record(id, v, c))),
        }
    }
}

fn next_version(s: &mut State) -> Version {
    s.versions += 1;
    Version::new(format!("\"m{}\"", s.versions))
}

fn log(s: &mut State, id: RecordId) {
    s.seq += 1;
    let seq = s.seq;
    s.log.push((seq, id));
}

fn token(seq: u64) -> SyncToken {
    SyncToken::new(format!("{TOKEN_PREFIX}{seq}"))
}

impl PhonebookSource for MemorySource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: self.name.clone(),
            writable: self.writable,
            incremental: true,
        }
    }

    fn schema(&self) -> Schema {
        self.schema_now()
    }

    fn set_schema(&self, schema: Schema) {
        *self.schema.write().unwrap_or_else(|e| e.into_inner()) = schema;
    }

    fn list(&self) -> Result<Listing> {
        let s = self.lock();
        Ok(Listing {
            records: s
                .records
                .iter()
                .map(|(id, (v, c))| self.record(id, v, c))
                .collect(),
            token: Some(token(s.seq)),
            warnings: Vec::new(),
            requests: 1,
        })
    }

    fn changes_since(&self, since: &SyncToken, _known: &KnownVersions) -> Result<Changes> {
        let s = self.lock();
        let seq: u64 = since
            .as_str()
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|n| n.parse().ok())
            .ok_or(Error::TokenExpired)?;
        if seq < s.horizon || seq > s.seq {
            return Err(Error::TokenExpired);
        }
        let mut seen = HashSet::new();
        let mut changes = Changes {
            token: Some(token(s.seq)),
            requests: 1,
            ..Changes::default()
        };
        for (_, id) in s.log.iter().filter(|(n, _)| *n > seq) {
            if !seen.insert(id.clone()) {
                continue;
            }
            match s.records.get(id) {
                Some((v, c)) => changes.changed.push(self.record(id, v, c)),
                None => changes.removed.push(id.clone()),
            }
        }
        Ok(changes)
    }

    fn list_with_progress(&self, progress: ProgressFn<'_>) -> Result<Listing> {
        let listing = self.list()?;
        let n = listing.records.len();
        progress(SyncProgress::new(n, Some(n)));
        Ok(listing)
    }

    fn changes_since_with_progress(
        &self,
        token: &SyncToken,
        known: &KnownVersions,
        progress: ProgressFn<'_>,
    ) -> Result<Changes> {
        let changes = self.changes_since(token, known)?;
        let n = changes.changed.len();
        progress(SyncProgress::new(n, Some(n)));
        Ok(changes)
    }

    fn get(&self, id: &RecordId) -> Result<Record> {
        let s = self.lock();
        s.records
            .get(id)
            .map(|(v, c)| self.record(id, v, c))
            .ok_or_else(|| Error::not_found(id))
    }

    fn create(&self, row: &Row) -> Result<Record> {
        self.check_writable()?;
        let schema = self.schema_now();
        schema.check_row(row)?;
        let card = schema.new_card(row, self.new_card_version);
        let uid = card.uid().unwrap_or_default();
        let id = RecordId::new(format!("{}.vcf", uid.trim_start_matches("urn:uuid:")));
        let mut s = self.lock();
        let v = next_version(&mut s);
        s.records.insert(id.clone(), (v.clone(), card.clone()));
        log(&mut s, id.clone());
        Ok(self.record(&id, &v, &card))
    }

    fn update(&self, base: &Record, row: &Row) -> Result<Record> {
        self.check_writable()?;
        let schema = self.schema_now();
        schema.check_row(row)?;
        let mut s = self.lock();
        let card = match s.records.get(&base.id) {
            None => return Err(Error::not_found(&base.id)),
            Some((v, _)) if *v != base.version => {
                return Err(self.conflict(&s, &base.id, &base.version));
            }
            Some((_, c)) => c,
        };
        let mut card = card.clone();
        schema.merge(&mut card, row);
        let v = next_version(&mut s);
        s.records.insert(base.id.clone(), (v.clone(), card.clone()));
        log(&mut s, base.id.clone());
        Ok(self.record(&base.id, &v, &card))
    }

    fn delete(&self, id: &RecordId, based_on: &Version) -> Result<()> {
        self.check_writable()?;
        let mut s = self.lock();
        match s.records.get(id) {
            None => Err(Error::not_found(id)),
            Some((v, _)) if v != based_on => Err(self.conflict(&s, id, based_on)),
            Some(_) => {
                s.records.remove(id);
                log(&mut s, id.clone());
                Ok(())
            }
        }
    }
}
