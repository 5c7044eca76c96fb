//! Arbitrary bytes as a Fritz!Box call monitor stream: reading never panics, and
//! the events do not depend on how the stream was split into reads.
#![no_main]

use cti_phonebook::calls::fritzbox::CallMonitor;
use libfuzzer_sys::fuzz_target;

fn events(pieces: &[&[u8]]) -> Vec<String> {
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

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let whole = events(&[rest]);
    let step = usize::from(cut).max(1);
    let pieces: Vec<&[u8]> = rest.chunks(step).collect();
    assert_eq!(events(&pieces), whole);
});
