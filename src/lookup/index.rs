//! [`CallerIndex`]: every phone number of every folder, normalised once, looked up in
//! nanoseconds while syncs go on.
//!
//! The current state is an immutable [`IndexSnapshot`] behind an `RwLock<Arc<_>>`.
//! A lookup holds the read lock only for its probe (no normalisation, no allocation
//! but the result vector); a writer builds the next snapshot beside the current one,
//! without the lock, and takes the write lock only to swap the pointer. A sync
//! therefore never stalls a lookup for more than a pointer swap, and a lookup never
//! sees half an update. [`CallerIndex::snapshot`] hands out the `Arc` for a series of
//! lookups on one state.
//!
//! Layout, for memory and speed: each number is one 16-byte slot (a bijective hash of
//! its key, the record's number and the field's position), sorted by hash, with a
//! directory of bucket offsets indexed by the hash's top bits and a presence
//! filter in front, blocked by the number's first digits so that a number and its
//! switchboard forms share one cache line of it. A probe is two filter bits from
//! one multiplication of the key, and only for a key that passes, one hash, one
//! directory read and a scan of a handful of adjacent slots (`slots.rs`). The small
//! overlay of changes since the table was laid out has a filter of its own, so a
//! probe looks into it only when that filter lets the key pass too.
//! Names and ids live once per record, in the chunked record table of
//! `records.rs`; folder and column names once per index.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, RwLock};

use foldhash::fast::RandomState;

use super::caller_lookup::CallerLookup;
use super::dialplan::DialPlan;
use super::normalize::{Assumed, Normalized, NotANumber};
use super::records::{RecordHead, RecordRef, RecordTable};
use super::slots::{Near, Overlay, Slot, SlotTable, merge_sorted, mix, sort_slots};
use crate::record::RecordId;
use crate::schema::PhoneKind;

/// One phone field of a contact, as the index receives it.
///
/// The texts are [`Cow`]s: borrowed from rows the caller already holds (the index
/// copies what it keeps into its own record table) or owned, e.g.
/// `"Business".into()` or `format!(..).into()`.
///
/// A number that no column shows (the card has more numbers than its folder has
/// columns, or none fits) is indexed all the same: give it an empty `column` and
/// the `kind` its TEL types make it, and a match on it says
/// [`NumberPlace::NoColumn`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneField<'a> {
    /// The column (or vCard TEL type) the number is in, shown with a match; empty
    /// for a number in no column.
    pub column: Cow<'a, str>,
    /// The number as written.
    pub number: Cow<'a, str>,
    /// What kind of number it is: the kind of its column, or for a number in no
    /// column the kind its TEL types make it. `None` when not known.
    pub kind: Option<PhoneKind>,
}

impl<'a> PhoneField<'a> {
    /// A number in column `column`, of no known kind.
    pub fn new(column: impl Into<Cow<'a, str>>, number: impl Into<Cow<'a, str>>) -> Self {
        PhoneField {
            column: column.into(),
            number: number.into(),
            kind: None,
        }
    }

    /// A number no column shows, of kind `kind` (what its TEL types say).
    pub fn without_column(kind: PhoneKind, number: impl Into<Cow<'a, str>>) -> Self {
        PhoneField {
            column: Cow::Borrowed(""),
            number: number.into(),
            kind: Some(kind),
        }
    }

    /// The same field, of kind `kind`.
    pub fn with_kind(mut self, kind: PhoneKind) -> Self {
        self.kind = Some(kind);
        self
    }
}

/// Where the number of a [`CallerMatch`] is in its contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberPlace<'a> {
    /// In this column of the folder's table (`phone3`, or the column name the
    /// contact was indexed with).
    Column(&'a str),
    /// In no column: the card holds the number, but its folder has no column left
    /// for it or none that fits. The kind is what the number's TEL types make it
    /// (`TYPE=MAIN`: [`PhoneKind::CompanyMain`], the switchboard; a pager, a fax,
    /// ...), so that a pop-up can still say what it is; [`PhoneKind::Other`] when
    /// they say nothing.
    NoColumn(PhoneKind),
}

