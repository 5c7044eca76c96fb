//! Inputs found by the `vcard_parse` fuzz target (`fuzz/`), kept so that what was
//! fixed stays fixed. Each runs the fuzz target's own invariants.

#[path = "support/vcard_fuzz_check.rs"]
mod check;
#[path = "support/corpus.rs"]
mod corpus;

#[test]
fn corpus_files_hold_the_fuzz_invariants() {
    let files = corpus::vcf_files(&corpus::vcards());
    assert!(files.len() >= 49, "corpus incomplete: {}", files.len());
    for path in files {
        check::check(&std::fs::read(&path).unwrap());
    }
}

/// Every input in `tests/data/fuzz`: crashes the fuzz target found, each named for
/// what it found.
#[test]
fn fuzz_findings_hold_the_invariants() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        check::check(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n >= 1);
}
