//! The C libraries cargo built (`target/<profile>/libcti_phonebook_ffi.{a,so}`),
//! refused when older than the sources.
//!
//! `cargo test` builds only the Rust library of this crate for its tests, not the
//! `staticlib` and `cdylib` the C programs link: `cargo build -p cti-phonebook-ffi`
//! makes those (scripts/test runs it first). A test must not run against a
//! library of older sources, so this fails then instead.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The directory cargo put this test in the `deps/` of (`target/debug`).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
}

/// The static library.
pub fn static_lib() -> PathBuf {
    fresh(profile_dir().join("libcti_phonebook_ffi.a"))
}

/// The shared library.
pub fn shared_lib() -> PathBuf {
    fresh(profile_dir().join(format!(
        "{}cti_phonebook_ffi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )))
}

fn newest(path: &Path, newest_so_far: &mut SystemTime) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            newest(&entry.path(), newest_so_far);
        }
    } else if let Ok(t) = meta.modified() {
        *newest_so_far = (*newest_so_far).max(t);
    }
}

/// `lib`, when it exists and is newer than every source it is built from.
fn fresh(lib: PathBuf) -> PathBuf {
    let hint = "build it first: cargo build -p cti-phonebook-ffi (scripts/test does)";
    let built = std::fs::metadata(&lib)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: {hint}", lib.display()));
    let mut sources = SystemTime::UNIX_EPOCH;
    let root = repo();
    for p in [
        "src",
        "Cargo.toml",
        "Cargo.lock",
        "ffi/src",
        "ffi/Cargo.toml",
    ] {
        newest(&root.join(p), &mut sources);
    }
    assert!(
        built >= sources,
        "{} is older than its sources: {hint}",
        lib.display()
    );
    lib
}
