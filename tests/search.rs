//! Search by name across folders: word prefixes in any order, folded case and
//! diacritics, digits inside numbers, ranking, highlighting, and an index that
//! follows syncs and writes.

use std::sync::Arc;

use cti_phonebook::cache::CachedFolder;
use cti_phonebook::search::SearchHit;
use cti_phonebook::vcard::VCard;
use cti_phonebook::{DialPlan, MemorySource, Phonebook, PhonebookSource, Row};

fn card(uid: &str, lines: &str) -> VCard {
    let text = format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\n{lines}END:VCARD\r\n");
    VCard::parse(text.as_bytes()).unwrap()
}

fn plan() -> DialPlan {
    DialPlan::new("DE").unwrap().with_area_code("30").unwrap()
}

/// A phone book of two folders with the contacts the examples below search.
fn book(dir: &std::path::Path) -> (Phonebook, Arc<MemorySource>, Arc<CachedFolder>) {
    let book = Phonebook::new(dir, plan());
    let work = Arc::new(MemorySource::new("work"));
    let private = Arc::new(MemorySource::new("private"));
    work.put_card(
        "agnieszka.vcf",
        card(
            "a",
            "FN:Dr. Agnieszka Maria Kowalczyk\r\nN:Kowalczyk;Agnieszka;Maria;Dr.;\r\nORG:Kowalski Logistik;Vertrieb\r\nEMAIL:a.kowalczyk@example.pl\r\nTEL;TYPE=WORK:+49 30 1234567\r\n",
        ),
    );
    work.put_card(
        "mueller.vcf",
        card(
            "m",
            "FN:Hans Müller\r\nN:Müller;Hans;;;\r\nORG:Łódź Textil\r\nTEL;TYPE=CELL:0170 5550001\r\n",
        ),
    );
    work.put_card(
        "muellerbau.vcf",
        card("mb", "FN:Zentrale\r\nORG:Müller Bau GmbH\r\n"),
    );
    private.put_card(
        "djordje.vcf",
        card(
            "d",
            "FN:Ђорђе Петровић\r\nNICKNAME:Đorđe\r\nTEL;TYPE=HOME:+381 11 3456789\r\n",
        ),
    );
    private.put_card(
        "hans.vcf",
        card("h", "FN:Hansi Hinterseer\r\nEMAIL:hansi@example.at\r\n"),
    );
    let wf = book.attach("work", work.clone()).unwrap();
    wf.reload().unwrap();
    book.attach("private", private).unwrap().reload().unwrap();
    (book, work, wf)
}

fn names(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(SearchHit::display_name).collect()
}

#[test]
fn word_prefixes_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let (book, _, _) = book(dir.path());
    for q in ["kow ag", "ag kow", "AGN", "Maria Kowalczyk", "dr kowalczyk"] {
        assert_eq!(
            names(&book.search(q, 10)),
            ["Dr. Agnieszka Maria Kowalczyk"],
            "{q}"
        );
    }
    assert!(book.search("kow xyz", 10).is_empty());
    assert!(book.search("", 10).is_empty());
    assert!(book.search(" ,. ", 10).is_empty());
    // Company, department and e-mail words are searched too.
    assert_eq!(
        names(&book.search("vertrieb", 10)),
        ["Dr. Agnieszka Maria Kowalczyk"]
    );
    assert_eq!(names(&book.search("hansi@", 10)), ["Hansi Hinterseer"]);
    assert_eq!(names(&book.search("example.at", 10)), ["Hansi Hinterseer"]);
}

