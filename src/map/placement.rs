//! Which column each of a card's numbers, emails, websites, addresses and
//! user-defined values goes to (the rules are in the [module docs](super)).

use super::phones::TelTraits;
use crate::schema::{AddressPart, ContactKind, PhoneKind, Row, Schema, UserField, address_column};
use crate::vcard::{self, PropId, Tel, VCard};

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
pub(super) struct Placement {
    pub(super) phones: Vec<Option<PropId>>,
    pub(super) emails: Vec<Option<PropId>>,
    pub(super) websites: Vec<Option<PropId>>,
    pub(super) addresses: Vec<Option<PropId>>,
    pub(super) user: Vec<Option<PropId>>,
}

fn phone_cell(tel: &Tel) -> String {
    match &tel.ext {
        Some(ext) => format!("{} ext. {ext}", tel.number),
        None => tel.number.clone(),
    }
}

pub(super) fn join_list(v: &[String]) -> String {
    v.join(", ")
}

impl Schema {
    pub(super) fn placement(&self, card: &VCard, row: &mut Row) -> Placement {
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
                for (part, v) in AddressPart::ALL.iter().zip(a.components()) {
                    row.set(address_column(c, *part), v);
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
