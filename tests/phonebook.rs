//! The embedding API: one caller index across folders, kept current by syncs and
//! writes, answering while syncs run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cti_phonebook::lookup::{CallerLookup, NotANumber, NumberPlace};
use cti_phonebook::schema::PhoneKind;
use cti_phonebook::vcard::VCard;
use cti_phonebook::{DialPlan, MatchQuality, MemorySource, Phonebook, Row, Schema};

fn card(uid: &str, name: &str, org: &str, tels: &[(&str, &str)]) -> VCard {
    let mut s = format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nORG:{org}\r\n");
    for (t, n) in tels {
        s += &format!("TEL;TYPE={t}:{n}\r\n");
    }
    s += "END:VCARD\r\n";
    VCard::parse(s.as_bytes()).unwrap()
}

fn plan() -> DialPlan {
    DialPlan::new("DE").unwrap().with_area_code("30").unwrap()
}

#[test]
fn lookup_across_folders_follows_syncs_and_writes() {
    let dir = tempfile::tempdir().unwrap();
    let book = Phonebook::new(dir.path(), plan());
    let work = Arc::new(MemorySource::new("work"));
    let private = Arc::new(MemorySource::new("private"));
    work.put_card(
        "acme.vcf",
        card(
            "acme",
            "ACME Zentrale",
            "ACME",
            &[("WORK", "+49 30 1234-0")],
        ),
    );
    work.put_card(
        "bob.vcf",
        card("bob", "Bob Builder", "ACME", &[("CELL", "0170 5550001")]),
    );
    private.put_card(
        "mum.vcf",
        card("mum", "Mum", "", &[("HOME", "030 7654321")]),
    );
    let wf = book.attach("work", work.clone()).unwrap();
    let pf = book.attach("private", private.clone()).unwrap();
    wf.reload().unwrap();
    pf.reload().unwrap();

    for incoming in ["030 7654321", "+49307654321", "0049 30 7654321", "7654321"] {
        let hits = book.lookup(incoming).unwrap();
        assert_eq!(hits.len(), 1, "{incoming}");
        assert_eq!(
            (hits[0].folder(), hits[0].display_name()),
            ("private", "Mum"),
            "{incoming}"
        );
    }
    let sb = book.lookup("+49 30 1234-567").unwrap();
    assert_eq!(sb[0].display_name(), "ACME Zentrale");
    assert!(matches!(sb[0].quality(), MatchQuality::Switchboard { .. }));
    assert_eq!(book.lookup("+491705550001").unwrap()[0].column(), "phone3");

    // A change on the server arrives with the next refresh.
    work.put_card(
        "bob.vcf",
        card("bob", "Bob Builder", "ACME", &[("CELL", "0170 5550002")]),
    );
    wf.refresh().unwrap();
    assert!(book.lookup("0170 5550001").unwrap().is_empty());
    assert_eq!(
        book.lookup("0170 5550002").unwrap()[0].display_name(),
        "Bob Builder"
    );

    // Writes through the folder update the index at once.
    let rec = pf
        .create(
            &Row::new()
                .with("display_name", "Dad")
                .with("phone4", "030 1111111"),
        )
        .unwrap();
    assert_eq!(
        book.lookup("+49 30 1111111").unwrap()[0].display_name(),
        "Dad"
    );
    pf.delete(&rec.id, &rec.version).unwrap();
    assert!(book.lookup("+49 30 1111111").unwrap().is_empty());

    book.detach("private");
    assert!(book.lookup("030 7654321").unwrap().is_empty());
    assert!(book.lookup("not a number at all").is_err());
    // A detached folder that the application still holds and syncs stays out of
    // the index.
    private.put_card(
        "aunt.vcf",
        card("aunt", "Aunt", "", &[("HOME", "030 2222222")]),
    );
    pf.refresh().unwrap();
    pf.create(
        &Row::new()
            .with("display_name", "Uncle")
            .with("phone4", "030 3333333"),
    )
    .unwrap();
    assert!(book.lookup("030 7654321").unwrap().is_empty());
    assert!(book.lookup("030 2222222").unwrap().is_empty());
    assert!(book.lookup("030 3333333").unwrap().is_empty());
    // Attached again, it is indexed once, whatever it was attached as before.
    book.add(pf.clone());
    book.add(pf.clone());
    assert_eq!(book.lookup("030 2222222").unwrap().len(), 1);
    let snap = book.index().snapshot().len();
    pf.create(
        &Row::new()
            .with("display_name", "Cousin")
            .with("phone4", "030 4444444"),
    )
    .unwrap();
    assert_eq!(book.lookup("030 4444444").unwrap().len(), 1);
    assert_eq!(book.index().snapshot().len(), snap + 1);
}

