//! A folder's data mask: how a record's form arranges the folder's columns.
//!
//! A [`FormLayout`] is an ordered list of sections, one per [`Group`] (name, company,
//! phones, e-mails, addresses, web, user-defined, note), each an ordered list of
//! columns with their visibility, plus the columns whose values make the pop-up's
//! title ("company — name"). [`FormLayout::default_for`] derives one from a schema;
//! a user rearranges it in a form editor and the folder keeps it
//! ([`CachedFolder::set_form`](crate::cache::CachedFolder::set_form)).
//!
//! A layout survives schema changes: [`FormLayout::fitted`] drops the columns the
//! schema no longer has and puts new ones at the end of their group.
//!
//! # Text form
//!
//! [`FormLayout::to_spec`] writes one line that [`FormLayout::from_spec`] reads
//! back: the title, then the sections in order, hidden columns marked with `-`:
//!
//! ```text
//! title=company,display_name;name=display_name,first_name,-middle_name;phones=phone3,phone1
//! ```
//!
//! ```
//! use cti_phonebook::{Row, Schema};
//! use cti_phonebook::form::{FormLayout, Group};
//!
//! let schema = Schema::default();
//! let mut form = FormLayout::default_for(&schema);
//! form.section_mut(Group::Phones).unwrap().fields.swap(0, 2); // mobile first
//! form.check(&schema)?;
//! assert_eq!(FormLayout::from_spec(&form.to_spec())?, form);
//! let row = Row::new().with("company", "ACME").with("display_name", "Jane Doe");
//! assert_eq!(form.title_of(&row), "ACME — Jane Doe");
//! # Ok::<(), cti_phonebook::Error>(())
//! ```

use std::collections::HashSet;
use std::fmt;

use crate::error::{Error, Result};
use crate::labels::Language;
use crate::schema::{AddressPart, ColumnKind, Field, Row, Schema};

/// A group of fields on a record's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Group {
    /// Names, nickname, birthday.
    Name,
    /// Company, department, job title.
    Company,
    /// Phone columns.
    Phones,
    /// E-mail columns.
    Emails,
    /// Address columns.
    Addresses,
    /// Website columns.
    Web,
    /// User-defined columns.
    User,
    /// Note and categories.
    Note,
}

impl Group {
    /// Every group in the default order.
    pub const ALL: [Group; 8] = [
        Group::Name,
        Group::Company,
        Group::Phones,
        Group::Emails,
        Group::Addresses,
        Group::Web,
        Group::User,
        Group::Note,
    ];

    /// The stable name used in the text and JSON forms: `name`, `company`, `phones`,
    /// `emails`, `addresses`, `web`, `user`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Name => "name",
            Group::Company => "company",
            Group::Phones => "phones",
            Group::Emails => "emails",
            Group::Addresses => "addresses",
            Group::Web => "web",
            Group::User => "user",
            Group::Note => "note",
        }
    }

    /// The group's heading in `language`.
    pub fn label(self, language: Language) -> &'static str {
        let (en, de) = match self {
            Group::Name => ("Name", "Name"),
            Group::Company => ("Company", "Firma"),
            Group::Phones => ("Phone numbers", "Telefonnummern"),
            Group::Emails => ("E-mail", "E-Mail"),
            Group::Addresses => ("Addresses", "Adressen"),
            Group::Web => ("Web", "Internet"),
            Group::User => ("User-defined", "Benutzerdefiniert"),
            Group::Note => ("Note", "Notiz"),
        };
        match language {
            Language::English => en,
            Language::German => de,
        }
    }

    /// The group a column belongs to by default.
    pub fn of(kind: &ColumnKind) -> Group {
        match kind {
            ColumnKind::Field(Field::Company | Field::Department | Field::JobTitle) => {
                Group::Company
            }
            ColumnKind::Field(Field::Note | Field::Categories) => Group::Note,
            ColumnKind::Field(_) => Group::Name,
            ColumnKind::Phone(..) => Group::Phones,
            ColumnKind::Email(..) => Group::Emails,
            ColumnKind::Website(..) => Group::Web,
            ColumnKind::Address(..) => Group::Addresses,
            ColumnKind::User(..) => Group::User,
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Group {
    type Err = Error;
    fn from_str(s: &str) -> Result<Group> {
        Group::ALL
            .into_iter()
            .find(|g| g.as_str() == s.trim())
            .ok_or_else(|| Error::Config(format!("unknown form group '{s}'")))
    }
}

/// One column on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The column's name (`phone1`, `address2_city`).
    pub column: String,
    /// Whether the form shows it.
    pub visible: bool,
}

/// One group of the form with its columns in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSection {
    /// The group.
    pub group: Group,
    /// Its columns, in the order the form shows them.
    pub fields: Vec<FormField>,
}

