//! `scripts/install-c` lays the library out as C projects expect it, and a C
//! program builds against it with nothing but `pkg-config` flags.

mod support;

use std::process::Command;

use support::library::{profile_dir, repo, shared_lib, static_lib};

#[test]
fn installed_library_builds_a_c_program_through_pkg_config() {
    let repo = repo();
    // Both are installed: refuse stale ones.
    static_lib();
    shared_lib();
    let built = profile_dir();
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let prefix = tmp.path().join("prefix");
    let status = Command::new("bash")
        .arg(repo.join("scripts/install-c"))
        .arg(&prefix)
        .env("BUILT", &built)
        .status()
        .expect("bash runs");
    assert!(status.success(), "scripts/install-c failed");
    for file in [
        "include/cti_phonebook.h",
        "lib/libcti_phonebook_ffi.a",
        "lib/pkgconfig/cti_phonebook.pc",
    ] {
        assert!(prefix.join(file).is_file(), "{file} is not installed");
    }
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "cti_phonebook"])
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .output()
        .expect("pkg-config runs (apt-get install pkg-config)");
    assert!(flags.status.success(), "pkg-config knows no cti_phonebook");
    let flags = String::from_utf8(flags.stdout).expect("UTF-8 flags");
    let program = tmp.path().join("quickstart");
    let libdir = prefix.join("lib");
    let status = Command::new("cc")
        .arg(repo.join("examples/c/quickstart.c"))
        .args(flags.split_whitespace())
        .arg(format!("-Wl,-rpath,{}", libdir.display()))
        .arg("-o")
        .arg(&program)
        .status()
        .expect("cc runs");
    assert!(
        status.success(),
        "cc failed with the pkg-config flags {flags}"
    );
    // Without arguments it loads the shared library and says how it failed:
    // exit status 1, not the loader's 127.
    let out = Command::new(&program).output().expect("the program runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error "),
        "{out:?}"
    );
}
