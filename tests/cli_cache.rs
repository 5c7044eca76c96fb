//! The `phonebook` example CLI over caches that need no server: one another process
//! holds locked, one that is damaged, cards that try to steer the terminal, values
//! out of bounds, and the one JSON document every `--json` run prints.
#![cfg(feature = "conformance")]

#[path = "support/damage.rs"]
mod damage;
#[path = "support/lock.rs"]
mod lock;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cti_phonebook::MemorySource;
use cti_phonebook::cache::CachedFolder;
use cti_phonebook::vcard::VCard;
use damage::damage_card_pages;
use lock::hold_lock;
use serde_json::Value;
use support::cli::{offline_folder, phonebook, run_offline as run};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The one JSON document on stdout.
fn json(o: &Output) -> Value {
    let text = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?} ({})", stderr(o)))
}

/// A failed run's JSON error document: its `kind`.
fn error_kind(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "succeeded: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let doc = json(o);
    assert!(doc["error"]["message"].is_string(), "{doc}");
    doc["error"]["kind"].as_str().unwrap().to_owned()
}

/// Folder "work" with `cards` (and more, to make the file large), as `folder add`
/// leaves it, without a server: its book is on a closed port.
fn folder(dir: &Path, cards: &[&str], filler: usize) -> PathBuf {
    let src = Arc::new(MemorySource::new("work"));
    for (i, c) in cards.iter().enumerate() {
        src.put_card(format!("c{i}.vcf"), VCard::parse(c.as_bytes()).unwrap());
    }
    for i in 0..filler {
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Filler {i}\r\nTEL:+49 40 {i:07}\r\nNOTE:{}\r\nEND:VCARD\r\n",
            "x".repeat(500)
        );
        src.put_card(format!("f{i}.vcf"), VCard::parse(card.as_bytes()).unwrap());
    }
    offline_folder(dir, src)
}

fn moved_aside(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".corrupt-")
        })
        .count()
}

const ADA: &str =
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nTEL;TYPE=WORK:+49 30 1234567\r\nEND:VCARD\r\n";

