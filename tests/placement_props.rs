//! Properties of phone placement under the default schema (business, business 2,
//! mobile, home, business fax, other) over random cards:
//!
//! - a number's column depends only on the numbers that compete for it: adding a
//!   number changes no column that its type cannot reach;
//! - no business column ever holds a home, mobile or "Other"-labelled number, and no
//!   voice column a fax or pager.

use cti_phonebook::Schema;
use cti_phonebook::vcard::VCard;
use proptest::prelude::*;

/// A TEL's type part and, by hand from the placement rules, the default columns
/// (1-based) that a number of that type can take.
const TYPES: &[(&str, &[usize])] = &[
    ("", &[6]),
    (";TYPE=VOICE", &[6]),
    (";TYPE=WORK", &[1, 2, 6]),
    (";TYPE=WORK;TYPE=PREF", &[1, 2, 6]),
    (";TYPE=HOME", &[4, 6]),
    (";TYPE=CELL", &[3, 6]),
    (";TYPE=CELL,WORK", &[3, 6]),
    (";TYPE=IPHONE;TYPE=CELL;TYPE=PREF", &[3, 6]),
    (";TYPE=WORK,FAX", &[5]),
    (";TYPE=FAX", &[5]),
    (";TYPE=HOME,FAX", &[]),
    (";TYPE=PAGER", &[]),
    (";TYPE=MODEM", &[]),
    (";TYPE=MAIN", &[1, 2, 6]),
    (";TYPE=X-ASSISTANT", &[1, 2, 6]),
    (";TYPE=OTHER", &[6]),
    ("+Other", &[6]),
    ("+Mobile", &[3, 6]),
    ("+HomeFAX", &[]),
    ("+WorkFAX", &[5]),
    ("+Main", &[1, 2, 6]),
];

/// The TEL lines of one number: `+Label` is an Apple item with that label.
fn tel(i: usize, kind: usize, number: &str) -> String {
    let t = TYPES[kind].0;
    match t.strip_prefix('+') {
        Some(label) => format!("item{i}.TEL:{number}\r\nitem{i}.X-ABLabel:_$!<{label}>!$_\r\n"),
        None => format!("TEL{t}:{number}\r\n"),
    }
}

fn card(tels: &[(usize, String)]) -> VCard {
    let mut s = String::from("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:T\r\n");
    for (i, (kind, number)) in tels.iter().enumerate() {
        s += &tel(i, *kind, number);
    }
    s += "END:VCARD\r\n";
    VCard::parse(s.as_bytes()).unwrap()
}

fn phones(card: &VCard) -> Vec<Option<String>> {
    let row = Schema::default().to_row(card);
    (1..=6)
        .map(|i| row.get(&format!("phone{i}")).map(str::to_owned))
        .collect()
}

fn numbers() -> impl Strategy<Value = Vec<(usize, String)>> {
    prop::collection::vec((0..TYPES.len(), "\\+49 [0-9]{6,9}"), 0..10)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn adding_a_number_changes_only_columns_it_can_reach(
        tels in numbers(),
        kind in 0..TYPES.len(),
        number in "\\+1 [0-9]{6,9}",
        at in any::<prop::sample::Index>(),
    ) {
        let before = phones(&card(&tels));
        let mut more = tels.clone();
        more.insert(at.index(tels.len() + 1), (kind, number));
        let after = phones(&card(&more));
        for col in 1..=6 {
            if !TYPES[kind].1.contains(&col) {
                prop_assert_eq!(
                    &after[col - 1], &before[col - 1],
                    "adding {:?} changed phone{}", TYPES[kind].0, col
                );
            }
        }
    }

    #[test]
    fn every_number_is_in_a_column_it_can_reach(tels in numbers()) {
        let c = card(&tels);
        let columns = Schema::default().phone_columns(&c);
        prop_assert_eq!(columns.len(), tels.len());
        for ((kind, number), column) in tels.iter().zip(columns) {
            if let Some(col) = column {
                prop_assert!(
                    TYPES[*kind].1.contains(&(col + 1)),
                    "{} {:?} in phone{}", number, TYPES[*kind].0, col + 1
                );
            }
        }
        let row = Schema::default().to_row(&c);
        let hidden = Schema::default().phones_without_column(&c).len();
        prop_assert_eq!(row.hidden.phones, hidden);
    }
}
