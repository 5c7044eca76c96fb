//! Every corpus card maps to a row, and merging the unchanged row gives the card back
//! byte for byte, under the default schema and under small and large ones.

mod support;

use std::fs;

use cti_phonebook::Schema;
use cti_phonebook::vcard::Document;

#[test]
fn unchanged_rows_merge_back_byte_identical() {
    let dir = support::corpus::vcards();
    let mut small = Schema::default();
    small.set_phone_count(1).unwrap();
    small.set_email_count(0).unwrap();
    small.set_address_count(0).unwrap();
    let mut big = Schema::default();
    big.set_phone_count(12).unwrap();
    big.set_email_count(6).unwrap();
    big.set_address_count(4).unwrap();
    big.set_website_count(4).unwrap();
    let mut mapped = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "vcf") {
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        for card in Document::parse(&bytes).cards() {
            for schema in [&Schema::default(), &small, &big] {
                let row = schema.to_row(card);
                let mut merged = card.clone();
                schema.merge(&mut merged, &row);
                assert!(
                    !merged.is_modified(),
                    "{}: merge changed the card",
                    path.display()
                );
                assert_eq!(merged.to_bytes(), card.to_bytes());
            }
            let shown = Schema::default().to_row(card);
            let total = card.tels().len();
            let in_row = (1..=6)
                .filter(|i| shown.get(&format!("phone{i}")).is_some())
                .count();
            assert_eq!(in_row + shown.hidden.phones, total, "{}", path.display());
            mapped += 1;
        }
    }
    assert!(mapped >= 50, "{mapped}");
}
