//! Applying a batch of [`IndexChange`]s: reading each record's numbers into new
//! slots, dropping the slots of records gone, and building the next
//! [`IndexSnapshot`] from them, with the batch in the overlay or the table laid out
//! anew.

use std::borrow::Cow;
use std::sync::Arc;

use super::writer::Writer;
use super::{IndexChange, IndexReport, IndexSnapshot, IndexedContact, PhoneField, RejectedNumber};
use crate::lookup::dialplan::DialPlan;
use crate::lookup::number::{Assumed, Normalized, NotANumber};
use crate::lookup::records::{RecordHead, RecordTable};
use crate::lookup::slots::{Overlay, Slot, SlotTable, merge_sorted, mix, sort_slots};
use crate::record::RecordId;

/// Applies `changes` to the state `cur`: the next snapshot, and what was done.
pub(super) fn apply_batch<'a>(
    w: &mut Writer,
    cur: &IndexSnapshot,
    changes: impl IntoIterator<Item = IndexChange<'a>>,
) -> (IndexSnapshot, IndexReport) {
    let changes = changes.into_iter();
    let mut batch = Batch::new(w, cur, changes.size_hint().0);
    for change in changes {
        batch.apply(change);
    }
    batch.finish(cur)
}

/// A batch under way: the next snapshot's records and the slots the batch adds.
struct Batch<'w, 'c> {
    w: &'w mut Writer,
    /// The index's own plan, for stored numbers of folders without a plan of their own.
    plan: &'c DialPlan,
    /// The fewest national digits of a public number that is indexed.
    min: usize,
    /// The next snapshot's records, copied on write from the current one's.
    records: RecordTable,
    /// Records of the current snapshot dropped by this batch.
    dropped: Vec<u32>,
    /// How many numbers the records in `dropped` had indexed.
    dropped_slots: usize,
    /// The slots of the records this batch (re)indexed.
    fresh: Vec<Slot>,
    /// Records (re)indexed by this batch, by number: only theirs can be in `fresh`.
    born: Vec<bool>,
    /// The column name numbers of the record at hand.
    columns: Vec<u16>,
    report: IndexReport,
}

impl<'w, 'c> Batch<'w, 'c> {
    fn new(w: &'w mut Writer, cur: &'c IndexSnapshot, expected: usize) -> Self {
        w.reserve(expected);
        Batch {
            w,
            plan: &cur.plan,
            min: usize::from(cur.plan.min_significant_digits).max(1),
            records: cur.records.clone(),
            dropped: Vec::new(),
            dropped_slots: 0,
            fresh: Vec::with_capacity(expected * 3),
            born: Vec::new(),
            columns: Vec::new(),
            report: IndexReport::default(),
        }
    }

    fn apply(&mut self, change: IndexChange<'_>) {
        match change {
            IndexChange::Upsert {
                folder,
                id,
                contact,
            } => self.upsert(&folder, id, &contact),
            IndexChange::Remove { folder, id } => self.remove(&folder, &id),
            IndexChange::ClearFolder(folder) => self.clear_folder(&folder),
        }
    }

    /// Indexes a record in place of what was indexed for it before.
    fn upsert(&mut self, folder: &str, id: RecordId, contact: &IndexedContact<'_>) {
        let folder_id = self.w.intern_at(0, folder);
        let folder_plan = self.w.folder_plan(folder_id);
        let plan: &'c DialPlan = self.plan;
        let read_under = folder_plan.as_deref().unwrap_or(plan);
        let (country_id, abroad) = self.contact_country(contact.country.as_deref(), read_under);
        let h = self.w.id_hash(folder_id, &id);
        if let Some(r) = self.w.find(&self.records, h, folder_id, &id) {
            self.drop_record(r);
        }
        let r = self.new_record_number();
        let slots = self.index_numbers(
            r,
            read_under,
            abroad.as_deref(),
            folder,
            &id,
            &contact.numbers,
        );
        self.w.remember(h, folder_id, &id, r);
        let head = RecordHead {
            id,
            folder: folder_id,
            country: country_id,
            slots,
        };
        self.store_record(r, head, contact);
    }

    /// The name number of a contact's country (0: none given) and, when it is known
    /// and not the country `read_under` reads numbers in, its plan: the contact's
    /// national numbers are read in that country too.
    fn contact_country(
        &mut self,
        country: Option<&str>,
        read_under: &DialPlan,
    ) -> (u16, Option<Arc<DialPlan>>) {
        match country {
            Some(iso) if !iso.is_empty() => {
                let (c, p) = self.w.country_plan(iso);
                let other = p.filter(|p| p.country().iso() != read_under.country().iso());
                (c, other)
            }
            _ => (0, None),
        }
    }

    /// A record number for a record of this batch: a free one, or a new one at the
    /// end of the table.
    fn new_record_number(&mut self) -> u32 {
        let r = match self.w.take_free() {
            Some(r) => r,
            None => self.records.push_none() as u32,
        };
        mark_born(&mut self.born, r);
        r
    }

