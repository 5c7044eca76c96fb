//! The real-world corpus `vcards/` of `../shared/corpus` (see its SOURCES.md; read at
//! test time, never copied here): every file parses, writes back byte for byte, and an
//! edit of a card's first TEL changes only that line.

mod support;

use std::fs;

use cti_phonebook::vcard::{Document, Entry};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let files = support::corpus::vcf_files(&support::corpus::vcards());
    assert!(files.len() >= 49, "corpus incomplete: {}", files.len());
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_file_parses_and_round_trips_byte_for_byte() {
    for (name, bytes) in corpus() {
        let doc = Document::parse(&bytes);
        assert!(!doc.entries().is_empty(), "{name}: nothing read");
        assert_eq!(doc.to_bytes(), bytes, "{name}: not byte-identical");
        let cards = doc.cards().count();
        let invalid = doc
            .entries()
            .iter()
            .filter(|e| matches!(e, Entry::Invalid { .. }))
            .count();
        // Only the deliberately broken file lacks a readable card.
        if name == "audriga--rc-vcard-invalid-card.vcf" {
            assert_eq!((cards, invalid), (0, 1), "{name}");
        } else {
            assert!(cards >= 1, "{name}: no card");
            assert_eq!(invalid, 0, "{name}: invalid entries");
        }
    }
}

#[test]
fn editing_the_first_tel_changes_exactly_that_line() {
    let mut edited = 0;
    for (name, bytes) in corpus() {
        let doc = Document::parse(&bytes);
        for card in doc.cards() {
            let Some(tel) = card.tels().into_iter().next() else {
                continue;
            };
            let before = card.to_bytes();
            let mut card2 = card.clone();
            card2.set_text(tel.id, "+1 555 0199");
            let after = card2.to_bytes();
            let mut prefix = before
                .iter()
                .zip(&after)
                .take_while(|(a, b)| a == b)
                .count();
            // Back off to the start of the line, so the changed region is whole lines.
            while prefix > 0 && after[prefix - 1] != b'\n' {
                prefix -= 1;
            }
            let suffix = before[prefix..]
                .iter()
                .rev()
                .zip(after[prefix..].iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            let mut suffix = suffix.min(after.len() - prefix);
            while suffix > 0 && after[after.len() - suffix - 1] != b'\n' {
                suffix -= 1;
            }
            let new_mid = String::from_utf8_lossy(&after[prefix..after.len() - suffix])
                .replace("\r\n ", "")
                .replace("\n ", "");
            assert!(new_mid.contains("555 0199"), "{name}: {new_mid:?}");
            // The changed region is one content line (plus its terminator).
            let trimmed = new_mid.trim_end_matches(['\r', '\n']);
            assert!(
                !trimmed.contains('\n'),
                "{name}: more than one line changed: {new_mid:?}"
            );
            // Everything else reads back the same.
            let again = Document::parse(&after);
            let again = again.cards().next().unwrap();
            let props_before: Vec<_> = card.properties().map(|(_, p)| p.clone()).collect();
            let props_after: Vec<_> = again.properties().map(|(_, p)| p.clone()).collect();
            assert_eq!(props_before.len(), props_after.len(), "{name}");
            let diffs = props_before
                .iter()
                .zip(&props_after)
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(diffs, 1, "{name}");
            assert_eq!(again.tels()[0].number, "+1 555 0199", "{name}");
            edited += 1;
        }
    }
    assert!(edited >= 34, "only {edited} cards with a TEL");
}
