//! [`Postings`]: every word's posting list (the slots it occurs in, by column
//! class), delta-coded in one byte string.
//!
//! A word's list is a byte of the classes present (bit 0 names, 1 organisation,
//! 2 e-mail), then for each present class in that order: the number of its slots
//! (left out for the last class, which runs to the end of the list) and the slots
//! in increasing order, each as the difference to the one before in LEB128 (the
//! first as itself). A word in many contacts takes one or two bytes a contact,
//! a rare word three or four.

use super::columns::Class;

const CLASSES: [Class; 3] = [Class::Name, Class::Organisation, Class::Email];

/// See the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct Postings {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*at`; `None` at the end or on a truncated one.
fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u32> {
    // Most deltas of a common word fit in one byte.
    let first = *bytes.get(*at)?;
    if first < 0x80 {
        *at += 1;
        return Some(u32::from(first));
    }
    let mut v = 0u32;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u32::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The classes whose bits `mask` sets, in class order.
fn present(mask: u8) -> impl Iterator<Item = Class> {
    CLASSES
        .into_iter()
        .filter(move |c| mask & (1 << (*c as u8)) != 0)
}

impl Postings {
    /// Appends the next word's list: its slots in each class (names,
    /// organisations, e-mails), each in increasing order without duplicates.
    pub fn push_classes(&mut self, lists: [&[u32]; 3]) {
        let mut mask = 0u8;
        for (class, list) in CLASSES.into_iter().zip(lists) {
            if !list.is_empty() {
                mask |= 1 << (class as u8);
            }
        }
        self.bytes.push(mask);
        let last = present(mask).last();
        for class in present(mask) {
            let slots = lists[class as usize];
            if Some(class) != last {
                push_varint(&mut self.bytes, slots.len() as u32);
            }
            let mut prev = 0;
            for &s in slots {
                push_varint(&mut self.bytes, s - prev);
                prev = s;
            }
        }
        self.ends.push(self.bytes.len() as u32);
    }

    /// Appends the next word's list: its (class, slot) pairs sorted by class, then
    /// slot, without duplicates.
    #[cfg(test)]
    pub fn push_word(&mut self, list: &[(Class, u32)]) {
        let of = |class: Class| -> Vec<u32> {
            list.iter()
                .filter(|(c, _)| *c == class)
                .map(|(_, s)| *s)
                .collect()
        };
        let (names, orgs, emails) = (of(Class::Name), of(Class::Organisation), of(Class::Email));
        self.push_classes([&names, &orgs, &emails]);
    }

    /// Frees spare capacity once every word is in.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    fn list(&self, word: usize) -> &[u8] {
        let start = if word == 0 { 0 } else { self.ends[word - 1] };
        &self.bytes[start as usize..self.ends[word] as usize]
    }

    /// The size of word `word`'s list in bytes: a measure of how many slots it has.
    pub fn size(&self, word: usize) -> usize {
        self.list(word).len()
    }

    /// Calls `f` with every (class, slot) of word `word`, in class order, stopping
    /// early when `f` returns `false`. Only `only`'s slots when it is given.
    pub fn each(&self, word: usize, only: Option<Class>, mut f: impl FnMut(Class, u32) -> bool) {
        let list = self.list(word);
        let Some((&mask, _)) = list.split_first() else {
            return;
        };
        let mut at = 1;
        let last = present(mask).last();
        for class in present(mask) {
            let count = if Some(class) != last {
                match read_varint(list, &mut at) {
                    Some(n) => Some(n as usize),
                    None => return,
                }
            } else {
                None
            };
            let wanted = only.is_none_or(|o| o == class);
            if let (false, Some(n)) = (wanted, count) {
                // Past this class's slots: as many bytes that end a varint.
                if n > 0 {
                    let Some(i) = list[at..]
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| **b < 0x80)
                        .nth(n - 1)
                        .map(|(i, _)| i)
                    else {
                        return;
                    };
                    at += i + 1;
                }
                continue;
            }
            let mut slot = 0u32;
            let mut read = 0;
            while count.is_none_or(|n| read < n) && at < list.len() {
                let Some(delta) = read_varint(list, &mut at) else {
                    return;
                };
                read += 1;
                slot = slot.wrapping_add(delta);
                if wanted && !f(class, slot) {
                    return;
                }
            }
            if only == Some(class) {
                return;
            }
        }
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + 4 * self.ends.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(p: &Postings, w: usize, only: Option<Class>) -> Vec<(Class, u32)> {
        let mut out = Vec::new();
        p.each(w, only, |c, s| {
            out.push((c, s));
            true
        });
        out
    }

    #[test]
    fn lists_read_back_by_class() {
        let mut p = Postings::default();
        let a = vec![
            (Class::Name, 0),
            (Class::Name, 5),
            (Class::Name, 300),
            (Class::Email, 7),
            (Class::Email, 100_000),
        ];
        let b = vec![(Class::Organisation, 1 << 29)];
        p.push_word(&a);
        p.push_word(&b);
        p.push_word(&[]);
        assert_eq!(all(&p, 0, None), a);
        assert_eq!(all(&p, 1, None), b);
        assert!(all(&p, 2, None).is_empty());
        assert_eq!(
            all(&p, 0, Some(Class::Email)),
            [(Class::Email, 7), (Class::Email, 100_000)]
        );
        assert!(all(&p, 0, Some(Class::Organisation)).is_empty());
        // Stopping early.
        let mut n = 0;
        p.each(0, None, |_, _| {
            n += 1;
            n < 2
        });
        assert_eq!(n, 2);
    }
}
