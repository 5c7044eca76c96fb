//! Search by name for dialling: find contacts across all folders from a few typed
//! letters or digits.
//!
//! * [`SearchIndex`] — every folder's names, nicknames, companies, departments and
//!   e-mail addresses as folded words, and the digits of its numbers; updated with
//!   each change of a folder ([`SearchIndex::apply`]), as
//!   [`Phonebook`](crate::Phonebook) does from the folders' change notifications.
//! * [`SearchHit`] — a contact found, its rank and the [`MatchedField`]s to
//!   highlight.
//!
//! # Matching
//!
//! Each word of the query must be the start of a word of the contact, in any order:
//! `kow ag` finds "Dr. Agnieszka Maria Kowalczyk". Case and diacritics are folded
//! (`lodz` finds "Łódź"; `muller`, `müller` and `mueller` find "Müller"); other
//! scripts are lower-cased and found by themselves (`ђорђе` finds "Ђорђе"). A query
//! of digits finds numbers that contain them anywhere: `4567` finds
//! `+49 30 1234567`. Ranking, best first: a whole word before a prefix, and within
//! each, names before companies and departments before e-mail addresses; ties go by
//! display name.
//!
//! # Cost, and the alternatives measured
//!
//! `cargo bench --bench search` builds the index, a plain scan and an SQLite FTS5
//! table over the same 100,000 contacts (names, a company and department, an
//! e-mail address, three numbers) and runs the same queries on each. On the 2-core
//! development VM:
//!
//! | | this index | plain scan of folded texts | SQLite FTS5 (`unicode61`, prefix index 1-3) |
//! |---|---|---|---|
//! | 3-letter prefix, median | FIGURE | FIGURE | FIGURE |
//! | two prefixes (`kow ag`) | FIGURE | FIGURE | FIGURE |
//! | 4 digits inside a number | FIGURE | FIGURE | FIGURE |
//! | build | FIGURE | FIGURE | FIGURE |
//! | memory per contact | FIGURE | FIGURE | FIGURE |
//!
//! The index is a sorted vocabulary of folded words with a posting list per word
//! (4 bytes per word of a contact, split by column class so that a one-word query
//! reads the best tiers first and stops at the limit), the record id of each slot,
//! and the digits of the numbers in one byte string searched with a SIMD substring
//! search. Texts shown with a hit come from the folder's snapshot, which the cache
//! holds anyway.
//!
//! # Known limits
//!
//! * A word is matched from its start only: `czyk` does not find "Kowalczyk".
//! * Only German umlauts have a second spelling (`ue` for `ü`); other
//!   transliterations (`Ђорђе` as `djordje`) are not made.
//! * A digit query finds a number's digits as stored: a number stored
//!   `030 1234567` is not found by `4930`.

mod columns;
mod digits;
mod fold;
mod hit;
mod index;
mod postings;
mod query;
mod segment;

pub use columns::{Class, SearchColumns};
pub use fold::fold;
pub use hit::{MatchedField, SearchHit};
pub use index::{Found, SearchIndex};
