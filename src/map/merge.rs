//! Writing rows into cards: merging an edited row back into the card it came from,
//! changing only the properties whose cells changed, and making a new card for a
//! new row.

use crate::schema::{
    AddressPart, ContactKind, Field, PhoneKind, Row, Schema, UserField, address_column,
};
use crate::vcard::{self, Param, PropId, Property, VCard, Version};

impl Schema {
    /// row. See the [module docs](crate::map).
    pub fn merge(&self, card: &mut VCard, row: &Row) {
        let (old, placement) = self.map_card(card);
        let changed = |col: &str| old.get(col) != row.get(col);

        // Names.
        if changed(Field::DisplayName.column_name()) {
            set_single(card, "FN", row.get(Field::DisplayName.column_name()));
        }
        let n_cols = [
            Field::LastName,
            Field::FirstName,
            Field::MiddleName,
            Field::Prefix,
            Field::Suffix,
        ];
        if n_cols.iter().any(|f| changed(f.column_name())) {
            let mut parts: Vec<String> = n_cols
                .iter()
                .map(|f| row.get(f.column_name()).unwrap_or("").to_owned())
                .collect();
            match card
                .first("N")
                .map(|(id, p)| (id, p.components(card.version())))
            {
                Some((id, comps)) => {
                    parts.extend(comps.into_iter().skip(5));
                    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                    card.set_components(id, &refs);
                }
                None => {
                    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                    card.push_components("N", &refs);
                }
            }
        }
        if changed(Field::Nickname.column_name()) {
            set_list(card, "NICKNAME", row.get(Field::Nickname.column_name()));
        }
        if changed(Field::Categories.column_name()) {
            set_list(card, "CATEGORIES", row.get(Field::Categories.column_name()));
        }
        if changed(Field::Company.column_name()) || changed(Field::Department.column_name()) {
            let company = row
                .get(Field::Company.column_name())
                .unwrap_or("")
                .to_owned();
            let dept = row
                .get(Field::Department.column_name())
                .unwrap_or("")
                .to_owned();
            let existing = card
                .first("ORG")
                .map(|(id, p)| (id, p.components(card.version())));
            let mut parts = vec![company, dept];
            if let Some((_, comps)) = &existing {
                parts.extend(comps.iter().skip(2).cloned());
            }
            while parts.len() > 1 && parts.last().is_some_and(String::is_empty) {
                parts.pop();
            }
            let empty = parts.iter().all(String::is_empty);
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            match (existing, empty) {
                (Some((id, _)), true) => {
                    card.remove(id);
                }
                (Some((id, _)), false) => {
                    card.set_components(id, &refs);
                }
                (None, false) => {
                    card.push_components("ORG", &refs);
                }
                (None, true) => {}
            }
        }
        for (field, name) in [
            (Field::JobTitle, "TITLE"),
            (Field::Birthday, "BDAY"),
            (Field::Note, "NOTE"),
        ] {
            if changed(field.column_name()) {
                set_single(card, name, row.get(field.column_name()));
            }
        }

        // Multi-valued columns.
        for (i, kind) in self.phones.iter().enumerate() {
            let col = format!("phone{}", i + 1);
            if changed(&col) {
                let value = row.get(&col).unwrap_or("");
                match placement.phones[i] {
                    Some(id) if value.is_empty() => remove_with_label(card, id),
                    Some(id) => set_tel(card, id, value),
                    None => push_tel(card, *kind, value),
                }
            }
        }
        let simple = [
            ("email", "EMAIL", &self.emails, &placement.emails),
            ("website", "URL", &self.websites, &placement.websites),
        ];
        for (prefix, prop, kinds, ids) in simple {
            for (i, kind) in kinds.iter().enumerate() {
                let col = format!("{prefix}{}", i + 1);
                if changed(&col) {
                    let value = row.get(&col).unwrap_or("");
                    match ids[i] {
                        Some(id) if value.is_empty() => remove_with_label(card, id),
                        Some(id) => {
                            card.set_text(id, value);
                        }
                        None => {
                            let mut p = Property::new(
                                prop,
                                &vcard::text::escape_text(value, card.version()),
                            );
                            p.params = contact_params(card.version(), *kind, prop == "EMAIL");
                            card.push(p);
                        }
                    }
                }
            }
        }
        for (i, kind) in self.addresses.iter().enumerate() {
            let cols: Vec<String> = AddressPart::ALL
                .iter()
                .map(|p| address_column(i, *p))
                .collect();
            if !cols.iter().any(|c| changed(c)) {
                continue;
            }
            let parts: Vec<&str> = cols.iter().map(|c| row.get(c).unwrap_or("")).collect();
            let empty = parts.iter().all(|p| p.is_empty());
            match placement.addresses[i] {
                Some(id) if empty => remove_with_label(card, id),
                Some(id) => {
                    card.set_components(id, &parts);
                }
                None => {
                    let id = card.push_components("ADR", &parts);
                    if let Some(mut p) = card.property(id).cloned() {
                        p.params = contact_params(card.version(), *kind, false);
                        card.replace(id, p);
                    }
                }
            }
        }
        for (i, field) in self.user_fields.iter().enumerate() {
            let col = format!("user{}", i + 1);
            if !changed(&col) {
                continue;
            }
            let value = row.get(&col).unwrap_or("");
            match (placement.user[i], field) {
                (Some(id), _) if value.is_empty() => remove_with_label(card, id),
                (Some(id), _) => {
                    card.set_text(id, value);
                }
                (None, UserField::Property(name)) => {
                    card.push_text(name, value);
                }
                (None, UserField::Labeled(label)) => {
                    let group = free_group(card);
                    let mut p = Property::new(
                        "X-CTI-FIELD",
                        &vcard::text::escape_text(value, card.version()),
                    );
                    p.group = Some(group.clone());
                    card.push(p);
                    let mut l = Property::new(
                        "X-ABLabel",
                        &vcard::text::escape_text(label, card.version()),
                    );
                    l.group = Some(group);
                    card.push(l);
                }
            }
        }
    }

