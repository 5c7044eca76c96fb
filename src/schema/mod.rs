//! A folder's fixed-column table layout ([`Schema`]) and its rows ([`Row`]).
//!
//! A CTI client shows each phone book folder as a table whose columns are fixed per
//! folder, while a vCard holds any number of numbers, emails and addresses. The schema
//! says how many columns each multi-valued field gets and what kind of value each
//! column holds ("business phone", "mobile", "home email", ...); [`crate::map`] moves
//! cards into rows and edited rows back into cards.
//!
//! # Column names
//!
//! Names are stable, readable identifiers: the single-valued columns
//! (`display_name`, `first_name`, `last_name`, `middle_name`, `prefix`, `suffix`,
//! `nickname`, `company`, `department`, `job_title`, `birthday`, `note`,
//! `categories`), then `phone1..phoneN`, `email1..`, `website1..`, `user1..` and, for
//! address *k*, `addressK_street`, `addressK_extended`, `addressK_po_box`,
//! `addressK_city`, `addressK_region`, `addressK_postcode`, `addressK_country`.
//!
//! # Defaults ([`Schema::default`])
//!
//! | field | columns and kinds |
//! |---|---|
//! | phones | 6: business, business 2, mobile, home, business fax, other |
//! | emails | 3: work, home, other |
//! | websites | 2: work, home |
//! | addresses | 2: business, home |
//! | user-defined | 2: `X-CTI-USER1`, `X-CTI-USER2` properties |
//!
//! Counts and kinds can be changed at any time: cards are kept whole, so a row mapped
//! under a new schema shows what the new columns can show and nothing is lost.
//!
//! # Limits
//!
//! Each multi-valued field has at most [`MAX_COLUMNS`] (64) columns and at most
//! [`MAX_USER_COLUMNS`] (64) user-defined columns exist; an address column is seven
//! table columns, so the widest table has 13 + 64 × 3 + 64 × 7 + 64 = 717 columns.
//! Every way a schema is made or read checks them ([`Schema::validate`]): the count
//! setters, [`Schema::from_spec`] (a stored schema) and
//! [`CachedFolder::set_schema`](crate::cache::CachedFolder::set_schema), so that no
//! input makes a table of millions of columns.

mod kinds;
mod row;
mod spec;

pub use kinds::{AddressPart, Column, ColumnKind, ContactKind, Field, PhoneKind, UserField};
pub(crate) use row::ColumnKey;
pub use row::{Hidden, Row};

use crate::error::{Error, Result};

/// A folder's table layout. See the [module docs](self) for names and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// Kind of each phone column, in column order.
    pub phones: Vec<PhoneKind>,
    /// Kind of each email column.
    pub emails: Vec<ContactKind>,
    /// Kind of each website column.
    pub websites: Vec<ContactKind>,
    /// Kind of each address column (business = work).
    pub addresses: Vec<ContactKind>,
    /// Where each user-defined column's value lives.
    pub user_fields: Vec<UserField>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema {
            phones: vec![
                PhoneKind::Business,
                PhoneKind::Business2,
                PhoneKind::Mobile,
                PhoneKind::Home,
                PhoneKind::BusinessFax,
                PhoneKind::Other,
            ],
            emails: vec![ContactKind::Work, ContactKind::Home, ContactKind::Other],
            websites: vec![ContactKind::Work, ContactKind::Home],
            addresses: vec![ContactKind::Work, ContactKind::Home],
            user_fields: vec![
                UserField::Property("X-CTI-USER1".into()),
                UserField::Property("X-CTI-USER2".into()),
            ],
        }
    }
}

/// Most columns of one multi-valued field: phones, emails, websites, addresses.
pub const MAX_COLUMNS: usize = 64;
/// Most user-defined columns.
pub const MAX_USER_COLUMNS: usize = 64;

/// `n` as a column count of `what`, when within `max`.
fn check_count(what: &str, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::Config(format!(
            "{n} {what} columns are too many; at most {max}"
        )));
    }
    Ok(())
}