#[test]
fn cli_locked_cache_is_reported_not_moved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = folder(d, &[ADA], 50);

    // A short lock: waited for.
    let holder = hold_lock(&path, Duration::from_millis(1500));
    let start = Instant::now();
    let out = run(d, &["list", "work", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(start.elapsed() >= Duration::from_millis(500));
    assert_eq!(json(&out).as_array().unwrap().len(), 51);
    holder.wait();

    // A lock held longer than the CLI waits: reported, the file left alone.
    // Meanwhile a lookup answers from the other folders.
    let other =
        CachedFolder::create_new(d, "other", Arc::new(MemorySource::new("o")), &[]).unwrap();
    other
        .create(
            &cti_phonebook::Row::new()
                .with("display_name", "Bob")
                .with("phone1", "+49 30 999999"),
        )
        .unwrap();
    drop(other);
    // Held until both commands are done: a loaded machine may start them late.
    let holder = hold_lock(&path, Duration::from_secs(120));
    let lookup = phonebook(d)
        .args(["lookup", "+49 30 999999", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = run(d, &["list", "work", "--json"]);
    assert_eq!(error_kind(&out), "cache_locked");
    assert!(stderr(&out).contains("locked"), "{}", stderr(&out));
    assert_eq!(moved_aside(d), 0, "a lock is no damage");
    let lookup = lookup.wait_with_output().unwrap();
    holder.release();
    assert!(lookup.status.success(), "{}", stderr(&lookup));
    assert_eq!(json(&lookup)["matches"][0]["display_name"], "Bob");
    assert!(
        stderr(&lookup).contains("folder 'work' left out"),
        "{}",
        stderr(&lookup)
    );
    let out = run(d, &["folder", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let folders = json(&out);
    assert_eq!(folders[1]["name"], "work");
    assert_eq!(folders[1]["records"], 51);
    assert_eq!(folders[1]["book_url"], "http://127.0.0.1:9/book/");
    assert_eq!(folders[1]["warning"], Value::Null);
}

#[test]
fn cli_damaged_cache_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = folder(d, &[ADA], 300);
    let len = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len / 2)
        .unwrap();

    let out = run(d, &["list", "work"]);
    assert!(!out.status.success(), "an empty table with exit 0");
    let err = stderr(&out);
    assert!(
        err.contains("damaged") && err.contains("sync work"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(error_kind(&run(d, &["list", "work", "--json"])), "cache");
    assert_eq!(moved_aside(d), 1);

    // The settings survived: the folder still knows its server and user.
    let out = run(d, &["folder", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let f = &json(&out)[0];
    assert_eq!(f["book_url"], "http://127.0.0.1:9/book/");
    assert_eq!(f["user"], "alice");
    assert!(f["warning"].as_str().unwrap().contains("damaged"), "{f}");

    // The sync that would rebuild it needs the server: it fails as a sync, and says
    // no more than that.
    let out = phonebook(d)
        .args(["sync", "work", "--json"])
        .env("PHONEBOOK_PASSWORD", "pw")
        .output()
        .unwrap();
    assert_eq!(error_kind(&out), "network");

    // `folder remove` takes the damaged copies too.
    let out = run(d, &["folder", "remove", "work"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(d).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn cli_json_errors_are_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    folder(d, &[ADA], 0);
    for (args, kind) in [
        (&["list", "nope", "--json"][..], "not_found"),
        (&["show", "nope", "x", "--json"], "not_found"),
        (&["show", "work", "nothing-here", "--json"], "usage"),
        (&["sync", "nope", "--json"], "not_found"),
        (&["dial", "no number", "--json"], "not_a_number"),
        (&["lookup", "--json", "--no-such-flag", "1"], "usage"),
        (&["folder", "list", "--json", "--no-such-flag"], "usage"),
    ] {
        let out = run(d, args);
        assert_eq!(error_kind(&out), kind, "{args:?}");
    }
    // Text that is no number is an answer of a lookup, not a failure (a PBX may
    // deliver anything): exit 0, one document with the reason.
    let out = run(d, &["lookup", "no number", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["reason"], "not_a_number");
    // Bad arguments exit with 2, as clap's do.
    assert_eq!(run(d, &["list", "--json", "--bad"]).status.code(), Some(2));
    // `-1` is a number to look up, not an option.
    let out = run(d, &["lookup", "-1", "--json"]);
    let doc = json(&out);
    assert!(
        doc.get("matches").is_some() || doc.get("error").is_some(),
        "{doc}"
    );
    assert!(
        !stderr(&out).contains("unexpected argument"),
        "{}",
        stderr(&out)
    );
    let out = run(d, &["dial", "-1", "--json"]);
    json(&out);
    // All folders: one array, each entry a report or an error.
    let out = phonebook(d)
        .args(["sync", "--json"])
        .env("PHONEBOOK_PASSWORD", "pw")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let doc = json(&out);
    assert_eq!(doc[0]["folder"], "work");
    assert_eq!(doc[0]["error"]["kind"], "network", "{doc}");
}

#[test]
fn cli_escapes_terminal_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let evil = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Esc\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nORG:Evil\u{9b}31m\u{202e}Corp\r\nTEL;TYPE=WORK:+49 30 7654321\r\nEND:VCARD\r\n";
    folder(d, &[evil], 0);
    let steering = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
    };
    let id = json(&run(d, &["list", "work", "--json"]))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for args in [
        &["list", "work"][..],
        &["show", "work", &id],
        &["lookup", "+49 30 7654321"],
        &["export", "work", "--format", "csv"],
        &["folder", "list"],
    ] {
        let out = run(d, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            !steering(&out.stdout),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        if args[0] != "folder" {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("Esc\\x1B]0;pwned\\x07\\x1B[2J"),
                "{args:?}: {text}"
            );
        }
    }
    // JSON escapes them itself; the vCard export is byte for byte.
    let list = run(d, &["list", "work", "--json"]);
    assert!(!steering(&list.stdout));
    assert_eq!(
        json(&list)[0]["fields"]["display_name"],
        "Esc\u{1b}]0;pwned\u{7}\u{1b}[2J"
    );
    let vcf = run(d, &["export", "work", "--format", "vcf"]);
    assert!(vcf.stdout.windows(evil.len()).any(|w| w == evil.as_bytes()));
}

#[test]
fn cli_refuses_unbounded_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    folder(d, &[ADA], 0);
    for days in ["1e8", "1e12", "1e300", "inf", "NaN", "0", "0.0001"] {
        let out = run(d, &["folder", "set", "work", "--sync-interval", days]);
        assert_eq!(out.status.code(), Some(1), "{days}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--sync-interval"),
            "{days}: {}",
            stderr(&out)
        );
    }
    for n in ["65", "100000000", "18446744073709551615"] {
        let start = Instant::now();
        let out = run(d, &["folder", "set", "work", "--phones", n]);
        assert_eq!(out.status.code(), Some(1), "{n}: {}", stderr(&out));
        assert!(stderr(&out).contains("too many"), "{n}: {}", stderr(&out));
        assert!(start.elapsed() < Duration::from_secs(5));
    }
    let out = run(
        d,
        &[
            "folder",
            "set",
            "work",
            "--sync-interval",
            "3650",
            "--phones",
            "64",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let f = &json(&run(d, &["folder", "list", "--json"]))[0];
    assert_eq!(f["sync_interval_days"], 3650.0);
    let phones = f["schema"].as_str().unwrap().split(';').next().unwrap();
    assert_eq!(phones.split(',').count(), 64, "{phones}");
}

#[test]
fn cli_export_of_damaged_cards_keeps_the_readable_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = Arc::new(MemorySource::new("work"));
    for i in 0..400 {
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:N{i}\r\nX-FILLER:{}\r\nEND:VCARD\r\n",
            "f".repeat(2000)
        );
        src.put_card(
            format!("{i:03}.vcf"),
            VCard::parse(card.as_bytes()).unwrap(),
        );
    }
    let f = CachedFolder::create_new(d, "work", src, &[]).unwrap();
    f.reload().unwrap();
    let path = f.path();
    drop(f);
    assert!(damage_card_pages(&path));

    let out = run(d, &["export", "work", "--format", "vcf"]);
    assert!(!out.status.success());
    let exported = String::from_utf8_lossy(&out.stdout)
        .matches("BEGIN:VCARD")
        .count();
    assert!((1..400).contains(&exported), "{exported} cards exported");
    let err = stderr(&out);
    assert!(
        err.contains("could not be read") && err.contains("sync work"),
        "{err}"
    );
    // The next open says the folder needs its reload.
    let out = run(d, &["folder", "list", "--json"]);
    assert!(
        json(&out)[0]["warning"]
            .as_str()
            .unwrap()
            .contains("damaged")
    );
}
