//! A search query as terms, and how a term is matched against one folder's index:
//! its base [`Segment`] and the contacts changed since ([`Pending`]).

use foldhash::HashSet;

use crate::lookup::DialPlan;
use crate::record::RecordId;
use crate::schema::Row;

use super::columns::{Class, SearchColumns};
use super::fold::{fold, words};
use super::segment::Segment;

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Term {
    /// A folded word prefix.
    Word(String),
    /// Digits that a number contains anywhere (also tried as a word prefix), and
    /// the same number written the other way, national or international, when
    /// the query was a whole number in one of those forms.
    Digits(String, Option<String>),
}

impl Term {
    /// The text a word must start with.
    pub fn prefix(&self) -> &str {
        match self {
            Term::Word(w) | Term::Digits(w, _) => w,
        }
    }

    /// The digit strings a number may contain for this term to match it.
    pub fn digit_forms(&self) -> impl Iterator<Item = &str> {
        let (first, other) = match self {
            Term::Digits(d, other) => (Some(d.as_str()), other.as_deref()),
            Term::Word(_) => (None, None),
        };
        first.into_iter().chain(other)
    }
}

/// How the home country writes its numbers, to read a number typed one way as
/// the other: `+49 30 12` as `03012` and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HomeNumbers {
    calling_code: String,
    trunk_prefix: Option<String>,
    international_prefix: String,
}

/// Digits a form must keep beyond the country code or trunk prefix: fewer find
/// nearly every number.
const MIN_OTHER_FORM: usize = 2;

impl HomeNumbers {
    pub fn new(plan: &DialPlan) -> HomeNumbers {
        let country = plan.country();
        HomeNumbers {
            calling_code: country.calling_code().to_string(),
            trunk_prefix: country.trunk_prefix().map(str::to_owned),
            international_prefix: country.international_prefix().to_owned(),
        }
    }

    /// The digits of a number typed as `text` (digits and punctuation only),
    /// written the other way: a home number typed internationally (`+49 30 12`,
    /// `0049 30 12`) nationally (`03012`), and one typed with the trunk prefix
    /// (`030 12`) internationally (`493012`).
    fn other_form(&self, text: &str, digits: &str) -> Option<String> {
        let international = if text.trim_start().starts_with('+') {
            Some(digits)
        } else {
            digits.strip_prefix(self.international_prefix.as_str())
        };
        let other = match (international, &self.trunk_prefix) {
            (Some(rest), trunk) => {
                let national = rest.strip_prefix(self.calling_code.as_str())?;
                let trunk = trunk.as_deref().unwrap_or("");
                // `+49 (0)30 ...`: the trunk prefix written in brackets.
                let national = national.strip_prefix(trunk).unwrap_or(national);
                (national.len() >= MIN_OTHER_FORM).then(|| format!("{trunk}{national}"))?
            }
            (None, Some(trunk)) => {
                let national = digits.strip_prefix(trunk.as_str())?;
                (national.len() >= MIN_OTHER_FORM)
                    .then(|| format!("{}{national}", self.calling_code))?
            }
            (None, None) => return None,
        };
        (other != digits).then_some(other)
    }
}

