//! [`Segment`]: the immutable search index of one folder's rows.
//!
//! * the rows, one per slot, in the snapshot's (id) order, so that a record's slot
//!   is found by binary search: the snapshot's own chunks of rows, shared with it,
//!   so that a hit's row is read by its slot without a lookup by id;
//! * a sorted vocabulary of folded words in one string, with end offsets;
//! * per word a posting list of its slots by column class, names first
//!   ([`Postings`]);
//! * the digits of every slot's numbers, two to a byte ([`PackedDigits`]).

use std::ops::Range;
use std::sync::Arc;

use foldhash::HashMap;

use crate::cache::{CachedRow, RowChunk, RowEntry, Snapshot};
use crate::record::RecordId;

use super::columns::{Class, SearchColumns};
use super::digits::PackedDigits;
use super::postings::Postings;

/// Most slots of one segment; rows beyond are not searchable.
pub(crate) const MAX_SLOTS: usize = 1 << 30;

/// The immutable index of one folder. See the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct Segment {
    /// The snapshot's chunks of rows that hold the slots, and the first slot of
    /// each.
    rows: Vec<RowChunk>,
    starts: Vec<u32>,
    len: usize,
    vocab: String,
    vocab_ends: Vec<u32>,
    postings: Postings,
    digits: PackedDigits,
}

impl Segment {
    /// Indexes every row of `snapshot`.
    pub fn build(snapshot: &Snapshot, columns: &SearchColumns) -> Segment {
        let mut rows: Vec<RowChunk> = Vec::new();
        let mut starts = Vec::new();
        let mut len = 0;
        for chunk in snapshot.chunks() {
            if len >= MAX_SLOTS {
                break;
            }
            rows.push(chunk.clone());
            starts.push(len as u32);
            len += chunk.len().min(MAX_SLOTS - len);
        }
        // Distinct words run to about half the contacts in a real phone book.
        let mut word_ids = WordIds::with_capacity(snapshot.len() / 2);
        let mut words = WordList::default();
        // (3 × word id + class) << 32 | slot, in slot order; and how many postings
        // each (word id, class) has.
        let mut pairs: Vec<u64> = Vec::with_capacity(snapshot.len() * 8);
        let mut counts: Vec<u32> = Vec::new();
        let mut digits = PackedDigits::default();
        let mut row_digits = Vec::new();
        let mut scratch = (String::new(), String::new());
        // One contact's (word id, class), to keep each word once, in its best class.
        let mut own: Vec<(u32, Class)> = Vec::new();
        let batches = rows.iter().flat_map(|c| c.chunks(TOUCH_BATCH));
        let mut rest = len;
        let entries = batches.flat_map(|batch| {
            let batch = &batch[..batch.len().min(rest)];
            rest -= batch.len();
            std::hint::black_box(touch(batch));
            batch
        });
        for (slot, (_, row)) in entries.enumerate() {
            own.clear();
            row_digits.clear();
            columns.read_row(
                &row.row,
                &mut scratch,
                |word, class| own.push((word_ids.id(word, &mut words), class)),
                &mut row_digits,
            );
            own.sort_unstable();
            own.dedup_by_key(|(w, _)| *w);
            counts.resize(3 * words.len(), 0);
            for &(w, c) in &own {
                let key = 3 * w + c as u32;
                counts[key as usize] += 1;
                pairs.push((u64::from(key) << 32) | slot as u64);
            }
            digits.push_slot(&row_digits);
        }
        drop(word_ids);
        // Word ids in alphabetical order.
        let mut order: Vec<u32> = (0..words.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| words.get(a).cmp(words.get(b)));
        // A counting sort of the postings by word (alphabetically) and class: each
        // (word, class) gets its run of `by_word`, filled in slot order.
        let mut at = 0u32;
        for &w in &order {
            for c in 0..3 {
                let n = &mut counts[3 * w as usize + c];
                (*n, at) = (at, at + *n);
            }
        }
        let mut by_word = vec![0u32; pairs.len()];
        for p in pairs {
            let next = &mut counts[(p >> 32) as usize];
            by_word[*next as usize] = p as u32;
            *next += 1;
        }
        // Each run now ends where `counts` says and starts where the one before
        // ended.
        let mut vocab = String::with_capacity(words.text.len());
        let mut vocab_ends = Vec::with_capacity(words.len());
        let mut postings = Postings::default();
        let mut start = 0;
        for &w in &order {
            vocab.push_str(words.get(w));
            vocab_ends.push(vocab.len() as u32);
            let lists = [0, 1, 2].map(|c| {
                let end = counts[3 * w as usize + c] as usize;
                let list = &by_word[start..end];
                start = end;
                list
            });
            postings.push_classes(lists);
        }
        postings.shrink_to_fit();
        digits.shrink_to_fit();
        Segment {
            rows,
            starts,
            len,
            vocab,
            vocab_ends,
            postings,
            digits,
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.len
    }

    fn entry(&self, slot: u32) -> &RowEntry {
        let c = self.starts.partition_point(|&s| s <= slot) - 1;
        &self.rows[c][(slot - self.starts[c]) as usize]
    }

    /// The record in `slot`.
    pub fn id(&self, slot: u32) -> &RecordId {
        &self.entry(slot).0
    }

    /// The row in `slot`.
    pub fn row(&self, slot: u32) -> &Arc<CachedRow> {
        &self.entry(slot).1
    }

    /// The slot of record `id`.
    pub fn slot_of(&self, id: &RecordId) -> Option<u32> {
        // The first chunk whose last id is not before `id`.
        let c = self
            .rows
            .partition_point(|r| r.last().is_some_and(|(last, _)| last < id));
        let i = self
            .rows
            .get(c)?
            .binary_search_by(|(k, _)| k.cmp(id))
            .ok()?;
        let slot = self.starts[c] as usize + i;
        (slot < self.len).then_some(slot as u32)
    }

    /// Word `i` of the vocabulary.
    pub fn word(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.vocab_ends[i - 1] };
        &self.vocab[start as usize..self.vocab_ends[i] as usize]
    }

