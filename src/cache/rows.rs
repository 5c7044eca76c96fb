//! [`RowMap`]: the rows of a snapshot, sorted by record id, in shared chunks.
//!
//! Every sync builds the next snapshot from the current one while readers keep the
//! current one. Copying a map of 100,000 rows for each sync cost tens of
//! milliseconds; here a snapshot is a list of `Arc` chunks of at most
//! [`MAX_CHUNK`] rows, and a change copies only the chunks it touches.

use std::sync::Arc;

use super::CachedRow;
use crate::record::RecordId;

/// Most rows in one chunk; a chunk that grows past it is split in two.
const MAX_CHUNK: usize = 512;

/// One row of a chunk.
pub(crate) type Entry = (RecordId, Arc<CachedRow>);
/// A run of rows in id order, shared between snapshots until one changes it.
pub(crate) type Chunk = Arc<Vec<Entry>>;

/// Rows by record id, sorted, cheap to clone and to change a little.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowMap {
    chunks: Vec<Chunk>,
    len: usize,
}

impl RowMap {
    /// Builds the map from entries in any order (duplicates: the last one wins).
    pub fn from_entries(mut entries: Vec<Entry>) -> RowMap {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(later, earlier);
                true
            } else {
                false
            }
        });
        let len = entries.len();
        let mut chunks = Vec::with_capacity(len / MAX_CHUNK + 1);
        let mut it = entries.into_iter().peekable();
        while it.peek().is_some() {
            chunks.push(Arc::new(it.by_ref().take(MAX_CHUNK / 2).collect()));
        }
        RowMap { chunks, len }
    }

    /// The chunks, in id order: for a reader that keeps rows by position.
    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The chunk that holds `id`, or would hold it.
    fn chunk_of(&self, id: &RecordId) -> usize {
        // First chunk whose last id is >= id; past the end: the last chunk.
        let i = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|(last, _)| last < id));
        i.min(self.chunks.len().saturating_sub(1))
    }

    /// The row of `id`.
    pub fn get(&self, id: &RecordId) -> Option<&Arc<CachedRow>> {
        let chunk = self.chunks.get(self.chunk_of(id))?;
        chunk
            .binary_search_by(|(k, _)| k.cmp(id))
            .ok()
            .map(|i| &chunk[i].1)
    }

    /// Whether `id` has a row.
    pub fn contains_key(&self, id: &RecordId) -> bool {
        self.get(id).is_some()
    }

    /// Inserts or replaces the row of `id`.
    pub fn insert(&mut self, id: RecordId, row: Arc<CachedRow>) {
        if self.chunks.is_empty() {
            self.chunks.push(Arc::new(Vec::new()));
        }
        let c = self.chunk_of(&id);
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        match chunk.binary_search_by(|(k, _)| k.cmp(&id)) {
            Ok(i) => chunk[i].1 = row,
            Err(i) => {
                chunk.insert(i, (id, row));
                self.len += 1;
                if chunk.len() > MAX_CHUNK {
                    let tail = chunk.split_off(chunk.len() / 2);
                    self.chunks.insert(c + 1, Arc::new(tail));
                }
            }
        }
    }

    /// Removes the row of `id`; returns whether there was one.
    pub fn remove(&mut self, id: &RecordId) -> bool {
        let c = self.chunk_of(id);
        let Some(chunk) = self.chunks.get(c) else {
            return false;
        };
        let Ok(i) = chunk.binary_search_by(|(k, _)| k.cmp(id)) else {
            return false;
        };
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        chunk.remove(i);
        if chunk.is_empty() {
            self.chunks.remove(c);
        }
        self.len -= 1;
        true
    }

    /// Rows in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&RecordId, &Arc<CachedRow>)> {
        self.chunks
            .iter()
            .flat_map(|c| c.iter().map(|(k, v)| (k, v)))
    }

    /// Ids in order.
    pub fn keys(&self) -> impl Iterator<Item = &RecordId> {
        self.iter().map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Version;
    use crate::schema::Row;
    use std::collections::BTreeMap;

    fn row(n: u32) -> Arc<CachedRow> {
        Arc::new(CachedRow {
            version: Version::new(n.to_string()),
            row: Row::new(),
        })
    }

    #[test]
    fn behaves_like_a_btreemap() {
        // A fixed pseudo-random walk of inserts and removes, checked against BTreeMap.
        let mut m = RowMap::from_entries(
            (0..3000)
                .map(|i| (RecordId::new(format!("{:05}", i * 7 % 3001)), row(i)))
                .collect(),
        );
        let mut b: BTreeMap<RecordId, u32> = (0..3000)
            .map(|i| (RecordId::new(format!("{:05}", i * 7 % 3001)), i))
            .collect();
        let mut x: u64 = 12345;
        for step in 0..20_000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let id = RecordId::new(format!("{:05}", (x >> 33) % 4000));
            if x.is_multiple_of(3) {
                assert_eq!(m.remove(&id), b.remove(&id).is_some());
            } else {
                m.insert(id.clone(), row(step));
                b.insert(id, step);
            }
        }
        let snapshot = m.clone();
        m.insert(RecordId::new("zzz"), row(1));
        assert_eq!(snapshot.len() + 1, m.len());
        assert!(!snapshot.contains_key(&RecordId::new("zzz")));
        m.remove(&RecordId::new("zzz"));
        assert_eq!(m.len(), b.len());
        let got: Vec<(String, String)> = m
            .iter()
            .map(|(k, v)| (k.to_string(), v.version.to_string()))
            .collect();
        let want: Vec<(String, String)> = b
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
        for (k, v) in &b {
            assert_eq!(m.get(k).unwrap().version.to_string(), v.to_string());
        }
        assert!(m.get(&RecordId::new("99999")).is_none());
    }

    #[test]
    fn empty_map() {
        let mut m = RowMap::default();
        assert!(m.get(&RecordId::new("a")).is_none());
        assert!(!m.remove(&RecordId::new("a")));
        m.insert(RecordId::new("a"), row(1));
        assert!(m.remove(&RecordId::new("a")));
        assert_eq!(m.len(), 0);
        assert_eq!(m.iter().count(), 0);
    }
}
