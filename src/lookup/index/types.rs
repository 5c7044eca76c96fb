//! The caller index's public types: what it is given (contacts, their phone fields,
//! changes) and what it answers (matches, their quality and place, reports).

use std::borrow::Cow;
use std::sync::Arc;

#[cfg(doc)]
use super::CallerIndex;
use super::IndexSnapshot;
use crate::lookup::number::NotANumber;
use crate::lookup::records::RecordRef;
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
    /// ([`country_code`](crate::lookup::country_code) reads it from an address). When it is
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
    /// How good the match is.
    pub(super) quality: MatchQuality,
    /// The snapshot the match was found in.
    pub(super) snapshot: Arc<IndexSnapshot>,
    /// The record's number in the snapshot's record table.
    pub(super) rec: u32,
    /// The phone field's position in the record.
    pub(super) field: u16,
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
