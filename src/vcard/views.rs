//! Typed, read-only views of the properties a phone book needs. Each view carries the
//! [`PropId`] of its line, so that edits go back to exactly that line.

use super::{PropId, Property, VCard};

/// A TEL property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tel {
    /// The line.
    pub id: PropId,
    /// The number as written, without a `tel:` scheme and without `;ext=`.
    pub number: String,
    /// Extension from a `tel:` URI (`;ext=89`), if any.
    pub ext: Option<String>,
    /// Upper-cased types (`WORK`, `CELL`, `FAX`, ...), `PREF` removed.
    pub types: Vec<String>,
    /// Preference, 1 = most preferred.
    pub pref: Option<u8>,
    /// Apple `X-ABLabel` of the line's group, decoded (`_$!<Mobile>!$_` → `Mobile`).
    pub label: Option<String>,
}

/// An EMAIL property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The line.
    pub id: PropId,
    /// The address.
    pub address: String,
    /// Upper-cased types, `PREF` and `INTERNET` removed.
    pub types: Vec<String>,
    /// Preference, 1 = most preferred.
    pub pref: Option<u8>,
    /// Apple `X-ABLabel` of the line's group.
    pub label: Option<String>,
}

impl Address {
    /// The seven ADR components in the order the property writes them: post office
    /// box, extended address, street, locality, region, postal code, country.
    pub fn components(&self) -> [&str; 7] {
        [
            &self.po_box,
            &self.extended,
            &self.street,
            &self.locality,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
    }
}

/// A URL property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// The line.
    pub id: PropId,
    /// The URL.
    pub url: String,
    /// Upper-cased types, `PREF` removed.
    pub types: Vec<String>,
    /// Apple `X-ABLabel` of the line's group.
    pub label: Option<String>,
}

/// An ADR property, split into its parts (RFC 6350 §6.3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// The line.
    pub id: Option<PropId>,
    /// Post office box.
    pub po_box: String,
    /// Extended address (apartment, suite).
    pub extended: String,
    /// Street address.
    pub street: String,
    /// Locality (city).
    pub locality: String,
    /// Region (state, province).
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country: String,
    /// Upper-cased types, `PREF` removed.
    pub types: Vec<String>,
    /// Apple `X-ABLabel` of the line's group.
    pub label: Option<String>,
}

/// The N property, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Name {
    /// The line.
    pub id: Option<PropId>,
    /// Family name.
    pub family: String,
    /// Given name.
    pub given: String,
    /// Additional (middle) names.
    pub additional: String,
    /// Honorific prefixes.
    pub prefix: String,
    /// Honorific suffixes.
    pub suffix: String,
}

/// The ORG property, split into organisation and units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Organization {
    /// The line.
    pub id: Option<PropId>,
    /// Organisation (company) name.
    pub name: String,
    /// Organisational units (department first).
    pub units: Vec<String>,
}

fn clean_types(p: &Property, drop: &[&str]) -> Vec<String> {
    p.types()
        .into_iter()
        .filter(|t| t != "PREF" && !drop.contains(&t.as_str()))
        .collect()
}

/// Unwraps Apple's `_$!<Label>!$_` form of a standard label (`_$!<Mobile>!$_` is
/// `Mobile`); a custom label is returned as it is.
pub(crate) fn decode_ablabel(raw: &str) -> &str {
    raw.strip_prefix("_$!<")
        .and_then(|s| s.strip_suffix(">!$_"))
        .unwrap_or(raw)
}

