//! The writer's bookkeeping beside the snapshots: which record number each
//! (folder, id) has, the interned folder and column names, and the plans that
//! folders and contacts' countries read stored numbers under.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use foldhash::fast::RandomState;

use crate::lookup::dialplan::DialPlan;
use crate::lookup::records::{RecordRef, RecordTable};
use crate::record::RecordId;

/// Hashes a key that is already a hash by passing it through.
#[derive(Debug, Default, Clone, Copy)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type PreHashedMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<PreHashed>>;

/// The writer's side: where each record lives in the record table.
#[derive(Debug, Default)]
pub(super) struct Writer {
    /// Hash of (folder, id) → record number.
    ids: PreHashedMap<u32>,
    /// The rare records whose (folder, id) hash collides with another's.
    collisions: HashMap<(u16, RecordId), u32>,
    /// Seeded per process, so that no server can choose ids that collide.
    id_hasher: RandomState,
    /// Record numbers free for reuse.
    free: Vec<u32>,
    /// Folder and column names; index 0 is the empty name, and the fallback when
    /// more than 65,535 names were seen.
    names: Vec<Box<str>>,
    /// Name → its number in `names`.
    name_ids: HashMap<Box<str>, u16, RandomState>,
    /// The names the previous record had, by position (its folder first, then its
    /// columns): records of a batch nearly always repeat them, and a comparison
    /// with the name at hand is cheaper than a hash.
    recent: Vec<u16>,
    /// Folders whose stored numbers are read under a plan of their own.
    folder_plans: HashMap<u16, Arc<DialPlan>>,
    /// Plans for contacts' countries, by the country's name number; `None` for a
    /// code no plan exists for.
    country_plans: HashMap<u16, Option<Arc<DialPlan>>>,
}

fn is_record(r: Option<RecordRef<'_>>, folder: u16, id: &RecordId) -> bool {
    r.is_some_and(|r| r.folder() == folder && r.id() == id)
}

impl Writer {
    /// Makes room for `n` more records.
    pub(super) fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
    }

    /// A free record number, when there is one.
    pub(super) fn take_free(&mut self) -> Option<u32> {
        self.free.pop()
    }

    /// Frees record number `r` for reuse.
    pub(super) fn free(&mut self, r: u32) {
        self.free.push(r);
    }

    /// Record number `r` is no longer free: the record table dropped it from its end.
    pub(super) fn retire_free(&mut self, r: usize) {
        self.free.retain(|&f| f as usize != r);
    }

    /// The number of a folder or column name seen before.
    pub(super) fn name_id(&self, name: &str) -> Option<u16> {
        self.name_ids.get(name).copied()
    }

    /// Every name seen, by number.
    pub(super) fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The plan of folder `folder` when it has one of its own. Costs nothing (no
    /// reference count) unless folders have plans.
    pub(super) fn folder_plan(&self, folder: u16) -> Option<Arc<DialPlan>> {
        if self.folder_plans.is_empty() {
            None
        } else {
            self.folder_plans.get(&folder).cloned()
        }
    }

    /// Bytes of the id map and the free list.
    pub(super) fn bytes(&self) -> usize {
        // hashbrown: key + value per bucket plus one control byte.
        self.ids.capacity() * (8 + 4 + 1)
            + self.collisions.capacity() * 64
            + self.free.capacity() * 4
    }

    /// The hash of a record's key. Folder numbers are never reused, so the number
    /// stands for the name.
    pub(super) fn id_hash(&self, folder: u16, id: &RecordId) -> u64 {
        self.id_hasher.hash_one((folder, id.as_str()))
    }

    /// The record number of (`folder`, `id`), whose hash is `h`, if it is indexed.
    pub(super) fn find(
        &self,
        records: &RecordTable,
        h: u64,
        folder: u16,
        id: &RecordId,
    ) -> Option<u32> {
        if let Some(&r) = self.ids.get(&h)
            && is_record(records.get(r as usize), folder, id)
        {
            return Some(r);
        }
        if self.collisions.is_empty() {
            return None;
        }
        self.collisions.get(&(folder, id.clone())).copied()
    }

    /// Forgets which (folder, id) record number `r` holds.
    pub(super) fn forget(&mut self, records: &RecordTable, r: u32) {
        if let Some(data) = records.get(r as usize) {
            let h = self.id_hash(data.folder(), data.id());
            if self.ids.get(&h) == Some(&r) {
                self.ids.remove(&h);
            } else {
                self.collisions.remove(&(data.folder(), data.id().clone()));
            }
        }
    }

    /// Remembers that (`folder`, `id`), whose hash is `h`, is record number `r`.
    pub(super) fn remember(&mut self, h: u64, folder: u16, id: &RecordId, r: u32) {
        match self.ids.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collisions.insert((folder, id.clone()), r);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(r);
            }
        }
    }

    /// Reads `folder`'s stored numbers under `plan` from now on (`None`: the
    /// index's own); returns the folder's name number.
    pub(super) fn set_folder_plan(&mut self, folder: &str, plan: Option<DialPlan>) -> u16 {
        let f = self.intern(folder);
        match plan {
            Some(plan) => self.folder_plans.insert(f, Arc::new(plan)),
            None => self.folder_plans.remove(&f),
        };
        f
    }

    /// The plan for a contact's country (an ISO code as given), interned as a name;
    /// its name number and the plan, unless the code is unknown.
    pub(super) fn country_plan(&mut self, iso: &str) -> (u16, Option<Arc<DialPlan>>) {
        let c = self.intern(iso);
        let plan = self
            .country_plans
            .entry(c)
            .or_insert_with(|| DialPlan::new(iso).ok().map(Arc::new))
            .clone();
        (c, plan)
    }

    /// [`intern`](Self::intern), first trying the name the previous record had at
    /// position `at`.
    pub(super) fn intern_at(&mut self, at: usize, name: &str) -> u16 {
        if let Some(&i) = self.recent.get(at)
            && self.names.get(usize::from(i)).is_some_and(|n| **n == *name)
        {
            return i;
        }
        let i = self.intern(name);
        if self.recent.len() <= at {
            self.recent.resize(at + 1, 0);
        }
        self.recent[at] = i;
        i
    }

    /// The number of a folder or column name, a new one for a name not seen before;
    /// 0 (the empty name) once 65,535 names are taken.
    pub(super) fn intern(&mut self, name: &str) -> u16 {
        if self.names.is_empty() {
            self.names.push(Box::from(""));
            self.name_ids.insert(Box::from(""), 0);
        }
        if let Some(&i) = self.name_ids.get(name) {
            return i;
        }
        let Ok(i) = u16::try_from(self.names.len()) else {
            return 0;
        };
        self.names.push(Box::from(name));
        self.name_ids.insert(Box::from(name), i);
        i
    }
}