#[test]
fn index_is_ready_from_the_cache_without_the_network() {
    let dir = tempfile::tempdir().unwrap();
    {
        let book = Phonebook::new(dir.path(), plan());
        let src = Arc::new(MemorySource::new("w"));
        src.put_card(
            "a.vcf",
            card("a", "Anna", "", &[("WORK", "+49 30 2222222")]),
        );
        book.attach("w", src).unwrap().reload().unwrap();
    }
    let book = Phonebook::new(dir.path(), plan());
    // An empty source: only the cache can answer.
    book.attach("w", Arc::new(MemorySource::new("w"))).unwrap();
    assert_eq!(
        book.lookup("030 2222222").unwrap()[0].display_name(),
        "Anna"
    );
}

#[test]
fn lookups_answer_correctly_while_syncs_run() {
    let dir = tempfile::tempdir().unwrap();
    let book = Arc::new(Phonebook::new(dir.path(), plan()));
    let src = Arc::new(MemorySource::new("w"));
    src.put_card(
        "fixed.vcf",
        card("fixed", "Fixed", "", &[("WORK", "+49 30 9999999")]),
    );
    for i in 0..500 {
        src.put_card(
            format!("{i}.vcf"),
            card(
                &i.to_string(),
                &format!("P{i}"),
                "",
                &[("WORK", &format!("+49 40 {i:07}"))],
            ),
        );
    }
    let f = book.attach("w", src.clone()).unwrap();
    f.reload().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (book, stop) = (book.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let hits = book.lookup("030 9999999").unwrap();
                    assert_eq!(hits.len(), 1, "the fixed contact vanished during a sync");
                    assert_eq!(hits[0].display_name(), "Fixed");
                    n += 1;
                }
                n
            })
        })
        .collect();
    for round in 0..20 {
        for i in (0..500).step_by(7) {
            src.put_card(
                format!("{i}.vcf"),
                card(
                    &i.to_string(),
                    &format!("P{i}"),
                    "",
                    &[("WORK", &format!("+49 40 {:07}", i + round))],
                ),
            );
        }
        if round % 5 == 0 {
            f.reload().unwrap();
        } else {
            f.refresh().unwrap();
        }
    }
    stop.store(true, Ordering::SeqCst);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
}

