//! [`SearchHit`]: one contact found by a search, with the fields that matched and
//! where, so that a user interface can highlight them.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::cache::CachedRow;
use crate::record::RecordId;
use crate::schema::{Field, Row};

use super::columns::{SearchColumns, Use};
use super::fold::{matched_len, words};
use super::query::Term;

/// A field of a hit that matched a query term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedField {
    /// The column (`display_name`, `company`, `email1`, `phone2`, ...).
    pub column: String,
    /// The value as stored.
    pub value: String,
    /// Byte ranges of `value` that matched, in order: the start of a word that a
    /// word term is a prefix of, or the digits a digit term found.
    pub ranges: Vec<Range<usize>>,
}

/// One contact found by [`Phonebook::search`](crate::Phonebook::search).
#[derive(Clone)]
pub struct SearchHit {
    pub(crate) folder: Arc<str>,
    pub(crate) id: RecordId,
    /// The contact's row, shared with the folder's snapshot: the names are read
    /// from it, not copied for every hit.
    pub(crate) row: Arc<CachedRow>,
    pub(crate) rank: u32,
    pub(crate) matched: Vec<MatchedField>,
}

impl SearchHit {
    /// The folder of the contact.
    pub fn folder(&self) -> &str {
        &self.folder
    }
    /// The contact's record id in its folder.
    pub fn id(&self) -> &RecordId {
        &self.id
    }
    /// The display name.
    pub fn display_name(&self) -> &str {
        display_name(&self.row.row)
    }
    /// The company.
    pub fn company(&self) -> &str {
        self.row.row.get(Field::Company.column_name()).unwrap_or("")
    }
    /// The rank: lower is better. Each query term adds 0 for a whole word in a
    /// name, 1 in a company or department, 2 in an e-mail address, and 3 to 5 for a
    /// word prefix in the same order (3 for digits inside a number).
    pub fn rank(&self) -> u32 {
        self.rank
    }
    /// The fields that matched, with the matched ranges.
    pub fn matched(&self) -> &[MatchedField] {
        &self.matched
    }
}

// A hit is its folder, id, names, rank and matched fields; the rest of the row
// it reads its names from plays no part.
impl PartialEq for SearchHit {
    fn eq(&self, other: &SearchHit) -> bool {
        self.folder == other.folder
            && self.id == other.id
            && self.display_name() == other.display_name()
            && self.company() == other.company()
            && self.rank == other.rank
            && self.matched == other.matched
    }
}

impl Eq for SearchHit {}

impl fmt::Debug for SearchHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchHit")
            .field("folder", &self.folder())
            .field("id", &self.id)
            .field("display_name", &self.display_name())
            .field("company", &self.company())
            .field("rank", &self.rank)
            .field("matched", &self.matched)
            .finish()
    }
}

/// The display name of `row`.
pub(crate) fn display_name(row: &Row) -> &str {
    row.get(Field::DisplayName.column_name()).unwrap_or("")
}

/// Buffers that [`matched_fields`] reuses from one hit to the next, so that a hit
/// allocates only what it returns, each at its final size.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    fold: String,
    ranges: Vec<Range<usize>>,
    fields: Vec<(usize, MatchedField)>,
}

/// The fields of `row` that `terms` match, with their ranges, in schema order.
pub(crate) fn matched_fields(
    row: &Row,
    columns: &SearchColumns,
    terms: &[Term],
    scratch: &mut Scratch,
) -> Vec<MatchedField> {
    let Scratch {
        fold,
        ranges,
        fields,
    } = scratch;
    fields.clear();
    let digit_terms = terms.iter().any(|t| matches!(t, Term::Digits(_)));
    for (column, use_, at, value) in columns.cells(row) {
        ranges.clear();
        match use_ {
            Use::Words(_) => {
                for (range, word) in words(value) {
                    let longest = terms
                        .iter()
                        .filter_map(|t| matched_len(word, t.prefix(), fold))
                        .max();
                    if let Some(len) = longest {
                        ranges.push(range.start..range.start + len);
                    }
                }
            }
            Use::Digits if digit_terms => ranges.extend(terms.iter().filter_map(|t| match t {
                Term::Digits(d) => digit_range(value, d),
                Term::Word(_) => None,
            })),
            Use::Digits => {}
        }
        if !ranges.is_empty() {
            fields.push((
                at,
                MatchedField {
                    column: column.to_owned(),
                    value: value.to_owned(),
                    ranges: ranges.to_vec(),
                },
            ));
        }
    }
    // The cells come by column name; each column has its own place.
    fields.sort_unstable_by_key(|(at, _)| *at);
    fields.drain(..).map(|(_, f)| f).collect()
}

/// The byte range of `number` from the first to the last digit of the first place
/// where its digits contain `digits`.
fn digit_range(number: &str, digits: &str) -> Option<Range<usize>> {
    let positions: Vec<usize> = number
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    let only: Vec<u8> = positions.iter().map(|&i| number.as_bytes()[i]).collect();
    let at = memchr::memmem::find(&only, digits.as_bytes())?;
    let last = *positions.get(at + digits.len().checked_sub(1)?)?;
    Some(positions[at]..last + 1)
}

#[cfg(test)]
mod tests {
    use super::digit_range;

    #[test]
    fn digit_ranges_skip_separators() {
        assert_eq!(digit_range("+49 30 1234567", "4567"), Some(10..14));
        assert_eq!(digit_range("+49 30 1234567", "9301"), Some(2..8));
        assert_eq!(digit_range("+49 30", "77"), None);
    }
}