/// What the index keeps of a contact: the names shown on a match and its numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexedContact<'a> {
    /// The contact's display name.
    pub display_name: Cow<'a, str>,
    /// The organisation.
    pub company: Cow<'a, str>,
    /// Every phone field; numbers that are no phone number are reported and skipped.
    pub numbers: Vec<PhoneField<'a>>,
    /// The ISO 3166 code of the country the contact's addresses are in, if known
    /// ([`country_code`](super::country_code) reads it from an address). When it is
    /// not the country the folder's numbers are read in, each number stored without
    /// country code is indexed a second time as a number of that country: an
    /// Austrian supplier's `01 234 5678` in a German phone book is found by
    /// `+43 1 2345678` as well as by `+49 1 2345678`. `None`: read as the folder's.
    pub country: Option<Cow<'a, str>>,
}

/// A change to apply to the index; a batch of them costs one snapshot swap. The
/// texts may borrow from the caller's data for the time of the
/// [`apply`](CallerIndex::apply) call: indexing copies nothing twice and frees
/// nothing the caller still holds.
#[derive(Debug, Clone)]
pub enum IndexChange<'a> {
    /// A record was created or changed: replaces whatever was indexed for it.
    Upsert {
        /// The folder it is in.
        folder: Cow<'a, str>,
        /// Its id within the folder (a shared string: cloning it copies no text).
        id: RecordId,
        /// Its names and numbers.
        contact: IndexedContact<'a>,
    },
    /// A record was removed.
    Remove {
        /// The folder it was in.
        folder: Cow<'a, str>,
        /// Its id.
        id: RecordId,
    },
    /// A whole folder was removed or is reloaded.
    ClearFolder(Cow<'a, str>),
}

/// How good a match is; the derived order is best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchQuality {
    /// The same number, both written with country code or both without.
    Exact,
    /// The same number, but one side carried no country code and the dial plan
    /// supplied it.
    National,
    /// The company switchboard of a direct-dial number: the stored number is the
    /// incoming one with `stripped` trailing digits removed (and possibly a `0` in
    /// their place, `+49 30 1234-0` for `+49 30 1234-567`). `stripped: 0`: the
    /// incoming number is the main number itself, stored with its switchboard `0`
    /// (`+49 30 1234-0` for `+49 30 1234`).
    Switchboard {
        /// How many trailing digits of the incoming number were stripped.
        stripped: u8,
    },
    /// The same internal extension.
    Extension,
}

/// A contact found for a number.
///
/// A match holds the [`IndexSnapshot`] it was found in (one `Arc`, no copies), so
/// building it costs no memory access beyond the index itself; a match kept for long
/// keeps that snapshot alive, so copy out what a long-lived window shows.
#[derive(Debug, Clone)]
pub struct CallerMatch {
    quality: MatchQuality,
    snapshot: Arc<IndexSnapshot>,
    rec: u32,
    field: u16,
}

