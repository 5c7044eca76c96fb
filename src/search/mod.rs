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
//! `cargo bench --bench search -- --quick` builds the index, a plain scan and
//! SQLite FTS5 over the same 100,000 contacts (names with diacritics, a company and
//! department, an e-mail address, three numbers) and runs the same queries on each,
//! 20 results ranked. One run on the 2-core development VM, shared with other
//! builds (medians over 500 different queries of each kind):
//!
//! | | this index: [`find`](SearchIndex::find) | with names and highlights ([`search`](SearchIndex::search)) | plain scan of folded texts, ranked | SQLite FTS5, `ORDER BY rank` |
//! |---|---|---|---|---|
//! | 3-letter prefix | 2.1 µs | 90 µs | 39 ms | 3.3 ms |
//! | two prefixes (`kow ag`) | 108 µs | 288 µs | 42 ms | 0.58 ms |
//! | 4 digits inside a number | 355 µs | 526 µs | 9.3 ms | 44 µs (trigram table) |
//! | build | 276 ms (273 ms CPU) | | 339 ms (folding the texts) | 1,107 ms |
//! | memory per contact | 58.5 B | | 282 B | 452 B |
//!
//! FTS5 is `unicode61 remove_diacritics 2` with prefix indexes for 1 to 3
//! characters, plus a `trigram` table over the digits. It cannot fold `ue` to `ü`
//! nor rank by column class without its own ranking function; on the common query
//! (a short prefix, where its `ORDER BY rank` reads every match) it is 1,500 times
//! slower than `find` and 37 times slower than `search` with its hits, and it takes
//! eight times the memory; it is eight times faster at digits
//! inside numbers, which it answers from a trigram index while this index scans
//! the packed digits (1.8 MB for 100,000 contacts) with a SIMD substring search.
//! A scan must read every contact to rank them and takes tens of milliseconds.
//!
//! So the index: a sorted vocabulary of folded words, with a posting list per word
//! (delta-coded, one to four bytes a posting, split by column class so that a
//! one-word query reads the best tiers first and stops at the limit), the record id
//! of each slot, and the numbers' digits two to a byte. Texts shown with a hit come
//! from the folder's snapshot, which the cache holds anyway; reading them (a
//! snapshot lookup per hit) and marking the matched words costs more than the
//! query itself. A folder is indexed on its first search (or
//! [`SearchIndex::prepare`]), not when it is opened, so start-up and caller lookup
//! do not wait for it.
//!
//! Goals were a median of 20 µs for a 3-letter prefix (met by `find`; `search`
//! with 20 hits takes 50-90 µs), 64 bytes a contact (met) and a build of 150 ms
//! (not met: about 270 ms of CPU, most of it reading and folding the rows'
//! texts).
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

pub use fold::fold;
pub use hit::{MatchedField, SearchHit};
pub use index::{Found, SearchIndex};
