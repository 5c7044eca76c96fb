//! Which columns of a folder are searched, and what a row gives the index: its
//! folded words, each with the [`Class`] of the column it came from, and the digits
//! of its phone numbers.

use crate::schema::{ColumnKind, Field, Row, Schema};

use super::fold::{fold_into, fold_word, words};

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

impl Class {
    pub(crate) fn from_bits(bits: u32) -> Class {
        match bits {
            0 => Class::Name,
            1 => Class::Organisation,
            _ => Class::Email,
        }
    }
}

/// The searched columns of one schema, found once and used for every row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchColumns {
    text: Vec<(String, Class)>,
    phones: Vec<String>,
}

impl SearchColumns {
    /// The searched columns of `schema`: names, nickname, company, department and
    /// e-mails as words; phone columns as digits.
    pub fn new(schema: &Schema) -> SearchColumns {
        let mut text = Vec::new();
        let mut phones = Vec::new();
        for c in schema.columns() {
            let class = match c.kind {
                ColumnKind::Field(
                    Field::DisplayName
                    | Field::FirstName
                    | Field::MiddleName
                    | Field::LastName
                    | Field::Nickname,
                ) => Class::Name,
                ColumnKind::Field(Field::Company | Field::Department) => Class::Organisation,
                ColumnKind::Email(..) => Class::Email,
                ColumnKind::Phone(..) => {
                    phones.push(c.name);
                    continue;
                }
                _ => continue,
            };
            text.push((c.name, class));
        }
        SearchColumns { text, phones }
    }

    /// The searched text columns with their class.
    pub fn text_columns(&self) -> impl Iterator<Item = (&str, Class)> {
        self.text.iter().map(|(c, k)| (c.as_str(), *k))
    }

    /// The phone columns.
    pub fn phone_columns(&self) -> impl Iterator<Item = &str> {
        self.phones.iter().map(String::as_str)
    }

    /// Calls `f` with every folded word of `row` and its class (a word with an
    /// umlaut twice, once per spelling). `scratch` is reused between calls.
    pub(crate) fn for_each_word(
        &self,
        row: &Row,
        scratch: &mut String,
        mut f: impl FnMut(&str, Class),
    ) {
        for (column, class) in &self.text {
            let Some(value) = row.get(column) else {
                continue;
            };
            for (_, word) in words(value) {
                if word.is_ascii() {
                    scratch.clear();
                    fold_into(word, scratch);
                    f(scratch, *class);
                } else {
                    let (first, second) = fold_word(word);
                    f(&first, *class);
                    if let Some(second) = second {
                        f(&second, *class);
                    }
                }
            }
        }
    }

    /// Appends the digits of `row`'s numbers to `out`, each number ended by `/`
    /// so that no match spans two numbers.
    pub(crate) fn push_digits(&self, row: &Row, out: &mut Vec<u8>) {
        for column in &self.phones {
            if let Some(number) = row.get(column) {
                out.extend(number.bytes().filter(u8::is_ascii_digit));
                out.push(b'/');
            }
        }
    }
}
