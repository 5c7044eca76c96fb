//! A scripting host: `tests/python/smoke.py` drives the shared library through
//! Python's ctypes (no server; bad input, dialling and lookups of an empty book).

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::library::shared_lib;

#[test]
fn python_ctypes_host_uses_the_shared_library() {
    let lib = shared_lib();
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
