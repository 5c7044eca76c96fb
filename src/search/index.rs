//! [`SearchIndex`]: the search index of every folder of a phone book, kept current
//! from the folders' changes.
//!
//! Each folder has an immutable [`Segment`] built from one snapshot on the first
//! search (so that opening a phone book costs nothing here), a set of slots that
//! are no longer current (changed or removed since), and the changed contacts
//! folded beside it ([`Pending`]), which a search reads one by one. When the
//! changes outgrow a thirty-second of the segment (at least 64), the folder's
//! segment is built anew from its snapshot on the next search. Searches run on
//! the state of one moment and never wait for an update.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::cache::{CachedRow, Snapshot};
use crate::lookup::DialPlan;
use crate::record::RecordId;
use crate::schema::Schema;

use super::columns::SearchColumns;
use super::hit::{Marks, Scratch, SearchHit, display_name};
use super::query::{HomeNumbers, Pending, Term, search_segment, terms};
use super::segment::Segment;

/// Changes a folder keeps beside its segment before the segment is built anew:
/// at least this many.
const MIN_PENDING: usize = 64;

/// One folder's part of the index: its snapshot, and the index of it, built on
/// the first search.
#[derive(Debug)]
struct FolderIndex {
    snapshot: Arc<Snapshot>,
    columns: SearchColumns,
    built: OnceLock<Built>,
}

/// A folder's segment and what changed since it was built.
#[derive(Debug)]
struct Built {
    base: Arc<Segment>,
    /// One bit per slot of `base`: set when the slot's record changed or went.
    dead: Vec<u64>,
    pending: Vec<Arc<Pending>>,
}

impl Built {
    fn new(snapshot: &Snapshot, columns: &SearchColumns) -> Built {
        let base = Segment::build(snapshot, columns);
        Built {
            dead: vec![0; base.len().div_ceil(64)],
            base: Arc::new(base),
            pending: Vec::new(),
        }
    }

    fn is_dead(&self, slot: u32) -> bool {
        self.dead[slot as usize / 64] & (1 << (slot % 64)) != 0
    }

    /// This index with `changed` (read from `snapshot`) and `removed` applied, or
    /// `None` when the segment should be built anew.
    fn with_changes(
        &self,
        snapshot: &Snapshot,
        columns: &SearchColumns,
        changed: &[RecordId],
        removed: &[RecordId],
    ) -> Option<Built> {
        let limit = MIN_PENDING.max(self.base.len() / 32);
        if self.pending.len() + changed.len() + removed.len() > limit {
            return None;
        }
        let mut dead = self.dead.clone();
        let touched = || changed.iter().chain(removed);
        for id in touched() {
            if let Some(slot) = self.base.slot_of(id) {
                dead[slot as usize / 64] |= 1 << (slot % 64);
            }
        }
        let mut pending: Vec<Arc<Pending>> = self
            .pending
            .iter()
            .filter(|p| !touched().any(|id| *id == p.id))
            .cloned()
            .collect();
        for id in changed {
            if let Some(row) = snapshot.get(id) {
                pending.push(Arc::new(Pending::new(id.clone(), &row.row, columns)));
            }
        }
        Some(Built {
            base: self.base.clone(),
            dead,
            pending,
        })
    }

    /// The best `limit` matches of `terms`: (rank, id, slot in the segment when
    /// the match is there).
    fn search(&self, terms: &[Term], limit: usize) -> Vec<(u32, RecordId, Option<u32>)> {
        let dead = |s: u32| self.is_dead(s);
        let mut out: Vec<(u32, RecordId, Option<u32>)> =
            search_segment(&self.base, &dead, terms, limit)
                .into_iter()
                .map(|(slot, rank)| (rank, self.base.id(slot).clone(), Some(slot)))
                .collect();
        out.extend(
            self.pending
                .iter()
                .filter_map(|p| Some((p.rank(terms)?, p.id.clone(), None))),
        );
        out
    }

    fn heap_bytes(&self) -> usize {
        self.base.heap_bytes() + self.dead.capacity() * 8 + self.pending.len() * 256
    }
}

