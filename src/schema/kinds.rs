//! What a column holds: the kinds of phone, email, website, address and user-defined
//! columns ([`PhoneKind`], [`ContactKind`], [`UserField`], [`AddressPart`]), the
//! [`Field`] a column shows and its [`Column`] description, with their text forms.

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
