//! [`CallerIndex`], the caller index's API: lookups on the current snapshot, and
//! changes that a writer applies beside it and publishes as the next snapshot.

use std::sync::{Arc, Mutex, RwLock};

use super::apply::{apply_batch, reindex_changes};
use super::writer::Writer;
use super::{CallerMatch, IndexChange, IndexReport, IndexSnapshot, IndexedContact, MemoryUsage};
use crate::lookup::caller_lookup::CallerLookup;
use crate::lookup::dialplan::DialPlan;
use crate::lookup::number::NotANumber;
use crate::record::RecordId;

/// The caller lookup index across all folders. Cheap to share (`Arc<CallerIndex>`);
/// lookups and updates may run on any threads at once.
///
/// ```
/// use cti_phonebook::lookup::{
///     CallerIndex, DialPlan, IndexedContact, MatchQuality, NumberPlace, PhoneField,
/// };
/// use cti_phonebook::schema::PhoneKind;
///
/// let plan = DialPlan::new("DE")?.with_area_code("30")?;
/// let index = CallerIndex::new(plan);
/// index.upsert("work", "ada.vcf".into(), IndexedContact {
///     display_name: "Ada Lovelace".into(),
///     company: "Analytical Engines".into(),
///     numbers: vec![
///         PhoneField::new("Business", "+49 30 1234-567"),
///         // The switchboard, which no column shows.
///         PhoneField::without_column(PhoneKind::CompanyMain, "+49 30 1234-0"),
///     ],
///     country: None,
/// });
/// let found = index.lookup("030 1234599")?;
/// assert_eq!(found[0].display_name(), "Ada Lovelace");
/// assert_eq!(found[0].quality(), MatchQuality::Switchboard { stripped: 3 });
/// assert_eq!(found[0].place(), NumberPlace::NoColumn(PhoneKind::CompanyMain));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CallerIndex {
    plan: Arc<DialPlan>,
    current: RwLock<Arc<IndexSnapshot>>,
    writer: Mutex<Writer>,
}

impl CallerIndex {
    /// An empty index; stored numbers without country or area code are read under
    /// `plan`.
    pub fn new(plan: DialPlan) -> CallerIndex {
        let plan = Arc::new(plan);
        CallerIndex {
            plan: plan.clone(),
            current: RwLock::new(Arc::new(IndexSnapshot::empty(plan))),
            writer: Mutex::new(Writer::default()),
        }
    }

    /// The current state, for several lookups on one consistent view. Holds a read
    /// lock only for the time of an `Arc` clone.
    pub fn snapshot(&self) -> Arc<IndexSnapshot> {
        self.read().clone()
    }

    /// Looks up a number under the index's dial plan. See
    /// [`IndexSnapshot::lookup_normalized`] for the order of matches.
    ///
    /// # Errors
    /// [`NotANumber`] when the text is no phone number.
    pub fn lookup(&self, number: &str) -> Result<Vec<CallerMatch>, NotANumber> {
        // Normalise outside the lock; hold the read guard (not an Arc clone) for the
        // probe only: a writer needs the write lock only to swap a pointer.
        let n = self.plan.normalize(number)?;
        Ok(self.read().lookup_normalized(&n))
    }

