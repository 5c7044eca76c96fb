//! Arbitrary bytes as what an Asterisk manager sends: the session never panics,
//! asks to send its login once at most, and reads the same items however the
//! stream was split into reads.
#![no_main]

use cti_phonebook::calls::ami::AmiSession;
use libfuzzer_sys::fuzz_target;

fn items(pieces: &[&[u8]], own_calls_only: bool) -> (Vec<String>, usize) {
    let s = AmiSession::new("cti", "secret")
        .unwrap()
        .with_own_extensions(["100".to_owned()]);
    let mut s = if own_calls_only {
        s.only_calls_to_own_extensions()
    } else {
        s
    };
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

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    // The cut's lowest bit picks the mode, the rest the size of the reads.
    let own_calls_only = cut & 1 == 1;
    let whole = items(&[rest], own_calls_only);
    assert!(whole.1 <= 1);
    let step = usize::from(cut >> 1).max(1);
    let pieces: Vec<&[u8]> = rest.chunks(step).collect();
    assert_eq!(items(&pieces, own_calls_only), whole);
});
