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

/// A field of a hit that matched a query term, borrowed from the hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchedField<'a> {
    /// The column (`display_name`, `company`, `email1`, `phone2`, ...).
    pub column: &'a str,
    /// The value as stored.
    pub value: &'a str,
    /// Byte ranges of `value` that matched, in order: the start of a word that a
    /// word term is a prefix of, or the digits a digit term found.
    pub ranges: &'a [Range<usize>],
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
    /// What matched, kept for all hits of the search together; this hit's fields
    /// are `marks.fields[fields]`.
    pub(crate) marks: Arc<Marks>,
    pub(crate) fields: Span,
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
    /// The fields that matched, with the matched ranges, in the folder's column
    /// order.
    pub fn matched(&self) -> impl ExactSizeIterator<Item = MatchedField<'_>> + Clone + '_ {
        self.marks.fields[self.fields.range()].iter().map(|f| {
            // A mark's cell was read from this very row, so it is there.
            let (column, value) = self.row.row.cell(f.cell as usize).unwrap_or(("", ""));
            MatchedField {
                column,
                value,
                ranges: &self.marks.ranges[f.ranges.range()],
            }
        })
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
            && self.matched().eq(other.matched())
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
            .field("matched", &self.matched().collect::<Vec<_>>())
            .finish()
    }
}

/// The display name of `row`.
pub(crate) fn display_name(row: &Row) -> &str {
    row.get(Field::DisplayName.column_name()).unwrap_or("")
}

/// A stretch of one of the lists in [`Marks`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The stretch from `start` to the end of a list of length `len` (both far below
    /// `u32::MAX`: a search's hits are few and their fields fewer than 64 each).
    fn to_end(start: usize, len: usize) -> Span {
        Span {
            start: start as u32,
            end: len as u32,
        }
    }
}

/// A matched field: the cell of the hit's row, and its ranges in [`Marks`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldMark {
    cell: u32,
    ranges: Span,
}

/// What matched in the hits of one search, in two lists the hits share, so that a
/// search allocates for its marks a few times, not a few times per field.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    fields: Vec<FieldMark>,
    ranges: Vec<Range<usize>>,
}

/// Buffers that [`Marks::add`] reuses from one hit to the next.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    fold: String,
    ranges: Vec<Range<usize>>,
    /// A hit's matched fields as they are found, by column name: (place in the
    /// schema, cell, its ranges in `ranges`).
    fields: Vec<(usize, u32, Range<usize>)>,
}

impl Marks {
    /// Adds the fields of `row` that `terms` match, with their ranges, in schema
    /// order, and returns where they are.
    pub(crate) fn add(
        &mut self,
        row: &Row,
        columns: &SearchColumns,
        terms: &[Term],
        scratch: &mut Scratch,
    ) -> Span {
        let Scratch {
            fold,
            ranges,
            fields,
        } = scratch;
        ranges.clear();
        fields.clear();
        let digit_terms = terms.iter().any(|t| matches!(t, Term::Digits(..)));
        for (_, use_, at, cell, value) in columns.cells(row) {
            let start = ranges.len();
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
                Use::Digits if digit_terms => ranges.extend(
                    terms
                        .iter()
                        .filter_map(|t| t.digit_forms().find_map(|d| digit_range(value, d))),
                ),
                Use::Digits => {}
            }
            if ranges.len() > start {
                fields.push((at, cell as u32, start..ranges.len()));
            }
        }
        // The cells come by column name; each column has its own place.
        fields.sort_unstable_by_key(|(at, ..)| *at);
        let first = self.fields.len();
        for (_, cell, r) in fields.drain(..) {
            let start = self.ranges.len();
            self.ranges.extend_from_slice(&ranges[r]);
            self.fields.push(FieldMark {
                cell,
                ranges: Span::to_end(start, self.ranges.len()),
            });
        }
        Span::to_end(first, self.fields.len())
    }
}

/// The byte range of `number` from the first to the last digit of the first place
/// where its digits contain `digits`.
fn digit_range(number: &str, digits: &str) -> Option<Range<usize>> {
    let (bytes, want) = (number.as_bytes(), digits.as_bytes());
    let (&first, rest) = want.split_first()?;
    // Each digit of `number` that could start the match, then the next digits in
    // turn, skipping separators.
    'start: for (at, _) in bytes.iter().enumerate().filter(|(_, b)| **b == first) {
        let mut end = at + 1;
        let mut tail = bytes[end..]
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_digit());
        for &d in rest {
            match tail.next() {
                Some((i, &b)) if b == d => end = at + 1 + i + 1,
                Some(_) => continue 'start,
                None => return None,
            }
        }
        return Some(at..end);
    }
    None
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
