//! The `caller_popup` example against fake phone systems on 127.0.0.1: a Fritz!Box
//! call monitor and an Asterisk manager that send the real line and event formats
//! in pieces, drop the connection and refuse a login; and the auto-open option
//! of a folder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use cti_phonebook::MemorySource;
use cti_phonebook::cache::CachedFolder;
use cti_phonebook::calls::set_auto_open;
use cti_phonebook::vcard::Document;

const CONTACTS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ada\r\nFN:Ada Kowalczyk\r\nORG:ACME\r\nTEL;TYPE=WORK:+49 30 1234567\r\nTEL;TYPE=CELL:+49 171 2223334\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nUID:bob\r\nFN:Bob Builder\r\nTEL;TYPE=CELL:0170 5550001\r\nEND:VCARD\r\n";

/// The example binary, built by `cargo test` beside the test binaries.
fn popup_exe() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let p = deps
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/caller_popup");
    assert!(
        p.exists(),
        "{} missing: run `cargo build --examples`",
        p.display()
    );
    p
}

fn vcf(dir: &Path) -> PathBuf {
    let p = dir.join("contacts.vcf");
    std::fs::write(&p, CONTACTS).unwrap();
    p
}

/// Runs the pop-up to its end (at most 30 s), with `stdin` as its input.
fn run_popup(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(popup_exe())
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!(
                "caller_popup did not end: {:?}",
                child.wait_with_output().unwrap()
            );
        }
        thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The pop-up's arguments for a peer on `port` that stops listening after its
/// script: it gives up after two refused attempts.
fn peer_args<'a>(vcf: &'a str, flag: &'a str, addr: &'a str) -> Vec<&'a str> {
    vec![
        "--vcf",
        vcf,
        flag,
        addr,
        "--retry-ms",
        "20",
        "--max-retries",
        "1",
    ]
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The pop-ups of `stdout`, one string each.
fn popups(stdout: &str) -> Vec<String> {
    stdout
        .split("┌─ ")
        .skip(1)
        .map(|p| p.split("└─").next().unwrap().to_owned())
        .collect()
}

#[test]
fn fritzbox_calls_pop_up_across_a_dropped_connection() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = vcf(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let peer = thread::spawn(move || {
        // First connection: a RING split across two reads, an outgoing CALL, and a
        // line cut off when the box restarts.
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(b"04.12.26 17:20:33;RING;0;030123").unwrap();
        thread::sleep(Duration::from_millis(150));
        s.write_all(
            b"4567;4930555000;SIP0;\r\n04.12.26 17:21:02;CALL;1;10;4930555000;01705550001;SIP0;\r\n\
              04.12.26 17:21:09;CONNECT;1;10;01705550001;\r\n04.12.26 17:22:0",
        )
        .unwrap();
        drop(s);
        // After the restart: a withheld caller and a stranger.
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(
            b"04.12.26 17:30:00;RING;2;;4930555000;SIP1;\r\n04.12.26 17:31:00;RING;3;+44 20 7946 0999;4930555000;SIP0;\r\n\
              04.12.26 17:31:30;DISCONNECT;3;0;\r\n",
        )
        .unwrap();
    });
    let out = run_popup(
        &peer_args(vcf.to_str().unwrap(), "--fritzbox", &addr),
        &[],
        "",
    );
    peer.join().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success());
    assert!(
        stderr.contains("gave up after 2 failed connection attempts"),
        "{stderr}"
    );
    assert!(
        stderr.contains("connection lost: closed by the peer"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("malformed"),
        "the cut line was kept: {stderr}"
    );
    let p = popups(&stdout);
    assert_eq!(p.len(), 4, "{stdout}");
    assert!(
        p[0].starts_with("incoming call 0301234567 on SIP0"),
        "{}",
        p[0]
    );
    assert!(p[0].contains("Ada Kowalczyk — ACME"), "{}", p[0]);
    assert!(
        p[0].contains("+49 171 2223334"),
        "the other number: {}",
        p[0]
    );
    assert!(p[0].contains("photo: yes"), "{}", p[0]);
    assert!(p[1].starts_with("outgoing call to 01705550001"), "{}", p[1]);
    assert!(p[1].contains("Bob Builder"), "{}", p[1]);
    assert!(p[1].contains("photo: no"), "{}", p[1]);
    assert!(p[2].starts_with("incoming call on SIP1"), "{}", p[2]);
    assert!(p[2].contains("number withheld"), "{}", p[2]);
    assert!(p[3].contains("unknown caller"), "{}", p[3]);
    assert!(stdout.contains("· call 1 answered"), "{stdout}");
    assert!(stdout.contains("· call 3 ended"), "{stdout}");
}