/// A folder's data mask. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormLayout {
    /// The sections in order.
    pub sections: Vec<FormSection>,
    /// The columns whose values, joined by " — ", make the pop-up's title.
    pub title: Vec<String>,
}

/// The title columns of a default layout: "company — name".
const DEFAULT_TITLE: [Field; 2] = [Field::Company, Field::DisplayName];

/// Most items a stored layout may have: far more than the widest schema's columns.
const MAX_ITEMS: usize = 4096;

/// Where a column sits in its group by default: names in reading order, address
/// parts as a form asks for them (street, postcode, city, ...).
fn default_rank(kind: &ColumnKind) -> (usize, usize) {
    match kind {
        ColumnKind::Field(f) => {
            let order = [
                Field::DisplayName,
                Field::Prefix,
                Field::FirstName,
                Field::MiddleName,
                Field::LastName,
                Field::Suffix,
                Field::Nickname,
                Field::Birthday,
                Field::Company,
                Field::Department,
                Field::JobTitle,
                Field::Note,
                Field::Categories,
            ];
            (0, order.iter().position(|x| x == f).unwrap_or(order.len()))
        }
        ColumnKind::Address(i, _, part) => {
            let order = [
                AddressPart::Street,
                AddressPart::Extended,
                AddressPart::PoBox,
                AddressPart::Postcode,
                AddressPart::City,
                AddressPart::Region,
                AddressPart::Country,
            ];
            (
                *i,
                order.iter().position(|x| x == part).unwrap_or(order.len()),
            )
        }
        ColumnKind::Phone(i, _)
        | ColumnKind::Email(i, _)
        | ColumnKind::Website(i, _)
        | ColumnKind::User(i, _) => (*i, 0),
    }
}

/// The schema's columns in default form order, each with its group.
fn default_columns(schema: &Schema) -> Vec<(Group, String)> {
    let mut cols: Vec<(Group, (usize, usize), String)> = schema
        .columns()
        .into_iter()
        .map(|c| (Group::of(&c.kind), default_rank(&c.kind), c.name))
        .collect();
    cols.sort_by_key(|(g, rank, _)| (*g, *rank));
    cols.into_iter().map(|(g, _, name)| (g, name)).collect()
}

impl FormLayout {
    /// The default layout of `schema`: every group in [`Group::ALL`] order, every
    /// column visible, the title "company — display name".
    pub fn default_for(schema: &Schema) -> FormLayout {
        let mut sections: Vec<FormSection> = Group::ALL
            .iter()
            .map(|g| FormSection {
                group: *g,
                fields: Vec::new(),
            })
            .collect();
        for (group, column) in default_columns(schema) {
            if let Some(s) = sections.iter_mut().find(|s| s.group == group) {
                s.fields.push(FormField {
                    column,
                    visible: true,
                });
            }
        }
        FormLayout {
            sections,
            title: DEFAULT_TITLE
                .iter()
                .map(|f| f.column_name().to_owned())
                .collect(),
        }
    }

    /// The section of `group`, if the layout has it.
    pub fn section(&self, group: Group) -> Option<&FormSection> {
        self.sections.iter().find(|s| s.group == group)
    }

    /// The section of `group` to change, if the layout has it.
    pub fn section_mut(&mut self, group: Group) -> Option<&mut FormSection> {
        self.sections.iter_mut().find(|s| s.group == group)
    }

    /// Every field in form order.
    pub fn fields(&self) -> impl Iterator<Item = &FormField> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    /// The names of the visible columns in form order.
    pub fn visible_columns(&self) -> impl Iterator<Item = &str> {
        self.fields()
            .filter(|f| f.visible)
            .map(|f| f.column.as_str())
    }

    /// Checks the layout against `schema`: every column named (in a section or the
    /// title) exists, none is on the form twice or in the title twice, no group has
    /// two sections, and the title names at least one column. Columns of the schema
    /// that the layout leaves out are allowed ([`FormLayout::fitted`] adds them).
    ///
    /// # Errors
    /// [`Error::Config`] naming the first problem.
    pub fn check(&self, schema: &Schema) -> Result<()> {
        let known: HashSet<String> = schema.columns().into_iter().map(|c| c.name).collect();
        let mut groups = HashSet::new();
        for s in &self.sections {
            if !groups.insert(s.group) {
                return Err(Error::Config(format!(
                    "form group '{}' appears twice",
                    s.group
                )));
            }
        }
        let mut seen = HashSet::new();
        for f in self.fields() {
            if !known.contains(&f.column) {
                return Err(Error::Config(format!(
                    "the form names column '{}', which the folder does not have",
                    f.column
                )));
            }
            if !seen.insert(f.column.as_str()) {
                return Err(Error::Config(format!(
                    "column '{}' is on the form twice",
                    f.column
                )));
            }
        }
        if self.title.is_empty() {
            return Err(Error::Config(
                "the form's title needs at least one column".into(),
            ));
        }
        let mut in_title = HashSet::new();
        for t in &self.title {
            if !known.contains(t) {
                return Err(Error::Config(format!(
                    "the form's title names column '{t}', which the folder does not have"
                )));
            }
            if !in_title.insert(t.as_str()) {
                return Err(Error::Config(format!(
                    "column '{t}' is in the form's title twice"
                )));
            }
        }
        Ok(())
    }

