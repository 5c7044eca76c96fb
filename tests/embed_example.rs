//! `examples/embed.rs` against a real Radicale on 127.0.0.1: the seven steps of an
//! embedding CTI tool, from the bare server URL to a conflict and an offline restart.
#![cfg(feature = "conformance")]

mod support;

use std::process::Command;

use support::servers::Server;

const ACME: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:embed-acme\r\nFN:ACME Zentrale\r\n\
ORG:ACME GmbH\r\nTEL;TYPE=WORK:+49 30 8812345-0\r\nEND:VCARD\r\n";
const BOB: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:embed-bob\r\nFN:Bob Builder\r\n\
TEL;TYPE=CELL:+49 170 5550001\r\nEND:VCARD\r\n";

#[test]
fn embed_example_against_radicale() {
    let Some(s) = Server::start("radicale") else {
        return;
    };
    let http = reqwest::blocking::Client::new();
    for (name, card) in [("acme.vcf", ACME), ("bob.vcf", BOB)] {
        let url = format!("{}/{name}", s.book_url.trim_end_matches('/'));
        let reply = http
            .put(url)
            .basic_auth(&s.user, Some(&s.password))
            .header("Content-Type", "text/vcard")
            .body(card)
            .send()
            .unwrap();
        assert!(
            reply.status().is_success(),
            "PUT {name}: {}",
            reply.status()
        );
    }
    let exe = support::phonebook_exe().with_file_name("embed");
    assert!(
        exe.exists(),
        "{} missing: cargo build --examples",
        exe.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(exe)
        .env("CARDDAV_URL", &s.bare_url)
        .env("CARDDAV_USER", &s.user)
        .env("CARDDAV_PASSWORD", &s.password)
        .env("PHONEBOOK_DIR", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success());
    for line in [
        "1. found 1 book(s)",
        "3. offline start: 0 contacts in the cache",
        "3. notified: 2 contacts changed",
        "4. +49 30 8812345-0: ACME Zentrale (ACME GmbH, Some(Business), Exact)",
        "4. 030 8812345: ACME Zentrale (ACME GmbH, Some(Business), Switchboard { stripped: 0 })",
        "4. 0049308812345: ACME Zentrale",
        "4. +49 30 8812345-21: ACME Zentrale (ACME GmbH, Some(Business), Switchboard { stripped: 2 })",
        "4. anonymous: withheld",
        "5. dial 88123450 and 0891234567",
        "6. edited ",
        "6. conflict: the server has version ",
        "7. offline lookup after a restart: ACME Zentrale",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    assert!(stdout.contains("   progress: 2 of Some(2)"), "{stdout}");
}
