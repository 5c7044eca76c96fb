//! vCard ⇄ [`Row`]: mapping a card into a folder's fixed columns and merging an edited
//! row back into the card it came from.
//!
//! # Placement
//!
//! Each TEL goes to a column whose header it does not contradict, by what its types
//! and label say it is (`TYPE=CELL`, vCard 4.0 `type=cell`, Apple's
//! `_$!<Mobile>!$_`, Google's `WORK_MOBILE`, Outlook's and others' custom types
//! such as `X-MOBIL`):
//!
//! - first the columns of its own kind: a work number in business, business 2; a
//!   mobile in mobile; `WORK,FAX` in business fax; an untyped number or one labelled
//!   "Other" in "other";
//! - then kin only: a switchboard (`MAIN`) or an assistant in a business column, a
//!   fax typed neither work nor home in a fax column;
//! - then any voice number that found no column of its own (a second mobile, a third
//!   work number) in an "other" column.
//!
//! A home, mobile or "other" number never goes into a business column, a fax or
//! pager never into a voice column. When several numbers fit one column equally well,
//! the preferred one (`PREF`) wins, then card order: preference decides who gets a
//! contested column, never which column a number goes to. So a number's column
//! depends only on the card's numbers that compete for it. What finds no fitting
//! column stays in the card, byte for byte, is counted in [`Row::hidden`] and is
//! listed, with the kind its types give it, by [`Schema::phones_without_column`].
//!
//! Emails, websites and addresses go to the column whose work/home kind fits, then
//! to an "other" column, then an untyped one to any free column; a home or
//! "Other"-labelled value never goes into a work column, nor a work value into a
//! home column. Preferred values go first, then card order.
//!
//! # Merge-back
//!
//! [`Schema::merge`] compares the row with the card's current row and changes only the
//! properties whose cells changed: a changed number rewrites that TEL's value and keeps
//! its group and parameters; a cleared cell removes that one property (and its Apple
//! label when nothing else uses the group); a new value adds a property typed by its
//! column. Everything else (PHOTO, X- properties, overflow numbers, unknown properties,
//! order) is untouched, byte for byte.
//!
//! Columns of the same kind are filled in order when read, so a number typed into
//! "business 2" while "business" is empty reads back as "business".

use crate::schema::{
    AddressPart, ContactKind, Field, PhoneKind, Row, Schema, UserField, address_column,
};
use crate::vcard::{self, Param, PropId, Property, Tel, VCard, Version};

mod phones;

use phones::TelTraits;

fn contact_fit(types: &[String], label: Option<&str>, kind: ContactKind) -> u8 {
    let label = label.unwrap_or("").to_ascii_lowercase();
    let has = |w: &str| {
        types.iter().any(|t| t.eq_ignore_ascii_case(w)) || label.split(' ').any(|l| l == w)
    };
    let work = has("work") || has("business");
    let home = has("home") || has("private");
    let other = has("other");
    match kind {
        ContactKind::Work if work && !other => 3,
        ContactKind::Home if home && !work && !other => 3,
        ContactKind::Other if !work && !home => 3,
        ContactKind::Other => 2,
        // A column never takes a value its header contradicts.
        ContactKind::Work if home || other => 0,
        ContactKind::Home if work || other => 0,
        _ => 1,
    }
}

/// Places items into columns. `scores[item][column]`, `prefs[item]`. Returns, per
/// column, the item placed there, and the number of items left over.
fn place(columns: usize, scores: &[Vec<u8>], prefs: &[Option<u8>]) -> (Vec<Option<usize>>, usize) {
    let mut slot: Vec<Option<usize>> = vec![None; columns];
    let mut placed = vec![false; scores.len()];
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by_key(|&i| prefs[i].unwrap_or(u8::MAX));
    for threshold in [3u8, 2, 1] {
        for &i in &order {
            if placed[i] {
                continue;
            }
            let best = (0..columns)
                .filter(|&c| slot[c].is_none() && scores[i][c] >= threshold)
                .max_by_key(|&c| (scores[i][c], std::cmp::Reverse(c)));
            if let Some(c) = best {
                slot[c] = Some(i);
                placed[i] = true;
            }
        }
    }
    let left = placed.iter().filter(|p| !**p).count();
    (slot, left)
}

