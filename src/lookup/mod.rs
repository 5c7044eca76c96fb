//! Caller lookup: find the contact of an incoming call in microseconds, whatever form
//! the PBX delivers the number in, and turn stored numbers into the digits to dial.
//!
//! * [`DialPlan`] — one line's country, area code, outside-line prefix, internal
//!   extension lengths and matching limits. Trunk and international prefixes follow
//!   from the country.
//! * [`DialPlan::normalize`] — any written number (`+49 30 1234567`, `0049…`, `030…`,
//!   local `1234567`, `+49 (0)30…`, `tel:`/`sip:`/`callto:` links, `x12`, vanity
//!   letters) becomes a [`Normalized`]: an E.164 [`NumberKey`] or an internal
//!   [`Extension`]. Garbage is a typed [`NotANumber`], never a panic.
//! * [`CallerIndex`] — every number of every folder, normalised once, updated
//!   incrementally ([`CallerIndex::apply`]); lookups run on an immutable
//!   [`IndexSnapshot`] and never wait for an update. A phone book indexes every
//!   TEL of a card, also those no column shows; a match says where its number is
//!   ([`NumberPlace`]) and what kind it is.
//! * [`CallerIndex::lookup_caller`] — the lookup of an incoming call as a
//!   [`CallerLookup`]: the matches, a withheld number ([`is_withheld`]) or text
//!   that is no number, none of them an error.
//! * [`DialPlan::dial`] — the dialling direction.
//!
//! # Matching
//!
//! Matches come best first, each with its [`MatchQuality`]:
//!
//! 1. [`Exact`](MatchQuality::Exact): the same E.164 number.
//! 2. [`National`](MatchQuality::National): the same number, but one side was
//!    written without country code and the dial plan supplied it.
//! 3. Only when there is neither: [`Switchboard`](MatchQuality::Switchboard), the
//!    company's main number for a direct-dial number. Up to
//!    [`DialPlan::switchboard_max_stripped`] trailing digits are stripped, and both
//!    the bare prefix (`+49 30 1234`) and the prefix with `0` (`+49 30 1234-0`) are
//!    tried; the fewest stripped digits win. The main number called without its
//!    `0` (`+49 30 1234`, `tel:+49-30-1234;ext=21`) finds the switchboard stored as
//!    `+49 30 1234-0` with `stripped: 0`; a mobile number never counts as one.
//! 4. Internal extensions match only internal extensions
//!    ([`Extension`](MatchQuality::Extension)).
//!
//! No public number with fewer than [`DialPlan::min_significant_digits`] national
//! digits ever matches, and numbers with different country codes never match: the
//! country code is part of the key.
//!
//! Extensions written after a public number (`;ext=89`, `x89`) are not part of the
//! key: the caller is reported as the main number.
//!
//! # Cost
//!
//! About 25 bytes of index per number (16-byte slot, directory, presence filter,
//! id map), plus about 45 bytes for what is shown with a match (ids, names, the
//! numbers as stored), kept in chunks of 1,024 records so that indexing a record
//! allocates nothing of its own. A lookup is an allocation-free normalisation (plain
//! numbers take a branch-free fast path), a filter test per probe and, for a key that
//! passes, one hash and a few adjacent memory reads; it allocates only the result
//! vector of a hit. [`CallerIndex::apply`] puts a small batch into an overlay beside
//! the shared table (about 0.1 ms for one contact at 300,000 numbers), with a filter
//! of its own, and lays out the table anew, in linear time, once the overlay
//! outgrows a sixteenth of it. Figures from `cargo bench --bench lookup` are in the
//! bench's header.
//!
//! # Known limits
//!
//! * Local numbers need the plan's area code; a plan without one rejects them with
//!   [`NotANumber::NeedsAreaCode`].
//! * Stored numbers without country code are read in the index's country unless
//!   their folder has a plan of its own ([`CallerIndex::set_folder_plan`]). A
//!   contact's own country counts only as a second reading: when its addresses
//!   (a vCard's `ADR` country, read by [`country_code`]) all name one country
//!   other than that, each such number is indexed once more as a number of that
//!   country ([`IndexedContact::country`]), so both readings find the contact.
//! * Numbers written without country code are read by the country's numbering
//!   plan from the `phonenumber` metadata: a trunk prefix where there is one (and
//!   the prefix-for-parsing and transform rules: Argentina's mobile `15`, Brazil's
//!   carrier codes), a valid number complete without it where the country has none
//!   or writes none (Spain, Denmark, Chinese mobiles, Brazil), and local numbers
//!   only where the country has local dialling. DE, AT, CH, GB and FR keep a
//!   built-in fast path: with the trunk prefix national, without it local.
//!   Where the metadata lets a number be complete at a length local numbers have
//!   too (China: 7 to 11 digits), such digits are read as a national number; only
//!   digits too short for one are completed with the area code.
//! * Public numbers are not validated: a wrong but well-formed number normalises
//!   and simply never matches.
//! * Dialling within the country follows the national format of the number's
//!   pattern (`131 2345 6789` for a Chinese mobile, `(11) 2345-6789` in Brazil, so
//!   no carrier code is dialled there; `011 15-2345-6789` for an Argentinian
//!   mobile), except in the NANP, which dials its trunk `1` first, and in the
//!   built-in countries, which dial the trunk prefix before every national number.
//! * Vanity letters are read only in upper case and after at least three digits, so
//!   that words in a phone field (`030 1234567 (office)`) are rejected instead of
//!   being turned into digits.

mod caller_lookup;
mod country_names;
mod dial;
mod dialplan;
mod index;
#[cfg(feature = "internals")]
mod naive;
mod normalize;
mod number;
mod numbering_plan;
mod records;
mod slots;
mod written;

pub use caller_lookup::{CallerLookup, is_withheld};
pub use country_names::country_code;
pub use dialplan::{CountryRules, DialPlan, OutsideLine, preload};
pub use index::{
    CallerIndex, CallerMatch, IndexChange, IndexReport, IndexSnapshot, IndexedContact,
    MatchQuality, MemoryUsage, NumberPlace, PhoneField, RejectedNumber,
};
#[cfg(feature = "internals")]
#[doc(hidden)]
pub use naive::normalize_with_phonenumber;
pub use number::{Assumed, Extension, Normalized, NotANumber, NumberKey, PublicNumber};