/// Reads one AMI action (up to its blank line).
fn read_action(s: &mut TcpStream) -> String {
    let mut r = BufReader::new(s);
    let mut action = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            return action;
        }
        action.push_str(&line);
    }
}

const RING: &str = "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000001\r\nChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: +49301234567\r\nCallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\nExten: 4930555000\r\nContext: from-trunk\r\nUniqueid: 1701.1\r\nLinkedid: 1701.1\r\n\r\n";
const PHONE_LEG: &str = "Event: Newstate\r\nPrivilege: call,all\r\nChannel: PJSIP/100-00000002\r\nChannelState: 5\r\nChannelStateDesc: Ringing\r\nCallerIDNum: 100\r\nConnectedLineNum: +49301234567\r\nExten: s\r\nUniqueid: 1701.2\r\nLinkedid: 1701.1\r\n\r\n";
const OUTGOING: &str = "Event: Newchannel\r\nChannel: PJSIP/100-00000003\r\nChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: 100\r\nExten: 01705550001\r\nContext: from-internal\r\nUniqueid: 1702.1\r\nLinkedid: 1702.1\r\n\r\n";
const TRUNK_LEG: &str = "Event: Newchannel\r\nChannel: PJSIP/trunk-00000004\r\nChannelState: 0\r\nChannelStateDesc: Ringing\r\nCallerIDNum: 01705550001\r\nExten: s\r\nUniqueid: 1702.2\r\nLinkedid: 1702.1\r\n\r\n";
const WITHHELD: &str = "Event: Newchannel\r\nChannel: PJSIP/trunk-00000005\r\nChannelStateDesc: Ring\r\nCallerIDNum: anonymous\r\nExten: 4930555000\r\nUniqueid: 1703.1\r\nLinkedid: 1703.1\r\n\r\n";

/// Runs the pop-up with `extra` arguments against a fake Asterisk that sends a
/// day's events (an incoming call ringing phone 100, an outgoing call of 100 and
/// a withheld call) in pieces; the login action it read, stdout and stderr.
fn run_against_fake_asterisk(extra: &[&str]) -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let vcf = vcf(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let peer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(b"Asterisk Call Manager/5.0.1\r\n").unwrap();
        let login = read_action(&mut s);
        // An event before the login's response, and one before a blank line.
        let script = format!(
            "Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n\
             Response: Success\r\nActionID: {}\r\nMessage: Authentication accepted\r\n\r\n\
             {RING}{PHONE_LEG}{OUTGOING}{TRUNK_LEG}{WITHHELD}\
             Event: Hangup\r\nChannel: PJSIP/trunk-00000001\r\nUniqueid: 1701.1\r\nCause: 16\r\n\r\n\
             Event: Hangup\r\nChannel: PJSIP/100-00000002\r\nUniqueid: 1701.2\r\nCause: 16\r\n\r\n",
            login
                .lines()
                .find_map(|l| l.strip_prefix("ActionID: "))
                .unwrap_or("")
        );
        // In pieces of 50 bytes, as a slow link delivers them.
        for piece in script.as_bytes().chunks(50) {
            s.write_all(piece).unwrap();
            s.flush().unwrap();
            thread::sleep(Duration::from_millis(2));
        }
        login
    });
    let mut args = peer_args(vcf.to_str().unwrap(), "--ami", &addr);
    args.extend(["--ami-user", "cti", "--ami-extension", "100"]);
    args.extend(extra);
    let out = run_popup(&args, &[("CALLER_POPUP_AMI_SECRET", "s3cret")], "");
    let login = peer.join().unwrap();
    (login, text(&out.stdout), text(&out.stderr))
}

#[test]
fn asterisk_calls_pop_up_with_events_between_responses() {
    let (login, stdout, stderr) = run_against_fake_asterisk(&[]);
    assert!(login.starts_with("Action: Login\r\n"), "{login}");
    assert!(
        login.contains("Username: cti\r\n") && login.contains("Secret: s3cret\r\n"),
        "{login}"
    );
    assert!(stderr.contains("logged in as cti"), "{stderr}");
    let p = popups(&stdout);
    assert_eq!(p.len(), 3, "one pop-up a call, none for the legs: {stdout}");
    assert!(p[0].starts_with("incoming call +49301234567"), "{}", p[0]);
    assert!(p[0].contains("Ada Kowalczyk — ACME"), "{}", p[0]);
    assert!(p[1].starts_with("outgoing call to 01705550001"), "{}", p[1]);
    assert!(p[1].contains("Bob Builder"), "{}", p[1]);
    assert!(p[2].contains("number withheld"), "{}", p[2]);
    assert!(stdout.contains("· call 1701.1 ended"), "{stdout}");
}