impl CallerMatch {
    fn record(&self) -> Option<RecordRef<'_>> {
        // Every slot's record exists in its snapshot.
        self.snapshot.records.get(self.rec as usize)
    }
    fn field(&self) -> (&str, &str) {
        self.record()
            .and_then(|r| r.field(usize::from(self.field)))
            .map_or(("", ""), |(c, n)| (self.name(c), n))
    }
    fn name(&self, i: u16) -> &str {
        self.snapshot.names.get(usize::from(i)).map_or("", |n| n)
    }
    /// How good the match is.
    pub fn quality(&self) -> MatchQuality {
        self.quality
    }
    /// The folder of the contact.
    pub fn folder(&self) -> &str {
        self.name(self.record().map_or(0, |r| r.folder()))
    }
    /// The record id of the contact.
    pub fn id(&self) -> &RecordId {
        static NONE: std::sync::LazyLock<RecordId> = std::sync::LazyLock::new(RecordId::default);
        self.record().map_or(&NONE, |r| r.id())
    }
    /// The contact's display name.
    pub fn display_name(&self) -> &str {
        self.record().map_or("", |r| r.display_name())
    }
    /// The contact's organisation.
    pub fn company(&self) -> &str {
        self.record().map_or("", |r| r.company())
    }
    /// The column of the number that matched; empty when the number is in no
    /// column (see [`place`](Self::place)).
    pub fn column(&self) -> &str {
        self.field().0
    }
    /// Where the number that matched is: in a column, or in no column with the
    /// kind its TEL types make it.
    pub fn place(&self) -> NumberPlace<'_> {
        match self.column() {
            "" => NumberPlace::NoColumn(self.kind().unwrap_or(PhoneKind::Other)),
            column => NumberPlace::Column(column),
        }
    }
    /// What kind of number matched: its column's kind, or the kind its TEL types
    /// make a number in no column. `None` when it was indexed without a kind.
    pub fn kind(&self) -> Option<PhoneKind> {
        self.record().and_then(|r| r.kind(usize::from(self.field)))
    }
    /// The matching number as stored.
    pub fn number(&self) -> &str {
        self.field().1
    }
}

/// A number the index could not read, from [`IndexReport::rejected`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedNumber {
    /// The folder of the record.
    pub folder: String,
    /// The record.
    pub id: RecordId,
    /// The column.
    pub column: String,
    /// The text as stored.
    pub number: String,
    /// Why it is no number.
    pub reason: NotANumber,
}

/// What applying changes did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexReport {
    /// Numbers added to the index.
    pub indexed: usize,
    /// Public numbers with fewer significant digits than the plan's minimum: kept out
    /// of the index because they must never match (service numbers like `112`).
    pub too_short: usize,
    /// Texts in phone fields that are no phone number.
    pub rejected: Vec<RejectedNumber>,
}

/// Memory the index takes, from [`CallerIndex::memory_usage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Numbers indexed.
    pub numbers: usize,
    /// Bytes of the lookup structure: slots, directory, presence filter and the
    /// writer's id map.
    pub index_bytes: usize,
    /// Bytes of what is shown on a match: the record entries, ids, names and numbers
    /// as stored.
    pub payload_bytes: usize,
}

impl MemoryUsage {
    /// Lookup-structure bytes per indexed number.
    pub fn index_bytes_per_number(&self) -> f64 {
        self.index_bytes as f64 / self.numbers.max(1) as f64
    }
}

/// An immutable state of the index. Lookups on one snapshot see one consistent state.
#[derive(Debug)]
pub struct IndexSnapshot {
    plan: Arc<DialPlan>,
    /// The numbers as laid out by the last large batch, shared between snapshots.
    table: Arc<SlotTable>,
    /// The changes since.
    overlay: Overlay,
    /// Numbers indexed.
    len: usize,
    records: RecordTable,
    /// Folder and column names; index 0 is the empty name.
    names: Arc<Vec<Box<str>>>,
}

impl IndexSnapshot {
    fn empty(plan: Arc<DialPlan>) -> IndexSnapshot {
        IndexSnapshot {
            plan,
            table: Arc::default(),
            overlay: Overlay::default(),
            len: 0,
            records: RecordTable::default(),
            names: Arc::new(vec![Box::from("")]),
        }
    }

    /// Adds a match for each slot of `key` (whose filter block is `near`). Inlined,
    /// so that a probe both filters reject, as most probes of a miss are, costs no
    /// call.
    #[inline(always)]
    fn push_matches(
        self: &Arc<Self>,
        near: Near<'_>,
        key: u64,
        quality: impl Fn(&Slot) -> MatchQuality,
        out: &mut Vec<CallerMatch>,
    ) {
        let in_table = SlotTable::may_have(near, key);
        let in_overlay = self.overlay.may_have(key);
        if in_table || in_overlay {
            self.push_found(in_table, in_overlay, mix(key), quality, out);
        }
    }