    /// This layout made to fit `schema`: columns and title columns the schema does
    /// not have are dropped (as are repeats), missing groups are added at the end,
    /// and columns the layout does not place go, visible, to the end of their
    /// group. An empty title becomes the default one.
    pub fn fitted(&self, schema: &Schema) -> FormLayout {
        let columns = default_columns(schema);
        let known: HashSet<String> = columns.iter().map(|(_, c)| c.clone()).collect();
        let mut placed: HashSet<String> = HashSet::new();
        let mut groups: HashSet<Group> = HashSet::new();
        let mut sections = Vec::new();
        for s in &self.sections {
            if !groups.insert(s.group) {
                continue;
            }
            let fields = s
                .fields
                .iter()
                .filter(|f| known.contains(&f.column) && placed.insert(f.column.clone()))
                .cloned()
                .collect();
            sections.push(FormSection {
                group: s.group,
                fields,
            });
        }
        for g in Group::ALL {
            if groups.insert(g) {
                sections.push(FormSection {
                    group: g,
                    fields: Vec::new(),
                });
            }
        }
        for (group, column) in columns {
            if placed.contains(&column) {
                continue;
            }
            if let Some(s) = sections.iter_mut().find(|s| s.group == group) {
                s.fields.push(FormField {
                    column,
                    visible: true,
                });
            }
        }
        let mut title: Vec<String> = Vec::new();
        for t in &self.title {
            if known.contains(t) && !title.contains(t) {
                title.push(t.clone());
            }
        }
        if title.is_empty() {
            title = FormLayout::default_for(&Schema::default()).title;
        }
        FormLayout { sections, title }
    }

    /// The pop-up's title for `row`: the title columns' values that are not empty,
    /// joined by " — ".
    pub fn title_of(&self, row: &Row) -> String {
        self.title
            .iter()
            .filter_map(|c| row.get(c))
            .collect::<Vec<_>>()
            .join(" — ")
    }

    /// The layout as one line of text. See the [module docs](self).
    pub fn to_spec(&self) -> String {
        let mut parts = vec![format!("title={}", self.title.join(","))];
        for s in &self.sections {
            let fields: Vec<String> = s
                .fields
                .iter()
                .map(|f| {
                    if f.visible {
                        f.column.clone()
                    } else {
                        format!("-{}", f.column)
                    }
                })
                .collect();
            parts.push(format!("{}={}", s.group, fields.join(",")));
        }
        parts.join(";")
    }

    /// Reads [`FormLayout::to_spec`]'s form. Column names are not checked here (see
    /// [`FormLayout::check`]).
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown group, a part without `=`, a column name
    /// with characters no column has, or more than a few thousand items.
    pub fn from_spec(spec: &str) -> Result<FormLayout> {
        let mut layout = FormLayout {
            sections: Vec::new(),
            title: Vec::new(),
        };
        let mut items = 0usize;
        for part in spec.split(';').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| Error::Config(format!("bad form part '{part}'")))?;
            let list: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            items += list.len() + 1;
            if items > MAX_ITEMS {
                return Err(Error::Config(format!(
                    "the form has more than {MAX_ITEMS} items"
                )));
            }
            if key.trim() == "title" {
                for c in list {
                    layout.title.push(column_name(c)?.to_owned());
                }
                continue;
            }
            let group: Group = key.parse()?;
            let fields = list
                .into_iter()
                .map(|c| {
                    let (visible, name) = match c.strip_prefix('-') {
                        Some(rest) => (false, rest),
                        None => (true, c),
                    };
                    Ok(FormField {
                        column: column_name(name)?.to_owned(),
                        visible,
                    })
                })
                .collect::<Result<_>>()?;
            layout.sections.push(FormSection { group, fields });
        }
        Ok(layout)
    }
}

