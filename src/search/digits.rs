//! [`PackedDigits`]: the digits of every slot's numbers, two to a byte, searched
//! for a digit string anywhere inside a number.
//!
//! Nibbles `0`–`9` are digits, [`NUMBER_END`] ends a number (so that no match spans
//! two numbers) and [`SLOT_END`] ends a slot. A slot is found from a position by a
//! checkpoint every [`EVERY`] slots and a count of slot ends after it. A query of
//! three or more digits is searched bytewise with a SIMD substring search, once
//! for each of the two nibble alignments; shorter ones nibble by nibble.

const NUMBER_END: u8 = 0xA;
const SLOT_END: u8 = 0xB;
/// Slots between checkpoints.
const EVERY: usize = 8;

/// See the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct PackedDigits {
    nibbles: Vec<u8>,
    len: usize,
    /// The nibble where slot `k * EVERY` starts.
    checkpoints: Vec<u32>,
    slots: usize,
}

impl PackedDigits {
    fn push_nibble(&mut self, n: u8) {
        if self.len.is_multiple_of(2) {
            self.nibbles.push(n << 4);
        } else if let Some(last) = self.nibbles.last_mut() {
            *last |= n;
        }
        self.len += 1;
    }

    /// Adds the next slot: `digits` as ASCII digits, each number ended by `/`.
    pub fn push_slot(&mut self, digits: &[u8]) {
        if self.slots.is_multiple_of(EVERY) {
            self.checkpoints.push(self.len as u32);
        }
        for &b in digits {
            match b {
                b'0'..=b'9' => self.push_nibble(b - b'0'),
                _ => self.push_nibble(NUMBER_END),
            }
        }
        self.push_nibble(SLOT_END);
        self.slots += 1;
    }

    /// Frees spare capacity once every slot is in.
    pub fn shrink_to_fit(&mut self) {
        self.nibbles.shrink_to_fit();
        self.checkpoints.shrink_to_fit();
    }

    fn nibble(&self, i: usize) -> u8 {
        let b = self.nibbles[i / 2];
        if i.is_multiple_of(2) { b >> 4 } else { b & 0xF }
    }

    /// Calls `f` once for every slot with a number that contains `query` (ASCII
    /// digits), in slot order.
    pub fn matches(&self, query: &str, mut f: impl FnMut(u32)) {
        let q: Vec<u8> = query.bytes().map(|b| b.wrapping_sub(b'0')).collect();
        if q.is_empty() || q.iter().any(|&d| d > 9) {
            return;
        }
        let mut positions = if q.len() < 3 {
            self.scan(&q)
        } else {
            self.search(&q)
        };
        positions.sort_unstable();
        let mut cursor = Cursor::default();
        let mut last = None;
        for p in positions {
            let slot = self.slot_at(p, &mut cursor);
            if last != Some(slot) {
                last = Some(slot);
                f(slot);
            }
        }
    }

    /// Nibble positions of `q`, nibble by nibble.
    fn scan(&self, q: &[u8]) -> Vec<usize> {
        (0..self.len.saturating_sub(q.len() - 1))
            .filter(|&i| q.iter().enumerate().all(|(j, &d)| self.nibble(i + j) == d))
            .collect()
    }

    /// Nibble positions of `q` (at least three digits): for each alignment, the
    /// whole bytes it covers are found by substring search and its first or last
    /// half byte is checked.
    fn search(&self, q: &[u8]) -> Vec<usize> {
        let mut out = Vec::new();
        for skip in [0, 1] {
            let body = &q[skip..];
            let pattern: Vec<u8> = body.chunks_exact(2).map(|p| (p[0] << 4) | p[1]).collect();
            let tail = (body.len() % 2 == 1).then(|| body[body.len() - 1]);
            for b in memchr::memmem::find_iter(&self.nibbles, &pattern) {
                if skip == 1 && (b == 0 || self.nibbles[b - 1] & 0xF != q[0]) {
                    continue;
                }
                if let Some(t) = tail
                    && self
                        .nibbles
                        .get(b + pattern.len())
                        .is_none_or(|&n| n >> 4 != t)
                {
                    continue;
                }
                out.push(2 * b - skip);
            }
        }
        out
    }

    /// The slot of nibble `pos`; positions must come in increasing order.
    fn slot_at(&self, pos: usize, cursor: &mut Cursor) -> u32 {
        let k = self
            .checkpoints
            .partition_point(|&c| c as usize <= pos)
            .saturating_sub(1);
        let start = self.checkpoints.get(k).map_or(0, |&c| c as usize);
        if cursor.at < start || cursor.at > pos {
            *cursor = Cursor {
                at: start,
                slot: k * EVERY,
            };
        }
        while cursor.at < pos {
            if self.nibble(cursor.at) == SLOT_END {
                cursor.slot += 1;
            }
            cursor.at += 1;
        }
        cursor.slot as u32
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.nibbles.capacity() + 4 * self.checkpoints.capacity()
    }
}

/// Where [`PackedDigits::slot_at`] last counted to.
#[derive(Debug, Default)]
struct Cursor {
    at: usize,
    slot: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(d: &PackedDigits, q: &str) -> Vec<u32> {
        let mut out = Vec::new();
        d.matches(q, |s| out.push(s));
        out
    }

    #[test]
    fn digits_in_any_alignment_map_to_their_slot() {
        let mut d = PackedDigits::default();
        let slots: Vec<String> = (0..40)
            .map(|i| match i % 4 {
                0 => format!("4930{i:07}/0170{i:06}/"),
                1 => String::new(),
                2 => format!("{i}/"),
                _ => format!("1234567/98765{i}/"),
            })
            .collect();
        for s in &slots {
            d.push_slot(s.as_bytes());
        }
        for q in [
            "4", "45", "456", "4567", "34567", "0170", "17000", "6539", "99999", "1", "12",
        ] {
            let want: Vec<u32> = slots
                .iter()
                .enumerate()
                .filter(|(_, s)| s.split('/').any(|n| n.contains(q)))
                .map(|(i, _)| i as u32)
                .collect();
            assert_eq!(found(&d, q), want, "{q}");
        }
        assert!(found(&d, "").is_empty());
        assert!(found(&d, "12a").is_empty());
    }
}
