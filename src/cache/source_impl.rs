//! The cached folder as a [`PhonebookSource`]: reads come from the cache, writes go
//! through, change queries go to the source.

use super::CachedFolder;
use crate::error::Result;
use crate::schema::{Row, Schema};
use crate::source::{
    Changes, KnownVersions, Listing, PhonebookSource, ProgressFn, Record, RecordId, RecordWarning,
    SourceInfo, SyncToken, Version,
};

/// A cached folder is itself a source: listings and reads come from the cache (no
/// network), writes go through; `changes_since` asks the source.
impl PhonebookSource for CachedFolder {
    fn info(&self) -> SourceInfo {
        self.source().info()
    }

    fn schema(&self) -> Schema {
        self.source().schema()
    }

    fn set_schema(&self, schema: Schema) {
        // The trait cannot report errors here. A schema over the limits is ignored;
        // a failing store keeps the old rows, which are re-mapped on the next reload.
        if schema.validate().is_ok() && self.set_schema(schema.clone()).is_err() {
            self.source().set_schema(schema);
        }
    }

    fn list(&self) -> Result<Listing> {
        let snap = self.snapshot();
        let mut records = Vec::with_capacity(snap.len());
        let mut warnings = Vec::new();
        for (id, _) in snap.rows() {
            match self.cached_record(id) {
                Ok(r) => records.push(r),
                Err(e) => warnings.push(RecordWarning {
                    id: id.clone(),
                    message: e.to_string(),
                }),
            }
        }
        Ok(Listing {
            records,
            token: snap.token.clone(),
            warnings,
            requests: 0,
        })
    }

    fn changes_since(&self, token: &SyncToken, known: &KnownVersions) -> Result<Changes> {
        self.source().changes_since(token, known)
    }

    fn changes_since_with_progress(
        &self,
        token: &SyncToken,
        known: &KnownVersions,
        progress: ProgressFn<'_>,
    ) -> Result<Changes> {
        self.source()
            .changes_since_with_progress(token, known, progress)
    }

    fn get(&self, id: &RecordId) -> Result<Record> {
        self.cached_record(id)
    }

    fn create(&self, row: &Row) -> Result<Record> {
        CachedFolder::create(self, row)
    }

    fn update(&self, base: &Record, row: &Row) -> Result<Record> {
        CachedFolder::update(self, base, row)
    }

    fn delete(&self, id: &RecordId, based_on: &Version) -> Result<()> {
        CachedFolder::delete(self, id, based_on)
    }
}