/// A folder of British contacts stored in national form, on a German line: found only
/// once the folder says where its numbers are, and still after the phone book is
/// opened again.
#[test]
fn a_folder_region_reads_its_national_numbers_in_their_own_country() {
    let dir = tempfile::tempdir().unwrap();
    let uk = Arc::new(MemorySource::new("uk"));
    let de = Arc::new(MemorySource::new("de"));
    uk.put_card(
        "ann.vcf",
        card("ann", "Ann Smith", "", &[("WORK", "020 7946 0456")]),
    );
    uk.put_card(
        "sw.vcf",
        card("sw", "Widgets Ltd", "Widgets", &[("WORK", "7946-0")]),
    );
    de.put_card(
        "mum.vcf",
        card("mum", "Mum", "", &[("HOME", "030 7654321")]),
    );
    let from_london = [
        "+44 20 7946 0456",
        "0044 20 7946 0456",
        "tel:+44-20-7946-0456",
    ];
    {
        let book = Phonebook::new(dir.path(), plan());
        book.attach("uk", uk.clone()).unwrap().reload().unwrap();
        book.attach("de", de.clone()).unwrap().reload().unwrap();
        // Read as German numbers, the British ones cannot match.
        for incoming in from_london {
            assert!(book.lookup(incoming).unwrap().is_empty(), "{incoming}");
        }
        assert!(matches!(
            book.set_folder_region("uk", Some("XX"), None),
            Err(cti_phonebook::Error::Config(_))
        ));
        assert!(matches!(
            book.set_folder_region("nowhere", Some("GB"), None),
            Err(cti_phonebook::Error::NotFound { .. })
        ));
        let report = book
            .set_folder_region("uk", Some("GB"), Some("20"))
            .unwrap();
        assert_eq!(report.indexed, 2);
        assert_eq!(book.folder_region("uk"), Some(("GB".into(), "20".into())));
        assert_eq!(book.folder_region("de"), None);
    }
    // Opened again: the region is stored with the folder.
    let book = Phonebook::new(dir.path(), plan());
    let uk_folder = book.attach("uk", uk.clone()).unwrap();
    book.attach("de", de.clone()).unwrap();
    for incoming in from_london {
        let hits = book.lookup(incoming).unwrap();
        assert_eq!(hits.len(), 1, "{incoming}");
        assert_eq!(hits[0].display_name(), "Ann Smith");
        assert_eq!(hits[0].quality(), MatchQuality::National);
    }
    // A local number of the folder takes the folder's area code; a direct dial
    // finds the British switchboard.
    let sb = book.lookup("+44 20 7946 0123").unwrap();
    assert_eq!(sb[0].display_name(), "Widgets Ltd");
    assert_eq!(sb[0].quality(), MatchQuality::Switchboard { stripped: 3 });
    // The German folder still reads German numbers.
    assert_eq!(book.lookup("030 7654321").unwrap()[0].display_name(), "Mum");
    // New records of the folder are read under its region too.
    uk_folder
        .create(
            &Row::new()
                .with("display_name", "Bob Jones")
                .with("phone1", "0161 496 0000"),
        )
        .unwrap();
    assert_eq!(
        book.lookup("+44 161 496 0000").unwrap()[0].display_name(),
        "Bob Jones"
    );
    // Added again (a folder that is indexed already): its numbers are indexed once,
    // under its region.
    book.add(uk_folder.clone());
    assert_eq!(book.index().snapshot().len(), 4);
    let hits = book.lookup("+44 20 7946 0456").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].quality(), MatchQuality::National);
    // Back to the phone book's plan.
    book.set_folder_region("uk", None, None).unwrap();
    assert!(book.lookup("+44 20 7946 0456").unwrap().is_empty());
    assert_eq!(book.folder_region("uk"), None);
}

/// The country of a contact's addresses, as the address book writes it, tells where
/// its numbers stored without country code are: an Austrian supplier in a German
/// folder is found by a call from Vienna. Addresses in two countries say nothing.
#[test]
fn the_country_of_the_addresses_reads_national_numbers_there_too() {
    let dir = tempfile::tempdir().unwrap();
    let src = Arc::new(MemorySource::new("work"));
    let with_adr = |uid: &str, name: &str, tel: &str, countries: &[&str]| {
        let mut s = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nTEL;TYPE=WORK:{tel}\r\n"
        );
        for (i, c) in countries.iter().enumerate() {
            let kind = if i == 0 { "WORK" } else { "HOME" };
            s += &format!("ADR;TYPE={kind}:;;Hauptstr. 1;Somewhere;;1010;{c}\r\n");
        }
        s += "END:VCARD\r\n";
        VCard::parse(s.as_bytes()).unwrap()
    };
    src.put_card(
        "wien.vcf",
        with_adr("wien", "Wien GmbH", "01 234 5678", &["Österreich"]),
    );
    src.put_card(
        "both.vcf",
        with_adr("both", "Two Homes", "089 1111111", &["Austria", "Germany"]),
    );
    let book = Phonebook::new(dir.path(), plan());
    book.attach("work", src.clone()).unwrap().reload().unwrap();
    let hits = book.lookup("+43 1 2345678").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].display_name(), "Wien GmbH");
    assert_eq!(hits[0].quality(), MatchQuality::National);
    // Still found as the line reads it.
    assert_eq!(book.lookup("+49 1 2345678").unwrap().len(), 1);
    // Two countries: read in the line's country only.
    assert_eq!(book.lookup("+49 89 1111111").unwrap().len(), 1);
    assert!(book.lookup("+43 89 1111111").unwrap().is_empty());
}