#[test]
fn a_desk_pops_up_only_the_calls_that_ring_its_phone() {
    let (_, stdout, _) = run_against_fake_asterisk(&["--ami-own-calls-only"]);
    let p = popups(&stdout);
    // The incoming call rang phone 100; the withheld one rang nobody of ours.
    assert_eq!(p.len(), 2, "{stdout}");
    assert!(p[0].starts_with("incoming call +49301234567"), "{}", p[0]);
    assert!(p[0].contains("Ada Kowalczyk — ACME"), "{}", p[0]);
    assert!(p[1].starts_with("outgoing call to 01705550001"), "{}", p[1]);
    assert!(stdout.contains("· call 1701.2 ended"), "{stdout}");
    assert!(!stdout.contains("1701.1"), "{stdout}");
}

#[test]
fn a_refused_asterisk_login_ends_the_pop_up() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = vcf(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let peer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(b"Asterisk Call Manager/5.0.1\r\n").unwrap();
        read_action(&mut s);
        s.write_all(b"Response: Error\r\nActionID: cti-phonebook-login\r\nMessage: Authentication failed\r\n\r\n")
            .unwrap();
        // No second attempt: it would only lock the account.
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        listener.set_nonblocking(true).unwrap();
        thread::sleep(Duration::from_millis(200));
        listener.accept().is_err()
    });
    let args = [
        "--vcf",
        vcf.to_str().unwrap(),
        "--ami",
        &addr,
        "--ami-user",
        "cti",
        "--retry-ms",
        "20",
    ];
    let out = run_popup(&args, &[("CALLER_POPUP_AMI_SECRET", "wrong")], "");
    assert!(peer.join().unwrap(), "the pop-up connected again");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("AMI login refused: Authentication failed"),
        "{stderr}"
    );
}

#[test]
fn the_ami_secret_comes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = vcf(dir.path());
    let args = [
        "--vcf",
        vcf.to_str().unwrap(),
        "--ami",
        "127.0.0.1:9",
        "--ami-user",
        "cti",
    ];
    let mut cmd = Command::new(popup_exe());
    cmd.args(args).env_remove("CALLER_POPUP_AMI_SECRET");
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("CALLER_POPUP_AMI_SECRET"),
        "{}",
        text(&out.stderr)
    );
}

/// A cache directory with one folder of the contacts, auto-open as given.
fn cache(dir: &Path, auto_open: bool) {
    let src = Arc::new(MemorySource::new("work"));
    for (i, card) in Document::parse(CONTACTS.as_bytes()).cards().enumerate() {
        src.put_card(format!("{i}.vcf"), card.clone());
    }
    let folder = CachedFolder::open(dir, "work", src).unwrap();
    folder.reload().unwrap();
    set_auto_open(&folder, auto_open).unwrap();
}

#[test]
fn auto_open_shows_the_whole_record() {
    for on in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        cache(dir.path(), on);
        let out = run_popup(
            &["--cache-dir", dir.path().to_str().unwrap()],
            &[],
            "RING 0301234567\n",
        );
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(stdout.contains("Ada Kowalczyk"), "{stdout}");
        assert_eq!(
            stdout.contains("data mask (opened automatically)"),
            on,
            "{stdout}"
        );
        assert_eq!(
            stdout.contains("│    display_name: Ada Kowalczyk"),
            on,
            "{stdout}"
        );
    }
}

#[test]
fn stdin_shows_withheld_callers_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = vcf(dir.path());
    let out = run_popup(
        &["--vcf", vcf.to_str().unwrap()],
        &[],
        "RING anonymous SIP0\nRING\nRING unknown\nRING 0301234567\n",
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let p = popups(&stdout);
    assert_eq!(p.len(), 4, "{stdout}");
    assert!(p[0].starts_with("incoming call on SIP0"), "{}", p[0]);
    for withheld in &p[..3] {
        assert!(withheld.contains("number withheld"), "{withheld}");
    }
    assert!(p[3].contains("Ada Kowalczyk"), "{}", p[3]);
}
