//! The caller index's number table: one 16-byte [`Slot`] per indexed number.
//!
//! A snapshot's slots are a large immutable [`SlotTable`] shared between snapshots,
//! plus a small [`Overlay`] of what changed since that table was laid out: the slots
//! of records indexed since, and the record numbers whose slots in the table are
//! void. A small batch of changes copies only the overlay (microseconds, whatever
//! the size of the index); when the overlay outgrows a sixteenth of the table, the
//! next batch lays out a new table (linear time) and starts an empty overlay.

/// One indexed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    /// `mix(key)`; bijective, so equal hashes are equal keys.
    pub h: u64,
    pub rec: u32,
    pub field: u16,
    pub assumed: u8,
}

const _: () = assert!(std::mem::size_of::<Slot>() == 16);

/// splitmix64's finaliser: a bijection on `u64` that spreads E.164 keys (which
/// cluster by country) evenly over the directory's buckets.
pub(super) fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The inverse of [`mix`]: the key of a slot's hash.
pub(super) fn unmix(mut x: u64) -> u64 {
    x ^= (x >> 31) ^ (x >> 62);
    x = x.wrapping_mul(0x3196_42b2_d24d_8ec3);
    x ^= (x >> 27) ^ (x >> 54);
    x = x.wrapping_mul(0x96de_1b17_3f11_9089);
    x ^ (x >> 30) ^ (x >> 60)
}

/// The first `digits` decimal digits of `key` (all of it when it has no more).
/// Every lookup asks this once: the divisions are by constants, which compile to a
/// multiplication, not to a division instruction.
fn leading_digits(key: u64, digits: u32) -> u64 {
    let Some(d) = key.checked_ilog10() else {
        return key;
    };
    match (d + 1).saturating_sub(digits) {
        0 => key,
        1 => key / 10,
        2 => key / 100,
        3 => key / 1_000,
        4 => key / 10_000,
        5 => key / 100_000,
        6 => key / 1_000_000,
        7 => key / 10_000_000,
        8 => key / 100_000_000,
        cut => key / 10u64.pow(cut),
    }
}

/// One cache line of the presence filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(align(64))]
struct Block([u64; 8]);

impl Block {
    /// The two bits of `key` in a block, from one multiplication (Fibonacci hashing)
    /// rather than [`mix`]: a miss probes up to nine keys and the filter turns most
    /// away, so the full hash is only worked out for the keys it lets pass. The keys
    /// of one block share their first digits and differ in the last, which a
    /// multiplication by an odd constant spreads over the product's top bits.
    fn bits(key: u64) -> [usize; 2] {
        let f = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        [(f >> 55) as usize, ((f >> 46) & 511) as usize]
    }
    fn set(&mut self, key: u64) {
        for b in Block::bits(key) {
            self.0[b >> 6] |= 1 << (b & 63);
        }
    }
    fn has(&self, key: u64) -> bool {
        Block::bits(key)
            .iter()
            .all(|&b| self.0[b >> 6] & (1 << (b & 63)) != 0)
    }
}

pub(super) fn slot_order(s: &Slot) -> (u64, u32, u16) {
    (s.h, s.rec, s.field)
}

/// Batches smaller than this are sorted by comparison, in place.
const BY_COUNTING: usize = 1 << 12;

/// Sorts `slots` by [`slot_order`]; see [`bucket_sort`] for large batches.
pub(super) fn sort_slots(mut slots: Vec<Slot>) -> Vec<Slot> {
    if slots.len() < BY_COUNTING {
        slots.sort_unstable_by_key(slot_order);
        return slots;
    }
    let bits = directory_bits(slots.len());
    bucket_sort(slots, bits).0
}

