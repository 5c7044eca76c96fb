//! Parse → write → parse of arbitrary bytes: lossless, stable, and no view panics.
//! The invariants live in `tests/support/vcard_fuzz_check.rs`, where the regression
//! tests of this target's findings use them too.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/vcard_fuzz_check.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