#[test]
fn adding_a_folder_again_and_detaching_it_leaves_no_listener_behind() {
    let dir = tempfile::tempdir().unwrap();
    let book = Phonebook::new(dir.path(), plan());
    let src = Arc::new(MemorySource::new("work"));
    src.put_card(
        "acme.vcf",
        card("acme", "ACME", "ACME", &[("WORK", "+49 30 1234567")]),
    );
    let folder = book.attach("work", src.clone()).unwrap();
    folder.reload().unwrap();
    // The phone book's change listener holds the folder weakly (and nothing else
    // does here): the folder's weak count is the number of its listeners.
    assert_eq!(Arc::weak_count(&folder), 1);
    for _ in 0..50 {
        book.add(folder.clone());
    }
    assert_eq!(Arc::weak_count(&folder), 1);
    // The one listener left keeps the index current.
    folder
        .create(
            &Row::new()
                .with("display_name", "Bob")
                .with("phone1", "+49 30 7654321"),
        )
        .unwrap();
    assert_eq!(book.lookup("030 7654321").unwrap()[0].display_name(), "Bob");

    let detached = book.detach("work").unwrap();
    assert!(Arc::ptr_eq(&detached, &folder));
    assert_eq!(Arc::weak_count(&folder), 0);
    assert!(book.lookup("030 1234567").unwrap().is_empty());

    // A folder replaced by another of the same name loses its listener too.
    book.add(folder.clone());
    let other = book.attach("work", src.clone()).unwrap();
    assert_eq!((Arc::weak_count(&folder), Arc::weak_count(&other)), (0, 1));
}

/// An iPhone card with eight numbers: direct dial, mobile, home, fax, an "Other"
/// label, iPhone, the company's switchboard (`TYPE=MAIN`) and a pager.
fn eight_numbers(main: &str) -> VCard {
    let s = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.5//EN\r\n\
         N:Meier;Anna;;;\r\nFN:Anna Meier\r\nORG:Muster AG;\r\nUID:anna\r\n\
         item1.TEL;type=WORK;type=VOICE;type=pref:+49 30 12345-678\r\n\
         TEL;type=CELL;type=VOICE:+49 170 1234567\r\n\
         TEL;type=HOME;type=VOICE:+49 30 7654321\r\n\
         TEL;type=WORK;type=FAX:+49 30 12345-99\r\n\
         item2.TEL:+49 30 5550123\r\nitem2.X-ABLabel:_$!<Other>!$_\r\n\
         TEL;type=IPHONE;type=CELL;type=VOICE:+49 171 7654321\r\n\
         TEL;type=MAIN:{main}\r\n\
         TEL;type=PAGER:+49 160 9876543\r\n\
         END:VCARD\r\n"
    );
    VCard::parse(s.as_bytes()).unwrap()
}

/// Where the first match of `number` is: its column, or its kind when it is in none.
fn place_of(book: &Phonebook, number: &str) -> Option<(String, Option<PhoneKind>, MatchQuality)> {
    let hits = book.lookup(number).unwrap();
    let m = hits.first()?;
    assert_eq!(m.display_name(), "Anna Meier", "{number}");
    let place = match m.place() {
        NumberPlace::Column(c) => c.to_owned(),
        NumberPlace::NoColumn(k) => format!("no column: {k}"),
    };
    Some((place, m.kind(), m.quality()))
}

