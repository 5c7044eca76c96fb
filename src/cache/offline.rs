//! [`OfflineSource`]: stands in for a folder's real source while it is not connected.

use std::sync::RwLock;

use crate::error::{Error, Result};
use crate::schema::{Row, Schema};
use crate::source::{
    Changes, KnownVersions, Listing, PhonebookSource, Record, RecordId, SourceInfo, SyncToken,
    Version,
};

/// A source that is not connected: the cache in front of it answers listings,
/// reads and lookups; every call that needs the source fails with a transient
/// [`Error::NotConnected`], which leaves the cache unchanged.
///
/// Use it to open a folder at start-up before credentials are at hand, or in tools
/// that only read the cache.
#[derive(Debug)]
pub struct OfflineSource {
    name: String,
    schema: RwLock<Schema>,
}

impl OfflineSource {
    /// A stand-in for the source of folder `name`.
    pub fn new(name: impl Into<String>) -> OfflineSource {
        OfflineSource {
            name: name.into(),
            schema: RwLock::new(Schema::default()),
        }
    }

    fn offline<T>(&self) -> Result<T> {
        Err(Error::NotConnected {
            folder: self.name.clone(),
        })
    }
}

impl PhonebookSource for OfflineSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: self.name.clone(),
            writable: false,
            incremental: false,
        }
    }
    fn schema(&self) -> Schema {
        self.schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    fn set_schema(&self, schema: Schema) {
        *self.schema.write().unwrap_or_else(|e| e.into_inner()) = schema;
    }
    fn list(&self) -> Result<Listing> {
        self.offline()
    }
    fn changes_since(&self, _: &SyncToken, _: &KnownVersions) -> Result<Changes> {
        self.offline()
    }
    fn get(&self, _: &RecordId) -> Result<Record> {
        self.offline()
    }
    fn create(&self, _: &Row) -> Result<Record> {
        self.offline()
    }
    fn update(&self, _: &Record, _: &Row) -> Result<Record> {
        self.offline()
    }
    fn delete(&self, _: &RecordId, _: &Version) -> Result<()> {
        self.offline()
    }
}