    /// Indexes the phone fields of record `r`, read under `read_under` (and those
    /// without country code under `abroad` too), and leaves their column name
    /// numbers in `columns`; returns how many slots they took. Texts that are no
    /// number are reported.
    fn index_numbers(
        &mut self,
        r: u32,
        read_under: &DialPlan,
        abroad: Option<&DialPlan>,
        folder: &str,
        id: &RecordId,
        numbers: &[PhoneField<'_>],
    ) -> u16 {
        let before = self.fresh.len();
        self.columns.clear();
        for (i, field) in numbers.iter().take(usize::from(u16::MAX)).enumerate() {
            if let Err(reason) = self.index_number(read_under, abroad, r, i as u16, &field.number) {
                self.report.rejected.push(RejectedNumber {
                    folder: folder.to_string(),
                    id: id.clone(),
                    column: field.column.to_string(),
                    number: field.number.to_string(),
                    reason,
                });
            }
            self.columns.push(self.w.intern_at(i + 1, &field.column));
        }
        u16::try_from(self.fresh.len() - before).unwrap_or(u16::MAX)
    }

    /// Indexes phone field `field` of record `rec`: one slot for its number, and for
    /// a national number of a contact abroad a second one for the number in that
    /// country. A public number too short to match is counted and left out.
    fn index_number(
        &mut self,
        read_under: &DialPlan,
        abroad: Option<&DialPlan>,
        rec: u32,
        field: u16,
        number: &str,
    ) -> Result<(), NotANumber> {
        let slot = |key: u64, assumed: u8| Slot {
            h: mix(key),
            rec,
            field,
            assumed,
        };
        match read_under.normalize(number)? {
            Normalized::Internal(ext) => {
                self.fresh.push(slot(ext.packed(), Assumed::Nothing as u8));
                self.report.indexed += 1;
            }
            Normalized::Public(p) if p.national_len() < self.min => {
                self.report.too_short += 1;
            }
            Normalized::Public(p) => {
                self.fresh.push(slot(p.key.0, p.assumed as u8));
                self.report.indexed += 1;
                if let Some(other) = abroad
                    && p.assumed != Assumed::Nothing
                    && let Ok(Normalized::Public(q)) = other.normalize(number)
                    && q.national_len() >= self.min
                    && q.key != p.key
                {
                    self.fresh.push(slot(q.key.0, q.assumed as u8));
                }
            }
        }
        Ok(())
    }

    /// Stores what a match on record `r` shows: its head, names and numbers as
    /// written, with the column name numbers `index_numbers` left.
    fn store_record(&mut self, r: u32, head: RecordHead, contact: &IndexedContact<'_>) {
        self.records.insert(
            r as usize,
            head,
            &contact.display_name,
            &contact.company,
            self.columns
                .iter()
                .zip(&contact.numbers)
                .map(|(&c, f)| (c, &*f.number, f.kind)),
        );
    }

    /// Removes a record, if it is indexed.
    fn remove(&mut self, folder: &str, id: &RecordId) {
        let found = self.w.name_id(folder).and_then(|f| {
            let h = self.w.id_hash(f, id);
            self.w.find(&self.records, h, f, id)
        });
        if let Some(r) = found {
            self.drop_record(r);
        }
    }

    /// Removes every record of a folder.
    fn clear_folder(&mut self, folder: &str) {
        let folder_id = self.w.name_id(folder);
        let gone: Vec<u32> = self
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_some_and(|r| Some(r.folder()) == folder_id))
            .map(|(i, _)| i as u32)
            .collect();
        for r in gone {
            self.drop_record(r);
        }
    }

    /// Drops record `r` and frees its number: its slots leave `fresh` when this
    /// batch indexed it, and the next snapshot's table or overlay otherwise.
    fn drop_record(&mut self, r: u32) {
        self.w.forget(&self.records, r);
        self.w.free(r);
        if self.born.get(r as usize).copied().unwrap_or(false) {
            self.fresh.retain(|s| s.rec != r);
        } else {
            self.dropped.push(r);
            self.dropped_slots += self.records.get(r as usize).map_or(0, |d| d.slots());
        }
        self.records.remove(r as usize);
    }

    /// The next snapshot: the batch's records, and its slots in the overlay when
    /// the batch is small against the table, else in a table laid out anew.
    fn finish(self, cur: &IndexSnapshot) -> (IndexSnapshot, IndexReport) {
        let Batch {
            w,
            min,
            mut records,
            mut dropped,
            dropped_slots,
            fresh,
            report,
            ..
        } = self;
        release_trailing_records(w, &mut records);
        records.freeze();
        let names = shared_names(w, cur);
        dropped.sort_unstable();
        let len = cur.len.saturating_sub(dropped_slots) + fresh.len();
        let (table, overlay) = if fits_overlay(cur, fresh.len(), dropped.len()) {
            (cur.table.clone(), next_overlay(cur, &dropped, fresh))
        } else {
            let table = lay_out_table(cur, &dropped, fresh, len, min as u32);
            (Arc::new(table), Overlay::default())
        };
        let next = IndexSnapshot {
            plan: cur.plan.clone(),
            table,
            overlay,
            len,
            records,
            names,
        };
        (next, report)
    }
}

