//! Write-through: creates, updates and deletes go to the source and update the
//! cache in the same call; a conflict stores the server's version.

use super::{CachedFolder, lock};
use crate::error::{Error, Result};
use crate::schema::Row;
use crate::source::{Record, RecordId, Version};

impl CachedFolder {
    /// Creates a record at the source and caches it.
    ///
    /// # Errors
    /// Source errors; nothing is cached then.
    pub fn create(&self, row: &Row) -> Result<Record> {
        let _g = lock(&self.sync_lock);
        let rec = self.source().create(row)?;
        self.keep(vec![rec.clone()])?;
        Ok(rec)
    }

    /// Updates a record at the source (merging `row` into `base`'s card) and caches the
    /// result. On a conflict the cache takes the server's version, and the error
    /// carries it.
    ///
    /// # Errors
    /// [`Error::Conflict`] with `current` filled when it could be fetched; other
    /// source errors.
    pub fn update(&self, base: &Record, row: &Row) -> Result<Record> {
        let _g = lock(&self.sync_lock);
        match self.source().update(base, row) {
            Ok(rec) => {
                self.keep(vec![rec.clone()])?;
                Ok(rec)
            }
            Err(e) => Err(self.absorb_conflict(e)),
        }
    }

    /// Deletes a record at the source and from the cache.
    ///
    /// # Errors
    /// As [`CachedFolder::update`]; [`Error::NotFound`] also removes the record from
    /// the cache.
    pub fn delete(&self, id: &RecordId, based_on: &Version) -> Result<()> {
        let _g = lock(&self.sync_lock);
        match self.source().delete(id, based_on) {
            Ok(()) => self.forget(std::slice::from_ref(id)).map(drop),
            Err(e @ Error::NotFound { .. }) => {
                self.forget(std::slice::from_ref(id))?;
                Err(e)
            }
            Err(e) => Err(self.absorb_conflict(e)),
        }
    }

    /// On a conflict, stores the server's current record and makes sure the error
    /// carries it.
    fn absorb_conflict(&self, e: Error) -> Error {
        let Error::Conflict {
            id,
            based_on,
            current,
        } = e
        else {
            return e;
        };
        let rid = id.clone();
        let current = current.map(|c| *c).or_else(|| self.source().get(&rid).ok());
        match &current {
            Some(c) => {
                let _ = self.keep(vec![c.clone()]);
            }
            None => {
                let _ = self.forget(&[rid]);
            }
        }
        Error::Conflict {
            id,
            based_on,
            current: current.map(Box::new),
        }
    }
}
