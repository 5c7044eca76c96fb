//! The checked-in C header is what cbindgen makes of the crate now: a change of the
//! ABI without regenerating the header fails here. `CTI_BLESS=1` rewrites it.

use std::path::PathBuf;

#[test]
fn checked_in_header_is_current() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../include/cti_phonebook.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("ffi/cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let out = tempfile::tempdir().expect("a temporary directory");
    let fresh = out.path().join("cti_phonebook.h");
    bindings.write_to_file(&fresh);
    let fresh = std::fs::read_to_string(&fresh).expect("the generated header");
    if std::env::var_os("CTI_BLESS").is_some() {
        std::fs::write(&header, &fresh).expect("include/cti_phonebook.h is writable");
        return;
    }
    let current = std::fs::read_to_string(&header).unwrap_or_default();
    assert!(
        current == fresh,
        "include/cti_phonebook.h is stale: regenerate it with \
         CTI_BLESS=1 cargo test -p cti-phonebook-ffi --test header"
    );
}
