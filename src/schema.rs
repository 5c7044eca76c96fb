//! Fixed-column phone book schema and rows.

use std::collections::BTreeMap;

/// A folder's table layout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {}

/// One contact as a table row: cell values by column name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    cells: BTreeMap<String, String>,
}

impl Row {
    /// The value of `column`, if set.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells.get(column).map(String::as_str)
    }
}
