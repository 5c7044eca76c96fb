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

/// The standard column names for up to [`INTERNED`] columns of each multi-valued
/// field, made once.
const INTERNED: usize = 32;

/// The standard column names, sorted, each once (a row refers to them by index), and
/// the index of each.
struct StandardNames {
    names: Vec<&'static str>,
    index: std::collections::HashMap<&'static str, u16>,
}

fn standard_names() -> &'static StandardNames {
    static NAMES: std::sync::OnceLock<StandardNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        // Within the limits (checked at compile time below), so none of these fails.
        const _: () = assert!(INTERNED <= MAX_COLUMNS && INTERNED <= MAX_USER_COLUMNS);
        let mut schema = Schema::default();
        let _ = schema.set_phone_count(INTERNED);
        let _ = schema.set_email_count(INTERNED);
        let _ = schema.set_website_count(INTERNED);
        let _ = schema.set_address_count(INTERNED / 2);
        let _ = schema.set_user_count(INTERNED);
        // A bounded, fixed set: leaked once so that rows can point at it.
        let mut names: Vec<&'static str> = schema
            .columns()
            .into_iter()
            .map(|c| &*Box::leak(c.name.into_boxed_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        let index = names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((*n, u16::try_from(i).ok()?)))
            .collect();
        StandardNames { names, index }
    })
}

/// A column name in a row: an index into the standard names, so that a row of the
/// usual columns stores two bytes per name, or a name of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ColumnKey {
    Standard(u16),
    Other(Box<str>),
}

impl ColumnKey {
    /// The key of column `name`.
    pub(crate) fn new(name: &str) -> ColumnKey {
        match standard_names().index.get(name) {
            Some(&i) => ColumnKey::Standard(i),
            None => ColumnKey::Other(name.into()),
        }
    }

    /// The name, with the standard names at hand.
    fn name<'a>(&'a self, standard: &'static StandardNames) -> &'a str {
        match self {
            ColumnKey::Standard(i) => standard.names[usize::from(*i)],
            ColumnKey::Other(s) => s,
        }
    }

    /// The order of the two names, as a row sorts its cells: two standard names
    /// by their indices (which follow the names' order), others by the names.
    pub(crate) fn cmp_name(&self, other: &ColumnKey) -> std::cmp::Ordering {
        match (self, other) {
            (ColumnKey::Standard(a), ColumnKey::Standard(b)) => a.cmp(b),
            _ => {
                let standard = standard_names();
                self.name(standard).cmp(other.name(standard))
            }
        }
    }
}

