//! A scripting host: `tests/python/smoke.py` drives the shared library through
//! Python's ctypes (no server; bad input, dialling and lookups of an empty book).

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn python_ctypes_host_uses_the_shared_library() {
    let exe = std::env::current_exe().expect("the test's path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let lib = profile.join(format!(
        "{}cti_phonebook_ffi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(lib.exists(), "{} is missing", lib.display());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/smoke.py");
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let out = Command::new("python3")
        .arg(script)
        .arg(&lib)
        .arg(tmp.path().join("cache"))
        .output()
        .expect("python3 runs (apt-get install python3)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.ends_with("PYTHON OK\n"), "{stdout}");
}
