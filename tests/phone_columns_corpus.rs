//! The phone column of every number of every corpus card, against the table written
//! by hand in `tests/data/corpus_phone_columns.tsv`.
//!
//! The cards are other projects' files in `../shared/corpus` (or the directory
//! `CTI_CORPUS_DIR` names); they are never part of this repository.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use cti_phonebook::Schema;
use cti_phonebook::vcard::Document;

/// (file, card index) → [(number, column)] in card order.
type Columns = BTreeMap<(String, usize), Vec<(String, String)>>;

fn cell(tel: &cti_phonebook::vcard::Tel) -> String {
    match &tel.ext {
        Some(ext) => format!("{} ext. {ext}", tel.number),
        None => tel.number.clone(),
    }
}

/// What the default schema does with the corpus.
fn placed() -> Columns {
    let root = support::corpus::dir();
    let files = support::corpus::vcf_files(&root);
    assert!(files.len() >= 300, "corpus incomplete: {}", files.len());
    let schema = Schema::default();
    let names: Vec<String> = schema.phones.iter().map(ToString::to_string).collect();
    let mut out = Columns::new();
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .expect("under the corpus")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).expect("corpus file");
        for (index, card) in Document::parse(&bytes).cards().enumerate() {
            let tels = card.tels();
            if tels.is_empty() {
                continue;
            }
            let columns = schema.phone_columns(card);
            assert_eq!(columns.len(), tels.len(), "{rel}");
            let numbers = tels
                .iter()
                .zip(columns)
                .map(|(t, c)| (cell(t), c.map_or("none".into(), |c| names[c].clone())))
                .collect();
            out.insert((rel.clone(), index), numbers);
        }
    }
    out
}

/// The table written by hand.
fn expected() -> Columns {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus_phone_columns.tsv");
    let text = std::fs::read_to_string(path).expect("the table");
    let mut out = Columns::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 4, "bad table line {line:?}");
        let card = f[1].parse().expect("card index");
        out.entry((f[0].to_owned(), card))
            .or_default()
            .push((f[2].to_owned(), f[3].to_owned()));
    }
    out
}

#[test]
fn every_corpus_number_is_in_the_column_written_down() {
    let got = placed();
    let want = expected();
    let mut wrong = Vec::new();
    for (key, numbers) in &want {
        match got.get(key) {
            None => wrong.push(format!("{key:?}: in the table, not in the corpus")),
            Some(g) if g != numbers => {
                wrong.push(format!("{key:?}:\n  want {numbers:?}\n  got  {g:?}"));
            }
            Some(_) => {}
        }
    }
    for key in got.keys().filter(|k| !want.contains_key(*k)) {
        wrong.push(format!(
            "{key:?}: a card with numbers missing from the table"
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let numbers: usize = want.values().map(Vec::len).sum();
    assert!(numbers >= 400, "{numbers}");
}
