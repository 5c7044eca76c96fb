//! [`Segment`]: the immutable search index of one folder's rows.
//!
//! * the record ids, one per slot, in the snapshot's (id) order, so that a record's
//!   slot is found by binary search;
//! * a sorted vocabulary of folded words in one string, with end offsets;
//! * per word a posting list of its slots by column class, names first
//!   ([`Postings`]);
//! * the digits of every slot's numbers, two to a byte ([`PackedDigits`]).

use std::ops::Range;

use foldhash::HashMap;

use crate::cache::Snapshot;
use crate::record::RecordId;

use super::columns::{Class, SearchColumns};
use super::digits::PackedDigits;
use super::postings::Postings;

const SLOT_BITS: u32 = 30;
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;
/// Most slots of one segment; rows beyond are not searchable.
pub(crate) const MAX_SLOTS: usize = 1 << SLOT_BITS;

/// A posting's slot.
fn slot(posting: u32) -> u32 {
    posting & SLOT_MASK
}

/// A posting's class.
fn class(posting: u32) -> Class {
    Class::from_bits(posting >> SLOT_BITS)
}

/// The immutable index of one folder. See the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct Segment {
    ids: Vec<RecordId>,
    vocab: String,
    vocab_ends: Vec<u32>,
    postings: Postings,
    digits: PackedDigits,
}

impl Segment {
    /// Indexes every row of `snapshot`.
    pub fn build(snapshot: &Snapshot, columns: &SearchColumns) -> Segment {
        let mut ids = Vec::with_capacity(snapshot.len());
        // Distinct words run to about half the contacts in a real phone book.
        let mut word_ids = WordIds::with_capacity(snapshot.len() / 2);
        let mut words: Vec<Box<str>> = Vec::new();
        // (word id << 32 | posting), sorted and deduplicated below.
        let mut pairs: Vec<u64> = Vec::with_capacity(snapshot.len() * 8);
        let mut digits = PackedDigits::default();
        let mut row_digits = Vec::new();
        let mut scratch = (String::new(), String::new());
        // One contact's (word id, class), to keep each word once, in its best class.
        let mut own: Vec<(u32, Class)> = Vec::new();
        for (slot, (id, row)) in snapshot.rows().take(MAX_SLOTS).enumerate() {
            ids.push(id.clone());
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
            let slot = slot as u32;
            pairs.extend(
                own.iter().map(|&(w, c)| {
                    (u64::from(w) << 32) | u64::from((c as u32) << SLOT_BITS | slot)
                }),
            );
            digits.push_slot(&row_digits);
        }
        drop(word_ids);
        // Word ids in alphabetical order.
        let mut order: Vec<u32> = (0..words.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| words[a as usize].cmp(&words[b as usize]));
        let mut rank = vec![0u32; words.len()];
        for (r, &w) in order.iter().enumerate() {
            rank[w as usize] = r as u32;
        }
        for p in &mut pairs {
            *p = (u64::from(rank[(*p >> 32) as usize]) << 32) | (*p & 0xFFFF_FFFF);
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut vocab = String::with_capacity(words.iter().map(|w| w.len()).sum());
        let mut vocab_ends = Vec::with_capacity(words.len());
        for &w in &order {
            vocab.push_str(&words[w as usize]);
            vocab_ends.push(vocab.len() as u32);
        }
        let mut postings = Postings::default();
        let mut list: Vec<(Class, u32)> = Vec::new();
        let mut pairs = pairs.into_iter().peekable();
        for word in 0..words.len() as u64 {
            list.clear();
            while let Some(p) = pairs.next_if(|p| p >> 32 == word) {
                let p = p as u32;
                list.push((class(p), slot(p)));
            }
            postings.push_word(&list);
        }
        postings.shrink_to_fit();
        digits.shrink_to_fit();
        Segment {
            ids,
            vocab,
            vocab_ends,
            postings,
            digits,
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The record in `slot`.
    pub fn id(&self, slot: u32) -> &RecordId {
        &self.ids[slot as usize]
    }

    /// The slot of record `id`.
    pub fn slot_of(&self, id: &RecordId) -> Option<u32> {
        self.ids.binary_search(id).ok().map(|s| s as u32)
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

    /// Bytes held, the ids' texts not counted (the cache's snapshot shares them).
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * std::mem::size_of::<RecordId>()
            + self.vocab.capacity()
            + 4 * (self.vocab_ends.capacity())
            + self.postings.heap_bytes()
            + self.digits.heap_bytes()
    }
}

/// Word ids while a segment is built. Most words fit in 16 bytes and are kept in
/// the table itself, so that finding one reads no memory elsewhere (a boxed key
/// cost a cache miss per word: a tenth of a build).
struct WordIds {
    short: HashMap<u128, u32>,
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
    fn id(&mut self, word: &str, words: &mut Vec<Box<str>>) -> u32 {
        let next = words.len() as u32;
        let (id, new) = if word.len() <= 16 {
            // Folded words hold no NUL, so zero padding keeps keys distinct.
            let mut key = [0u8; 16];
            key[..word.len()].copy_from_slice(word.as_bytes());
            let id = *self.short.entry(u128::from_le_bytes(key)).or_insert(next);
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
            words.push(word.into());
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