#[test]
fn case_and_diacritics_are_folded() {
    let dir = tempfile::tempdir().unwrap();
    let (book, _, _) = book(dir.path());
    for q in ["muller", "müller", "mueller", "MÜLLER", "Mu\u{308}ller"] {
        let hits = book.search(q, 10);
        assert_eq!(names(&hits), ["Hans Müller", "Zentrale"], "{q}");
    }
    assert_eq!(names(&book.search("lodz", 10)), ["Hans Müller"]);
    assert_eq!(names(&book.search("Łódź", 10)), ["Hans Müller"]);
    assert_eq!(names(&book.search("Ђорђе", 10)), ["Ђорђе Петровић"]);
    assert_eq!(names(&book.search("ђор", 10)), ["Ђорђе Петровић"]);
    // Cyrillic is also found as it is typed in ASCII, in the South Slavic
    // spelling and in the English one, and the nickname Đorđe as `dorde`.
    for q in ["djordje", "djo", "petrovic", "petrovich", "dor", "Đorđe"] {
        assert_eq!(names(&book.search(q, 10)), ["Ђорђе Петровић"], "{q}");
    }
    let hit = &book.search("petrovich", 1)[0];
    let f = hit.matched().next().unwrap();
    assert_eq!(
        (f.column, &f.value[f.ranges[0].clone()]),
        ("display_name", "Петровић")
    );
}

#[test]
fn digits_anywhere_in_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let (book, _, _) = book(dir.path());
    let hits = book.search("4567", 10);
    assert_eq!(
        names(&hits),
        ["Dr. Agnieszka Maria Kowalczyk", "Ђорђе Петровић"]
    );
    let phone = hits[0].matched().next().unwrap();
    assert_eq!(phone.column, "phone1");
    assert_eq!(&phone.value[phone.ranges[0].clone()], "4567");
    // Punctuation in a digit query is ignored; a number never matches across two.
    assert_eq!(
        names(&book.search("+49 30 123", 10)),
        ["Dr. Agnieszka Maria Kowalczyk"]
    );
    assert!(book.search("99999", 10).is_empty());
    // Digits and words together must both match.
    assert_eq!(names(&book.search("hans 5550", 10)), ["Hans Müller"]);
}

#[test]
fn a_number_typed_nationally_or_internationally_finds_the_other_form() {
    let dir = tempfile::tempdir().unwrap();
    let (book, _, _) = book(dir.path());
    // Hans Müller's mobile is stored nationally, `0170 5550001`.
    for q in ["+49 170 555", "0049 170 5550001", "+49 (0)170 555"] {
        let hits = book.search(q, 10);
        assert_eq!(names(&hits), ["Hans Müller"], "{q}");
        let f = hits[0].matched().next().unwrap();
        assert_eq!(f.value, "0170 5550001", "{q}");
    }
    let hits = book.search("+49 170 555", 1);
    let f = hits[0].matched().next().unwrap();
    assert_eq!(&f.value[f.ranges[0].clone()], "0170 555");
    // Agnieszka's office number is stored internationally, `+49 30 1234567`.
    assert_eq!(
        names(&book.search("030 123", 10)),
        ["Dr. Agnieszka Maria Kowalczyk"]
    );
    // A foreign number has no national form here; too short a rest finds nothing
    // more than the digits as typed.
    assert_eq!(names(&book.search("+381 11 345", 10)), ["Ђорђе Петровић"]);
    assert!(
        book.search("+49 1", 10)
            .iter()
            .all(|h| h.display_name() != "Hans Müller")
    );
    // An index without a dial plan reads a number only as typed.
    let plain = cti_phonebook::search::SearchIndex::new();
    for f in ["work", "private"] {
        let folder = book.folder(f).unwrap();
        plain.index_folder(f, &folder.schema(), folder.snapshot());
    }
    assert!(plain.search("+49 170 555", 10).is_empty());
    assert_eq!(plain.search("0170 555", 10).len(), 1);
}

#[test]
fn whole_words_and_names_rank_first() {
    let dir = tempfile::tempdir().unwrap();
    let (book, _, _) = book(dir.path());
    // "hans" is a whole first name of Hans Müller and a prefix of Hansi.
    let hits = book.search("hans", 10);
    assert_eq!(names(&hits), ["Hans Müller", "Hansi Hinterseer"]);
    assert!(hits[0].rank() < hits[1].rank());
    // Müller the person (name) before Müller Bau (company).
    let hits = book.search("müller", 10);
    assert_eq!(hits[0].display_name(), "Hans Müller");
    assert!(hits[0].rank() < hits[1].rank());
    // The limit keeps the best.
    assert_eq!(names(&book.search("hans", 1)), ["Hans Müller"]);
}