/// Repeats the default kinds cyclically so any count gets sensible kinds.
fn resize_with_defaults<T: Clone>(v: &mut Vec<T>, n: usize, defaults: &[T], fill: T) {
    if n <= v.len() {
        v.truncate(n);
        return;
    }
    while v.len() < n {
        let next = defaults
            .get(v.len())
            .cloned()
            .unwrap_or_else(|| fill.clone());
        v.push(next);
    }
}

impl Schema {
    /// Changes the number of phone columns; new columns get the default kinds, then
    /// [`PhoneKind::Other`].
    ///
    /// # Errors
    /// [`Error::Config`] for more than [`MAX_COLUMNS`]; the schema is then unchanged.
    pub fn set_phone_count(&mut self, n: usize) -> Result<()> {
        check_count("phone", n, MAX_COLUMNS)?;
        resize_with_defaults(
            &mut self.phones,
            n,
            &Schema::default().phones,
            PhoneKind::Other,
        );
        Ok(())
    }

    /// Changes the number of email columns.
    ///
    /// # Errors
    /// [`Error::Config`] for more than [`MAX_COLUMNS`]; the schema is then unchanged.
    pub fn set_email_count(&mut self, n: usize) -> Result<()> {
        check_count("email", n, MAX_COLUMNS)?;
        resize_with_defaults(
            &mut self.emails,
            n,
            &Schema::default().emails,
            ContactKind::Other,
        );
        Ok(())
    }

    /// Changes the number of website columns.
    ///
    /// # Errors
    /// [`Error::Config`] for more than [`MAX_COLUMNS`]; the schema is then unchanged.
    pub fn set_website_count(&mut self, n: usize) -> Result<()> {
        check_count("website", n, MAX_COLUMNS)?;
        let d = [ContactKind::Work, ContactKind::Home];
        resize_with_defaults(&mut self.websites, n, &d, ContactKind::Other);
        Ok(())
    }

    /// Changes the number of address columns.
    ///
    /// # Errors
    /// [`Error::Config`] for more than [`MAX_COLUMNS`]; the schema is then unchanged.
    pub fn set_address_count(&mut self, n: usize) -> Result<()> {
        check_count("address", n, MAX_COLUMNS)?;
        let d = [ContactKind::Work, ContactKind::Home];
        resize_with_defaults(&mut self.addresses, n, &d, ContactKind::Other);
        Ok(())
    }

    /// Changes the number of user-defined columns; new ones map to `X-CTI-USER<n>`.
    ///
    /// # Errors
    /// [`Error::Config`] for more than [`MAX_USER_COLUMNS`]; the schema is then
    /// unchanged.
    pub fn set_user_count(&mut self, n: usize) -> Result<()> {
        check_count("user-defined", n, MAX_USER_COLUMNS)?;
        self.user_fields.truncate(n);
        while self.user_fields.len() < n {
            let k = self.user_fields.len() + 1;
            self.user_fields
                .push(UserField::Property(format!("X-CTI-USER{k}")));
        }
        Ok(())
    }

    /// Checks the column counts against [`MAX_COLUMNS`] and [`MAX_USER_COLUMNS`]
    /// (the fields are public, so a schema may have been built by hand).
    ///
    /// # Errors
    /// [`Error::Config`] naming the first field over its limit.
    pub fn validate(&self) -> Result<()> {
        check_count("phone", self.phones.len(), MAX_COLUMNS)?;
        check_count("email", self.emails.len(), MAX_COLUMNS)?;
        check_count("website", self.websites.len(), MAX_COLUMNS)?;
        check_count("address", self.addresses.len(), MAX_COLUMNS)?;
        check_count("user-defined", self.user_fields.len(), MAX_USER_COLUMNS)
    }

