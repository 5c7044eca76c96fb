//! [`IndexSnapshot`], the read side of the caller index: one immutable state and the
//! probes that look a number up in it.
//!
//! A probe is two filter bits from one multiplication of the key, and only for a key
//! that passes, one hash, one directory read and a scan of a handful of adjacent
//! slots (`slots.rs`). The overlay of changes since the table was laid out has a
//! filter of its own, so a probe looks into it only when that filter lets the key
//! pass too.

use std::sync::Arc;

use super::{CallerMatch, MatchQuality};
use crate::lookup::caller_lookup::CallerLookup;
use crate::lookup::dialplan::DialPlan;
use crate::lookup::number::{Assumed, Normalized, NotANumber};
use crate::lookup::records::RecordTable;
use crate::lookup::slots::{Near, Overlay, Slot, SlotTable, mix};
use crate::schema::PhoneKind;

/// An immutable state of the index. Lookups on one snapshot see one consistent state.
#[derive(Debug)]
pub struct IndexSnapshot {
    /// The plan stored numbers were read under, unless their folder has its own.
    pub(super) plan: Arc<DialPlan>,
    /// The numbers as laid out by the last large batch, shared between snapshots.
    pub(super) table: Arc<SlotTable>,
    /// The changes since.
    pub(super) overlay: Overlay,
    /// Numbers indexed.
    pub(super) len: usize,
    /// What is shown with a match: ids, names and the numbers as stored.
    pub(super) records: RecordTable,
    /// Folder and column names; index 0 is the empty name.
    pub(super) names: Arc<Vec<Box<str>>>,
}

impl IndexSnapshot {
    /// A snapshot with nothing indexed.
    pub(super) fn empty(plan: Arc<DialPlan>) -> IndexSnapshot {
        IndexSnapshot {
            plan,
            table: Arc::default(),
            overlay: Overlay::default(),
            len: 0,
            records: RecordTable::default(),
            names: Arc::new(vec![Box::from("")]),
        }
    }

    /// Adds a match for each slot of `key` (whose filter block is `near`). Inlined,
    /// so that a probe both filters reject, as most probes of a miss are, costs no
    /// call.
    #[inline(always)]
    fn push_matches(
        self: &Arc<Self>,
        near: Near<'_>,
        key: u64,
        quality: impl Fn(&Slot) -> MatchQuality,
        out: &mut Vec<CallerMatch>,
    ) {
        let in_table = SlotTable::may_have(near, key);
        let in_overlay = self.overlay.may_have(key);
        if in_table || in_overlay {
            self.push_found(in_table, in_overlay, mix(key), quality, out);
        }
    }

    /// The matches of hash `h`: the table's when its filter let `h` pass, but for
    /// records gone since, and the overlay's when its filter did.
    fn push_found(
        self: &Arc<Self>,
        in_table: bool,
        in_overlay: bool,
        h: u64,
        quality: impl Fn(&Slot) -> MatchQuality,
        out: &mut Vec<CallerMatch>,
    ) {
        let mut push = |s: &Slot| {
            out.push(CallerMatch {
                quality: quality(s),
                snapshot: Arc::clone(self),
                rec: s.rec,
                field: s.field,
            })
        };
        if in_table {
            for s in self.table.with_hash(h) {
                if !self.overlay.is_gone(s.rec) {
                    push(s);
                }
            }
        }
        if in_overlay {
            self.overlay.probe(h).for_each(push);
        }
    }

    /// The dial plan stored numbers were read under.
    pub fn plan(&self) -> &DialPlan {
        &self.plan
    }

    /// Numbers indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Looks up a number read under the index's own plan.
    ///
    /// # Errors
    /// [`NotANumber`] when the text is no phone number.
    pub fn lookup(self: &Arc<Self>, number: &str) -> Result<Vec<CallerMatch>, NotANumber> {
        Ok(self.lookup_normalized(&self.plan.normalize(number)?))
    }

    /// Looks up the number of an incoming call, read under the index's own plan;
    /// a withheld number or text that is no number is an outcome, not an error
    /// (see [`CallerLookup`]).
    pub fn lookup_caller(self: &Arc<Self>, number: &str) -> CallerLookup {
        CallerLookup::of(number, self.lookup(number))
    }

    /// Looks up a normalised number. All matches, best first: exact and national
    /// matches; when there are none, the switchboard with the fewest stripped digits.
    pub fn lookup_normalized(self: &Arc<Self>, number: &Normalized) -> Vec<CallerMatch> {
        let mut out = Vec::new();
        let p = match number {
            Normalized::Internal(ext) => {
                let key = ext.packed();
                let near = self.table.near(key);
                self.push_matches(near, key, |_| MatchQuality::Extension, &mut out);
                return out;
            }
            Normalized::Public(p) => p,
        };
        let min = usize::from(self.plan.min_significant_digits).max(1);
        let n = p.national_len();
        if n < min {
            return out;
        }
        let explicit = p.assumed == Assumed::Nothing;
        // The number and its switchboards share their first `min` digits (see
        // `SlotTable`): one filter block serves every probe below.
        let near = self.table.near(p.key.0);
        self.push_matches(
            near,
            p.key.0,
            |s| {
                if (s.assumed == Assumed::Nothing as u8) == explicit {
                    MatchQuality::Exact
                } else {
                    MatchQuality::National
                }
            },
            &mut out,
        );
        if !out.is_empty() {
            out.sort_by_key(|m| m.quality);
            return out;
        }
        let key = p.key.0;
        // The company's main number itself, stored as its switchboard with the `0`
        // (`+49 30 8812345-0`) and presented without it (`+49 30 8812345`, or with an
        // extension after it), as many PBXes do. Never a mobile number that happens
        // to end in 0.
        if self.plan.switchboard_max_stripped > 0 && key < u64::MAX / 10 {
            let q = |_: &Slot| MatchQuality::Switchboard { stripped: 0 };
            self.push_matches(near, key * 10, q, &mut out);
            out.retain(|m| m.kind() != Some(PhoneKind::Mobile));
            if !out.is_empty() {
                return out;
            }
        }
        let mut base = key;
        for stripped in 1..=self.plan.switchboard_max_stripped.min(6) {
            base /= 10;
            let kept = n.saturating_sub(usize::from(stripped));
            if kept == 0 {
                break;
            }
            let q = |_: &Slot| MatchQuality::Switchboard { stripped };
            if kept + 1 >= min && base * 10 != key {
                self.push_matches(near, base * 10, q, &mut out);
            }
            if kept >= min {
                self.push_matches(near, base, q, &mut out);
            }
            if !out.is_empty() {
                break;
            }
        }
        out
    }

    /// Bytes of the lookup structure and of what is shown with a match.
    pub(super) fn memory(&self) -> (usize, usize) {
        let index = self.table.bytes() + self.overlay.bytes();
        // Folder and column names are shared and not counted per record.
        (index, self.records.payload_bytes())
    }
}