#[test]
fn numbers_without_a_column_are_found_and_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let book = Phonebook::new(dir.path(), plan());
    let src = Arc::new(MemorySource::new("work"));
    src.put_card("anna.vcf", eight_numbers("+49 30 12345-0"));
    let folder = book.attach("work", src.clone()).unwrap();
    folder.reload().unwrap();
    let row = folder.snapshot().rows().next().unwrap().1.row.clone();
    // The switchboard takes the free business 2 column; the second mobile loses
    // "other" to the number labelled Other, and the pager has no column of its kind.
    assert_eq!(row.hidden.phones, 2, "the iPhone and PAGER have no column");

    let main = Some((
        "phone2".to_owned(),
        Some(PhoneKind::Business2),
        MatchQuality::Exact,
    ));
    // The company's main number, in any form a PBX delivers it.
    assert_eq!(place_of(&book, "+49 30 12345-0"), main);
    assert_eq!(
        place_of(&book, "030 123450").map(|p| p.0),
        Some("phone2".to_owned())
    );
    assert_eq!(
        place_of(&book, "0160 9876543"),
        Some((
            "no column: pager".to_owned(),
            Some(PhoneKind::Pager),
            MatchQuality::National
        ))
    );
    assert_eq!(
        place_of(&book, "+49 171 7654321"),
        Some((
            "no column: mobile".to_owned(),
            Some(PhoneKind::Mobile),
            MatchQuality::Exact
        ))
    );
    // An unknown direct-dial number of the same company finds its switchboard.
    assert_eq!(
        place_of(&book, "+49 30 12345-111"),
        Some((
            "phone2".to_owned(),
            Some(PhoneKind::Business2),
            MatchQuality::Switchboard { stripped: 3 }
        ))
    );
    // Numbers in columns say their column and its kind.
    assert_eq!(
        place_of(&book, "+49 170 1234567"),
        Some((
            "phone3".to_owned(),
            Some(PhoneKind::Mobile),
            MatchQuality::Exact
        ))
    );

    // A change to the card reaches the index with the next sync.
    src.put_card("anna.vcf", eight_numbers("+49 30 22222-0"));
    folder.refresh().unwrap();
    assert_eq!(place_of(&book, "+49 30 12345-0"), None);
    assert_eq!(
        place_of(&book, "+49 30 22222-0").map(|p| p.0),
        Some("phone2".to_owned())
    );

    // Re-read under a folder region, the numbers keep their places.
    book.set_folder_region("work", Some("DE"), Some("30"))
        .unwrap();
    assert_eq!(
        place_of(&book, "0160 9876543").map(|p| p.0),
        Some("no column: pager".to_owned())
    );

    // With a column of its own, the switchboard goes there.
    let mut wide = Schema::default();
    wide.phones.push(PhoneKind::CompanyMain);
    wide.phones.push(PhoneKind::Pager);
    folder.set_schema(wide).unwrap();
    assert_eq!(
        place_of(&book, "+49 30 22222-0"),
        Some((
            "phone7".to_owned(),
            Some(PhoneKind::CompanyMain),
            MatchQuality::Exact
        ))
    );
}

#[test]
fn a_withheld_caller_is_an_outcome_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let book = Phonebook::new(dir.path(), plan());
    let src = Arc::new(MemorySource::new("work"));
    src.put_card("anna.vcf", eight_numbers("+49 30 12345-0"));
    book.attach("work", src).unwrap().reload().unwrap();

    for withheld in [
        "anonymous",
        "Anonymous",
        "unknown",
        "private",
        "restricted",
        "CLIR",
        "withheld",
        "unavailable",
        "",
        "-",
        "+",
        "0",
        "sip:anonymous@anonymous.invalid",
    ] {
        let outcome = book.lookup_caller(withheld);
        assert!(
            matches!(outcome, CallerLookup::Withheld),
            "{withheld:?}: {outcome:?}"
        );
        assert!(outcome.matches().is_empty());
    }
    assert!(matches!(
        book.lookup_caller("hello"),
        CallerLookup::NotANumber(NotANumber::Letters)
    ));
    match book.lookup_caller("+49 160 9876543") {
        CallerLookup::Matches(m) => assert_eq!(m[0].display_name(), "Anna Meier"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        book.lookup_caller("+49 89 1111111"),
        CallerLookup::Matches(m) if m.is_empty()
    ));
    // The old API still reports the text as no number.
    assert!(book.lookup("anonymous").is_err());
}