fn mark_born(born: &mut Vec<bool>, r: u32) {
    let r = r as usize;
    if born.len() <= r {
        born.resize(r + 1, false);
    }
    born[r] = true;
}

/// Shrinks the record table by its trailing free record numbers.
fn release_trailing_records(w: &mut Writer, records: &mut RecordTable) {
    while let Some(last) = records.pop_trailing_none() {
        w.retire_free(last);
    }
}

/// The names of the next snapshot: the current snapshot's when no name was added.
fn shared_names(w: &Writer, cur: &IndexSnapshot) -> Arc<Vec<Box<str>>> {
    if w.names().len() == cur.names.len() {
        cur.names.clone()
    } else {
        Arc::new(w.names().to_vec())
    }
}

/// True when the overlay, with `fresh` slots added and `dropped` records gone, stays
/// within a sixteenth of the table.
fn fits_overlay(cur: &IndexSnapshot, fresh: usize, dropped: usize) -> bool {
    let base = cur.table.slots().len();
    let added = cur.overlay.added().len() + fresh;
    let gone = cur.overlay.gone().len() + dropped;
    added * 16 <= base && gone * 16 <= base
}

/// The overlay's slots that stay: those of records not dropped (`dropped` sorted).
fn kept_overlay<'s>(cur: &'s IndexSnapshot, dropped: &'s [u32]) -> impl Iterator<Item = &'s Slot> {
    cur.overlay
        .added()
        .iter()
        .filter(move |s| dropped.binary_search(&s.rec).is_err())
}

/// The overlay of a small batch beside the current table: the overlay's slots that
/// stay and the new ones, and the records gone from the table.
fn next_overlay(cur: &IndexSnapshot, dropped: &[u32], fresh: Vec<Slot>) -> Overlay {
    let mut added = Vec::with_capacity(cur.overlay.added().len() + fresh.len());
    added.extend(merge_sorted(
        kept_overlay(cur, dropped).copied(),
        sort_slots(fresh).into_iter(),
    ));
    let mut gone = Vec::with_capacity(cur.overlay.gone().len() + dropped.len());
    gone.extend(cur.overlay.gone().iter().chain(dropped));
    gone.sort_unstable();
    gone.dedup();
    Overlay::new(added, gone)
}

/// A new table of `len` slots: the old one without its gone records, the overlay's
/// slots without the records dropped now, and the new slots.
fn lay_out_table(
    cur: &IndexSnapshot,
    dropped: &[u32],
    fresh: Vec<Slot>,
    len: usize,
    min: u32,
) -> SlotTable {
    if cur.table.slots().is_empty() && cur.overlay.added().is_empty() {
        // A first build: the new slots become the table.
        return SlotTable::from_unsorted(fresh, min);
    }
    let void = gone_records(cur, dropped);
    let is_void = |r: u32| void.get(r as usize).copied().unwrap_or(false);
    let old = cur.table.slots().iter().filter(|s| !is_void(s.rec));
    let mut all = Vec::with_capacity(len);
    all.extend(merge_sorted(
        merge_sorted(old.copied(), kept_overlay(cur, dropped).copied()),
        sort_slots(fresh).into_iter(),
    ));
    SlotTable::from_sorted(all, min)
}

/// The records whose slots leave the table, by number: gone in the overlay or
/// dropped now. Gone record numbers may lie beyond the record table, which drops
/// trailing free numbers.
fn gone_records(cur: &IndexSnapshot, dropped: &[u32]) -> Vec<bool> {
    let gone = || cur.overlay.gone().iter().chain(dropped);
    let mut void = vec![false; gone().max().map_or(0, |&r| r as usize + 1)];
    for &r in gone() {
        if let Some(v) = void.get_mut(r as usize) {
            *v = true;
        }
    }
    void
}

/// What a folder's records are indexed with, for indexing them again.
pub(super) fn reindex_changes<'s>(
    cur: &'s IndexSnapshot,
    folder: &'s str,
    folder_id: u16,
) -> Vec<IndexChange<'s>> {
    let name = |c: u16| cur.names.get(usize::from(c)).map_or("", |n| &**n);
    cur.records
        .iter()
        .flatten()
        .filter(|r| r.folder() == folder_id)
        .map(|r| IndexChange::Upsert {
            folder: Cow::Borrowed(folder),
            id: r.id().clone(),
            contact: IndexedContact {
                display_name: r.display_name().into(),
                company: r.company().into(),
                numbers: r
                    .fields()
                    .map(|(c, n, kind)| PhoneField {
                        column: name(c).into(),
                        number: n.into(),
                        kind,
                    })
                    .collect(),
                country: (r.country() != 0).then(|| name(r.country()).into()),
            },
        })
        .collect()
}
