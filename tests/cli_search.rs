//! The `phonebook` example's `search` command and `folder set --auto-open`, on a
//! cache made here (no server needed).

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use cti_phonebook::MemorySource;
use cti_phonebook::cache::CachedFolder;
use cti_phonebook::vcard::VCard;
use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(support::phonebook_exe())
        .arg("--cache-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stdout_ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn cache(dir: &Path) {
    let src = Arc::new(MemorySource::new("work"));
    let card = |text: &str| {
        VCard::parse(format!("BEGIN:VCARD\r\nVERSION:3.0\r\n{text}END:VCARD\r\n").as_bytes())
            .unwrap()
    };
    src.put_card(
        "a.vcf",
        card("FN:Dr. Agnieszka Maria Kowalczyk\r\nN:Kowalczyk;Agnieszka;Maria;Dr.;\r\nORG:Łódź Logistik\r\nTEL;TYPE=WORK:+49 30 1234567\r\n"),
    );
    src.put_card(
        "b.vcf",
        card("FN:Hans Müller\r\nTEL;TYPE=CELL:0170 5550001\r\n"),
    );
    CachedFolder::open(dir, "work", src)
        .unwrap()
        .reload()
        .unwrap();
}

#[test]
fn search_prints_marked_fields_and_json() {
    let dir = tempfile::tempdir().unwrap();
    cache(dir.path());
    let out = stdout_ok(dir.path(), &["search", "kow ag"]);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("Dr. Agnieszka Maria Kowalczyk\tŁódź Logistik\twork\ta.vcf\t"),
        "{out}"
    );
    assert!(
        first.contains("display_name: Dr. [Ag]nieszka Maria [Kow]alczyk"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");

    let v: Value =
        serde_json::from_str(&stdout_ok(dir.path(), &["search", "mueller", "--json"])).unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{v}");
    assert_eq!(hits[0]["display_name"], "Hans Müller");
    assert_eq!(hits[0]["folder"], "work");
    assert_eq!(hits[0]["matched"][0]["column"], "display_name");
    assert_eq!(
        hits[0]["matched"][0]["ranges"][0],
        serde_json::json!([5, 12])
    );

    let v: Value =
        serde_json::from_str(&stdout_ok(dir.path(), &["search", "4567", "--json"])).unwrap();
    assert_eq!(v["hits"][0]["matched"][0]["column"], "phone1", "{v}");
    assert!(stdout_ok(dir.path(), &["search", "zzz"]).starts_with("no contact for 'zzz'"));

    // A whole number finds its other form under the country given: Hans's mobile
    // is stored nationally.
    let out = stdout_ok(dir.path(), &["search", "+49 170 555"]);
    assert_eq!(out, "Hans Müller\t\twork\tb.vcf\tphone3: [0170 555]0001\n");
    let out = stdout_ok(dir.path(), &["search", "+49 170 555", "--country", "AT"]);
    assert!(out.starts_with("no contact for"), "{out}");
}

#[test]
fn folder_set_auto_open_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    cache(dir.path());
    let listed = |dir: &Path| -> Value {
        serde_json::from_str(&stdout_ok(dir, &["folder", "list", "--json"])).unwrap()
    };
    assert_eq!(listed(dir.path())[0]["auto_open"], false);
    stdout_ok(dir.path(), &["folder", "set", "work", "--auto-open", "on"]);
    assert_eq!(listed(dir.path())[0]["auto_open"], true);
    stdout_ok(dir.path(), &["folder", "set", "work", "--auto-open", "off"]);
    assert_eq!(listed(dir.path())[0]["auto_open"], false);
    let out = run(
        dir.path(),
        &["folder", "set", "work", "--auto-open", "maybe"],
    );
    assert!(!out.status.success());
}