    /// The matches of hash `h`: the table's when its filter let `h` pass, but for
    /// records gone since, and the overlay's when its filter did.
    fn push_found(
        self: &Arc<Self>,
        in_table: bool,
        in_overlay: bool,
        h: u64,
        quality: impl Fn(&Slot) -> MatchQuality,
        out: &mut Vec<CallerMatch>,
    ) {
        let mut push = |s: &Slot| {
            out.push(CallerMatch {
                quality: quality(s),
                snapshot: Arc::clone(self),
                rec: s.rec,
                field: s.field,
            })
        };
        if in_table {
            for s in self.table.with_hash(h) {
                if !self.overlay.is_gone(s.rec) {
                    push(s);
                }
            }
        }
        if in_overlay {
            self.overlay.probe(h).for_each(push);
        }
    }

    /// The dial plan stored numbers were read under.
    pub fn plan(&self) -> &DialPlan {
        &self.plan
    }

    /// Numbers indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Looks up a number read under the index's own plan.
    ///
    /// # Errors
    /// [`NotANumber`] when the text is no phone number.
    pub fn lookup(self: &Arc<Self>, number: &str) -> Result<Vec<CallerMatch>, NotANumber> {
        Ok(self.lookup_normalized(&self.plan.normalize(number)?))
    }

    /// Looks up the number of an incoming call, read under the index's own plan;
    /// a withheld number or text that is no number is an outcome, not an error
    /// (see [`CallerLookup`]).
    pub fn lookup_caller(self: &Arc<Self>, number: &str) -> CallerLookup {
        CallerLookup::of(number, self.lookup(number))
    }

    /// Looks up a normalised number. All matches, best first: exact and national
    /// matches; when there are none, the switchboard with the fewest stripped digits.
    pub fn lookup_normalized(self: &Arc<Self>, number: &Normalized) -> Vec<CallerMatch> {
        let mut out = Vec::new();
        let p = match number {
            Normalized::Internal(ext) => {
                let key = ext.packed();
                let near = self.table.near(key);
                self.push_matches(near, key, |_| MatchQuality::Extension, &mut out);
                return out;
            }
            Normalized::Public(p) => p,
        };
        let min = usize::from(self.plan.min_significant_digits).max(1);
        let n = p.national_len();
        if n < min {
            return out;
        }
        let explicit = p.assumed == Assumed::Nothing;
        // The number and its switchboards share their first `min` digits (see
        // `SlotTable`): one filter block serves every probe below.
        let near = self.table.near(p.key.0);
        self.push_matches(
            near,
            p.key.0,
            |s| {
                if (s.assumed == Assumed::Nothing as u8) == explicit {
                    MatchQuality::Exact
                } else {
                    MatchQuality::National
                }
            },
            &mut out,
        );
        if !out.is_empty() {
            out.sort_by_key(|m| m.quality);
            return out;
        }
        let key = p.key.0;
        // The company's main number itself, stored as its switchboard with the `0`
        // (`+49 30 8812345-0`) and presented without it (`+49 30 8812345`, or with an
        // extension after it), as many PBXes do. Never a mobile number that happens
        // to end in 0.
        if self.plan.switchboard_max_stripped > 0 && key < u64::MAX / 10 {
            let q = |_: &Slot| MatchQuality::Switchboard { stripped: 0 };
            self.push_matches(near, key * 10, q, &mut out);
            out.retain(|m| m.kind() != Some(PhoneKind::Mobile));
            if !out.is_empty() {
                return out;
            }
        }
        let mut base = key;
        for stripped in 1..=self.plan.switchboard_max_stripped.min(6) {
            base /= 10;
            let kept = n.saturating_sub(usize::from(stripped));
            if kept == 0 {
                break;
            }
            let q = |_: &Slot| MatchQuality::Switchboard { stripped };
            if kept + 1 >= min && base * 10 != key {
                self.push_matches(near, base * 10, q, &mut out);
            }
            if kept >= min {
                self.push_matches(near, base, q, &mut out);
            }
            if !out.is_empty() {
                break;
            }
        }
        out
    }