impl FolderIndex {
    fn new(snapshot: Arc<Snapshot>, columns: SearchColumns, built: Option<Built>) -> FolderIndex {
        FolderIndex {
            snapshot,
            columns,
            built: built.map(OnceLock::from).unwrap_or_default(),
        }
    }

    /// The index, built now if it was not yet.
    fn built(&self) -> &Built {
        self.built
            .get_or_init(|| Built::new(&self.snapshot, &self.columns))
    }

    /// This folder after a change: the built index updated when there is one and
    /// the change is small, else an index to build on the next search.
    fn with_changes(
        &self,
        snapshot: Arc<Snapshot>,
        changed: &[RecordId],
        removed: &[RecordId],
    ) -> FolderIndex {
        let built = self
            .built
            .get()
            .and_then(|b| b.with_changes(&snapshot, &self.columns, changed, removed));
        FolderIndex::new(snapshot, self.columns.clone(), built)
    }

    fn search(&self, terms: &[Term], limit: usize) -> Vec<(u32, RecordId, Option<u32>)> {
        self.built().search(terms, limit)
    }

    /// The row of a match: read from the segment by its slot, else from the
    /// snapshot.
    fn row(&self, id: &RecordId, slot: Option<u32>) -> Option<&Arc<CachedRow>> {
        match (slot, self.built.get()) {
            (Some(slot), Some(built)) => Some(built.base.row(slot)),
            _ => self.snapshot.get_shared(id),
        }
    }

    fn heap_bytes(&self) -> usize {
        self.built.get().map_or(0, Built::heap_bytes)
    }
}

/// A contact found by [`SearchIndex::find`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Found {
    /// The folder.
    pub folder: Arc<str>,
    /// The record.
    pub id: RecordId,
    /// The rank, lower is better; see [`SearchHit::rank`].
    pub rank: u32,
}

/// The search index across folders: see [`search`](crate::search) for what it
/// matches and how it ranks.
#[derive(Debug, Default)]
pub struct SearchIndex {
    folders: RwLock<BTreeMap<String, Arc<FolderIndex>>>,
    home: Option<HomeNumbers>,
}

impl SearchIndex {
    /// An empty index. A number typed as a query is matched as typed.
    pub fn new() -> SearchIndex {
        SearchIndex::default()
    }

    /// An empty index that also reads a number typed as a query under `plan`'s
    /// country: a home number typed internationally (`+49 30 12`, `0049 30 12`)
    /// also finds numbers stored nationally (`030 1234567`), and one typed with
    /// the trunk prefix (`030 12`) numbers stored internationally
    /// (`+49 30 1234567`). [`Phonebook`](crate::Phonebook) makes its index so.
    pub fn with_dial_plan(plan: &DialPlan) -> SearchIndex {
        SearchIndex {
            home: Some(HomeNumbers::new(plan)),
            ..SearchIndex::default()
        }
    }

    fn current(&self, folder: &str) -> Option<Arc<FolderIndex>> {
        self.folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(folder)
            .cloned()
    }

    fn put(&self, folder: &str, index: FolderIndex) {
        self.folders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(folder.to_owned(), Arc::new(index));
    }

    /// Takes `snapshot` as folder `folder`, in place of what the index held of
    /// it. Its rows are indexed on the first search, or by
    /// [`prepare`](Self::prepare).
    pub fn index_folder(&self, folder: &str, schema: &Schema, snapshot: Arc<Snapshot>) {
        self.put(
            folder,
            FolderIndex::new(snapshot, SearchColumns::new(schema), None),
        );
    }

    /// Indexes every folder not indexed yet now, so that no search waits for it
    /// (about 0.2 s for 100,000 contacts; an application may call it on a
    /// background thread after start-up).
    pub fn prepare(&self) {
        let folders: Vec<Arc<FolderIndex>> = self
            .folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        for f in folders {
            f.built();
        }
    }

