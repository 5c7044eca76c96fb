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
//! (`lodz` finds "Łódź"; `muller`, `müller` and `mueller` find "Müller"; `soeren`
//! finds "Søren"). Greek and Cyrillic names are found in their own script and as
//! they are typed in ASCII: `ђорђе`, `djordje`, `petrovic` and `petrovich` find
//! "Ђорђе Петровић", `mikhail` and `mihail` find "Михаил". Other scripts are
//! lower-cased and found by themselves. A query
//! of digits finds numbers that contain them anywhere: `4567` finds
//! `+49 30 1234567`; a number typed as a whole, `+49 170 555` or `030 123`, also
//! finds it stored the other way (`0170 5550001`, `+49 30 1234567`). Ranking,
//! best first: a whole word before a prefix, and within
//! each, names before companies and departments before e-mail addresses; ties go by
//! display name.
//!
//! # Cost, and the alternatives measured
//!
//! `cargo bench --bench search -- --quick` builds the index, a plain scan and
//! SQLite FTS5 over the same 100,000 contacts (names with diacritics, a company and
//! department, an e-mail address, three numbers) and runs the same queries on each,
//! 20 results ranked. One run on the 2-core development VM (medians over 500
//! different queries of each kind; criterion's time for one query in brackets):
//!
//! | | this index: [`find`](SearchIndex::find) | with names and highlights ([`search`](SearchIndex::search)) | plain scan of folded texts, ranked | SQLite FTS5, `ORDER BY rank` |
//! |---|---|---|---|---|
//! | 3-letter prefix | 2.2 µs | 17.5 µs (12.9 µs) | 22 ms | 3.0 ms |
//! | two prefixes (`kow ag`) | 78 µs | 107 µs (61 µs) | 21 ms | 0.56 ms |
//! | 4 digits inside a number | 361 µs | 391 µs (246 µs) | 3.5 ms | 41 µs (trigram table) |
//! | build | 132 ms (133 ms) | | 247 ms (folding the texts) | 879 ms |
//! | memory per contact | 42.6 B | | 282 B | 452 B |
//!
//! FTS5 is `unicode61 remove_diacritics 2` with prefix indexes for 1 to 3
//! characters, plus a `trigram` table over the digits. It cannot fold `ue` to `ü`
//! nor rank by column class without its own ranking function; on the common query
//! (a short prefix, where its `ORDER BY rank` reads every match) it is over 1,000
//! times slower than `find` and 170 times slower than `search` with its hits, and
//! it takes ten times the memory; it is nine times faster at digits inside
//! numbers, which it answers from a trigram index while this index scans the
//! packed digits (1.8 MB for 100,000 contacts) with a SIMD substring search. A
//! scan must read every contact to rank them and takes tens of milliseconds.
//!
//! So the index: a sorted vocabulary of folded words, with a posting list per word
//! (delta-coded, one to four bytes a posting, split by column class so that a
//! one-word query reads the best tiers first and stops at the limit), the
//! snapshot's own chunks of rows, shared with it, as the slots (a hit's row is
//! read by its slot, not looked up by id), and the numbers' digits two to a
//! byte. A hit holds its row rather than copies of its names, and its
//! [`MatchedField`]s borrow their column and value from that row; the ranges of
//! all hits of one search are kept in two lists they share, so a search with 20
//! hits allocates a handful of times, not about 200. A folder is indexed on its
//! first search (or [`SearchIndex::prepare`]), not when it is opened, so start-up
//! and caller lookup do not wait for it. The build reads each batch of 64 rows
//! twice before folding it (the rows, then their cells and values, three blocks
//! of memory apart), so that memory is read many blocks at once; Latin letters
//! fold through a table made once; the postings are sorted by word and class
//! with one counting sort.
//!
//! Goals were a median of 20 µs for a 3-letter prefix, 64 bytes a contact and a
//! build of 150 ms: all met. The previous version, measured in the same run:
//! `search` 51–77 µs for a 3-letter prefix (criterion 39–51 µs), two prefixes
//! 180–191 µs, a build of 182–188 ms (criterion 169–175 ms).
//!
//! # Known limits
//!
//! * A word is matched from its start only: `czyk` does not find "Kowalczyk".
//! * A word has at most two spellings: its letters folded ([`fold`]), and
//!   where it has one, a second spelling (umlauts and `ø`, `å` written out, `đ`
//!   as `dj`, Cyrillic as English writes it). Other
//!   transliterations (Cyrillic `ч` as `tch`, Arabic or Chinese in Latin) are not
//!   made.
//! * A digit query finds a number's digits as stored, and a whole number typed
//!   with `+`, the international prefix or the trunk prefix also in its other
//!   form under the phone book's country (see [`SearchIndex::with_dial_plan`]):
//!   `+49 170 555` finds `0170 5550001`, `030 123` finds `+49 30 1234567`. Bare
//!   digits are not read so: `4930` does not find `030 1234567`.

mod columns;
mod digits;
mod fold;
mod hit;
mod index;
mod postings;
mod query;
mod segment;
mod spellings;

pub use fold::fold;
pub use hit::{MatchedField, SearchHit};
pub use index::{Found, SearchIndex};
