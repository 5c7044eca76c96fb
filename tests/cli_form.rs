//! The `phonebook` example CLI on columns and forms, over a cache that needs no
//! server: `show` lists the numbers without a column with their kind, and
//! `folder form` prints, replaces and refuses data masks.
#![cfg(feature = "conformance")]

mod support;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use cti_phonebook::MemorySource;
use cti_phonebook::vcard::VCard;
use serde_json::{Value, json};
use support::cli::{offline_folder, run_offline as run};

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    let text = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"))
}

/// Folder "work" holding `card`, as `folder add` leaves it, its book on a closed port.
fn folder(dir: &Path, card: &str) {
    let src = Arc::new(MemorySource::new("work"));
    src.put_card("c.vcf", VCard::parse(card.as_bytes()).unwrap());
    offline_folder(dir, src);
}

const APPLE: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jan Kowalski\r\nORG:ACME\r\n\
    item1.TEL;type=pref:+48 22 1000001\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n\
    TEL;type=CELL:+48 600 000002\r\nTEL;type=HOME:+48 22 1000003\r\n\
    TEL;type=WORK;type=FAX:+48 22 1000004\r\nitem2.TEL:+48 22 1000005\r\n\
    item2.X-ABLabel:_$!<Other>!$_\r\nTEL;type=IPHONE;type=CELL:+48 600 000006\r\n\
    TEL;type=MAIN:+48 22 1000000\r\nTEL;type=PAGER:+48 600 000007\r\nEND:VCARD\r\n";

#[test]
fn show_lists_more_numbers_with_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    folder(d, APPLE);
    let shown = json(&run(d, &["show", "work", "c.vcf", "--json"]));
    assert_eq!(shown["fields"]["phone1"], "+48 22 1000001");
    assert_eq!(shown["fields"]["phone2"], "+48 22 1000000");
    assert_eq!(shown["fields"]["phone6"], "+48 22 1000005");
    assert_eq!(shown["hidden"]["phones"], 2);
    assert_eq!(
        shown["more_numbers"],
        json!([
            {"kind": "mobile", "number": "+48 600 000006"},
            {"kind": "pager", "number": "+48 600 000007"},
        ])
    );
    let text = ok(&run(d, &["show", "work", "c.vcf"]));
    assert!(
        text.contains("more numbers:\n  mobile: +48 600 000006\n  pager: +48 600 000007\n"),
        "{text}"
    );
}

#[test]
fn folder_form_prints_replaces_and_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    folder(d, APPLE);
    let form = json(&run(d, &["folder", "form", "work", "--json"]));
    assert_eq!(form["title"], json!(["company", "display_name"]));
    let groups = form["groups"].as_array().unwrap();
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "name",
            "company",
            "phones",
            "emails",
            "addresses",
            "web",
            "user",
            "note"
        ]
    );
    let phone1 = &groups[2]["fields"][0];
    assert_eq!(phone1["column"], "phone1");
    assert_eq!(phone1["label"], "Business phone");
    assert_eq!(phone1["label_de"], "Telefon geschäftlich");
    assert_eq!(phone1["input"], "phone");
    assert_eq!(phone1["property"], "TEL");
    assert_eq!(groups[2]["label_de"], "Telefonnummern");

    // Mobile first, the fax hidden, the phones before the name, and a new title.
    let mut changed = form.clone();
    let phones = changed["groups"][2]["fields"].as_array_mut().unwrap();
    phones.swap(0, 2);
    phones[4]["visible"] = json!(false);
    changed["groups"].as_array_mut().unwrap().swap(0, 2);
    changed["title"] = json!(["last_name", "company"]);
    let file = d.join("form.json");
    std::fs::write(&file, changed.to_string()).unwrap();
    let set = json(&run(
        d,
        &[
            "folder",
            "form",
            "work",
            "--set-json",
            file.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(set, changed);
    assert_eq!(
        json(&run(d, &["folder", "form", "work", "--json"])),
        changed
    );
    let text = ok(&run(d, &["folder", "form", "work"]));
    assert!(
        text.starts_with(
            "title: last_name — company\nPhone numbers:\n  phone3\tMobile\tphone\tTEL\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  (hidden) phone5\tBusiness fax\tphone\tTEL\n"),
        "{text}"
    );

    // Unknown and repeated columns, a bad group, bad JSON: a config error, and the
    // stored form stays.
    let mut unknown = changed.clone();
    unknown["groups"][0]["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"column": "phone9"}));
    let mut twice = changed.clone();
    twice["groups"][1]["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"column": "phone1"}));
    let mut group = changed.clone();
    group["groups"][0]["group"] = json!("faxes");
    for (bad, words) in [
        (unknown.to_string(), "phone9"),
        (twice.to_string(), "'phone1' is on the form twice"),
        (group.to_string(), "unknown form group 'faxes'"),
        (
            "{\"title\": [\"company\"], \"groups\": 3}".to_owned(),
            "\"groups\" must be an array",
        ),
        ("not json".to_owned(), "not valid JSON"),
    ] {
        std::fs::write(&file, bad).unwrap();
        let out = run(
            d,
            &[
                "folder",
                "form",
                "work",
                "--set-json",
                file.to_str().unwrap(),
                "--json",
            ],
        );
        assert!(!out.status.success());
        let err = json(&out);
        assert_eq!(err["error"]["kind"], "config", "{err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
        assert_eq!(
            json(&run(d, &["folder", "form", "work", "--json"])),
            changed
        );
    }
}
