//! What a form needs to know about each column: its human label in English and
//! German, the kind of input it takes and the vCard property it writes.
//!
//! ```
//! use cti_phonebook::Schema;
//! use cti_phonebook::labels::{InputType, Language};
//!
//! let info = Schema::default().column_infos();
//! let phone1 = info.iter().find(|c| c.name == "phone1").unwrap();
//! assert_eq!(phone1.label(Language::English), "Business phone");
//! assert_eq!(phone1.label(Language::German), "Telefon geschäftlich");
//! assert_eq!(phone1.input, InputType::Phone);
//! assert_eq!(phone1.property, "TEL");
//! assert_eq!(phone1.types, ["WORK", "VOICE"]);
//! let street = info.iter().find(|c| c.name == "address2_street").unwrap();
//! assert_eq!(street.label(Language::English), "Street (home)");
//! ```
//!
//! Labels are unique within a schema: a kind that has several columns numbers the
//! second and later ones ("Other phone 2"), and a label that would still repeat gets
//! its column's name added.

use std::collections::HashMap;
use std::fmt;

use crate::schema::{
    AddressPart, Column, ColumnKind, ContactKind, Field, PhoneKind, Schema, UserField,
};

/// A language of the labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Language {
    /// English.
    English,
    /// German.
    German,
}

/// The kind of input a column takes, for choosing an editor widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputType {
    /// One line of text.
    Text,
    /// Text that may have line breaks (note, street).
    MultiLineText,
    /// A telephone number (dialable).
    Phone,
    /// An e-mail address.
    Email,
    /// A web address.
    Url,
    /// A date (birthday), as written in the card.
    Date,
}

impl InputType {
    /// A stable lower-case name: `text`, `multiline`, `phone`, `email`, `url`, `date`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputType::Text => "text",
            InputType::MultiLineText => "multiline",
            InputType::Phone => "phone",
            InputType::Email => "email",
            InputType::Url => "url",
            InputType::Date => "date",
        }
    }
}

impl fmt::Display for InputType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column as a form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnInfo {
    /// The column's stable name (`phone1`, `address2_city`).
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
    /// The English label ("Business phone").
    pub label_en: String,
    /// The German label ("Telefon geschäftlich").
    pub label_de: String,
    /// The kind of input it takes.
    pub input: InputType,
    /// The vCard property a value typed into it is written to (`TEL`, `ADR`, `N`,
    /// `X-CTI-USER1`; `X-CTI-FIELD` for a labelled user field).
    pub property: String,
    /// The `TYPE` values a new property of this column gets (`WORK`, `VOICE`), as
    /// vCard 3.0 writes them (4.0 writes them in lower case, without `INTERNET`).
    pub types: Vec<String>,
    /// The component of a structured property it holds (`family name` of `N`,
    /// `street` of `ADR`), if any.
    pub component: Option<&'static str>,
}

impl ColumnInfo {
    /// The label in `language`.
    pub fn label(&self, language: Language) -> &str {
        match language {
            Language::English => &self.label_en,
            Language::German => &self.label_de,
        }
    }
}

/// English and German label of a single-valued field.
fn field_label(f: Field) -> (&'static str, &'static str) {
    match f {
        Field::DisplayName => ("Display name", "Anzeigename"),
        Field::FirstName => ("First name", "Vorname"),
        Field::LastName => ("Last name", "Nachname"),
        Field::MiddleName => ("Middle name", "Weitere Vornamen"),
        Field::Prefix => ("Title", "Titel"),
        Field::Suffix => ("Suffix", "Namenszusatz"),
        Field::Nickname => ("Nickname", "Spitzname"),
        Field::Company => ("Company", "Firma"),
        Field::Department => ("Department", "Abteilung"),
        Field::JobTitle => ("Job title", "Position"),
        Field::Birthday => ("Birthday", "Geburtstag"),
        Field::Note => ("Note", "Notiz"),
        Field::Categories => ("Categories", "Kategorien"),
    }
}

/// Property, component and input type of a single-valued field.
fn field_target(f: Field) -> (&'static str, Option<&'static str>, InputType) {
    match f {
        Field::DisplayName => ("FN", None, InputType::Text),
        Field::FirstName => ("N", Some("given name"), InputType::Text),
        Field::LastName => ("N", Some("family name"), InputType::Text),
        Field::MiddleName => ("N", Some("additional names"), InputType::Text),
        Field::Prefix => ("N", Some("honorific prefix"), InputType::Text),
        Field::Suffix => ("N", Some("honorific suffix"), InputType::Text),
        Field::Nickname => ("NICKNAME", None, InputType::Text),
        Field::Company => ("ORG", Some("organization name"), InputType::Text),
        Field::Department => ("ORG", Some("unit"), InputType::Text),
        Field::JobTitle => ("TITLE", None, InputType::Text),
        Field::Birthday => ("BDAY", None, InputType::Date),
        Field::Note => ("NOTE", None, InputType::MultiLineText),
        Field::Categories => ("CATEGORIES", None, InputType::Text),
    }
}