    /// Applies a change of folder `folder`: `changed` records (read from
    /// `snapshot`, the folder after the change) and `removed` ones. A folder not
    /// indexed yet, one whose searched columns changed, or one with many changes
    /// is indexed whole on the next search.
    pub fn apply(
        &self,
        folder: &str,
        schema: &Schema,
        snapshot: Arc<Snapshot>,
        changed: &[RecordId],
        removed: &[RecordId],
    ) {
        let columns = SearchColumns::new(schema);
        let next = match self.current(folder) {
            Some(f) if f.columns == columns => f.with_changes(snapshot, changed, removed),
            _ => FolderIndex::new(snapshot, columns, None),
        };
        self.put(folder, next);
    }

    /// Removes folder `folder` from the index.
    pub fn remove_folder(&self, folder: &str) {
        self.folders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(folder);
    }

    /// The contacts that match `text`, best first, at most `limit`: the index's
    /// answer alone, without the texts of [`search`](Self::search). Ties go by
    /// folder and record id.
    pub fn find(&self, text: &str, limit: usize) -> Vec<Found> {
        self.find_terms(&terms(text, self.home.as_ref()), limit)
            .into_iter()
            .map(|(found, ..)| found)
            .collect()
    }

    /// The best `limit` matches of `terms`, each with its folder and its slot in
    /// the folder's segment when it is there.
    fn find_terms(
        &self,
        terms: &[Term],
        limit: usize,
    ) -> Vec<(Found, Arc<FolderIndex>, Option<u32>)> {
        if terms.is_empty() || limit == 0 {
            return Vec::new();
        }
        let folders: Vec<(Arc<str>, Arc<FolderIndex>)> = self
            .folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (Arc::from(k.as_str()), v.clone()))
            .collect();
        let mut out = Vec::new();
        for (name, f) in folders {
            let part = f.search(terms, limit);
            out.reserve_exact(part.len());
            out.extend(part.into_iter().map(|(rank, id, slot)| {
                (
                    Found {
                        folder: name.clone(),
                        id,
                        rank,
                    },
                    f.clone(),
                    slot,
                )
            }));
        }
        out.sort_by(|(a, ..), (b, ..)| (a.rank, &a.folder, &a.id).cmp(&(b.rank, &b.folder, &b.id)));
        out.truncate(limit);
        out
    }

    /// The contacts that match `text`, best first, at most `limit`, with their
    /// names and the fields to highlight. Every word of `text` must match: a word
    /// is the start of a word of a name, nickname, company, department or e-mail
    /// address, case and diacritics folded; digits (or a text of digits and
    /// punctuation only) are also found anywhere inside a number. The hits of
    /// [`find`](Self::find), with ties by display name. An empty text finds
    /// nothing.
    pub fn search(&self, text: &str, limit: usize) -> Vec<SearchHit> {
        let terms = terms(text, self.home.as_ref());
        let found = self.find_terms(&terms, limit);
        // Each hit with its display name, borrowed from the folder's snapshot, to
        // sort by without looking it up for every comparison.
        let mut parts = Vec::with_capacity(found.len());
        let mut marks = Marks::default();
        let mut scratch = Scratch::default();
        for (found, f, slot) in &found {
            let Some(row) = f.row(&found.id, *slot) else {
                continue;
            };
            let fields = marks.add(&row.row, &f.columns, &terms, &mut scratch);
            parts.push((display_name(&row.row), found, row, fields));
        }
        // `found` is ordered by rank, folder and id: a stable sort by rank and
        // display name leaves ties in folder and id order.
        parts.sort_by(|(a_name, a, ..), (b_name, b, ..)| (a.rank, a_name).cmp(&(b.rank, b_name)));
        let marks = Arc::new(marks);
        parts
            .into_iter()
            .map(|(_, found, row, fields)| SearchHit {
                folder: found.folder.clone(),
                id: found.id.clone(),
                row: row.clone(),
                rank: found.rank,
                marks: marks.clone(),
                fields,
            })
            .collect()
    }

    /// Contacts indexed (changed ones once), across folders.
    pub fn len(&self) -> usize {
        self.folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|f| f.snapshot.len())
            .sum()
    }

    /// Whether no contact is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the index holds beyond the folders' own snapshots (record id texts
    /// are shared with them and not counted).
    pub fn heap_bytes(&self) -> usize {
        self.folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|f| f.heap_bytes())
            .sum()
    }
}
