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
/// `benches/lookup.rs`), at the
/// cost of a second buffer.
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
/// top bits and a presence bit filter in front. A probe is one filter bit, one
/// directory read and a scan of a handful of adjacent slots.
#[derive(Debug, Default)]
pub(super) struct SlotTable {
    slots: Vec<Slot>,
    dir: Vec<u32>,
    shift: u32,
    /// One bit per `filter_bits`-bit hash prefix: clear means no slot has it. Lets a
    /// miss (and most switchboard probes) skip the directory and the slots, at under
    /// 2 bytes a number.
    filter: Vec<u64>,
    filter_shift: u32,
}

impl SlotTable {
    /// Takes `slots` in any order and lays them out: [`from_sorted`](Self::from_sorted)
    /// for a small batch, and for a large one the [`bucket_sort`], whose bucket
    /// offsets are the directory.
    pub(super) fn from_unsorted(slots: Vec<Slot>) -> SlotTable {
        if slots.len() < BY_COUNTING {
            return SlotTable::from_sorted(sort_slots(slots));
        }
        let bits = directory_bits(slots.len());
        let (slots, dir) = bucket_sort(slots, bits);
        SlotTable::with_directory(slots, dir, 64 - bits)
    }

    /// Takes `slots`, sorted by [`slot_order`], as they are and builds the
    /// directory and the filter over them: one linear pass, and no memory touched
    /// beyond the slots it is handed, the directory and the filter.
    pub(super) fn from_sorted(slots: Vec<Slot>) -> SlotTable {
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
        SlotTable::with_directory(slots, dir, shift)
    }

    /// Adds the filter to sorted `slots` and their directory.
    fn with_directory(slots: Vec<Slot>, dir: Vec<u32>, shift: u32) -> SlotTable {
        debug_assert!(slots.is_sorted_by_key(slot_order));
        debug_assert_eq!(dir.len(), (1 << (64 - shift)) + 1);
        let n = slots.len();
        // 7 to 14 filter bits a number: a false positive rate of 4 to 7 %.
        let fbits = (n * 7)
            .max(64)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(6, 30);
        let filter_shift = 64 - fbits;
        let mut filter = vec![0u64; 1 << (fbits - 6)];
        for s in &slots {
            let bit = (s.h >> filter_shift) as usize;
            filter[bit >> 6] |= 1 << (bit & 63);
        }
        SlotTable {
            slots,
            dir,
            shift,
            filter,
            filter_shift,
        }
    }

    /// The slots with hash `h`.
    pub(super) fn probe(&self, h: u64) -> impl Iterator<Item = &Slot> {
        let bit = (h >> self.filter_shift) as usize;
        let present = self
            .filter
            .get(bit >> 6)
            .is_some_and(|w| w & (1 << (bit & 63)) != 0);
        let range = if present {
            let b = (h >> self.shift) as usize;
            match (self.dir.get(b), self.dir.get(b + 1)) {
                (Some(&lo), Some(&hi)) => lo as usize..hi as usize,
                _ => 0..0,
            }
        } else {
            0..0
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
            + self.filter.capacity() * 8
    }
}

/// What changed since the [`SlotTable`] was laid out.
#[derive(Debug, Clone, Default)]
pub(super) struct Overlay {
    /// Slots of records indexed since, sorted by [`slot_order`].
    pub added: Vec<Slot>,
    /// Record numbers whose slots in the table are void, sorted.
    pub gone: Vec<u32>,
}

impl Overlay {
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
        self.added.capacity() * std::mem::size_of::<Slot>() + self.gone.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(key: u64, rec: u32) -> Slot {
        Slot {
            h: mix(key),
            rec,
            field: 0,
            assumed: 0,
        }
    }

    #[test]
    fn every_slot_is_found_and_nothing_else() {
        let mut all: Vec<Slot> = (0..5000u64).map(|k| slot(k * 7, k as u32)).collect();
        all.sort_unstable_by_key(slot_order);
        let table = SlotTable::from_sorted(all.clone());
        for s in &all {
            assert_eq!(table.probe(s.h).collect::<Vec<_>>(), [s]);
        }
        assert_eq!(table.probe(mix(3)).count(), 0);
        assert_eq!(SlotTable::default().probe(mix(7)).count(), 0);
    }

    #[test]
    fn the_directory_bounds_every_bucket_duplicates_included() {
        // Runs of equal keys, and buckets of every size from empty to crowded.
        let mut all: Vec<Slot> = (0..20_000u64)
            .map(|i| slot(i % 3000 + (i % 7) * 1_000_000, i as u32))
            .collect();
        all.sort_unstable_by_key(slot_order);
        let table = SlotTable::from_sorted(all.clone());
        for s in &all {
            let found: Vec<&Slot> = table.probe(s.h).collect();
            let want: Vec<&Slot> = all.iter().filter(|t| t.h == s.h).collect();
            assert_eq!(found, want);
        }
        assert_eq!(table.probe(mix(1 << 40)).count(), 0);
        assert!(SlotTable::from_sorted(Vec::new()).slots().is_empty());
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
        let (got, sorted) = (SlotTable::from_unsorted(all), SlotTable::from_sorted(want));
        assert_eq!(got.slots, sorted.slots);
        assert_eq!((got.dir, got.shift), (sorted.dir, sorted.shift));
        assert_eq!(
            (got.filter, got.filter_shift),
            (sorted.filter, sorted.filter_shift)
        );
        // Small batches too.
        let few = vec![slot(3, 1), slot(1, 2), slot(3, 0)];
        let mut want = few.clone();
        want.sort_unstable_by_key(slot_order);
        assert_eq!(SlotTable::from_unsorted(few).slots, want);
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

    #[test]
    fn the_overlay_finds_added_slots_and_knows_gone_records() {
        let mut added = vec![slot(1, 10), slot(2, 11), slot(2, 12)];
        added.sort_unstable_by_key(slot_order);
        let overlay = Overlay {
            added,
            gone: vec![3, 8],
        };
        assert_eq!(
            overlay.probe(mix(2)).map(|s| s.rec).collect::<Vec<_>>(),
            [11, 12]
        );
        assert_eq!(overlay.probe(mix(4)).count(), 0);
        assert!(overlay.is_gone(8) && !overlay.is_gone(10));
    }
}
