//! The search index against a plain reference over the same rows: for generated
//! contacts, changes and queries, `find` returns exactly the contacts the rules
//! say, with their ranks, before and after writes (which the index keeps beside
//! its built part until it builds anew).

use std::sync::Arc;

use cti_phonebook::search::fold;
use cti_phonebook::{DialPlan, MemorySource, Phonebook, Row};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "Kow",
    "Kowal",
    "Kowalczyk",
    "Müller",
    "Mueller",
    "Muller",
    "Łódź",
    "Lodz",
    "Ђорђе",
    "Ag",
    "Agnieszka",
    "Hans",
    "Hansi",
    "Straße",
    "Dr.",
    "ÆSIR",
    "Søren",
    "Soeren",
    "Đorđe",
    "Михаил",
    "Mikhail",
    "Петровић",
    "Petrovich",
];
const QUERIES: &[&str] = &[
    "kow",
    "kowal",
    "mül",
    "mue",
    "mul",
    "lodz",
    "łó",
    "ђор",
    "ag kow",
    "hans",
    "han s",
    "stras",
    "aesir",
    "123",
    "4567",
    "+49 30",
    "030 1",
    "0049 301",
    "+49 (0) 30",
    "kow 12",
    "dr",
    "x",
    "a",
    "soe",
    "sor",
    "djo",
    "dor",
    "mikh",
    "miha",
    "михаил",
    "petrovic",
    "petrovich",
    "пет",
];

/// The searched columns the generator fills, with their class (0 name, 1
/// organisation, 2 e-mail).
const COLUMNS: &[(&str, u32)] = &[
    ("display_name", 0),
    ("last_name", 0),
    ("nickname", 0),
    ("company", 1),
    ("department", 1),
    ("email1", 2),
];

fn row_strategy() -> impl Strategy<Value = Row> {
    let text =
        proptest::collection::vec(proptest::sample::select(WORDS), 0..3).prop_map(|w| w.join(" "));
    // Random digits, or one Berlin number in the forms people store it in.
    let berlin = proptest::sample::select(
        &[
            "030 1234567",
            "+49 30 1234567",
            "0049 30 1234567",
            "+49 (0)30 1234567",
            "4930 12",
        ][..],
    )
    .prop_map(str::to_owned);
    let phone = proptest::option::of(prop_oneof!["[0-9+ ]{3,14}", berlin]);
    (proptest::collection::vec(text, COLUMNS.len()), phone).prop_map(|(texts, phone)| {
        let mut row = Row::new();
        for ((column, _), t) in COLUMNS.iter().zip(texts) {
            let t = if *column == "email1" && !t.is_empty() {
                format!("{}@example.com", t.replace(' ', "."))
            } else {
                t
            };
            row.set(column, t);
        }
        if row.get("display_name").is_none() {
            row.set("display_name", "Someone");
        }
        if let Some(p) = phone {
            row.set("phone1", p);
        }
        row
    })
}

/// The letters of [`WORDS`] with a second spelling, and that spelling (the
/// other Cyrillic letters there are written the same either way).
const SECOND: &[(char, &str)] = &[
    ('ä', "ae"),
    ('ö', "oe"),
    ('ü', "ue"),
    ('ø', "oe"),
    ('å', "aa"),
    ('đ', "dj"),
    ('х', "kh"),
    ('ћ', "ch"),
];