    /// Looks up the number of an incoming call under the index's dial plan, as
    /// [`lookup`](Self::lookup) does, but never fails: a withheld number
    /// (`anonymous`, `""`, `CLIR`, ...) is [`CallerLookup::Withheld`] and text that
    /// is no number [`CallerLookup::NotANumber`], both normal outcomes of a call.
    ///
    /// ```
    /// use cti_phonebook::lookup::{CallerIndex, CallerLookup, DialPlan};
    ///
    /// let index = CallerIndex::new(DialPlan::new("DE")?);
    /// assert!(matches!(index.lookup_caller("anonymous"), CallerLookup::Withheld));
    /// assert!(index.lookup_caller("+49 30 1234567").matches().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lookup_caller(&self, number: &str) -> CallerLookup {
        CallerLookup::of(number, self.lookup(number))
    }

    /// [`lookup_caller`](Self::lookup_caller) for a number that arrived on a line
    /// with its own dial plan.
    pub fn lookup_caller_on(&self, line: &DialPlan, number: &str) -> CallerLookup {
        CallerLookup::of(number, self.lookup_on(line, number))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Arc<IndexSnapshot>> {
        self.current.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Looks up a number that arrived on a line with its own dial plan.
    ///
    /// # Errors
    /// [`NotANumber`] when the text is no phone number.
    pub fn lookup_on(&self, line: &DialPlan, number: &str) -> Result<Vec<CallerMatch>, NotANumber> {
        let n = line.normalize(number)?;
        Ok(self.read().lookup_normalized(&n))
    }

    /// Indexes (or re-indexes) one record and publishes a new snapshot; see
    /// [`apply`](Self::apply) for what that costs.
    pub fn upsert(&self, folder: &str, id: RecordId, contact: IndexedContact<'_>) -> IndexReport {
        self.apply([IndexChange::Upsert {
            folder: folder.into(),
            id,
            contact,
        }])
    }

    /// Removes one record.
    pub fn remove(&self, folder: &str, id: &RecordId) -> IndexReport {
        self.apply([IndexChange::Remove {
            folder: folder.into(),
            id: id.clone(),
        }])
    }

    /// Removes every record of a folder.
    pub fn clear_folder(&self, folder: &str) -> IndexReport {
        self.apply([IndexChange::ClearFolder(folder.into())])
    }

    /// Applies a batch of changes and publishes the result as one new snapshot.
    /// Lookups meanwhile go on against the previous snapshot.
    ///
    /// A batch that is small against the index (up to a sixteenth of its numbers,
    /// counting what changed since the table was last laid out) goes into the
    /// snapshot's overlay: it costs time in the size of the batch and the overlay,
    /// about 0.1 ms for one contact in an index of 300,000 numbers. A larger batch
    /// lays out the whole table anew, in time linear in the index size (a few
    /// milliseconds for 300,000 numbers besides normalising the new ones). Numbers
    /// that are no phone number are skipped and listed in the report; the record is
    /// indexed with the others.
    pub fn apply<'a>(&self, changes: impl IntoIterator<Item = IndexChange<'a>>) -> IndexReport {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        self.apply_locked(&mut w, changes)
    }

    /// Reads the numbers of `folder` that are stored without country code (or
    /// without area code) under `plan` instead of the index's own plan: a folder of
    /// British contacts stored as `020 7946 0456` is then found by
    /// `+44 20 7946 0456` on a German line. `None` goes back to the index's plan.
    ///
    /// Only the reading of stored numbers changes (country, area code, extension
    /// lengths); incoming numbers are still read under the line's plan, and the
    /// matching limits stay the index's. The folder's records are re-read at once
    /// from the numbers the index holds, and later changes to the folder use the
    /// new plan too.
    pub fn set_folder_plan(&self, folder: &str, plan: Option<DialPlan>) -> IndexReport {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let f = w.set_folder_plan(folder, plan);
        let cur = self.snapshot();
        let again = reindex_changes(&cur, folder, f);
        self.apply_locked(&mut w, again)
    }

    /// [`set_folder_plan`](Self::set_folder_plan) without re-reading the folder's
    /// records, for a caller that is about to index the whole folder anew.
    pub(crate) fn set_folder_plan_for_reindex(&self, folder: &str, plan: Option<DialPlan>) {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.set_folder_plan(folder, plan);
    }

    /// The plan the numbers of `folder` are read under, when it is not the index's
    /// own (see [`set_folder_plan`](Self::set_folder_plan)).
    pub fn folder_plan(&self, folder: &str) -> Option<DialPlan> {
        let w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let f = w.name_id(folder)?;
        w.folder_plan(f).map(|p| DialPlan::clone(&p))
    }

    /// Applies `changes` with the writer's lock held and publishes the next snapshot.
    fn apply_locked<'a>(
        &self,
        w: &mut Writer,
        changes: impl IntoIterator<Item = IndexChange<'a>>,
    ) -> IndexReport {
        let cur = self.snapshot();
        let (next, report) = apply_batch(w, &cur, changes);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        report
    }

    /// Memory the index takes now.
    pub fn memory_usage(&self) -> MemoryUsage {
        let w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let snap = self.snapshot();
        let (index, payload) = snap.memory();
        MemoryUsage {
            numbers: snap.len(),
            index_bytes: index + w.bytes(),
            payload_bytes: payload,
        }
    }
}
