//! Property test of the merge-back: random cards, a random edit of a random cell,
//! merge, re-parse: the edited cell reads back as edited and every other property of
//! the card is identical.

use cti_phonebook::Schema;
use cti_phonebook::schema::ColumnKind;
use cti_phonebook::vcard::{Property, VCard};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = String> {
    // Letters, digits, separators that need escaping, and non-ASCII; no leading or
    // trailing space (emails and URLs are trimmed when read), no commas (list cells
    // split on them) and no CR (vCard line breaks are LF in values).
    "[A-Za-z0-9äöü東]([A-Za-z0-9äöüß東京🎉+;:\\\\.@ -]{0,20}[A-Za-z0-9äöü東])?"
}

fn tel_types() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "",
        ";TYPE=WORK",
        ";TYPE=HOME",
        ";TYPE=CELL",
        ";TYPE=WORK,FAX",
        ";TYPE=HOME,FAX",
        ";TYPE=PAGER",
        ";TYPE=CELL,WORK",
        ";TYPE=VOICE",
        ";TYPE=WORK;TYPE=PREF",
    ])
}

prop_compose! {
    fn card()(
        v4 in any::<bool>(),
        name in value(),
        family in value(),
        tels in prop::collection::vec((tel_types(), "[0-9 +*#pw]{3,12}[0-9]", any::<bool>()), 0..9),
        emails in prop::collection::vec((prop::sample::select(vec!["", ";TYPE=WORK", ";TYPE=HOME"]), "[a-z]{1,8}@[a-z]{1,8}\\.de"), 0..5),
        title in prop::option::of(value()),
        note in prop::option::of(value()),
        xprop in prop::option::of(value()),
        photo in any::<bool>(),
    ) -> VCard {
        let mut s = format!("BEGIN:VCARD\r\nVERSION:{}\r\nFN:{}\r\nN:{};;;;\r\n", if v4 { "4.0" } else { "3.0" }, esc(&name), esc(&family));
        for (i, (types, number, grouped)) in tels.iter().enumerate() {
            if *grouped {
                s += &format!("item{i}.TEL{types}:{number}\r\nitem{i}.X-ABLabel:_$!<Other>!$_\r\n");
            } else {
                s += &format!("TEL{types}:{number}\r\n");
            }
        }
        for (types, e) in &emails {
            s += &format!("EMAIL{types}:{e}\r\n");
        }
        if let Some(t) = title { s += &format!("TITLE:{}\r\n", esc(&t)); }
        if let Some(n) = note { s += &format!("NOTE:{}\r\n", esc(&n)); }
        if let Some(x) = xprop { s += &format!("X-CUSTOM;X-PARAM=\"a:b\":{}\r\n", esc(&x)); }
        if photo { s += "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\n"; }
        s += "END:VCARD\r\n";
        VCard::parse(s.as_bytes()).unwrap()
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
}

fn props(c: &VCard) -> Vec<Property> {
    c.properties().map(|(_, p)| p.clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn edited_cell_reads_back_and_nothing_else_changes(card in card(), col_pick in any::<prop::sample::Index>(), new in value()) {
        let schema = Schema::default();
        let row = schema.to_row(&card);
        // Edit a non-empty cell: a changed value must land in the same column.
        let filled: Vec<String> = schema.columns().into_iter()
            .filter(|c| row.get(&c.name).is_some())
            .filter(|c| !matches!(c.kind, ColumnKind::Field(cti_phonebook::schema::Field::Categories | cti_phonebook::schema::Field::Nickname)))
            .map(|c| c.name).collect();
        prop_assume!(!filled.is_empty());
        let col = &filled[col_pick.index(filled.len())];
        prop_assume!(row.get(col) != Some(new.as_str()));
        let mut edited = row.clone();
        edited.set(col.clone(), new.clone());
        let mut merged = card.clone();
        schema.merge(&mut merged, &edited);
        let reparsed = VCard::parse(&merged.to_bytes()).unwrap();
        let back = schema.to_row(&reparsed);
        prop_assert_eq!(back.get(col), Some(new.as_str()), "column {}", col);
        for (c, v) in row.cells() {
            if c != col {
                prop_assert_eq!(back.get(c), Some(v), "other column {} changed", c);
            }
        }
        // Exactly one property differs, nothing added or removed.
        let (a, b) = (props(&card), props(&reparsed));
        prop_assert_eq!(a.len(), b.len());
        let diffs = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        prop_assert_eq!(diffs, 1);
    }

    #[test]
    fn clearing_and_filling_single_fields(card in card(), new in value(), pick in 0usize..3) {
        let schema = Schema::default();
        let col = ["job_title", "note", "department"][pick];
        let row = schema.to_row(&card);
        let mut edited = row.clone();
        let target = if row.get(col).is_some() { String::new() } else { new.clone() };
        edited.set(col, target.clone());
        let mut merged = card.clone();
        schema.merge(&mut merged, &edited);
        let back = schema.to_row(&VCard::parse(&merged.to_bytes()).unwrap());
        prop_assert_eq!(back.get(col), (!target.is_empty()).then_some(target.as_str()));
        for (c, v) in row.cells() {
            if c != col {
                prop_assert_eq!(back.get(c), Some(v));
            }
        }
    }
}