    /// A new card for `row`: a fresh UID, FN (from the display name, else the name
    /// parts, else the company, else the first number or email), N, and the row's values.
    pub fn new_card(&self, row: &Row, version: Version) -> VCard {
        let mut card = VCard::new(version);
        let uid = uuid::Uuid::new_v4();
        let uid = match version {
            Version::V4_0 => format!("urn:uuid:{uid}"),
            _ => uid.to_string(),
        };
        card.push_text("UID", &uid);
        let mut row = row.clone();
        if row.get(Field::DisplayName.column_name()).is_none() {
            row.set(Field::DisplayName.column_name(), derive_display_name(&row));
        }
        self.merge(&mut card, &row);
        if card.first("N").is_none() {
            card.push_components("N", &["", "", "", "", ""]);
        }
        card
    }
}

/// What a new card's FN should be when the row has no display name.
pub fn derive_display_name(row: &Row) -> String {
    let parts: Vec<&str> = [
        Field::Prefix,
        Field::FirstName,
        Field::MiddleName,
        Field::LastName,
        Field::Suffix,
    ]
    .iter()
    .filter_map(|f| row.get(f.column_name()))
    .collect();
    if !parts.is_empty() {
        return parts.join(" ");
    }
    row.get(Field::Company.column_name())
        .or_else(|| {
            row.cells()
                .find(|(k, _)| k.starts_with("email"))
                .map(|(_, v)| v)
        })
        .or_else(|| {
            row.cells()
                .find(|(k, _)| k.starts_with("phone"))
                .map(|(_, v)| v)
        })
        .unwrap_or("")
        .to_owned()
}

fn set_single(card: &mut VCard, name: &str, value: Option<&str>) {
    card.set_single(name, value);
}

