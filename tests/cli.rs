//! Acceptance test of the `phonebook` example CLI against a real Radicale on
//! 127.0.0.1: the invocations the README documents, with their JSON output; and
//! against Xandikos over TLS, for the message about an untrusted certificate; and the
//! `list` table with wide characters, over a cache made here.
#![cfg(feature = "conformance")]

mod support;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use cti_phonebook::MemorySource;
use cti_phonebook::carddav::{CardDavConfig, CardDavSource};
use cti_phonebook::vcard::VCard;
use serde_json::Value;
use support::cli::{offline_folder, phonebook, run_offline};
use support::dns::{DnsServer, Rdata};
use support::servers::Server;
use unicode_width::UnicodeWidthStr;

fn run(dir: &Path, password: &str, args: &[&str]) -> Output {
    phonebook(dir)
        .args(args)
        .env("PHONEBOOK_PASSWORD", password)
        .output()
        .unwrap()
}

fn ok_json(dir: &Path, args: &[&str]) -> Value {
    ok_json_as(dir, "secret", args)
}

fn ok_json_as(dir: &Path, password: &str, args: &[&str]) -> Value {
    let out = run(dir, password, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn cli_against_radicale() {
    let Some(s) = Server::start("radicale") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let books = ok_json(d, &["discover", &s.bare_url, "--user", "alice", "--json"]);
    assert_eq!(books.as_array().unwrap().len(), 1);

    // Just a domain, through a DNS server on 127.0.0.1 whose SRV record points to
    // Radicale: a host outside the domain, followed only with the flag.
    let port = url::Url::parse(&s.url).unwrap().port().unwrap();
    let dns = DnsServer::start(vec![(
        "_carddav._tcp.example.test",
        Rdata::Srv(0, 0, port, "127.0.0.1.".into()),
    )]);
    let ns = dns.addr().to_string();
    let by_dns = ["discover", "http://example.test", "--user", "alice"];
    let out = run(d, "secret", &[&by_dns[..], &["--dns-server", &ns]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("points to 127.0.0.1, outside the domain"),
        "{err}"
    );
    let follow = [
        "--dns-server",
        &ns,
        "--follow-dns-to-other-domains",
        "--json",
    ];
    let books = ok_json(d, &[&by_dns[..], &follow[..]].concat());
    assert_eq!(books.as_array().unwrap().len(), 1, "{books}");
    drop(dns);

    let out = run(
        d,
        "secret",
        &[
            "folder",
            "add",
            "Work",
            "--url",
            &s.bare_url,
            "--user",
            "alice",
            "--phones",
            "4",
            "--sync-interval",
            "1",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rec = ok_json(
        d,
        &[
            "add",
            "Work",
            "--set",
            "display_name=ACME Zentrale",
            "--set",
            "company=ACME",
            "--set",
            "phone1=+49 30 1234-0",
            "--json",
        ],
    );
    let id = rec["id"].as_str().unwrap().to_owned();
    assert_eq!(rec["fields"]["phone1"], "+49 30 1234-0");
    ok_json(
        d,
        &[
            "add",
            "Work",
            "--set",
            "first_name=Bob",
            "--set",
            "last_name=Builder",
            "--set",
            "phone3=0170 5550001",
            "--json",
        ],
    );

    let sync = ok_json(d, &["sync", "Work", "--json"]);
    assert_eq!(sync["folder"], "Work");
    assert!(sync["requests"].as_u64().unwrap() >= 1);
    let again = ok_json(d, &["sync", "Work", "--json"]);
    assert_eq!(
        (again["added"].as_u64(), again["changed"].as_u64()),
        (Some(0), Some(0))
    );
    // The folder stored its book and the server's auth scheme: a run costs exactly the
    // sync's own request on the wire, no open and no 401 first (a refresh and a
    // reload are one report each on Radicale).
    assert_eq!(again["requests"], 1, "{again}");

    let list = ok_json(d, &["list", "Work", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let bob = list
        .iter()
        .find(|r| r["fields"]["display_name"] == "Bob Builder")
        .expect("FN derived");
    assert!(bob["fields"].get("phone1").is_none(), "empty cells omitted");

    let hits = ok_json(
        d,
        &["lookup", "+49 30 1234-567", "--country", "DE", "--json"],
    );
    assert_eq!(hits["matches"][0]["display_name"], "ACME Zentrale");
    assert_eq!(hits["matches"][0]["quality"], "switchboard");
    let none = ok_json(d, &["lookup", "+1 212 555 0000", "--json"]);
    assert_eq!(none["matches"].as_array().unwrap().len(), 0);
    let bob_hit = ok_json(d, &["lookup", "0049 170 5550001", "--json"]);
    assert_eq!(bob_hit["matches"][0]["column"], "phone3");

    let edited = ok_json(
        d,
        &[
            "edit",
            "Work",
            &id,
            "--set",
            "phone2=+49 30 1234-99",
            "--json",
        ],
    );
    assert_eq!(edited["fields"]["phone2"], "+49 30 1234-99");
    let shown = ok_json(d, &["show", "Work", &id, "--json"]);
    assert_eq!(shown["fields"]["company"], "ACME");

    let vcf = run(d, "secret", &["export", "Work", "--format", "vcf"]);
    let text = String::from_utf8(vcf.stdout).unwrap();
    assert_eq!(text.matches("BEGIN:VCARD").count(), 2);
    let csv = run(d, "secret", &["export", "Work", "--format", "csv"]);
    assert!(
        String::from_utf8(csv.stdout)
            .unwrap()
            .starts_with("id,display_name,")
    );

    let dial = ok_json(
        d,
        &[
            "dial",
            "tel:+49-30-1234-99",
            "--area-code",
            "30",
            "--outside-prefix",
            "0",
            "--json",
        ],
    );
    assert_eq!(dial["dial"], "0123499");
    assert_eq!(dial["match"]["display_name"], "ACME Zentrale");

    // Wrong password: one clear line, non-zero exit, cache untouched.
    let bad = run(d, "not-the-password", &["sync", "Work"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("wrong user name or password"), "{err}");
    assert!(!err.contains("not-the-password"), "password leaked: {err}");
    assert_eq!(
        ok_json(d, &["list", "Work", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let unknown = run(d, "secret", &["list", "Nope"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown folder"));

    // Settings change later without losing the cache.
    let out = run(
        d,
        "secret",
        &[
            "folder",
            "set",
            "Work",
            "--phones",
            "2",
            "--phone-kind",
            "phone2=mobile",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = ok_json(d, &["list", "Work", "--json"]);
    let bob = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["fields"]["display_name"] == "Bob Builder")
        .unwrap();
    assert_eq!(
        bob["fields"]["phone2"], "0170 5550001",
        "re-mapped into the retyped column"
    );

    // The folder's national numbers are read in another country when told so.
    let austrian = ["lookup", "0043 170 5550001", "--country", "DE", "--json"];
    assert_eq!(
        ok_json(d, &austrian)["matches"].as_array().unwrap().len(),
        0
    );
    for (country, found) in [("AT", 1), ("none", 0)] {
        let out = run(
            d,
            "secret",
            &["folder", "set", "Work", "--numbers-country", country],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hits = ok_json(d, &austrian);
        assert_eq!(
            hits["matches"].as_array().unwrap().len(),
            found,
            "{country}"
        );
    }

    let out = run(d, "secret", &["delete", "Work", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        ok_json(d, &["list", "Work", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let folders = ok_json(d, &["folder", "list", "--json"]);
    assert_eq!(folders[0]["records"], 1);
    assert!(folders[0].get("password").is_none());
    drop(s);
}

/// An iPhone card with eight numbers, PUT to the server as it is.
const NINE_NUMBERS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\n\
PRODID:-//Apple Inc.//iPhone OS 17.5//EN\r\nN:Meier;Anna;;;\r\nFN:Anna Meier\r\n\
ORG:Muster AG;\r\nUID:cli-anna-meier\r\n\
item1.TEL;type=WORK;type=VOICE;type=pref:+49 30 12345-678\r\n\
TEL;type=WORK;type=VOICE:+49 30 12345-677\r\n\
TEL;type=CELL;type=VOICE:+49 170 1234567\r\nTEL;type=HOME;type=VOICE:+49 30 7654321\r\n\
TEL;type=WORK;type=FAX:+49 30 12345-99\r\n\
item2.TEL:+49 30 5550123\r\nitem2.X-ABLabel:_$!<Other>!$_\r\n\
TEL;type=IPHONE;type=CELL;type=VOICE:+49 171 7654321\r\n\
TEL;type=MAIN:+49 30 12345-0\r\nTEL;type=PAGER:+49 160 9876543\r\nEND:VCARD\r\n";

/// A card with more numbers than the folder has columns, through a real server: the
/// switchboard (both business columns hold direct dials) and the pager, in no
/// column, are found and say what they are, and
/// so is an unknown direct dial of the same company. A withheld caller is an
/// answer with a reason, exit 0.
#[test]
fn cli_lookup_finds_numbers_without_a_column_and_answers_withheld_callers() {
    for kind in ["radicale", "xandikos"] {
        lookup_through(kind);
    }
}

fn lookup_through(kind: &'static str) {
    let Some(s) = Server::start(kind) else {
        return;
    };
    let config = CardDavConfig::builder(&s.book_url)
        .password(&s.user, &s.password)
        .build()
        .unwrap();
    CardDavSource::open(config)
        .unwrap()
        .import_card(VCard::parse(NINE_NUMBERS.as_bytes()).unwrap())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add = [
        "folder",
        "add",
        "Work",
        "--url",
        &s.bare_url,
        "--user",
        &s.user,
    ];
    let out = run(d, &s.password, &add);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ok_json_as(d, &s.password, &["sync", "Work", "--json"]);

    let first = |number: &str| {
        let hits = ok_json(d, &["lookup", number, "--country", "DE", "--json"]);
        assert_eq!(
            hits["matches"][0]["display_name"], "Anna Meier",
            "{kind}: {hits}"
        );
        assert!(hits.get("reason").is_none(), "{hits}");
        hits["matches"][0].clone()
    };
    let main = first("+49 30 12345-0");
    assert_eq!(
        (&main["column"], &main["kind"], &main["quality"]),
        (
            &Value::Null,
            &Value::from("company main"),
            &Value::from("exact")
        )
    );
    let direct_dial = first("+49 30 12345-111");
    assert_eq!(
        (&direct_dial["kind"], &direct_dial["quality"]),
        (&Value::from("company main"), &Value::from("switchboard"))
    );
    let pager = first("0160 9876543");
    assert_eq!(
        (&pager["column"], &pager["kind"]),
        (&Value::Null, &Value::from("pager"))
    );
    let mobile = first("+49 170 1234567");
    assert_eq!(
        (&mobile["column"], &mobile["kind"]),
        (&Value::from("phone3"), &Value::from("mobile"))
    );
    let text = run(
        d,
        &s.password,
        &["lookup", "+49 30 12345-0", "--country", "DE"],
    );
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("no column (company main) +49 30 12345-0"),
        "{text}"
    );

    for withheld in ["anonymous", "", "CLIR", "-", "Anonymous", "unknown", "+"] {
        let out = run(d, &s.password, &["lookup", withheld, "--json"]);
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{withheld:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"matches": [], "reason": "withheld"}),
            "{withheld:?}"
        );
    }
    let garbage = ok_json(d, &["lookup", "hello", "--json"]);
    assert_eq!(garbage["reason"], "not_a_number");
    assert_eq!(garbage["matches"].as_array().map(Vec::len), Some(0));
    let text = run(d, &s.password, &["lookup", "anonymous"]);
    assert!(text.status.success());
    assert_eq!(
        String::from_utf8_lossy(&text.stdout).trim(),
        "withheld number: no contact"
    );
    drop(s);
}

/// A TLS server behind its own CA: without `--ca-file` the CLI says the certificate is
/// not trusted (not "offline?") and names the option; with it, discovery works.
#[test]
fn cli_untrusted_certificate_names_ca_file() {
    let Some(s) = Server::start("xandikos-tls") else {
        return;
    };
    let ca = s.ca_file.clone().expect("a CA file");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let out = run(d, &s.password, &["discover", &s.url, "--user", &s.user]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("certificate is not trusted"), "{err}");
    assert!(err.contains("--ca-file"), "{err}");
    assert!(!err.contains("offline"), "{err}");
    assert!(!err.contains(&s.password), "{err}");

    let books = ok_json_as(
        d,
        &s.password,
        &[
            "discover",
            &s.url,
            "--user",
            &s.user,
            "--ca-file",
            ca.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(books.as_array().unwrap().len(), 1, "{books}");
}

/// A password typed inside the URL is used for that run and kept nowhere: not in
/// `folder list`, not in any cache file. Two `folder add` of one name at once add
/// it once. A damaged cache of a real folder is rebuilt by the next `sync`.
#[test]
fn cli_password_in_the_url_is_used_not_kept() {
    let Some(s) = Server::start("radicale") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = url::Url::parse(&s.url).unwrap().port().unwrap();
    let typed = format!("http://alice:{}@127.0.0.1:{port}/", s.password);
    let no_password = |args: &[&str]| run_offline(d, args);

    // The user name in the URL and --user must agree.
    let out = no_password(&["folder", "add", "s2", "--url", &typed, "--user", "bob"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--user"));

    let out = no_password(&["folder", "add", "s2", "--url", &typed]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for out in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(out).contains(&s.password));
    }
    let folders = ok_json(d, &["folder", "list", "--json"]);
    let text = folders.to_string();
    assert!(!text.contains(&s.password), "{text}");
    assert_eq!(folders[0]["user"], "alice");
    assert_eq!(folders[0]["url"], format!("http://127.0.0.1:{port}/"));
    // Later runs need the password again: it was not kept.
    let out = no_password(&["sync", "s2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no password"));
    ok_json(
        d,
        &[
            "add",
            "s2",
            "--set",
            "display_name=Kept",
            "--set",
            "phone1=+49 30 5550000",
            "--json",
        ],
    );
    ok_json(d, &["sync", "s2", "--json"]);
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let pw = s.password.as_bytes();
        assert!(
            !bytes.windows(pw.len()).any(|w| w == pw),
            "password in {}",
            p.display()
        );
    }

    // The cache cut short: reported, then rebuilt by the next sync.
    let db = d.join("s2.sqlite");
    let len = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    let out = run(d, "secret", &["list", "s2"]);
    assert!(!out.status.success(), "an empty table with exit 0");
    let sync = ok_json(d, &["sync", "s2", "--json"]);
    assert_eq!(
        (sync["mode"].as_str(), sync["added"].as_u64()),
        (Some("reload"), Some(1))
    );
    assert_eq!(sync["rebuilt"], true);
    let list = ok_json(d, &["list", "s2", "--json"]);
    assert_eq!(list[0]["fields"]["display_name"], "Kept");
    assert_eq!(
        ok_json(d, &["folder", "list", "--json"])[0]["warning"],
        Value::Null
    );

    // Two `folder add` of one name at once: one adds it, the other says it exists.
    let adds: Vec<_> = (0..2)
        .map(|_| {
            phonebook(d)
                .args([
                    "folder",
                    "add",
                    "twin",
                    "--url",
                    &s.bare_url,
                    "--user",
                    "alice",
                ])
                .env("PHONEBOOK_PASSWORD", &s.password)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<Output> = adds
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let added = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(
        added,
        1,
        "{:?}",
        outs.iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect::<Vec<_>>()
    );
    let refused = outs.iter().find(|o| !o.status.success()).unwrap();
    assert!(String::from_utf8_lossy(&refused.stderr).contains("exists"));
    drop(s);
}

/// `list` pads its table's cells to their display width: names in CJK characters and
/// emoji, which take two terminal columns each, keep the columns after them aligned.
#[test]
fn cli_table_aligns_wide_characters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let contacts = [
        ("王小明", "北京贸易有限公司", "+49 30 1000"),
        ("😀 Smiley", "Emoji ✨ Ltd", "+49 30 1001"),
        ("Ada", "ACME", "+49 30 1002"),
    ];
    let src = Arc::new(MemorySource::new("work"));
    for (i, (name, company, number)) in contacts.iter().enumerate() {
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nORG:{company}\r\nTEL;TYPE=WORK:{number}\r\nEND:VCARD\r\n"
        );
        src.put_card(format!("c{i}.vcf"), VCard::parse(card.as_bytes()).unwrap());
    }
    offline_folder(d, src);
    let out = run_offline(d, &["list", "work"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // The terminal column at which `cell` starts in `line`.
    let column = |line: &str, cell: &str| {
        let at = line
            .find(cell)
            .unwrap_or_else(|| panic!("no {cell:?} in {line:?}"));
        line[..at].width()
    };
    let header = text.lines().next().unwrap();
    let (company_at, phone_at) = (column(header, "company"), column(header, "business"));
    for (name, company, number) in contacts {
        let line = text.lines().find(|l| l.contains(name)).unwrap();
        assert_eq!(column(line, company), company_at, "\n{text}");
        assert_eq!(column(line, number), phone_at, "\n{text}");
    }
}