/// The forms a word is found under: folded, and in its second spelling.
fn forms(word: &str) -> Vec<String> {
    let mut second = word.to_lowercase();
    for (letter, spelling) in SECOND {
        second = second.replace(*letter, spelling);
    }
    vec![fold(word), fold(&second)]
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A number typed as `query` (digits `digits`) written the other way in Germany,
/// the generated book's country: `+49 30`, `0049 30` or `+49 (0)30` as `030`, and
/// `030` as `4930`, when at least two digits follow the code or prefix.
fn german_other_form(query: &str, digits: &str) -> Option<String> {
    let international = if query.trim_start().starts_with('+') {
        Some(digits)
    } else {
        digits.strip_prefix("00")
    };
    let other = match international {
        Some(rest) => {
            let national = rest.strip_prefix("49")?;
            let national = national.strip_prefix('0').unwrap_or(national);
            (national.len() >= 2).then(|| format!("0{national}"))?
        }
        None => {
            let national = digits.strip_prefix('0')?;
            (national.len() >= 2).then(|| format!("49{national}"))?
        }
    };
    (other != digits).then_some(other)
}

/// The rank of `row` for `query` by the documented rules, or `None`.
fn reference(row: &Row, query: &str) -> Option<u32> {
    let has_letter = words(query)
        .iter()
        .any(|w| !w.bytes().all(|b| b.is_ascii_digit()));
    // A term, whether it is digits, and for a whole number its other form.
    let mut other: Option<String> = None;
    let terms: Vec<(String, bool)> = if !has_letter {
        let d: String = query.chars().filter(char::is_ascii_digit).collect();
        other = german_other_form(query, &d);
        if d.is_empty() {
            vec![]
        } else {
            vec![(d, true)]
        }
    } else {
        let mut t: Vec<(String, bool)> = Vec::new();
        for w in words(query) {
            let digits = w.bytes().all(|b| b.is_ascii_digit());
            let term = (if digits { w.to_owned() } else { fold(w) }, digits);
            if !t.contains(&term) {
                t.push(term);
            }
        }
        t
    };
    if terms.is_empty() {
        return None;
    }
    let mut rank = 0;
    for (term, digits) in &terms {
        let mut best: Option<u32> = None;
        for (column, class) in COLUMNS {
            for w in words(row.get(column).unwrap_or("")) {
                for f in forms(w) {
                    if f.starts_with(term.as_str()) {
                        let t = class + if f == *term { 0 } else { 3 };
                        best = Some(best.map_or(t, |b| b.min(t)));
                    }
                }
            }
        }
        if *digits {
            let number: String = row
                .get("phone1")
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let forms = std::iter::once(term).chain(other.as_ref());
            if forms.into_iter().any(|f| number.contains(f.as_str())) {
                best = Some(best.map_or(3, |b| b.min(3)));
            }
        }
        rank += best?;
    }
    Some(rank)
}

#[derive(Debug, Clone)]
enum Change {
    Create(Row),
    Update(usize, Row),
    Delete(usize),
}

fn change_strategy() -> impl Strategy<Value = Change> {
    prop_oneof![
        row_strategy().prop_map(Change::Create),
        (any::<usize>(), row_strategy()).prop_map(|(i, r)| Change::Update(i, r)),
        any::<usize>().prop_map(Change::Delete),
    ]
}

fn check(book: &Phonebook, folder: &cti_phonebook::cache::CachedFolder) {
    let snap = folder.snapshot();
    for q in QUERIES {
        let mut want: Vec<(u32, String)> = snap
            .rows()
            .filter_map(|(id, r)| Some((reference(&r.row, q)?, id.as_str().to_owned())))
            .collect();
        want.sort();
        let got: Vec<(u32, String)> = book
            .search_index()
            .find(q, 10_000)
            .into_iter()
            .map(|f| (f.rank, f.id.as_str().to_owned()))
            .collect();
        assert_eq!(got, want, "query {q:?}");
        // With a limit: the best ones, as many as asked.
        let top = book.search_index().find(q, 3);
        let ranks: Vec<u32> = top.iter().map(|f| f.rank).collect();
        let best: Vec<u32> = want.iter().take(3).map(|(r, _)| *r).collect();
        assert_eq!(ranks, best, "query {q:?} limited");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn find_agrees_with_the_rules(
        rows in proptest::collection::vec(row_strategy(), 0..30),
        changes in proptest::collection::vec(change_strategy(), 0..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let book = Phonebook::new(dir.path(), DialPlan::new("DE").unwrap());
        let src = Arc::new(MemorySource::new("f"));
        let folder = book.attach("f", src).unwrap();
        folder.reload().unwrap();
        for r in &rows {
            folder.create(r).unwrap();
        }
        // A reload builds the folder's index from scratch.
        folder.reload().unwrap();
        check(&book, &folder);
        for c in changes {
            let snap = folder.snapshot();
            let ids: Vec<_> = snap.rows().map(|(id, _)| id.clone()).collect();
            match c {
                Change::Create(r) => {
                    folder.create(&r).unwrap();
                }
                Change::Update(i, r) if !ids.is_empty() => {
                    let base = folder.cached_record(&ids[i % ids.len()]).unwrap();
                    folder.update(&base, &r).unwrap();
                }
                Change::Delete(i) if !ids.is_empty() => {
                    let base = folder.cached_record(&ids[i % ids.len()]).unwrap();
                    folder.delete(&base.id, &base.version).unwrap();
                }
                _ => {}
            }
            check(&book, &folder);
        }
    }
}