/// `name` when it could be a column name: ASCII letters, digits and `_`.
fn column_name(name: &str) -> Result<&str> {
    if !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(name)
    } else {
        Err(Error::Config(format!(
            "bad column name '{name}' in the form"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::PhoneKind;

    #[test]
    fn default_layout_has_every_column_once_in_its_group() {
        let schema = Schema::default();
        let form = FormLayout::default_for(&schema);
        assert_eq!(
            form.sections.iter().map(|s| s.group).collect::<Vec<_>>(),
            Group::ALL
        );
        assert_eq!(form.fields().count(), schema.columns().len());
        form.check(&schema).unwrap();
        let names = |g| -> Vec<&str> {
            form.section(g)
                .unwrap()
                .fields
                .iter()
                .map(|f| f.column.as_str())
                .collect()
        };
        assert_eq!(
            names(Group::Company),
            ["company", "department", "job_title"]
        );
        assert_eq!(names(Group::Note), ["note", "categories"]);
        assert_eq!(
            &names(Group::Addresses)[..4],
            [
                "address1_street",
                "address1_extended",
                "address1_po_box",
                "address1_postcode"
            ]
        );
        assert_eq!(names(Group::Phones).len(), 6);
        assert_eq!(form.title, ["company", "display_name"]);
    }

    #[test]
    fn spec_round_trips_and_rejects_garbage() {
        let schema = Schema::default();
        let mut form = FormLayout::default_for(&schema);
        form.sections.swap(0, 2);
        form.section_mut(Group::Name).unwrap().fields[3].visible = false;
        form.title = vec!["last_name".into()];
        let spec = form.to_spec();
        assert!(spec.starts_with("title=last_name;phones=phone1,"), "{spec}");
        assert_eq!(FormLayout::from_spec(&spec).unwrap(), form);
        for bad in [
            "warp=phone1",
            "phones",
            "phones=phone 1",
            "title=a;b=c",
            "phones=ph;one",
        ] {
            assert!(
                matches!(FormLayout::from_spec(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
        let huge = format!("phones={}", "phone1,".repeat(10_000));
        assert!(matches!(
            FormLayout::from_spec(&huge),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn check_names_the_problem() {
        let schema = Schema::default();
        let base = FormLayout::default_for(&schema);
        let mut unknown = base.clone();
        unknown.sections[2].fields.push(FormField {
            column: "phone9".into(),
            visible: true,
        });
        let mut twice = base.clone();
        let first = twice.sections[0].fields[0].clone();
        twice.sections[7].fields.push(first);
        let mut group_twice = base.clone();
        group_twice.sections.push(FormSection {
            group: Group::Web,
            fields: Vec::new(),
        });
        let mut no_title = base.clone();
        no_title.title.clear();
        let mut bad_title = base.clone();
        bad_title.title.push("fax".into());
        for (form, words) in [
            (unknown, "'phone9'"),
            (twice, "'display_name' is on the form twice"),
            (group_twice, "'web' appears twice"),
            (no_title, "at least one column"),
            (bad_title, "'fax'"),
        ] {
            match form.check(&schema) {
                Err(Error::Config(m)) => assert!(m.contains(words), "{m}"),
                other => panic!("{words}: {other:?}"),
            }
        }
        // Leaving columns out is fine: fitted() adds them.
        let mut partial = base.clone();
        partial.sections.truncate(3);
        partial.check(&schema).unwrap();
        assert_eq!(partial.fitted(&schema), base);
    }

    #[test]
    fn fitted_follows_schema_changes() {
        let schema = Schema::default();
        let mut form = FormLayout::default_for(&schema);
        let phones = form.section_mut(Group::Phones).unwrap();
        phones.fields.reverse();
        phones.fields[0].visible = false; // phone6
        form.title = vec!["phone6".into(), "display_name".into()];

        let mut fewer = schema.clone();
        fewer.set_phone_count(4).unwrap();
        let small = form.fitted(&fewer);
        let cols: Vec<&str> = small
            .section(Group::Phones)
            .unwrap()
            .fields
            .iter()
            .map(|f| f.column.as_str())
            .collect();
        assert_eq!(cols, ["phone4", "phone3", "phone2", "phone1"]);
        assert_eq!(small.title, ["display_name"]);
        small.check(&fewer).unwrap();

        let mut more = schema.clone();
        more.phones.push(PhoneKind::Pager);
        more.set_user_count(3).unwrap();
        let big = form.fitted(&more);
        let phones = &big.section(Group::Phones).unwrap().fields;
        assert_eq!(
            phones.first().map(|f| (f.column.as_str(), f.visible)),
            Some(("phone6", false))
        );
        assert_eq!(
            phones.last().map(|f| (f.column.as_str(), f.visible)),
            Some(("phone7", true))
        );
        assert_eq!(
            big.section(Group::User)
                .unwrap()
                .fields
                .last()
                .unwrap()
                .column,
            "user3"
        );
        big.check(&more).unwrap();
    }

    #[test]
    fn title_skips_empty_values() {
        let form = FormLayout::default_for(&Schema::default());
        assert_eq!(
            form.title_of(&Row::new().with("display_name", "Jane")),
            "Jane"
        );
        assert_eq!(form.title_of(&Row::new()), "");
    }
}