/// One contact as a table row: cell values by column name. Absent and empty cells
/// are the same.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Row {
    // A cache holds 100,000 rows in memory, so a row is kept small: the cells' names
    // and where each value ends in `text`, sorted by column name (a dozen cells: a
    // binary search is as fast as a map), and all values one after the other in one
    // string. Two allocations a row instead of one per value.
    cells: Vec<(ColumnKey, u32)>,
    text: String,
    /// What the card holds beyond the row's columns.
    pub hidden: Hidden,
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("cells", &self.cells().collect::<Vec<_>>())
            .field("hidden", &self.hidden)
            .finish()
    }
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
            .map(|i| self.value(i))
            .filter(|v| !v.is_empty())
    }

    fn position(&self, column: &str) -> std::result::Result<usize, usize> {
        let standard = standard_names();
        self.cells
            .binary_search_by(|(k, _)| k.name(standard).cmp(column))
    }

    /// Where the value of cell `i` lies in `text`.
    fn range(&self, i: usize) -> std::ops::Range<usize> {
        let start = match i {
            0 => 0,
            _ => self.cells[i - 1].1 as usize,
        };
        start..self.cells[i].1 as usize
    }

    fn value(&self, i: usize) -> &str {
        &self.text[self.range(i)]
    }

    /// Puts `value` in place of cell `i`'s value, moving the later ends.
    fn replace(&mut self, i: usize, value: &str) {
        let range = self.range(i);
        let grown = value.len() as i64 - range.len() as i64;
        self.text.replace_range(range, value);
        for (_, end) in &mut self.cells[i..] {
            *end = (i64::from(*end) + grown) as u32;
        }
    }

    /// Sets `column` (an empty value clears it).
    ///
    /// # Panics
    /// When the row's values would exceed 4 GiB together.
    pub fn set(&mut self, column: impl AsRef<str>, value: impl Into<String>) {
        let value = value.into();
        let column = column.as_ref();
        match (self.position(column), value.is_empty()) {
            (Ok(i), true) => self.clear_at(i),
            (Ok(i), false) => self.replace(i, &value),
            (Err(_), true) => {}
            (Err(i), false) => {
                assert!(
                    self.text.len() + value.len() <= u32::MAX as usize,
                    "a row's values exceed 4 GiB"
                );
                let at = match i {
                    0 => 0,
                    _ => self.cells[i - 1].1,
                };
                self.cells.insert(i, (ColumnKey::new(column), at));
                self.replace(i, &value);
            }
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
            self.clear_at(i);
        }
    }

    fn clear_at(&mut self, i: usize) {
        self.replace(i, "");
        self.cells.remove(i);
    }

    /// Non-empty cells in column-name order.
    pub fn cells(&self) -> impl Iterator<Item = (&str, &str)> {
        let standard = standard_names();
        (0..self.cells.len()).map(move |i| (self.cells[i].0.name(standard), self.value(i)))
    }

    /// The cells as [`cells`](Self::cells) gives them, with the key of each column
    /// rather than its name.
    pub(crate) fn keyed_cells(&self) -> impl Iterator<Item = (&ColumnKey, &str)> {
        (0..self.cells.len()).map(move |i| (&self.cells[i].0, self.value(i)))
    }

    /// Reads one byte of each cache line of the row's values and its first cell's
    /// entry, so that they are in the processor's cache when the row is read next.
    /// The reads do not depend on one another.
    pub(crate) fn touch(&self) -> u8 {
        let bytes = self.text.as_bytes();
        let first = self.cells.first().map_or(0, |(_, end)| *end as u8);
        bytes.iter().step_by(64).fold(first, |acc, b| acc ^ b)
    }

    /// Cell `i` of [`cells`](Self::cells): its column and value.
    pub(crate) fn cell(&self, i: usize) -> Option<(&str, &str)> {
        let (key, _) = self.cells.get(i)?;
        Some((key.name(standard_names()), self.value(i)))
    }

    /// Whether every cell is empty.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// An empty row with room for `cells` cells of `text` bytes of values in all.
    pub(crate) fn with_capacity(cells: usize, text: usize) -> Row {
        Row {
            cells: Vec::with_capacity(cells),
            text: String::with_capacity(text),
            hidden: Hidden::default(),
        }
    }

    /// Sets `column` to `value` as [`set`](Self::set) does, but faster when the
    /// columns come in name order (as a stored row's do): then the cell is added at
    /// the end.
    pub(crate) fn append(&mut self, column: &str, value: &str) {
        let standard = standard_names();
        let in_order = self
            .cells
            .last()
            .is_none_or(|(k, _)| k.name(standard) < column);
        if !in_order || value.is_empty() || self.text.len() + value.len() > u32::MAX as usize {
            self.set(column, value);
            return;
        }
        self.text.push_str(value);
        self.cells
            .push((ColumnKey::new(column), self.text.len() as u32));
    }

    /// Frees the room kept for more cells and longer values: what a row that is
    /// kept for long (in a cache) should do once it is built.
    pub fn shrink_to_fit(&mut self) {
        self.cells.shrink_to_fit();
        self.text.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::Row;

    #[test]
    fn cells_keep_their_values_through_every_change() {
        let mut row = Row::new()
            .with("phone2", "+49 30 2")
            .with("display_name", "Ada")
            .with("zz_own", "mine")
            .with("company", "Engines");
        assert_eq!(
            row.cells().collect::<Vec<_>>(),
            [
                ("company", "Engines"),
                ("display_name", "Ada"),
                ("phone2", "+49 30 2"),
                ("zz_own", "mine")
            ]
        );
        row.set("display_name", "Ada Lovelace");
        row.set("company", "");
        row.set("phone2", "2");
        row.clear("zz_own");
        row.set("a_first", "x");
        row.shrink_to_fit();
        assert_eq!(
            row.cells().collect::<Vec<_>>(),
            [
                ("a_first", "x"),
                ("display_name", "Ada Lovelace"),
                ("phone2", "2")
            ]
        );
        assert_eq!(row.get("company"), None);
        assert_eq!(row.get("phone2"), Some("2"));
        let same = Row::new()
            .with("phone2", "2")
            .with("a_first", "x")
            .with("display_name", "Ada Lovelace");
        assert_eq!(row, same);
        row.clear("a_first");
        row.clear("display_name");
        row.clear("phone2");
        assert!(row.is_empty());
        assert_eq!(row, Row::new());
    }
}
