//! The vCard corpora of other projects (`peers/`, `vcards/`, each with its
//! SOURCES.md), read at test time from `../shared/corpus` or the directory
//! `CTI_CORPUS_DIR` names. They are never copied into this repository.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};

/// The corpus root. Fails the test, naming where it looked, when it is missing.
pub fn dir() -> PathBuf {
    let dir = std::env::var_os("CTI_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.join("peers").is_dir() && dir.join("vcards").is_dir(),
        "the vCard corpora are not at {} (set CTI_CORPUS_DIR to the directory that holds \
         peers/ and vcards/)",
        dir.display()
    );
    dir
}

/// `vcards/`: real-world cards, one directory.
pub fn vcards() -> PathBuf {
    dir().join("vcards")
}

/// Every `.vcf` file below `root`, sorted.
pub fn vcf_files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("corpus directory {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("vcf"))
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort();
    out
}