/// English and German label of a phone column's kind.
fn phone_label(k: PhoneKind) -> (&'static str, &'static str) {
    match k {
        PhoneKind::Business => ("Business phone", "Telefon geschäftlich"),
        PhoneKind::Business2 => ("Business phone 2", "Telefon geschäftlich 2"),
        PhoneKind::Mobile => ("Mobile", "Mobil"),
        PhoneKind::Home => ("Home phone", "Telefon privat"),
        PhoneKind::Home2 => ("Home phone 2", "Telefon privat 2"),
        PhoneKind::BusinessFax => ("Business fax", "Fax geschäftlich"),
        PhoneKind::HomeFax => ("Home fax", "Fax privat"),
        PhoneKind::Pager => ("Pager", "Pager"),
        PhoneKind::Car => ("Car phone", "Autotelefon"),
        PhoneKind::Assistant => ("Assistant", "Assistenz"),
        PhoneKind::CompanyMain => ("Company main phone", "Telefon Zentrale"),
        PhoneKind::Isdn => ("ISDN", "ISDN"),
        PhoneKind::Sip => ("Internet phone (SIP)", "Internettelefon (SIP)"),
        PhoneKind::Other => ("Other phone", "Weiteres Telefon"),
    }
}

/// "(business)", "geschäftlich", ... for a contact kind.
fn contact_suffix(k: ContactKind) -> (&'static str, &'static str) {
    match k {
        ContactKind::Work => ("business", "geschäftlich"),
        ContactKind::Home => ("home", "privat"),
        ContactKind::Other => ("other", "weitere"),
    }
}

fn part_label(p: AddressPart) -> (&'static str, &'static str, &'static str) {
    match p {
        AddressPart::PoBox => ("PO box", "Postfach", "post office box"),
        AddressPart::Extended => ("Address line 2", "Adresszusatz", "extended address"),
        AddressPart::Street => ("Street", "Straße", "street address"),
        AddressPart::City => ("City", "Ort", "locality"),
        AddressPart::Region => ("Region", "Bundesland", "region"),
        AddressPart::Postcode => ("Postcode", "PLZ", "postal code"),
        AddressPart::Country => ("Country", "Land", "country name"),
    }
}

fn owned(types: &[&str]) -> Vec<String> {
    types.iter().map(|t| (*t).to_owned()).collect()
}

/// The `TYPE` values of a new EMAIL (`email`), URL or ADR of kind `k`, as vCard 3.0
/// writes them.
fn contact_types(k: ContactKind, email: bool) -> Vec<String> {
    let internet = email.then_some("INTERNET");
    internet
        .into_iter()
        .chain(k.type_value())
        .map(str::to_owned)
        .collect()
}

/// The information of one column, before labels are made unique.
fn info(column: &Column) -> ColumnInfo {
    let make = |en: String, de: String, input, property: &str, types, component| ColumnInfo {
        name: column.name.clone(),
        kind: column.kind.clone(),
        label_en: en,
        label_de: de,
        input,
        property: property.to_owned(),
        types,
        component,
    };
    match &column.kind {
        ColumnKind::Field(f) => {
            let (en, de) = field_label(*f);
            let (property, component, input) = field_target(*f);
            make(en.into(), de.into(), input, property, Vec::new(), component)
        }
        ColumnKind::Phone(_, k) => {
            let (en, de) = phone_label(*k);
            let types = owned(k.tel_types());
            make(en.into(), de.into(), InputType::Phone, "TEL", types, None)
        }
        ColumnKind::Email(_, k) => {
            let (s_en, s_de) = contact_suffix(*k);
            make(
                format!("E-mail ({s_en})"),
                format!("E-Mail {s_de}"),
                InputType::Email,
                "EMAIL",
                contact_types(*k, true),
                None,
            )
        }
        ColumnKind::Website(_, k) => {
            let (s_en, s_de) = contact_suffix(*k);
            make(
                format!("Website ({s_en})"),
                format!("Webseite {s_de}"),
                InputType::Url,
                "URL",
                contact_types(*k, false),
                None,
            )
        }
        ColumnKind::Address(_, k, part) => {
            let (s_en, s_de) = contact_suffix(*k);
            let (p_en, p_de, component) = part_label(*part);
            let input = if *part == AddressPart::Street {
                InputType::MultiLineText
            } else {
                InputType::Text
            };
            make(
                format!("{p_en} ({s_en})"),
                format!("{p_de} {s_de}"),
                input,
                "ADR",
                contact_types(*k, false),
                Some(component),
            )
        }
        ColumnKind::User(i, UserField::Property(name)) => make(
            format!("User field {}", i + 1),
            format!("Benutzerfeld {}", i + 1),
            InputType::Text,
            name,
            Vec::new(),
            None,
        ),
        ColumnKind::User(_, UserField::Labeled(label)) => make(
            label.clone(),
            label.clone(),
            InputType::Text,
            "X-CTI-FIELD",
            Vec::new(),
            None,
        ),
    }
}

