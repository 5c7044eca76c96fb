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

use std::fmt;

use crate::error::{Error, Result};

/// The kind of a phone column: which TEL types it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PhoneKind {
    /// Work voice number.
    Business,
    /// A second work voice number.
    Business2,
    /// Mobile (`CELL`).
    Mobile,
    /// Home voice number.
    Home,
    /// A second home voice number.
    Home2,
    /// Work fax.
    BusinessFax,
    /// Home fax.
    HomeFax,
    /// Pager.
    Pager,
    /// Car phone.
    Car,
    /// Assistant's number (`X-ASSISTANT`, or an Apple label "assistant").
    Assistant,
    /// The company's main number / switchboard (`MAIN`, label "main" or "company").
    CompanyMain,
    /// ISDN.
    Isdn,
    /// SIP / internet telephony (`sip:` values, `X-SIP`).
    Sip,
    /// Any number.
    Other,
}

impl PhoneKind {
    /// The TEL `TYPE` values a number typed into a column of this kind is written
    /// with (in the card's version's style).
    pub fn tel_types(self) -> &'static [&'static str] {
        match self {
            PhoneKind::Business | PhoneKind::Business2 => &["WORK", "VOICE"],
            PhoneKind::Mobile => &["CELL", "VOICE"],
            PhoneKind::Home | PhoneKind::Home2 => &["HOME", "VOICE"],
            PhoneKind::BusinessFax => &["WORK", "FAX"],
            PhoneKind::HomeFax => &["HOME", "FAX"],
            PhoneKind::Pager => &["PAGER"],
            PhoneKind::Car => &["CAR", "VOICE"],
            PhoneKind::Assistant => &["X-ASSISTANT"],
            PhoneKind::CompanyMain => &["MAIN"],
            PhoneKind::Isdn => &["ISDN"],
            PhoneKind::Sip => &["X-SIP"],
            PhoneKind::Other => &["VOICE"],
        }
    }
}

/// The kind of an email or website column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContactKind {
    /// Work.
    Work,
    /// Home / personal.
    Home,
    /// Any.
    Other,
}

impl ContactKind {
    /// The `TYPE` value a new EMAIL, URL or ADR of this kind is written with, if any.
    pub fn type_value(self) -> Option<&'static str> {
        match self {
            ContactKind::Work => Some("WORK"),
            ContactKind::Home => Some("HOME"),
            ContactKind::Other => None,
        }
    }
}

/// Where a user-defined column's value lives in the card.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserField {
    /// The first property of this name (an `X-` property), e.g. `X-CTI-USER1`.
    Property(String),
    /// An Apple-style grouped item whose `X-ABLabel` is this label
    /// (`item3.X-ABRELATEDNAMES:…` + `item3.X-ABLabel:Customer no.`); new values are
    /// written as `itemN.X-CTI-FIELD`.
    Labeled(String),
}

/// A part of an address column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddressPart {
    /// Post office box.
    PoBox,
    /// Extended address.
    Extended,
    /// Street.
    Street,
    /// City.
    City,
    /// Region.
    Region,
    /// Postal code.
    Postcode,
    /// Country.
    Country,
}

impl AddressPart {
    /// All parts in ADR component order.
    pub const ALL: [AddressPart; 7] = [
        AddressPart::PoBox,
        AddressPart::Extended,
        AddressPart::Street,
        AddressPart::City,
        AddressPart::Region,
        AddressPart::Postcode,
        AddressPart::Country,
    ];

    /// The column name suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            AddressPart::PoBox => "po_box",
            AddressPart::Extended => "extended",
            AddressPart::Street => "street",
            AddressPart::City => "city",
            AddressPart::Region => "region",
            AddressPart::Postcode => "postcode",
            AddressPart::Country => "country",
        }
    }
}

/// The single-valued columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// FN.
    DisplayName,
    /// N given name.
    FirstName,
    /// N family name.
    LastName,
    /// N additional names.
    MiddleName,
    /// N honorific prefix.
    Prefix,
    /// N honorific suffix.
    Suffix,
    /// NICKNAME (several joined by ", ").
    Nickname,
    /// ORG, first component.
    Company,
    /// ORG, second component.
    Department,
    /// TITLE.
    JobTitle,
    /// BDAY as written.
    Birthday,
    /// NOTE.
    Note,
    /// CATEGORIES, joined by ", ".
    Categories,
}

impl Field {
    /// Every single-valued field in column order.
    pub const ALL: [Field; 13] = [
        Field::DisplayName,
        Field::FirstName,
        Field::LastName,
        Field::MiddleName,
        Field::Prefix,
        Field::Suffix,
        Field::Nickname,
        Field::Company,
        Field::Department,
        Field::JobTitle,
        Field::Birthday,
        Field::Note,
        Field::Categories,
    ];