/// Places `items` into one column per kind: `fit` scores an item for a kind, `pref`
/// gives item `i`'s preference. Returns, per column, the item placed there, and how
/// many items found no column.
fn place_all<K, T>(
    kinds: &[K],
    items: &[T],
    fit: impl Fn(&T, &K) -> u8,
    pref: impl Fn(usize) -> Option<u8>,
) -> (Vec<Option<usize>>, usize) {
    let scores: Vec<Vec<u8>> = items
        .iter()
        .map(|t| kinds.iter().map(|k| fit(t, k)).collect())
        .collect();
    let prefs: Vec<Option<u8>> = (0..items.len()).map(pref).collect();
    place(kinds.len(), &scores, &prefs)
}

/// Where the card's values sit in the row.
#[derive(Debug, Default)]
struct Placement {
    phones: Vec<Option<PropId>>,
    emails: Vec<Option<PropId>>,
    websites: Vec<Option<PropId>>,
    addresses: Vec<Option<PropId>>,
    user: Vec<Option<PropId>>,
}

fn phone_cell(tel: &Tel) -> String {
    match &tel.ext {
        Some(ext) => format!("{} ext. {ext}", tel.number),
        None => tel.number.clone(),
    }
}

fn join_list(v: &[String]) -> String {
    v.join(", ")
}

impl Schema {
    fn placement(&self, card: &VCard, row: &mut Row) -> Placement {
        let mut p = Placement::default();

        let tels = card.tels();
        let traits: Vec<TelTraits> = tels.iter().map(TelTraits::of).collect();
        let (slots, hidden) = place_all(&self.phones, &traits, |t, k| t.fit(*k), |i| tels[i].pref);
        row.hidden.phones = hidden;
        for (c, s) in slots.iter().enumerate() {
            p.phones.push(s.map(|i| tels[i].id));
            if let Some(i) = s {
                row.set(format!("phone{}", c + 1), phone_cell(&tels[*i]));
            }
        }

        let emails = card.emails();
        let (slots, hidden) = place_all(
            &self.emails,
            &emails,
            |e, k| contact_fit(&e.types, e.label.as_deref(), *k),
            |i| emails[i].pref,
        );
        row.hidden.emails = hidden;
        for (c, s) in slots.iter().enumerate() {
            p.emails.push(s.map(|i| emails[i].id));
            if let Some(i) = s {
                row.set(format!("email{}", c + 1), emails[*i].address.clone());
            }
        }

        let urls = card.urls();
        let (slots, hidden) = place_all(
            &self.websites,
            &urls,
            |u, k| contact_fit(&u.types, u.label.as_deref(), *k),
            |_| None,
        );
        row.hidden.websites = hidden;
        for (c, s) in slots.iter().enumerate() {
            p.websites.push(s.map(|i| urls[i].id));
            if let Some(i) = s {
                row.set(format!("website{}", c + 1), urls[*i].url.clone());
            }
        }

        let adrs = card.addresses();
        let (slots, hidden) = place_all(
            &self.addresses,
            &adrs,
            |a, k| contact_fit(&a.types, a.label.as_deref(), *k),
            |_| None,
        );
        row.hidden.addresses = hidden;
        for (c, s) in slots.iter().enumerate() {
            p.addresses.push(s.and_then(|i| adrs[i].id));
            if let Some(i) = s {
                let a = &adrs[*i];
                for (part, v) in AddressPart::ALL.iter().zip([
                    &a.po_box,
                    &a.extended,
                    &a.street,
                    &a.locality,
                    &a.region,
                    &a.postal_code,
                    &a.country,
                ]) {
                    row.set(address_column(c, *part), v.clone());
                }
            }
        }

        for (i, u) in self.user_fields.iter().enumerate() {
            let found = user_property(card, u);
            p.user.push(found.as_ref().map(|(id, _)| *id));
            if let Some((_, v)) = found {
                row.set(format!("user{}", i + 1), v);
            }
        }
        p
    }