impl VCard {
    /// The Apple `X-ABLabel` of `group`, decoded.
    pub fn label_of(&self, group: Option<&str>) -> Option<String> {
        let group = group?;
        self.find("X-ABLABEL")
            .find(|(_, p)| {
                p.group
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(group))
            })
            .map(|(_, p)| decode_ablabel(&p.text(self.version)).to_owned())
    }

    /// FN, unescaped.
    pub fn formatted_name(&self) -> Option<String> {
        self.text_value("FN")
    }

    /// N, split.
    pub fn name(&self) -> Option<Name> {
        let (id, p) = self.first("N")?;
        let mut c = p.components(self.version).into_iter();
        let mut next = || c.next().unwrap_or_default();
        Some(Name {
            id: Some(id),
            family: next(),
            given: next(),
            additional: next(),
            prefix: next(),
            suffix: next(),
        })
    }

    /// NICKNAME values.
    pub fn nicknames(&self) -> Vec<String> {
        self.find("NICKNAME")
            .flat_map(|(_, p)| p.list(self.version))
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// ORG, split.
    pub fn organization(&self) -> Option<Organization> {
        let (id, p) = self.first("ORG")?;
        let mut c = p.components(self.version).into_iter();
        let name = c.next().unwrap_or_default();
        let mut units: Vec<String> = c.collect();
        // iOS writes `ORG:Company;`: a trailing separator is not an empty unit.
        while units.last().is_some_and(String::is_empty) {
            units.pop();
        }
        Some(Organization {
            id: Some(id),
            name,
            units,
        })
    }

    /// TITLE, unescaped.
    pub fn title(&self) -> Option<String> {
        self.text_value("TITLE")
    }

    /// NOTE, unescaped.
    pub fn note(&self) -> Option<String> {
        self.text_value("NOTE")
    }

    /// BDAY as written.
    pub fn birthday(&self) -> Option<String> {
        self.text_value("BDAY")
    }

    /// UID (a 4.0 `urn:uuid:` prefix is kept).
    pub fn uid(&self) -> Option<String> {
        self.text_value("UID")
    }

    /// REV as written.
    pub fn rev(&self) -> Option<String> {
        self.text_value("REV")
    }

    /// KIND (4.0) or `X-ADDRESSBOOKSERVER-KIND` (Apple 3.0), lower-cased.
    pub fn kind(&self) -> Option<String> {
        self.text_value("KIND")
            .or_else(|| self.text_value("X-ADDRESSBOOKSERVER-KIND"))
            .map(|k| k.to_ascii_lowercase())
    }

    /// CATEGORIES values.
    pub fn categories(&self) -> Vec<String> {
        self.find("CATEGORIES")
            .flat_map(|(_, p)| p.list(self.version))
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// TEL properties in card order.
    pub fn tels(&self) -> Vec<Tel> {
        self.find("TEL")
            .map(|(id, p)| {
                let text = p.text(self.version);
                let (number, ext) = split_tel_uri(&text);
                Tel {
                    id,
                    number,
                    ext,
                    types: clean_types(p, &[]),
                    pref: p.pref(),
                    label: self.label_of(p.group.as_deref()),
                }
            })
            .collect()
    }

    /// EMAIL properties in card order.
    pub fn emails(&self) -> Vec<Email> {
        self.find("EMAIL")
            .map(|(id, p)| Email {
                id,
                address: p.text(self.version).trim().to_owned(),
                types: clean_types(p, &["INTERNET", "X400"]),
                pref: p.pref(),
                label: self.label_of(p.group.as_deref()),
            })
            .collect()
    }

    /// URL properties in card order.
    pub fn urls(&self) -> Vec<Url> {
        self.find("URL")
            .map(|(id, p)| Url {
                id,
                url: p.text(self.version).trim().to_owned(),
                types: clean_types(p, &[]),
                label: self.label_of(p.group.as_deref()),
            })
            .collect()
    }

    /// ADR properties in card order.
    pub fn addresses(&self) -> Vec<Address> {
        self.find("ADR")
            .map(|(id, p)| {
                let mut c = p.components(self.version).into_iter();
                let mut next = || c.next().unwrap_or_default();
                Address {
                    id: Some(id),
                    po_box: next(),
                    extended: next(),
                    street: next(),
                    locality: next(),
                    region: next(),
                    postal_code: next(),
                    country: next(),
                    types: clean_types(p, &[]),
                    label: self.label_of(p.group.as_deref()),
                }
            })
            .collect()
    }

    /// The value of the first property `name` (any property, e.g. an `X-` one),
    /// unescaped.
    pub fn text_value(&self, name: &str) -> Option<String> {
        self.first(name).map(|(_, p)| p.text(self.version))
    }
}

/// Splits `tel:+49-30-1234567;ext=89` into number and extension; other values are
/// returned as they are.
fn split_tel_uri(text: &str) -> (String, Option<String>) {
    let t = text.trim();
    let Some(rest) = t
        .get(..4)
        .filter(|s| s.eq_ignore_ascii_case("tel:"))
        .map(|_| &t[4..])
    else {
        return (t.to_owned(), None);
    };
    let mut parts = rest.split(';');
    let number = parts.next().unwrap_or_default().to_owned();
    let ext = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("ext"))
        .map(|(_, v)| v.to_owned());
    (number, ext)
}