/// The terms of `text`. A text of digits and punctuation only (`+49 30 12`) is one
/// digit term (`493012`), with its other form under `home` (`03012`) when it is
/// a home number; otherwise each word is a term, all-digit words digit terms.
pub(crate) fn terms(text: &str, home: Option<&HomeNumbers>) -> Vec<Term> {
    let has_digit = text.chars().any(|c| c.is_ascii_digit());
    let has_letter = words(text).any(|(_, w)| !w.bytes().all(|b| b.is_ascii_digit()));
    if has_digit && !has_letter {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let other = home.and_then(|h| h.other_form(text, &digits));
        return vec![Term::Digits(digits, other)];
    }
    let mut out: Vec<Term> = Vec::new();
    for (_, w) in words(text) {
        let t = if w.bytes().all(|b| b.is_ascii_digit()) {
            Term::Digits(w.to_owned(), None)
        } else {
            Term::Word(fold(w))
        };
        if !t.prefix().is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// How well a term matched: an exact word in a name is best (0), then exact words
/// in companies (1) and e-mails (2), then prefixes in the same order (3 to 5), and
/// digits inside a number like a name prefix (3).
pub(crate) fn tier(exact: bool, class: Class) -> u32 {
    class as u32 + if exact { 0 } else { 3 }
}

/// The tier of a number match.
pub(crate) const DIGITS_TIER: u32 = 3;

/// A contact changed since the folder's segment was built, kept folded beside it.
#[derive(Debug)]
pub(crate) struct Pending {
    pub id: RecordId,
    words: Vec<(Box<str>, Class)>,
    digits: Vec<u8>,
}

impl Pending {
    pub fn new(id: RecordId, row: &Row, columns: &SearchColumns) -> Pending {
        let mut words = Vec::new();
        let mut scratch = (String::new(), String::new());
        let mut digits = Vec::new();
        columns.read_row(
            row,
            &mut scratch,
            |w, c| words.push((w.into(), c)),
            &mut digits,
        );
        Pending { id, words, digits }
    }

    /// The best tier at which `term` matches this contact.
    fn tier(&self, term: &Term) -> Option<u32> {
        let prefix = term.prefix();
        let mut best = self
            .words
            .iter()
            .filter(|(w, _)| w.starts_with(prefix))
            .map(|(w, c)| tier(&**w == prefix, *c))
            .min();
        if term
            .digit_forms()
            .any(|d| memchr::memmem::find(&self.digits, d.as_bytes()).is_some())
        {
            best = Some(best.map_or(DIGITS_TIER, |b| b.min(DIGITS_TIER)));
        }
        best
    }

    /// The rank of this contact for `terms` (the sum of their tiers), when every
    /// term matches.
    pub fn rank(&self, terms: &[Term]) -> Option<u32> {
        terms.iter().map(|t| self.tier(t)).sum()
    }
}

/// A matching slot of a segment and its rank (lower is better).
pub(crate) type Ranked = (u32, u32);

/// No match in a [`TierMap`].
const NONE: u8 = u8::MAX;

/// The best tier of one term at every slot of a segment ([`NONE`] where it does
/// not match), and the slots it matches in the order first found.
struct TierMap {
    tiers: Vec<u8>,
    slots: Vec<u32>,
}

impl TierMap {
    fn new(seg: &Segment, term: &Term) -> TierMap {
        let mut map = TierMap {
            tiers: vec![NONE; seg.len()],
            slots: Vec::new(),
        };
        for w in seg.words_with_prefix(term.prefix()) {
            let exact = seg.word(w) == term.prefix();
            seg.postings(w, None, |class, slot| {
                map.put(slot, tier(exact, class));
                true
            });
        }
        for d in term.digit_forms() {
            seg.digit_matches(d, |s| map.put(s, DIGITS_TIER));
        }
        map
    }

    fn put(&mut self, slot: u32, tier: u32) {
        // Tiers are below 8; the cast keeps them off NONE regardless.
        let tier = tier.min(u32::from(NONE - 1)) as u8;
        let t = &mut self.tiers[slot as usize];
        if *t == NONE {
            self.slots.push(slot);
        }
        *t = (*t).min(tier);
    }
}

/// How many postings the words of `term` have: which term to start from.
fn postings_of(seg: &Segment, term: &Term) -> usize {
    let words: usize = seg
        .words_with_prefix(term.prefix())
        .map(|w| seg.postings_size(w))
        .sum();
    // Digits inside numbers are not counted in advance: a digit term goes last.
    words
        + if matches!(term, Term::Digits(..)) {
            seg.len()
        } else {
            0
        }
}

/// The slots of `seg` that match every term and are not `dead`, best first, at most
/// `limit`.
pub(crate) fn search_segment(
    seg: &Segment,
    dead: &impl Fn(u32) -> bool,
    terms: &[Term],
    limit: usize,
) -> Vec<Ranked> {
    if let [Term::Word(w)] = terms {
        return by_tiers(seg, dead, w, limit);
    }
    // The term with the fewest postings gives the candidates; the others' tier maps
    // say whether and how well each candidate matches them.
    let mut order: Vec<(usize, &Term)> = terms.iter().map(|t| (postings_of(seg, t), t)).collect();
    order.sort_by_key(|(n, _)| *n);
    let Some(((_, first), rest)) = order.split_first() else {
        return Vec::new();
    };
    let first = TierMap::new(seg, first);
    if first.slots.is_empty() {
        return Vec::new();
    }
    let rest: Vec<TierMap> = rest.iter().map(|(_, t)| TierMap::new(seg, t)).collect();
    let mut out: Vec<Ranked> = first
        .slots
        .iter()
        .filter(|&&s| !dead(s))
        .filter_map(|&slot| {
            let mut rank = u32::from(first.tiers[slot as usize]);
            for m in &rest {
                match m.tiers[slot as usize] {
                    NONE => return None,
                    t => rank += u32::from(t),
                }
            }
            Some((slot, rank))
        })
        .collect();
    out.sort_unstable_by_key(|&(slot, rank)| (rank, slot));
    out.truncate(limit);
    out
}

/// One word prefix: postings tier by tier (the exact word's names, companies,
/// e-mails, then the longer words' in the same order) until `limit` slots are found,
/// without reading the postings of later tiers.
fn by_tiers(seg: &Segment, dead: &impl Fn(u32) -> bool, prefix: &str, limit: usize) -> Vec<Ranked> {
    let range = seg.words_with_prefix(prefix);
    let exact = (!range.is_empty() && seg.word(range.start) == prefix).then_some(range.start);
    let longer = if exact.is_some() {
        range.start + 1..range.end
    } else {
        range
    };
    let mut out = Vec::new();
    let mut seen: HashSet<u32> = HashSet::default();
    let classes = [Class::Name, Class::Organisation, Class::Email];
    let exact_tiers = classes
        .iter()
        .filter_map(|&c| exact.map(|e| (tier(true, c), e..e + 1, c)));
    let prefix_tiers = classes.iter().map(|&c| (tier(false, c), longer.clone(), c));
    for (t, words, class) in exact_tiers.chain(prefix_tiers) {
        for w in words {
            seg.postings(w, Some(class), |_, s| {
                if !dead(s) && seen.insert(s) {
                    out.push((s, t));
                }
                out.len() < limit
            });
            if out.len() >= limit {
                return out;
            }
        }
    }
    out
}