    /// The card's numbers that no phone column of this schema shows (those counted
    /// in [`Hidden::phones`](crate::schema::Hidden::phones)), in card order: each as
    /// its cell would read (`+49 30 1234 ext. 89`) and with the kind its TEL types
    /// and Apple label make it (`TYPE=MAIN` is [`PhoneKind::CompanyMain`], a pager
    /// [`PhoneKind::Pager`], an untyped number [`PhoneKind::Other`]). The caller
    /// index reads them, so that a call from a number without a column still finds
    /// its contact.
    pub fn phones_without_column(&self, card: &VCard) -> Vec<(PhoneKind, String)> {
        let tels = card.tels();
        let columns = self.tel_columns(&tels);
        tels.iter()
            .zip(columns)
            .filter(|(_, column)| column.is_none())
            .map(|(tel, _)| (TelTraits::of(tel).kind(), phone_cell(tel)))
            .collect()
    }

    /// For each TEL of the card, in card order, the phone column that shows it: an
    /// index into [`Schema::phones`] (0 is `phone1`), or `None` when it has no column.
    pub fn phone_columns(&self, card: &VCard) -> Vec<Option<usize>> {
        self.tel_columns(&card.tels())
    }

    fn tel_columns(&self, tels: &[Tel]) -> Vec<Option<usize>> {
        let traits: Vec<TelTraits> = tels.iter().map(TelTraits::of).collect();
        let (slots, _) = place_all(&self.phones, &traits, |t, k| t.fit(*k), |i| tels[i].pref);
        let mut columns = vec![None; tels.len()];
        for (c, s) in slots.iter().enumerate() {
            if let Some(i) = s {
                columns[*i] = Some(c);
            }
        }
        columns
    }

    /// The card as a row of this schema.
    pub fn to_row(&self, card: &VCard) -> Row {
        self.map_card(card).0
    }

    /// The row and where each multi-valued cell came from.
    fn map_card(&self, card: &VCard) -> (Row, Placement) {
        let mut row = Row::new();
        let v = card.version();
        if let Some(s) = card.formatted_name() {
            row.set(Field::DisplayName.column_name(), s);
        }
        if let Some(n) = card.name() {
            row.set(Field::LastName.column_name(), n.family);
            row.set(Field::FirstName.column_name(), n.given);
            row.set(Field::MiddleName.column_name(), n.additional);
            row.set(Field::Prefix.column_name(), n.prefix);
            row.set(Field::Suffix.column_name(), n.suffix);
        }
        row.set(Field::Nickname.column_name(), join_list(&card.nicknames()));
        if let Some(o) = card.organization() {
            row.set(Field::Company.column_name(), o.name);
            row.set(
                Field::Department.column_name(),
                o.units.into_iter().next().unwrap_or_default(),
            );
        }
        for (field, name) in [
            (Field::JobTitle, "TITLE"),
            (Field::Birthday, "BDAY"),
            (Field::Note, "NOTE"),
        ] {
            if let Some((_, p)) = card.first(name) {
                row.set(field.column_name(), p.text(v));
            }
        }
        row.set(
            Field::Categories.column_name(),
            join_list(&card.categories()),
        );
        let placement = self.placement(card, &mut row);
        (row, placement)
    }

    /// Merges `row` into `card`, changing only what differs from the card's current
    /// row. See the [module docs](self).
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

fn user_property(card: &VCard, field: &UserField) -> Option<(PropId, String)> {
    let v = card.version();
    match field {
        UserField::Property(name) => card.first(name).map(|(id, p)| (id, p.text(v))),
        UserField::Labeled(label) => {
            let group = card
                .find("X-ABLABEL")
                .find(|(_, p)| vcard::decode_ablabel(&p.text(v)).eq_ignore_ascii_case(label))
                .and_then(|(_, p)| p.group.clone())?;
            card.properties()
                .find(|(_, p)| {
                    !p.is("X-ABLABEL")
                        && p.group
                            .as_deref()
                            .is_some_and(|g| g.eq_ignore_ascii_case(&group))
                })
                .map(|(id, p)| (id, p.text(v)))
        }
    }
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

#[cfg(test)]
mod tests;
