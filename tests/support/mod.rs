//! Helpers shared by integration tests.
pub mod corpus;
pub mod dns;
pub mod mock;
pub mod proxy;
pub mod raw_http;
pub mod servers;

/// The `phonebook` example binary, which `scripts/test` builds before the tests
/// (`target/debug/deps/TEST-HASH` → `target/debug/examples/phonebook`).
#[allow(dead_code)] // not every test binary runs it
pub fn phonebook_exe() -> std::path::PathBuf {
    let deps = std::env::current_exe().expect("the test binary's path");
    let p = deps
        .parent()
        .and_then(|d| d.parent())
        .expect("target/debug")
        .join("examples/phonebook");
    assert!(
        p.exists(),
        "{} missing: run `cargo build --examples --features conformance`",
        p.display()
    );
    p
}