#[test]
fn matched_fields_are_marked() {
    let dir = tempfile::tempdir().unwrap();
    let (book, _, _) = book(dir.path());
    let hits = book.search("kow ag", 10);
    let marked: Vec<(&str, Vec<&str>)> = hits[0]
        .matched()
        .map(|f| {
            (
                f.column,
                f.ranges.iter().map(|r| &f.value[r.clone()]).collect(),
            )
        })
        .collect();
    assert_eq!(
        marked,
        [
            ("display_name", vec!["Ag", "Kow"]),
            ("first_name", vec!["Ag"]),
            ("last_name", vec!["Kow"]),
            ("company", vec!["Kow"]),
            ("email3", vec!["kow"]),
        ]
    );
    let lodz = book.search("lodz", 1);
    let f = lodz[0].matched().next().unwrap();
    assert_eq!(
        (f.column, &f.value[f.ranges[0].clone()]),
        ("company", "Łódź")
    );
}

#[test]
fn the_index_follows_syncs_and_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (book, work, wf) = book(dir.path());
    // A change on the server arrives with the next refresh.
    work.put_card(
        "mueller.vcf",
        card("m", "FN:Hans Schmidt\r\nN:Schmidt;Hans;;;\r\n"),
    );
    wf.refresh().unwrap();
    assert!(names(&book.search("lodz", 10)).is_empty());
    assert_eq!(names(&book.search("schmi", 10)), ["Hans Schmidt"]);
    // Writes through the folder, at once.
    let rec = wf
        .create(
            &Row::new()
                .with("display_name", "Zoë Zander")
                .with("company", "Zebra AG"),
        )
        .unwrap();
    assert_eq!(names(&book.search("zoe", 10)), ["Zoë Zander"]);
    let edited = wf
        .update(&rec, &rec.row.clone().with("display_name", "Zoë Yilmaz"))
        .unwrap();
    assert_eq!(names(&book.search("zoe", 10)), ["Zoë Yilmaz"]);
    assert!(book.search("zander", 10).is_empty());
    wf.delete(&edited.id, &edited.version).unwrap();
    assert!(book.search("zoe", 10).is_empty());
    // Many changes at once rebuild the folder's part of the index.
    for i in 0..200 {
        work.put_card(
            format!("n{i}.vcf"),
            card(&format!("n{i}"), &format!("FN:Neu {i:03}\r\n")),
        );
    }
    wf.refresh().unwrap();
    assert_eq!(book.search("neu", 500).len(), 200);
    assert_eq!(names(&book.search("neu 007", 10)), ["Neu 007"]);
    // A detached folder is no longer searched.
    book.detach("private");
    assert!(book.search("ђор", 10).is_empty());
}

#[test]
fn opening_costs_nothing_until_the_first_search() {
    let dir = tempfile::tempdir().unwrap();
    let (book, work, wf) = book(dir.path());
    assert_eq!(book.search_index().heap_bytes(), 0);
    // Changes before the first search are simply part of what it indexes.
    work.put_card("late.vcf", card("late", "FN:Late Comer\r\n"));
    wf.refresh().unwrap();
    assert_eq!(book.search_index().heap_bytes(), 0);
    assert_eq!(names(&book.search("late", 10)), ["Late Comer"]);
    assert!(book.search_index().heap_bytes() > 0);
    // `prepare` indexes without a search.
    let dir = tempfile::tempdir().unwrap();
    let (book, _, _) = self::book(dir.path());
    book.search_index().prepare();
    assert!(book.search_index().heap_bytes() > 0);
}