/// Numbers the second and later columns of one label ("Other phone 2"), then adds
/// the column name to any label that still repeats.
fn make_unique(infos: &mut [ColumnInfo]) {
    for pick in [
        (|c: &mut ColumnInfo| &mut c.label_en) as fn(&mut ColumnInfo) -> &mut String,
        |c: &mut ColumnInfo| &mut c.label_de,
    ] {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for c in infos.iter_mut() {
            let label = pick(c);
            let n = seen.entry(label.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                *label = format!("{label} {n}");
            }
        }
        let mut count: HashMap<String, usize> = HashMap::new();
        for c in infos.iter_mut() {
            *count.entry(pick(c).clone()).or_insert(0) += 1;
        }
        for c in infos.iter_mut() {
            let name = c.name.clone();
            let label = pick(c);
            if count[label.as_str()] > 1 {
                *label = format!("{label} [{name}]");
            }
        }
    }
}

impl Schema {
    /// Every column in display order with its labels, input type and the vCard
    /// property it writes. Labels are unique within the schema.
    pub fn column_infos(&self) -> Vec<ColumnInfo> {
        let mut infos: Vec<ColumnInfo> = self.columns().iter().map(info).collect();
        make_unique(&mut infos);
        infos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_column_has_two_distinct_unique_labels() {
        let infos = Schema::default().column_infos();
        assert_eq!(infos.len(), Schema::default().columns().len());
        for lang in [Language::English, Language::German] {
            let mut labels: Vec<&str> = infos.iter().map(|c| c.label(lang)).collect();
            labels.sort_unstable();
            let n = labels.len();
            labels.dedup();
            assert_eq!(labels.len(), n, "{lang:?}: {labels:?}");
        }
        let by_name = |n: &str| infos.iter().find(|c| c.name == n).unwrap().clone();
        let mobile = by_name("phone3");
        assert_eq!(
            (mobile.label_en.as_str(), mobile.label_de.as_str()),
            ("Mobile", "Mobil")
        );
        let note = by_name("note");
        assert_eq!(
            (note.input, note.property.as_str()),
            (InputType::MultiLineText, "NOTE")
        );
        assert_eq!(by_name("birthday").input, InputType::Date);
        assert_eq!(by_name("email2").label_de, "E-Mail privat");
        assert_eq!(by_name("email1").types, ["INTERNET", "WORK"]);
        assert_eq!(by_name("website1").input, InputType::Url);
        let city = by_name("address1_city");
        assert_eq!(
            (
                city.label_en.as_str(),
                city.label_de.as_str(),
                city.component
            ),
            ("City (business)", "Ort geschäftlich", Some("locality"))
        );
        assert_eq!(by_name("last_name").component, Some("family name"));
        assert_eq!(by_name("user1").property, "X-CTI-USER1");
    }

    #[test]
    fn repeated_kinds_are_numbered() {
        let schema = Schema {
            phones: vec![
                PhoneKind::Other,
                PhoneKind::Other,
                PhoneKind::Business2,
                PhoneKind::Business,
                PhoneKind::Business,
            ],
            user_fields: vec![UserField::Labeled("Mobile".into())],
            ..Schema::default()
        };
        let infos = schema.column_infos();
        let labels: Vec<&str> = infos
            .iter()
            .filter(|c| c.name.starts_with("phone") || c.name.starts_with("user"))
            .map(|c| c.label_en.as_str())
            .collect();
        assert_eq!(
            labels,
            [
                "Other phone",
                "Other phone 2",
                "Business phone 2 [phone3]",
                "Business phone",
                "Business phone 2 [phone5]",
                "Mobile",
            ]
        );
    }
}