/// Sorts `slots` by [`slot_order`], and returns with them the offset of each of the
/// `2^bits` buckets of the hashes' top bits (and the end), the table's directory.
/// The hashes are spread evenly, so one counting pass puts every slot into its
/// bucket of two or three, and an insertion sort orders each bucket: about a
/// quarter of the instructions of a comparison sort of the whole batch (see
/// `benches/lookup.rs`), at the cost of a second buffer.
fn bucket_sort(slots: Vec<Slot>, bits: u32) -> (Vec<Slot>, Vec<u32>) {
    let shift = 64 - bits;
    let bucket = |s: &Slot| (s.h >> shift) as usize;
    // ends[b + 1] counts bucket b's slots; summed, ends[b] is where bucket b begins.
    let mut ends = vec![0u32; (1 << bits) + 1];
    for s in &slots {
        ends[bucket(s) + 1] += 1;
    }
    for b in 1..ends.len() {
        ends[b] += ends[b - 1];
    }
    let zero = Slot {
        h: 0,
        rec: 0,
        field: 0,
        assumed: 0,
    };
    let mut out = vec![zero; slots.len()];
    for s in &slots {
        let at = &mut ends[bucket(s)];
        out[*at as usize] = *s;
        *at += 1;
    }
    drop(slots);
    // Each bucket's start moved to its end, which is the next bucket's start.
    ends.pop();
    ends.insert(0, 0);
    for w in ends.windows(2) {
        if let Some(run) = out.get_mut(w[0] as usize..w[1] as usize) {
            sort_bucket(run);
        }
    }
    (out, ends)
}

/// Directory bits for `n` slots: about four slots a bucket.
fn directory_bits(n: usize) -> u32 {
    (n / 4)
        .max(16)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(4, 24)
}

