//! [`Segment`]: the immutable search index of one folder's rows.
//!
//! * the record ids, one per slot, in the snapshot's (id) order, so that a record's
//!   slot is found by binary search;
//! * a sorted vocabulary of folded words in one string, with end offsets;
//! * per word a posting list of `class << 30 | slot`, sorted, so that a word's name
//!   postings come before its company postings, and those before its e-mail ones;
//! * the digits of every slot's numbers, two to a byte ([`PackedDigits`]).

use std::ops::Range;

use foldhash::HashMap;

use crate::cache::Snapshot;
use crate::source::RecordId;

use super::columns::{Class, SearchColumns};
use super::digits::PackedDigits;

const SLOT_BITS: u32 = 30;
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;
/// Most slots of one segment; rows beyond are not searchable.
pub(crate) const MAX_SLOTS: usize = 1 << SLOT_BITS;

/// A posting's slot.
pub(crate) fn slot(posting: u32) -> u32 {
    posting & SLOT_MASK
}

/// A posting's class.
pub(crate) fn class(posting: u32) -> Class {
    Class::from_bits(posting >> SLOT_BITS)
}

/// The immutable index of one folder. See the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct Segment {
    ids: Vec<RecordId>,
    vocab: String,
    vocab_ends: Vec<u32>,
    posting_ends: Vec<u32>,
    postings: Vec<u32>,
    digits: PackedDigits,
}

impl Segment {
    /// Indexes every row of `snapshot`.
    pub fn build(snapshot: &Snapshot, columns: &SearchColumns) -> Segment {
        let mut ids = Vec::with_capacity(snapshot.len());
        let mut word_ids: HashMap<Box<str>, u32> = HashMap::default();
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
                |word, class| {
                    let wid = match word_ids.get(word) {
                        Some(&w) => w,
                        None => {
                            let w = words.len() as u32;
                            words.push(word.into());
                            word_ids.insert(word.into(), w);
                            w
                        }
                    };
                    own.push((wid, class));
                },
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
        let mut posting_ends = vec![0u32; words.len()];
        let mut postings = Vec::with_capacity(pairs.len());
        for p in pairs {
            postings.push(p as u32);
            posting_ends[(p >> 32) as usize] = postings.len() as u32;
        }
        // A word always has a posting, so every end is set; this keeps them
        // monotone regardless.
        for i in 1..posting_ends.len() {
            posting_ends[i] = posting_ends[i].max(posting_ends[i - 1]);
        }
        digits.shrink_to_fit();
        Segment {
            ids,
            vocab,
            vocab_ends,
            posting_ends,
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

    /// The postings of word `i`, in class order.
    pub fn postings(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.posting_ends[i - 1] };
        &self.postings[start as usize..self.posting_ends[i] as usize]
    }

    /// The postings of word `i` in `class`.
    pub fn postings_in(&self, i: usize, class: Class) -> &[u32] {
        let all = self.postings(i);
        let lo = all.partition_point(|&p| (p >> SLOT_BITS) < class as u32);
        let hi = all.partition_point(|&p| (p >> SLOT_BITS) <= class as u32);
        &all[lo..hi]
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
            + 4 * (self.vocab_ends.capacity()
                + self.posting_ends.capacity()
                + self.postings.capacity())
            + self.digits.heap_bytes()
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