    fn memory(&self) -> (usize, usize) {
        let index = self.table.bytes() + self.overlay.bytes();
        // Folder and column names are shared and not counted per record.
        (index, self.records.payload_bytes())
    }
}

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
struct Writer {
    /// Hash of (folder, id) → record number.
    ids: PreHashedMap<u32>,
    /// The rare records whose (folder, id) hash collides with another's.
    collisions: HashMap<(u16, RecordId), u32>,
    /// Seeded per process, so that no server can choose ids that collide.
    id_hasher: RandomState,
    free: Vec<u32>,
    /// Folder and column names; index 0 is the empty name, and the fallback when
    /// more than 65,535 names were seen.
    names: Vec<Box<str>>,
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
    /// The hash of a record's key. Folder numbers are never reused, so the number
    /// stands for the name.
    fn id_hash(&self, folder: u16, id: &RecordId) -> u64 {
        self.id_hasher.hash_one((folder, id.as_str()))
    }

    fn find(&self, records: &RecordTable, h: u64, folder: u16, id: &RecordId) -> Option<u32> {
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

    fn forget(&mut self, records: &RecordTable, r: u32) {
        if let Some(data) = records.get(r as usize) {
            let h = self.id_hash(data.folder(), data.id());
            if self.ids.get(&h) == Some(&r) {
                self.ids.remove(&h);
            } else {
                self.collisions.remove(&(data.folder(), data.id().clone()));
            }
        }
    }

    fn remember(&mut self, h: u64, folder: u16, id: &RecordId, r: u32) {
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
    fn set_folder_plan(&mut self, folder: &str, plan: Option<DialPlan>) -> u16 {
        let f = self.intern(folder);
        match plan {
            Some(plan) => self.folder_plans.insert(f, Arc::new(plan)),
            None => self.folder_plans.remove(&f),
        };
        f
    }

    /// The plan for a contact's country (an ISO code as given), interned as a name;
    /// its name number and the plan, unless the code is unknown.
    fn country_plan(&mut self, iso: &str) -> (u16, Option<Arc<DialPlan>>) {
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
    fn intern_at(&mut self, at: usize, name: &str) -> u16 {
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

    fn intern(&mut self, name: &str) -> u16 {
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
        let name = |c: u16| cur.names.get(usize::from(c)).map_or("", |n| &**n);
        let again: Vec<IndexChange<'_>> = cur
            .records
            .iter()
            .flatten()
            .filter(|r| r.folder() == f)
            .map(|r| IndexChange::Upsert {
                folder: folder.into(),
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
            .collect();
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
        let f = w.name_ids.get(folder)?;
        w.folder_plans.get(f).map(|p| DialPlan::clone(p))
    }

    fn apply_locked<'a>(
        &self,
        w: &mut Writer,
        changes: impl IntoIterator<Item = IndexChange<'a>>,
    ) -> IndexReport {
        let cur = self.snapshot();
        let plan = cur.plan.clone();
        let min = usize::from(plan.min_significant_digits).max(1);
        let mut records = cur.records.clone();
        // Records of the current snapshot dropped by this batch, and how many
        // numbers they had indexed.
        let mut dropped: Vec<u32> = Vec::new();
        let mut dropped_slots = 0usize;
        let changes = changes.into_iter();
        let expected = changes.size_hint().0;
        let mut fresh: Vec<Slot> = Vec::with_capacity(expected * 3);
        w.ids.reserve(expected);
        let mut report = IndexReport::default();

        // The column name numbers of the record at hand.
        let mut columns: Vec<u16> = Vec::new();
        // Records (re)indexed by this batch: only theirs can be among `fresh`.
        let mut born: Vec<bool> = Vec::new();
        let mut drop_record = |w: &mut Writer,
                               records: &mut RecordTable,
                               fresh: &mut Vec<Slot>,
                               born: &[bool],
                               r: u32| {
            w.forget(records, r);
            w.free.push(r);
            if born.get(r as usize).copied().unwrap_or(false) {
                fresh.retain(|s| s.rec != r);
            } else {
                dropped.push(r);
                dropped_slots += records.get(r as usize).map_or(0, |d| d.slots());
            }
            records.remove(r as usize);
        };

        for change in changes {
            match change {
                IndexChange::Upsert {
                    folder,
                    id,
                    contact,
                } => {
                    let folder_id = w.intern_at(0, &folder);
                    // Costs nothing (no reference count) unless folders have plans.
                    let folder_plan = if w.folder_plans.is_empty() {
                        None
                    } else {
                        w.folder_plans.get(&folder_id).cloned()
                    };
                    let read_under = folder_plan.as_deref().unwrap_or(&plan);
                    // A contact in another country: its national numbers are read
                    // in that country too.
                    let (country_id, also) = match contact.country.as_deref() {
                        Some(iso) if !iso.is_empty() => {
                            let (c, p) = w.country_plan(iso);
                            let other =
                                p.filter(|p| p.country().iso() != read_under.country().iso());
                            (c, other)
                        }
                        _ => (0, None),
                    };
                    let h = w.id_hash(folder_id, &id);
                    if let Some(r) = w.find(&records, h, folder_id, &id) {
                        drop_record(w, &mut records, &mut fresh, &born, r);
                    }
                    let r = match w.free.pop() {
                        Some(r) => r,
                        None => records.push_none() as u32,
                    };
                    mark_born(&mut born, r);
                    let before = fresh.len();
                    columns.clear();
                    for (i, field) in contact
                        .numbers
                        .iter()
                        .take(usize::from(u16::MAX))
                        .enumerate()
                    {
                        let slot = |key: u64, assumed: u8| Slot {
                            h: mix(key),
                            rec: r,
                            field: i as u16,
                            assumed,
                        };
                        match read_under.normalize(&field.number) {
                            Ok(Normalized::Internal(ext)) => {
                                fresh.push(slot(ext.packed(), Assumed::Nothing as u8));
                                report.indexed += 1;
                            }
                            Ok(Normalized::Public(p)) if p.national_len() < min => {
                                report.too_short += 1;
                            }
                            Ok(Normalized::Public(p)) => {
                                fresh.push(slot(p.key.0, p.assumed as u8));
                                report.indexed += 1;
                                if let Some(other) = &also
                                    && p.assumed != Assumed::Nothing
                                    && let Ok(Normalized::Public(q)) =
                                        other.normalize(&field.number)
                                    && q.national_len() >= min
                                    && q.key != p.key
                                {
                                    fresh.push(slot(q.key.0, q.assumed as u8));
                                }
                            }
                            Err(reason) => report.rejected.push(RejectedNumber {
                                folder: folder.to_string(),
                                id: id.clone(),
                                column: field.column.to_string(),
                                number: field.number.to_string(),
                                reason,
                            }),
                        }
                        columns.push(w.intern_at(i + 1, &field.column));
                    }
                    w.remember(h, folder_id, &id, r);
                    let slots = u16::try_from(fresh.len() - before).unwrap_or(u16::MAX);
                    records.insert(
                        r as usize,
                        RecordHead {
                            id,
                            folder: folder_id,
                            country: country_id,
                            slots,
                        },
                        &contact.display_name,
                        &contact.company,
                        columns
                            .iter()
                            .zip(&contact.numbers)
                            .map(|(&c, f)| (c, &*f.number, f.kind)),
                    );
                }
                IndexChange::Remove { folder, id } => {
                    let found = w.name_ids.get(&*folder).and_then(|&f| {
                        let h = w.id_hash(f, &id);
                        w.find(&records, h, f, &id)
                    });
                    if let Some(r) = found {
                        drop_record(w, &mut records, &mut fresh, &born, r);
                    }
                }
                IndexChange::ClearFolder(folder) => {
                    let gone: Vec<u32> = records
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| {
                            r.is_some_and(|r| Some(&r.folder()) == w.name_ids.get(&*folder))
                        })
                        .map(|(i, _)| i as u32)
                        .collect();
                    for r in gone {
                        drop_record(w, &mut records, &mut fresh, &born, r);
                    }
                }
            }
        }

        // Trailing free record numbers can go.
        while let Some(last) = records.pop_trailing_none() {
            w.free.retain(|&r| r as usize != last);
        }
        records.freeze();
        let names = if w.names.len() == cur.names.len() {
            cur.names.clone()
        } else {
            Arc::new(w.names.clone())
        };
        dropped.sort_unstable();
        let was_dropped = |r: u32| dropped.binary_search(&r).is_ok();
        let len = cur.len.saturating_sub(dropped_slots) + fresh.len();
        let base = cur.table.slots().len();
        let added = cur.overlay.added().len() + fresh.len();
        let gone = cur.overlay.gone().len() + dropped.len();
        // The overlay's slots that stay, in either case.
        let kept = cur.overlay.added().iter().filter(|s| !was_dropped(s.rec));
        let (table, overlay) = if added * 16 <= base && gone * 16 <= base {
            // A small batch: the table stays, the overlay takes the change.
            let mut next_added = Vec::with_capacity(added);
            next_added.extend(merge_sorted(kept.copied(), sort_slots(fresh).into_iter()));
            let mut next_gone = Vec::with_capacity(gone);
            next_gone.extend(cur.overlay.gone().iter().chain(&dropped));
            next_gone.sort_unstable();
            next_gone.dedup();
            (cur.table.clone(), Overlay::new(next_added, next_gone))
        } else {
            // Lay out a new table: the old one without its gone records, the
            // overlay's slots without the records dropped now, and the new slots.
            // Gone record numbers may lie beyond the record table, which drops
            // trailing free numbers.
            let rec_bound = cur.overlay.gone().iter().chain(&dropped).max();
            let mut void = vec![false; rec_bound.map_or(0, |&r| r as usize + 1)];
            for &r in cur.overlay.gone().iter().chain(&dropped) {
                if let Some(v) = void.get_mut(r as usize) {
                    *v = true;
                }
            }
            let is_void = |r: u32| void.get(r as usize).copied().unwrap_or(false);
            let old = cur.table.slots().iter().filter(|s| !is_void(s.rec));
            let table = if base == 0 && cur.overlay.added().is_empty() {
                // A first build: the new slots become the table.
                SlotTable::from_unsorted(fresh, min as u32)
            } else {
                let mut all = Vec::with_capacity(len);
                all.extend(merge_sorted(
                    merge_sorted(old.copied(), kept.copied()),
                    sort_slots(fresh).into_iter(),
                ));
                SlotTable::from_sorted(all, min as u32)
            };
            (Arc::new(table), Overlay::default())
        };
        let next = IndexSnapshot {
            plan,
            table,
            overlay,
            len,
            records,
            names,
        };
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        report
    }

    /// Memory the index takes now.
    pub fn memory_usage(&self) -> MemoryUsage {
        let w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let snap = self.snapshot();
        let (index, payload) = snap.memory();
        // hashbrown: key + value per bucket plus one control byte.
        let writer =
            w.ids.capacity() * (8 + 4 + 1) + w.collisions.capacity() * 64 + w.free.capacity() * 4;
        MemoryUsage {
            numbers: snap.len(),
            index_bytes: index + writer,
            payload_bytes: payload,
        }
    }
}

fn mark_born(born: &mut Vec<bool>, r: u32) {
    let r = r as usize;
    if born.len() <= r {
        born.resize(r + 1, false);
    }
    born[r] = true;
}
