//! One contact as a table row ([`Row`]), and what its card holds beyond the row's
//! columns ([`Hidden`]).

use super::{MAX_COLUMNS, MAX_USER_COLUMNS, Schema};

/// Values the row could not show, counted so a UI can say "2 more numbers".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hidden {
    /// Numbers with no fitting column (see [`crate::map`]).
    pub phones: usize,
    /// Emails with no fitting column.
    pub emails: usize,
    /// Websites with no fitting column.
    pub websites: usize,
    /// Addresses with no fitting column.
    pub addresses: usize,
}

/// A column name in a row: the standard names are shared statics, so a row of the
/// usual columns allocates only its values (opening a cache builds 100,000 rows).
type ColumnKey = std::borrow::Cow<'static, str>;

/// The standard column names for up to [`INTERNED`] columns of each multi-valued
/// field, made once.
const INTERNED: usize = 32;

fn intern(name: &str) -> ColumnKey {
    static NAMES: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        // Within the limits (checked at compile time below), so none of these fails.
        const _: () = assert!(INTERNED <= MAX_COLUMNS && INTERNED <= MAX_USER_COLUMNS);
        let mut schema = Schema::default();
        let _ = schema.set_phone_count(INTERNED);
        let _ = schema.set_email_count(INTERNED);
        let _ = schema.set_website_count(INTERNED);
        let _ = schema.set_address_count(INTERNED / 2);
        let _ = schema.set_user_count(INTERNED);
        // A bounded, fixed set: leaked once so that rows can point at it.
        schema
            .columns()
            .into_iter()
            .map(|c| &*Box::leak(c.name.into_boxed_str()))
            .collect()
    });
    match names.get(name) {
        Some(s) => ColumnKey::Borrowed(s),
        None => ColumnKey::Owned(name.to_owned()),
    }
}

/// One contact as a table row: cell values by column name. Absent and empty cells
/// are the same.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    // Sorted by column name. A row has a dozen cells; a sorted vector is as fast to
    // search as a map and needs one allocation instead of one per node, which is what
    // opening a cache of 100,000 rows mostly costs.
    cells: Vec<(ColumnKey, String)>,
    /// What the card holds beyond the row's columns.
    pub hidden: Hidden,
}

impl Row {
    /// An empty row.
    pub fn new() -> Row {
        Row::default()
    }

    /// The value of `column`; `None` when empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.position(column)
            .ok()
            .map(|i| self.cells[i].1.as_str())
            .filter(|v| !v.is_empty())
    }

    fn position(&self, column: &str) -> std::result::Result<usize, usize> {
        self.cells.binary_search_by(|(k, _)| (**k).cmp(column))
    }

    /// Sets `column` (an empty value clears it).
    pub fn set(&mut self, column: impl AsRef<str>, value: impl Into<String>) {
        let value = value.into();
        let column = column.as_ref();
        match (self.position(column), value.is_empty()) {
            (Ok(i), true) => {
                self.cells.remove(i);
            }
            (Ok(i), false) => self.cells[i].1 = value,
            (Err(_), true) => {}
            (Err(i), false) => self.cells.insert(i, (intern(column), value)),
        }
    }

    /// Builder form of [`Row::set`].
    pub fn with(mut self, column: impl AsRef<str>, value: impl Into<String>) -> Row {
        self.set(column, value);
        self
    }

    /// Clears `column`.
    pub fn clear(&mut self, column: &str) {
        if let Ok(i) = self.position(column) {
            self.cells.remove(i);
        }
    }

    /// Non-empty cells in column-name order.
    pub fn cells(&self) -> impl Iterator<Item = (&str, &str)> {
        self.cells.iter().map(|(k, v)| (&**k, v.as_str()))
    }

    /// Whether every cell is empty.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}
