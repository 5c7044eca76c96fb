//! Properties of the call event parsers over generated streams of real lines,
//! near misses and noise: no panic, and the same events however the stream is
//! split into reads (what the fuzz targets `fritzbox` and `ami` check too).

use cti_phonebook::calls::ami::AmiSession;
use cti_phonebook::calls::fritzbox::CallMonitor;
use proptest::prelude::*;

const FRITZ: &[&str] = &[
    "04.12.26 17:20:33;RING;0;0301234567;4930555000;SIP0;",
    "04.12.26 17:21:02;CALL;1;10;4930555000;01705550001;SIP0;",
    "04.12.26 17:21:09;CONNECT;1;10;01705550001;",
    "04.12.26 17:22:41;DISCONNECT;1;92;",
    "04.12.26 17:30:00;RING;2;;4930555000;SIP1;",
    "04.12.26 17:30:00;RING;",
    ";;;;",
];

const AMI: &[&str] = &[
    "Asterisk Call Manager/5.0.1",
    "Response: Success",
    "Response: Error",
    "ActionID: cti-phonebook-login",
    "Message: Authentication failed",
    "Event: Newchannel",
    "Event: Newstate",
    "Event: Hangup",
    "ChannelStateDesc: Ring",
    "ChannelStateDesc: Ringing",
    "CallerIDNum: +49301234567",
    "CallerIDNum: 100",
    "CallerIDNum: anonymous",
    "Exten: 01705550001",
    "Uniqueid: 1701.1",
    "Uniqueid: 1701.2",
    "Linkedid: 1701.1",
    "no colon here",
    "",
];

/// A stream of `lines` pieces and noise, joined by `\r\n` or `\n`.
fn stream(lines: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => proptest::sample::select(lines).prop_map(|l| l.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..40),
    ];
    proptest::collection::vec((piece, any::<bool>()), 0..40).prop_map(|pieces| {
        let mut out = Vec::new();
        for (p, crlf) in pieces {
            out.extend(p);
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        out
    })
}

fn split(data: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    at.sort_unstable();
    let mut out = Vec::new();
    let mut prev = 0;
    for c in at.into_iter().chain([data.len()]) {
        out.push(data[prev..c].to_vec());
        prev = c;
    }
    out
}

fn fritz_events(pieces: &[Vec<u8>]) -> Vec<String> {
    let mut m = CallMonitor::new();
    let mut out = Vec::new();
    for p in pieces {
        m.push(p);
        while let Some(e) = m.next_event() {
            out.push(format!("{e:?}"));
        }
    }
    out
}

fn ami_items(pieces: &[Vec<u8>]) -> (Vec<String>, usize) {
    let mut s = AmiSession::new("cti", "secret")
        .unwrap()
        .with_own_extensions(["100".to_owned()]);
    let mut out = Vec::new();
    let mut logins = 0;
    for p in pieces {
        s.push(p);
        while let Some(i) = s.next_item() {
            out.push(format!("{i:?}"));
        }
        if !s.take_output().is_empty() {
            logins += 1;
        }
    }
    (out, logins)
}

proptest! {
    #[test]
    fn fritzbox_events_do_not_depend_on_reads(
        data in stream(FRITZ),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = fritz_events(std::slice::from_ref(&data));
        prop_assert_eq!(fritz_events(&split(&data, &cuts)), whole);
    }

    #[test]
    fn ami_items_do_not_depend_on_reads(
        data in stream(AMI),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = ami_items(std::slice::from_ref(&data));
        prop_assert!(whole.1 <= 1);
        prop_assert_eq!(ami_items(&split(&data, &cuts)), whole);
    }
}

/// A line at the length limit, with and without `\r`, read in two pieces cut
/// around its end: the outcome is the same as in one read.
#[test]
fn a_line_at_the_limit_reads_the_same_in_any_reads() {
    for len in 8_190..8_195 {
        for cr in [false, true] {
            let mut data = vec![b'x'; len];
            if cr {
                data.push(b'\r');
            }
            data.extend_from_slice(b"\n04.12.26 17:22:41;DISCONNECT;1;92;\n");
            let whole = fritz_events(std::slice::from_ref(&data));
            assert_eq!(whole.len(), 2, "{len} {cr}");
            assert_eq!(whole[0].contains("TooLong"), len > 8_192, "{len} {cr}");
            for cut in len - 1..=len + 2 {
                assert_eq!(
                    fritz_events(&split(&data, &[cut])),
                    whole,
                    "{len} {cr} {cut}"
                );
            }
        }
    }
}
