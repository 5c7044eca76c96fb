//! Which columns of a folder are searched, and what a row gives the index: its
//! folded words, each with the [`Class`] of the column it came from, and the digits
//! of its phone numbers.

use crate::schema::{ColumnKey, ColumnKind, Field, Row, Schema};

use super::fold::{fold_into, fold_word_into, words};

/// What kind of column a word came from; ranking prefers a lower class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Class {
    /// Display, first, middle and last name, nickname.
    Name = 0,
    /// Company and department.
    Organisation = 1,
    /// E-mail addresses.
    Email = 2,
}

/// What the index reads of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    Words(Class),
    Digits,
}

/// The searched columns of one schema, found once and used for every row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchColumns {
    /// By column name, as a row keeps its cells, so that a row is read in one
    /// merge of both lists; each with its key, which compares with a row's keys
    /// without comparing the names.
    sorted: Vec<(ColumnKey, String, Use, usize)>,
}

impl SearchColumns {
    /// The searched columns of `schema`: names, nickname, company, department and
    /// e-mails as words; phone columns as digits.
    pub fn new(schema: &Schema) -> SearchColumns {
        let mut sorted = Vec::new();
        for c in schema.columns() {
            let use_ = match c.kind {
                ColumnKind::Field(
                    Field::DisplayName
                    | Field::FirstName
                    | Field::MiddleName
                    | Field::LastName
                    | Field::Nickname,
                ) => Use::Words(Class::Name),
                ColumnKind::Field(Field::Company | Field::Department) => {
                    Use::Words(Class::Organisation)
                }
                ColumnKind::Email(..) => Use::Words(Class::Email),
                ColumnKind::Phone(..) => Use::Digits,
                _ => continue,
            };
            sorted.push((ColumnKey::new(&c.name), c.name, use_, sorted.len()));
        }
        sorted.sort_by(|a, b| a.1.cmp(&b.1));
        SearchColumns { sorted }
    }

    /// The searched cells of `row`: (column, use, the column's place in the
    /// schema, the cell's place in the row, value), in one merge of the row's
    /// cells and these columns, both sorted by name.
    pub(crate) fn cells<'s, 'r>(
        &'s self,
        row: &'r Row,
    ) -> impl Iterator<Item = (&'s str, Use, usize, usize, &'r str)> {
        let mut columns = self.sorted.iter().peekable();
        row.keyed_cells()
            .enumerate()
            .filter_map(move |(cell, (key, value))| {
                while let Some((k, name, u, at)) = columns.peek() {
                    match k.cmp_name(key) {
                        std::cmp::Ordering::Less => {
                            columns.next();
                        }
                        std::cmp::Ordering::Equal => {
                            return Some((name.as_str(), *u, *at, cell, value));
                        }
                        std::cmp::Ordering::Greater => return None,
                    }
                }
                None
            })
    }

    /// Reads `row`: calls `on_word` with every folded word and its class (a word
    /// with an umlaut twice, once per spelling), and appends the
    /// digits of its numbers to `digits`, each number ended by `/` so that no
    /// match spans two numbers. `scratch` is reused between calls.
    pub(crate) fn read_row(
        &self,
        row: &Row,
        scratch: &mut (String, String),
        mut on_word: impl FnMut(&str, Class),
        digits: &mut Vec<u8>,
    ) {
        // The display name comes before the other name columns (cells are sorted by
        // column name); a first or last name whose words it already holds, as it
        // nearly always does, gives nothing new and is not folded again.
        let mut display: Option<&str> = None;
        for (column, use_, _, _, value) in self.cells(row) {
            let class = match use_ {
                Use::Digits => {
                    digits.extend(value.bytes().filter(u8::is_ascii_digit));
                    digits.push(b'/');
                    continue;
                }
                Use::Words(class) => class,
            };
            if class == Class::Name {
                if column == Field::DisplayName.column_name() {
                    display = Some(value);
                } else if let Some(d) = display
                    && words(value).all(|(_, w)| words(d).any(|(_, dw)| dw == w))
                {
                    continue;
                }
            }
            for (_, word) in words(value) {
                let (first, second) = (&mut scratch.0, &mut scratch.1);
                if word.is_ascii() {
                    first.clear();
                    fold_into(word, first);
                    on_word(first, class);
                } else if fold_word_into(word, first, second) {
                    on_word(first, class);
                    on_word(second, class);
                } else {
                    on_word(first, class);
                }
            }
        }
    }
}