    /// Every column in display order.
    pub fn columns(&self) -> Vec<Column> {
        let mut out: Vec<Column> = Field::ALL
            .iter()
            .map(|f| Column {
                name: f.column_name().into(),
                kind: ColumnKind::Field(*f),
            })
            .collect();
        for (i, k) in self.phones.iter().enumerate() {
            out.push(Column {
                name: format!("phone{}", i + 1),
                kind: ColumnKind::Phone(i, *k),
            });
        }
        for (i, k) in self.emails.iter().enumerate() {
            out.push(Column {
                name: format!("email{}", i + 1),
                kind: ColumnKind::Email(i, *k),
            });
        }
        for (i, k) in self.websites.iter().enumerate() {
            out.push(Column {
                name: format!("website{}", i + 1),
                kind: ColumnKind::Website(i, *k),
            });
        }
        for (i, k) in self.addresses.iter().enumerate() {
            for part in AddressPart::ALL {
                out.push(Column {
                    name: address_column(i, part),
                    kind: ColumnKind::Address(i, *k, part),
                });
            }
        }
        for (i, u) in self.user_fields.iter().enumerate() {
            out.push(Column {
                name: format!("user{}", i + 1),
                kind: ColumnKind::User(i, u.clone()),
            });
        }
        out
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<Column> {
        self.columns().into_iter().find(|c| c.name == name)
    }

    /// Checks that every cell of `row` names a column of this schema.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first unknown column.
    pub fn check_row(&self, row: &Row) -> Result<()> {
        let names: std::collections::HashSet<String> =
            self.columns().into_iter().map(|c| c.name).collect();
        match row.cells().find(|(k, _)| !names.contains(*k)) {
            Some((k, _)) => Err(Error::Config(format!("unknown column '{k}'"))),
            None => Ok(()),
        }
    }
}

/// Name of a part of address column `index` (0-based).
pub fn address_column(index: usize, part: AddressPart) -> String {
    format!("address{}_{}", index + 1, part.suffix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_round_trips() {
        let mut s = Schema::default();
        s.set_phone_count(9).unwrap();
        s.user_fields.push(UserField::Labeled("Customer no".into()));
        assert_eq!(Schema::from_spec(&s.to_spec()).unwrap(), s);
        assert!(Schema::from_spec("phones=warp").is_err());
        assert_eq!(Schema::from_spec("").unwrap(), Schema::default());
    }

    #[test]
    fn column_names_are_stable() {
        let names: Vec<String> = Schema::default()
            .columns()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names[0], "display_name");
        assert!(names.contains(&"phone6".to_string()));
        assert!(names.contains(&"address2_postcode".to_string()));
        assert!(names.contains(&"user2".to_string()));
        assert_eq!(names.len(), 13 + 6 + 3 + 2 + 14 + 2);
    }

    #[test]
    fn column_counts_are_bounded_everywhere() {
        let mut s = Schema::default();
        for set in [
            Schema::set_phone_count,
            Schema::set_email_count,
            Schema::set_website_count,
            Schema::set_address_count,
            Schema::set_user_count,
        ] {
            set(&mut s, 64).unwrap();
            assert!(matches!(set(&mut s, 65), Err(Error::Config(_))));
            assert!(matches!(set(&mut s, 100_000_000), Err(Error::Config(_))));
        }
        // A refused count leaves the schema as it was.
        assert_eq!(s.phones.len(), 64);
        assert_eq!(Schema::from_spec(&s.to_spec()).unwrap(), s);
        s.phones.push(PhoneKind::Other);
        assert!(matches!(s.validate(), Err(Error::Config(_))));
        assert!(matches!(
            Schema::from_spec(&s.to_spec()),
            Err(Error::Config(_))
        ));
        let huge = format!("phones={}", "other,".repeat(1_000_000));
        assert!(matches!(Schema::from_spec(&huge), Err(Error::Config(_))));
        let users = format!("user={}", "P:X|".repeat(65));
        assert!(matches!(Schema::from_spec(&users), Err(Error::Config(_))));
    }
}