    /// The words that start with `prefix`, as vocabulary indexes.
    pub fn words_with_prefix(&self, prefix: &str) -> Range<usize> {
        let n = self.vocab_ends.len();
        let start = partition(n, |i| self.word(i) < prefix);
        // The words with the prefix follow those before it, all together.
        let end = partition(n, |i| {
            let w = self.word(i);
            w < prefix || w.starts_with(prefix)
        });
        start..end
    }

    /// Calls `f` with the (class, slot) of every posting of word `i`, in class
    /// order (only `only`'s when given), until it returns `false`.
    pub fn postings(&self, i: usize, only: Option<Class>, f: impl FnMut(Class, u32) -> bool) {
        self.postings.each(i, only, f);
    }

    /// How large word `i`'s posting list is, in bytes.
    pub fn postings_size(&self, i: usize) -> usize {
        self.postings.size(i)
    }

    /// Calls `f` for every slot with a number that contains `digits`, in slot
    /// order, once per slot.
    pub fn digit_matches(&self, digits: &str, f: impl FnMut(u32)) {
        self.digits.matches(digits, f);
    }

    /// Bytes held, the chunks of rows that the folder's snapshot still shares not
    /// counted (those the snapshot has since replaced are).
    pub fn heap_bytes(&self) -> usize {
        let own_rows: usize = self
            .rows
            .iter()
            .filter(|c| Arc::strong_count(c) == 1)
            .map(|c| c.capacity() * std::mem::size_of::<RowEntry>())
            .sum();
        self.rows.capacity() * std::mem::size_of::<RowChunk>()
            + 4 * self.starts.capacity()
            + own_rows
            + self.vocab.capacity()
            + 4 * (self.vocab_ends.capacity())
            + self.postings.heap_bytes()
            + self.digits.heap_bytes()
    }
}

/// Rows whose cells [`touch`] reads at a time: their cells fit the processor's
/// cache with room to spare.
const TOUCH_BATCH: usize = 64;

/// Reads every row of `rows`, then a byte of each cache line of their cells and
/// values. A row, its cells and its values are three blocks of memory apart,
/// and folding one row after the other waits for memory three times a row;
/// these reads do not depend on one another within a pass, so the processor has
/// many of them under way at once and the folding then finds the rows in its
/// cache.
fn touch(rows: &[RowEntry]) -> u8 {
    let blocks = rows
        .iter()
        .fold(0, |acc, (_, r)| acc ^ r.row.hidden.phones as u8);
    rows.iter().fold(blocks, |acc, (_, r)| acc ^ r.row.touch())
}

/// The distinct words met while a segment is built, by id, in one string.
#[derive(Default)]
struct WordList {
    text: String,
    ends: Vec<u32>,
}

impl WordList {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start as usize..self.ends[i] as usize]
    }

    fn push(&mut self, word: &str) {
        self.text.push_str(word);
        self.ends.push(self.text.len() as u32);
    }
}

/// Word ids while a segment is built. Most words fit in 16 bytes and are kept in
/// the table itself, so that finding one reads no memory elsewhere (a boxed key
/// cost a cache miss per word: a tenth of a build); as two `u64`s rather than a
/// `u128`, an entry takes 24 bytes instead of 32.
struct WordIds {
    short: HashMap<[u64; 2], u32>,
    long: HashMap<Box<str>, u32>,
}

impl WordIds {
    fn with_capacity(n: usize) -> WordIds {
        WordIds {
            short: HashMap::with_capacity_and_hasher(n, Default::default()),
            long: HashMap::default(),
        }
    }

    /// The id of `word`, a new one (its index in `words`) when it is new.
    fn id(&mut self, word: &str, words: &mut WordList) -> u32 {
        let next = words.len() as u32;
        let (id, new) = if word.len() <= 16 {
            // Folded words hold no NUL, so zero padding keeps keys distinct.
            let mut key = [0u8; 16];
            key[..word.len()].copy_from_slice(word.as_bytes());
            let (low, high) = key.split_at(8);
            let key = [low, high].map(|h| u64::from_le_bytes(h.try_into().unwrap_or_default()));
            let id = *self.short.entry(key).or_insert(next);
            (id, id == next)
        } else {
            match self.long.get(word) {
                Some(&id) => (id, false),
                None => {
                    self.long.insert(word.into(), next);
                    (next, true)
                }
            }
        };
        if new {
            words.push(word);
        }
        id
    }
}

/// The first `i` in `0..n` for which `before(i)` is false (`before` is monotone).
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