fn set_list(card: &mut VCard, name: &str, value: Option<&str>) {
    let ids: Vec<PropId> = card.find(name).map(|(id, _)| id).collect();
    let raw = value.map(|v| {
        v.split(',')
            .map(|s| vcard::text::escape_text(s.trim(), card.version()))
            .collect::<Vec<_>>()
            .join(",")
    });
    match (raw, ids.split_first()) {
        (Some(raw), Some((first, rest))) => {
            card.set_raw_value(*first, raw);
            for id in rest {
                card.remove(*id);
            }
        }
        (Some(raw), None) => {
            card.push(Property::new(name, &raw));
        }
        (None, _) => {
            for id in ids {
                card.remove(id);
            }
        }
    }
}

/// Removes a property and its group's Apple label when nothing else uses the group.
fn remove_with_label(card: &mut VCard, id: PropId) {
    let group = card.property(id).and_then(|p| p.group.clone());
    card.remove(id);
    if let Some(g) = group {
        let same = |p: &Property| {
            p.group
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(&g))
        };
        let others = card
            .properties()
            .any(|(_, p)| same(p) && !p.is("X-ABLABEL"));
        if !others {
            let labels: Vec<PropId> = card
                .properties()
                .filter(|(_, p)| same(p) && p.is("X-ABLABEL"))
                .map(|(id, _)| id)
                .collect();
            for l in labels {
                card.remove(l);
            }
        }
    }
}

/// Writes a number into an existing TEL, keeping a `tel:` URI form when it had one.
fn set_tel(card: &mut VCard, id: PropId, cell: &str) {
    let is_uri = card.property(id).is_some_and(|p| {
        p.value
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("tel:")
    });
    let (number, ext) = match cell.split_once(" ext. ") {
        Some((n, e)) => (n.trim(), Some(e.trim())),
        None => (cell.trim(), None),
    };
    if is_uri {
        // A URI value is not text: no backslash escapes.
        let mut v = format!("tel:{}", number.replace(' ', "-"));
        if let Some(e) = ext {
            v.push_str(";ext=");
            v.push_str(e);
        }
        card.set_raw_value(id, v);
    } else {
        card.set_text(id, cell);
    }
}

fn push_tel(card: &mut VCard, kind: PhoneKind, value: &str) {
    let types = kind.tel_types();
    let v = card.version();
    let mut p = Property::new("TEL", &vcard::text::escape_text(value, v));
    p.params = type_params(v, types);
    card.push(p);
}

fn contact_params(v: Version, kind: ContactKind, email: bool) -> Vec<Param> {
    let mut types: Vec<&str> = Vec::new();
    if email && v != Version::V4_0 {
        types.push("INTERNET");
    }
    types.extend(kind.type_value());
    type_params(v, &types)
}

/// TYPE parameters in the version's style: bare (2.1), `TYPE=A,B` (3.0), lower-case
/// (4.0, where `VOICE`, `X-` stay as the RFC writes them).
fn type_params(v: Version, types: &[&str]) -> Vec<Param> {
    if types.is_empty() {
        return Vec::new();
    }
    match v {
        Version::V2_1 => types
            .iter()
            .map(|t| Param {
                name: None,
                values: vec![(*t).to_owned()],
            })
            .collect(),
        Version::V3_0 => vec![Param {
            name: Some("TYPE".into()),
            values: types.iter().map(|t| (*t).to_owned()).collect(),
        }],
        Version::V4_0 => vec![Param {
            name: Some("TYPE".into()),
            values: types
                .iter()
                .filter(|t| **t != "INTERNET")
                .map(|t| t.to_ascii_lowercase())
                .collect(),
        }],
    }
}

/// A group name (`itemN`) not used in the card.
fn free_group(card: &VCard) -> String {
    let used: Vec<String> = card
        .properties()
        .filter_map(|(_, p)| p.group.as_ref().map(|g| g.to_ascii_lowercase()))
        .collect();
    (1..)
        .map(|n| format!("item{n}"))
        .find(|g| !used.contains(g))
        .unwrap_or_else(|| "item0".into())
}
