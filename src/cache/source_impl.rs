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

    /// As [`CachedFolder::set_schema`], which returns what failed; this method cannot,
    /// so a failure becomes the folder's [`open_warning`](CachedFolder::open_warning).
    /// A schema over the column limits is not applied; one the cache cannot store is
    /// still given to the source, and the cached rows follow it with the next reload.
    fn set_schema(&self, schema: Schema) {
        self.set_schema_or_warn(schema);
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::memory::MemorySource;
    use crate::schema::PhoneKind;

    fn folder(dir: &std::path::Path) -> CachedFolder {
        CachedFolder::open(dir, "work", Arc::new(MemorySource::new("work"))).unwrap()
    }

    #[test]
    fn a_schema_over_the_limits_is_refused_visibly() {
        let dir = tempfile::tempdir().unwrap();
        let f = folder(dir.path());
        let before = f.source().schema();
        let huge = Schema {
            phones: vec![PhoneKind::Other; 100_000],
            ..Schema::default()
        };
        let source: &dyn PhonebookSource = &f;
        source.set_schema(huge);
        assert_eq!(f.source().schema(), before);
        let warning = f.open_warning().expect("the failure is visible");
        assert!(warning.contains("schema was not applied"), "{warning}");
    }

    #[test]
    fn a_schema_the_cache_cannot_store_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let f = folder(dir.path());
        // The settings file's lock cannot be taken: a directory stands in its place
        // (also for root, whom file permissions do not stop).
        let lock = dir.path().join("work.lock");
        let _ = std::fs::remove_file(&lock);
        std::fs::create_dir(&lock).unwrap();
        let mut wide = Schema::default();
        wide.set_phone_count(9).unwrap();
        assert!(f.set_schema(wide.clone()).is_err());
        assert_eq!(
            f.open_warning(),
            None,
            "the inherent method returns the error"
        );

        let source: &dyn PhonebookSource = &f;
        source.set_schema(wide.clone());
        let warning = f.open_warning().expect("the failure is visible");
        assert!(warning.contains("could not be stored"), "{warning}");
        // The source maps with the new schema; a reload brings the rows to it and
        // clears the warning.
        assert_eq!(f.source().schema(), wide);
        f.reload().unwrap();
        assert_eq!(f.open_warning(), None);
    }
}