    /// The column name.
    pub fn column_name(self) -> &'static str {
        match self {
            Field::DisplayName => "display_name",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::MiddleName => "middle_name",
            Field::Prefix => "prefix",
            Field::Suffix => "suffix",
            Field::Nickname => "nickname",
            Field::Company => "company",
            Field::Department => "department",
            Field::JobTitle => "job_title",
            Field::Birthday => "birthday",
            Field::Note => "note",
            Field::Categories => "categories",
        }
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnKind {
    /// A single-valued field.
    Field(Field),
    /// Phone column `index` (0-based) of this kind.
    Phone(usize, PhoneKind),
    /// Email column `index`.
    Email(usize, ContactKind),
    /// Website column `index`.
    Website(usize, ContactKind),
    /// A part of address column `index`, of this kind.
    Address(usize, ContactKind, AddressPart),
    /// User-defined column `index`.
    User(usize, UserField),
}

/// One column: its stable name and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Stable identifier (`phone3`, `address1_city`, ...).
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
}

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

impl fmt::Display for PhoneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PhoneKind::Business => "business",
            PhoneKind::Business2 => "business 2",
            PhoneKind::Mobile => "mobile",
            PhoneKind::Home => "home",
            PhoneKind::Home2 => "home 2",
            PhoneKind::BusinessFax => "business fax",
            PhoneKind::HomeFax => "home fax",
            PhoneKind::Pager => "pager",
            PhoneKind::Car => "car",
            PhoneKind::Assistant => "assistant",
            PhoneKind::CompanyMain => "company main",
            PhoneKind::Isdn => "ISDN",
            PhoneKind::Sip => "SIP",
            PhoneKind::Other => "other",
        })
    }
}

impl std::str::FromStr for PhoneKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let k = s.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        Ok(match k.as_str() {
            "business" | "work" => PhoneKind::Business,
            "business 2" | "business2" | "work2" => PhoneKind::Business2,
            "mobile" | "cell" => PhoneKind::Mobile,
            "home" => PhoneKind::Home,
            "home 2" | "home2" => PhoneKind::Home2,
            "business fax" | "work fax" | "fax" => PhoneKind::BusinessFax,
            "home fax" => PhoneKind::HomeFax,
            "pager" => PhoneKind::Pager,
            "car" => PhoneKind::Car,
            "assistant" => PhoneKind::Assistant,
            "company main" | "company" | "main" => PhoneKind::CompanyMain,
            "isdn" => PhoneKind::Isdn,
            "sip" => PhoneKind::Sip,
            "other" => PhoneKind::Other,
            _ => return Err(Error::Config(format!("unknown phone kind '{s}'"))),
        })
    }
}

impl fmt::Display for ContactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContactKind::Work => "work",
            ContactKind::Home => "home",
            ContactKind::Other => "other",
        })
    }
}

impl std::str::FromStr for ContactKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "work" | "business" => Ok(ContactKind::Work),
            "home" | "private" => Ok(ContactKind::Home),
            "other" => Ok(ContactKind::Other),
            _ => Err(Error::Config(format!("unknown kind '{s}'"))),
        }
    }
}

impl Schema {
    /// A one-line text form of the schema, for settings files:
    /// `phones=business,mobile;emails=work;websites=;addresses=work;user=P:X-CTI-USER1|L:Customer no`.
    /// [`Schema::from_spec`] reads it back.
    pub fn to_spec(&self) -> String {
        fn list<T: fmt::Display>(v: &[T]) -> String {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        }
        let user: Vec<String> = self
            .user_fields
            .iter()
            .map(|u| match u {
                UserField::Property(p) => format!("P:{p}"),
                UserField::Labeled(l) => format!("L:{l}"),
            })
            .collect();
        format!(
            "phones={};emails={};websites={};addresses={};user={}",
            list(&self.phones),
            list(&self.emails),
            list(&self.websites),
            list(&self.addresses),
            user.join("|")
        )
    }

    /// Reads [`Schema::to_spec`]'s form. Missing parts keep their defaults.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown kind or part, or more columns than the
    /// limits allow ([`Schema::validate`]); a spec of millions of columns is refused
    /// before any of them is read.
    pub fn from_spec(spec: &str) -> Result<Schema> {
        fn list<T: std::str::FromStr<Err = Error>>(v: &str) -> Result<Vec<T>> {
            let items = v.split(',').filter(|s| !s.trim().is_empty());
            check_count("stored", items.clone().count(), MAX_COLUMNS)?;
            items.map(str::parse).collect()
        }
        let mut schema = Schema::default();
        for part in spec.split(';').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| Error::Config(format!("bad schema part '{part}'")))?;
            match key.trim() {
                "phones" => schema.phones = list(value)?,
                "emails" => schema.emails = list(value)?,
                "websites" => schema.websites = list(value)?,
                "addresses" => schema.addresses = list(value)?,
                "user" => {
                    let items = value.split('|').filter(|s| !s.is_empty());
                    check_count("user-defined", items.clone().count(), MAX_USER_COLUMNS)?;
                    schema.user_fields = items
                        .map(|u| match u.split_once(':') {
                            Some(("P", p)) => Ok(UserField::Property(p.to_owned())),
                            Some(("L", l)) => Ok(UserField::Labeled(l.to_owned())),
                            _ => Err(Error::Config(format!("bad user field '{u}'"))),
                        })
                        .collect::<Result<_>>()?
                }
                other => return Err(Error::Config(format!("unknown schema part '{other}'"))),
            }
        }
        schema.validate()?;
        Ok(schema)
    }
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