/// Sorts one bucket by [`slot_order`]: by insertion, for the usual handful of
/// slots; by comparison sort when many contacts share a number (a company's
/// switchboard), where insertion would take quadratic time.
fn sort_bucket(run: &mut [Slot]) {
    if run.len() > 16 {
        run.sort_unstable_by_key(slot_order);
        return;
    }
    for i in 1..run.len() {
        let mut j = i;
        while j > 0 && slot_order(&run[j]) < slot_order(&run[j - 1]) {
            run.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// The slots of two sequences sorted by [`slot_order`], merged in that order.
pub(super) fn merge_sorted(
    a: impl Iterator<Item = Slot>,
    b: impl Iterator<Item = Slot>,
) -> impl Iterator<Item = Slot> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if slot_order(y) < slot_order(x) => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// Slots sorted by hash, with a directory of bucket offsets indexed by the hash's
/// top bits and a presence filter in front. A probe is two filter bits, one
/// directory read and a scan of a handful of adjacent slots.
///
/// The filter is blocked by number: a key's two bits lie in the cache line chosen
/// by its first `prefix_digits` digits (the index's minimum of significant
/// digits). An incoming number and every switchboard number it may belong to share
/// those digits, so a lookup reads one line of the filter for all its probes, and
/// a miss, which probes up to nine keys, usually reads nothing else.
#[derive(Debug, Default)]
pub(super) struct SlotTable {
    slots: Vec<Slot>,
    dir: Vec<u32>,
    shift: u32,
    /// Clear bits mean no slot has the key, at under 2 bytes a number.
    filter: Vec<Block>,
    block_shift: u32,
    prefix_digits: u32,
}

/// The filter block a lookup's probes read: see [`SlotTable::near`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Near<'a>(Option<&'a Block>);

impl SlotTable {
    /// Takes `slots` in any order and lays them out: [`from_sorted`](Self::from_sorted)
    /// for a small batch, and for a large one the [`bucket_sort`], whose bucket
    /// offsets are the directory.
    pub(super) fn from_unsorted(slots: Vec<Slot>, prefix_digits: u32) -> SlotTable {
        if slots.len() < BY_COUNTING {
            return SlotTable::from_sorted(sort_slots(slots), prefix_digits);
        }
        let bits = directory_bits(slots.len());
        let (slots, dir) = bucket_sort(slots, bits);
        SlotTable::with_directory(slots, dir, 64 - bits, prefix_digits)
    }

    /// Takes `slots`, sorted by [`slot_order`], as they are and builds the
    /// directory and the filter over them: one linear pass, and no memory touched
    /// beyond the slots it is handed, the directory and the filter.
    pub(super) fn from_sorted(slots: Vec<Slot>, prefix_digits: u32) -> SlotTable {
        debug_assert!(slots.is_sorted_by_key(slot_order));
        let n = slots.len();
        let bits = directory_bits(n);
        let shift = 64 - bits;
        let buckets = 1usize << bits;
        // dir[b] is the first slot of bucket b or a later one: the count of slots
        // in the buckets before it.
        let mut dir = Vec::with_capacity(buckets + 1);
        dir.push(0u32);
        let mut at = 0usize;
        for b in 1..=buckets {
            while at < n && ((slots[at].h >> shift) as usize) < b {
                at += 1;
            }
            dir.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
        SlotTable::with_directory(slots, dir, shift, prefix_digits)
    }

    /// Adds the filter to sorted `slots` and their directory.
    fn with_directory(
        slots: Vec<Slot>,
        dir: Vec<u32>,
        shift: u32,
        prefix_digits: u32,
    ) -> SlotTable {
        debug_assert!(slots.is_sorted_by_key(slot_order));
        debug_assert_eq!(dir.len(), (1 << (64 - shift)) + 1);
        // 7 to 14 filter bits a number in blocks of 512, two bits a key: about 2 to
        // 6 % false positives where numbers are spread evenly.
        let bits = (slots.len() * 7)
            .max(1024)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(10, 36);
        let mut table = SlotTable {
            slots: Vec::new(),
            dir,
            shift,
            filter: vec![Block::default(); 1 << (bits - 9)],
            block_shift: 64 - (bits - 9),
            prefix_digits: prefix_digits.max(1),
        };
        for s in &slots {
            let key = unmix(s.h);
            if let Some(b) = table.block_of(key) {
                table.filter[b].set(key);
            }
        }
        table.slots = slots;
        table
    }

    /// The filter block of the numbers that share `key`'s first digits: give it to
    /// [`may_have`](Self::may_have) for `key` and for the switchboard numbers of
    /// `key`. Found once a lookup, so the probes read the block without looking
    /// for it again.
    #[inline]
    pub(super) fn near(&self, key: u64) -> Near<'_> {
        Near(self.block_of(key).and_then(|b| self.filter.get(b)))
    }

    /// The number of `key`'s filter block; `None` when the table is empty.
    fn block_of(&self, key: u64) -> Option<usize> {
        if self.filter.is_empty() {
            return None;
        }
        let prefix = leading_digits(key, self.prefix_digits);
        Some((mix(prefix) >> self.block_shift) as usize)
    }

    /// False when no slot has `key`, which shares its first digits with the key
    /// `near` was found for; true when one may have it.
    #[inline]
    pub(super) fn may_have(near: Near<'_>, key: u64) -> bool {
        near.0.is_some_and(|b| b.has(key))
    }

    /// The slots with hash `h`, past the filter: ask [`may_have`](Self::may_have)
    /// first.
    pub(super) fn with_hash(&self, h: u64) -> impl Iterator<Item = &Slot> {
        let b = (h >> self.shift) as usize;
        let range = match (self.dir.get(b), self.dir.get(b + 1)) {
            (Some(&lo), Some(&hi)) => lo as usize..hi as usize,
            _ => 0..0,
        };
        self.slots
            .get(range)
            .unwrap_or(&[])
            .iter()
            .filter(move |s| s.h == h)
    }

    pub(super) fn slots(&self) -> &[Slot] {
        &self.slots
    }

    pub(super) fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.dir.capacity() * 4
            + self.filter.capacity() * std::mem::size_of::<Block>()
    }
}

/// What changed since the [`SlotTable`] was laid out.
///
/// A running application nearly always has one: every sync that changes a contact
/// adds to it until it outgrows a sixteenth of the table. So it has a presence
/// filter of its own, and a probe the filter turns away costs a multiplication and
/// one word's test instead of a binary search of the added slots (which, for the up
/// to nine probes of a miss, had about doubled its cost).
#[derive(Debug, Clone, Default)]
pub(super) struct Overlay {
    /// Slots of records indexed since, sorted by [`slot_order`].
    added: Vec<Slot>,
    /// Record numbers whose slots in the table are void, sorted.
    gone: Vec<u32>,
    /// At least sixteen bits an added key (a power of two of 64-bit words, so under
    /// thirty-two from three keys up), two of them set for each, in one word; empty
    /// when nothing was added.
    filter: Vec<u64>,
    /// Shift of a key's product that leaves its word in the filter.
    filter_shift: u32,
}

impl Overlay {
    /// The overlay of `added` slots (sorted by [`slot_order`]) and `gone` record
    /// numbers (sorted, without duplicates).
    pub(super) fn new(added: Vec<Slot>, gone: Vec<u32>) -> Overlay {
        debug_assert!(added.is_sorted_by_key(slot_order));
        debug_assert!(gone.is_sorted());
        let words = if added.is_empty() {
            0
        } else {
            added.len().div_ceil(4).next_power_of_two()
        };
        let mut overlay = Overlay {
            filter: vec![0; words],
            filter_shift: 64 - words.max(1).trailing_zeros(),
            added,
            gone,
        };
        for s in &overlay.added {
            let (word, bits) = overlay.filter_bits(unmix(s.h));
            if let Some(w) = overlay.filter.get_mut(word) {
                *w |= bits;
            }
        }
        overlay
    }

    /// The added slots.
    pub(super) fn added(&self) -> &[Slot] {
        &self.added
    }

    /// The record numbers whose table slots are void.
    pub(super) fn gone(&self) -> &[u32] {
        &self.gone
    }

    /// The filter word of `key` and its two bits in it. A multiplier other than
    /// the table filter's, so that a key that collides there is not more likely to
    /// collide here; the word from the product's top bits, the bits from its
    /// middle.
    fn filter_bits(&self, key: u64) -> (usize, u64) {
        let f = key.wrapping_mul(0xff51_afd7_ed55_8ccd);
        let word = f.checked_shr(self.filter_shift).unwrap_or(0) as usize;
        (word, 1 << ((f >> 20) & 63) | 1 << ((f >> 26) & 63))
    }

    /// False when no added slot has `key`; true when one may have it.
    #[inline]
    pub(super) fn may_have(&self, key: u64) -> bool {
        if self.filter.is_empty() {
            return false;
        }
        let (word, bits) = self.filter_bits(key);
        self.filter.get(word).is_none_or(|w| w & bits == bits)
    }

    /// The added slots with hash `h`.
    pub(super) fn probe(&self, h: u64) -> impl Iterator<Item = &Slot> {
        let from = self.added.partition_point(|s| s.h < h);
        self.added
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |s| s.h == h)
    }

    /// True when the table's slots of record `rec` are void.
    pub(super) fn is_gone(&self, rec: u32) -> bool {
        !self.gone.is_empty() && self.gone.binary_search(&rec).is_ok()
    }

    pub(super) fn bytes(&self) -> usize {
        self.added.capacity() * std::mem::size_of::<Slot>()
            + self.gone.capacity() * 4
            + self.filter.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slots a lookup finds for hash `h`.
    fn find(t: &SlotTable, h: u64) -> Vec<&Slot> {
        let key = unmix(h);
        if SlotTable::may_have(t.near(key), key) {
            t.with_hash(h).collect()
        } else {
            Vec::new()
        }
    }

    fn slot(key: u64, rec: u32) -> Slot {
        Slot {
            h: mix(key),
            rec,
            field: 0,
            assumed: 0,
        }
    }

    /// The filter's one-multiplication bits turn away absent keys, even the ones a
    /// lookup probes: neighbours of stored numbers and their switchboard forms,
    /// which share a block with them. Numbers crowd into few blocks here (four
    /// areas, one mobile range): 6.3 % pass, and 6.5 % did with [`mix`] for the
    /// bits.
    #[test]
    fn filter_turns_away_most_absent_neighbours() {
        let mut rng = 7u64;
        let mut below = |n: u64| {
            rng = mix(rng.wrapping_add(0x9e37_79b9));
            rng % n
        };
        let mut keys = Vec::new();
        for _ in 0..100_000 {
            let area = [30u64, 89, 40, 69][below(4) as usize];
            keys.push((4900 + area) * 10_000_000 + 1_000_000 + below(8_999_999));
            keys.push(4_915_000_000_000 + below(1_000_000_000));
            keys.push(442_070_000_000 + below(99_999_999));
        }
        let present: std::collections::HashSet<u64> = keys.iter().copied().collect();
        let slots = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| slot(k, i as u32))
            .collect();
        let table = SlotTable::from_unsorted(slots, 7);
        let (mut probes, mut passed) = (0u32, 0u32);
        for &k in keys.iter().step_by(3) {
            for q in [k + 1, k + 7, k * 10 + 3, k / 10, k / 10 * 10 + 9] {
                if !present.contains(&q) {
                    probes += 1;
                    passed += u32::from(SlotTable::may_have(table.near(q), q));
                }
            }
        }
        let rate = f64::from(passed) / f64::from(probes);
        assert!(rate < 0.2, "{:.1} % of absent keys passed", rate * 100.0);
        // Every stored key passes.
        assert!(keys.iter().all(|&k| SlotTable::may_have(table.near(k), k)));
    }

    #[test]
    fn unmix_undoes_mix_and_leading_digits_cut_from_the_left() {
        for x in [
            0,
            1,
            42,
            49_301_234_567,
            u64::MAX,
            1 << 63,
            0x9e37_79b9_7f4a_7c15,
        ] {
            assert_eq!(unmix(mix(x)), x);
        }
        assert_eq!(leading_digits(49_301_234_567, 7), 4_930_123);
        assert_eq!(leading_digits(4_930_123, 7), 4_930_123);
        assert_eq!(leading_digits(493, 7), 493);
        assert_eq!(leading_digits(0, 7), 0);
        assert_eq!(leading_digits(u64::MAX, 1), 1);
    }

    #[test]
    fn a_number_and_its_switchboards_read_one_filter_block() {
        // Keys of 8 to 15 digits, shortened as a switchboard lookup does: by up to
        // six digits, and with a 0 for the stripped ones, down to `min` digits.
        let table = SlotTable::from_sorted(vec![slot(1, 0)], 7);
        let mut rng = 0x1234_5678_9abc_def0u64;
        for _ in 0..10_000 {
            rng = mix(rng);
            let digits = 8 + (rng % 8) as u32;
            let key = 10u64.pow(digits - 1) + rng % (9 * 10u64.pow(digits - 1));
            for stripped in 1..=6 {
                let base = key / 10u64.pow(stripped);
                if base.ilog10() + 1 >= 7 {
                    assert_eq!(
                        table.block_of(base),
                        table.block_of(key),
                        "{key} {stripped}"
                    );
                    assert_eq!(table.block_of(base * 10), table.block_of(key), "{key}");
                }
            }
        }
    }

    #[test]
    fn every_slot_is_found_and_nothing_else() {
        let mut all: Vec<Slot> = (0..5000u64).map(|k| slot(k * 7, k as u32)).collect();
        all.sort_unstable_by_key(slot_order);
        let table = SlotTable::from_sorted(all.clone(), 7);
        for s in &all {
            assert_eq!(find(&table, s.h), [s]);
        }
        assert!(find(&table, mix(3)).is_empty());
        assert!(find(&SlotTable::default(), mix(7)).is_empty());
    }

    #[test]
    fn the_directory_bounds_every_bucket_duplicates_included() {
        // Runs of equal keys, and buckets of every size from empty to crowded.
        let mut all: Vec<Slot> = (0..20_000u64)
            .map(|i| slot(i % 3000 + (i % 7) * 1_000_000, i as u32))
            .collect();
        all.sort_unstable_by_key(slot_order);
        let table = SlotTable::from_sorted(all.clone(), 7);
        for s in &all {
            let found = find(&table, s.h);
            let want: Vec<&Slot> = all.iter().filter(|t| t.h == s.h).collect();
            assert_eq!(found, want);
        }
        assert!(find(&table, mix(1 << 40)).is_empty());
        assert!(SlotTable::from_sorted(Vec::new(), 7).slots().is_empty());
    }

    #[test]
    fn large_batches_are_laid_out_as_by_the_comparison_sort() {
        // More slots than the counting sort starts at: most keys few times, in
        // reverse record order, and one key (a switchboard) in thousands of records.
        let n = BY_COUNTING * 3 + 17;
        let all: Vec<Slot> = (0..n as u64)
            .map(|i| Slot {
                h: mix(if i % 4 == 0 { 42 } else { i % 5000 }),
                rec: (n as u64 - i) as u32,
                field: (i % 3) as u16,
                assumed: 0,
            })
            .collect();
        let mut want = all.clone();
        want.sort_unstable_by_key(slot_order);
        assert_eq!(sort_slots(all.clone()), want);
        let (got, sorted) = (
            SlotTable::from_unsorted(all, 7),
            SlotTable::from_sorted(want, 7),
        );
        assert_eq!(got.slots, sorted.slots);
        assert_eq!((got.dir, got.shift), (sorted.dir, sorted.shift));
        assert_eq!(
            (got.filter, got.block_shift),
            (sorted.filter, sorted.block_shift)
        );
        // Small batches too.
        let few = vec![slot(3, 1), slot(1, 2), slot(3, 0)];
        let mut want = few.clone();
        want.sort_unstable_by_key(slot_order);
        assert_eq!(SlotTable::from_unsorted(few, 7).slots, want);
    }

    #[test]
    fn merging_keeps_slot_order() {
        let sorted = |keys: &[u64]| {
            let mut v: Vec<Slot> = keys.iter().map(|&k| slot(k, k as u32)).collect();
            v.sort_unstable_by_key(slot_order);
            v
        };
        let (a, b) = (sorted(&[1, 4, 9, 16, 25]), sorted(&[2, 3, 4, 100]));
        let merged: Vec<Slot> = merge_sorted(a.iter().copied(), b.iter().copied()).collect();
        let mut want = [a.clone(), b.clone()].concat();
        want.sort_unstable_by_key(slot_order);
        assert_eq!(merged, want);
        assert_eq!(
            merge_sorted(a.iter().copied(), std::iter::empty()).count(),
            5
        );
    }

    /// The overlay's filter lets every added key pass and turns most others
    /// away, among them the neighbours and switchboard forms a lookup probes.
    #[test]
    fn overlay_filter_turns_away_most_absent_keys() {
        for n in [1u64, 7, 20, 3_000] {
            let keys: Vec<u64> = (0..n).map(|i| 49_301_234_567 + i * 7_919).collect();
            let mut added: Vec<Slot> = keys.iter().map(|&k| slot(k, k as u32)).collect();
            added.sort_unstable_by_key(slot_order);
            let overlay = Overlay::new(added, Vec::new());
            // At least sixteen bits a key, however the count rounds.
            assert!(overlay.filter.len() as u64 * 64 >= 16 * n, "{n}");
            assert!(keys.iter().all(|&k| overlay.may_have(k)), "{n}");
            let (mut probes, mut passed) = (0u32, 0u32);
            for &k in &keys {
                for q in [k + 1, k + 2, k * 10 + 3, k / 10, k / 100 * 10] {
                    if !keys.contains(&q) {
                        probes += 1;
                        passed += u32::from(overlay.may_have(q));
                    }
                }
            }
            let rate = f64::from(passed) / f64::from(probes);
            assert!(rate < 0.05, "{n} keys: {:.1} % passed", rate * 100.0);
        }
    }

    #[test]
    fn the_overlay_finds_added_slots_and_knows_gone_records() {
        let mut added = vec![slot(1, 10), slot(2, 11), slot(2, 12)];
        added.sort_unstable_by_key(slot_order);
        let overlay = Overlay::new(added, vec![3, 8]);
        assert_eq!(
            overlay.probe(mix(2)).map(|s| s.rec).collect::<Vec<_>>(),
            [11, 12]
        );
        assert_eq!(overlay.probe(mix(4)).count(), 0);
        assert!(overlay.is_gone(8) && !overlay.is_gone(10));
        assert!(overlay.may_have(1) && overlay.may_have(2));
        assert!(!Overlay::default().may_have(2));
    }
}
