//! The `phonebook` example binary the CLI tests run, built by the test process itself
//! (once per process), so that no test runs a binary older than the sources.

#![allow(dead_code)] // not every test binary runs it

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The `phonebook` example binary, built now if it is missing or stale.
///
/// The build runs `$CARGO build --example phonebook` with the features and profile
/// of this test binary, so it reuses the library this test was linked against. The
/// target directory is the one cargo picks for this workspace (`CARGO_TARGET_DIR`,
/// the config files, or `target/`), and the path comes from cargo's own report of
/// the artifact. `cargo test` holds no build lock while the tests run, so the nested
/// build does not wait for it.
///
/// # Panics
/// When the build fails (the panic message holds cargo's output).
pub fn phonebook_exe() -> PathBuf {
    static EXE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match EXE.get_or_init(|| build_example("phonebook")) {
        Ok(path) => path.clone(),
        Err(e) => panic!("{e}"),
    }
}

/// Builds example `name` and returns its executable's path.
fn build_example(name: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let features: Vec<&str> = [
        ("conformance", cfg!(feature = "conformance")),
        ("internals", cfg!(feature = "internals")),
    ]
    .into_iter()
    .filter_map(|(f, on)| on.then_some(f))
    .collect();
    let mut cmd = Command::new(&cargo);
    cmd.args([
        "build",
        "--quiet",
        "--example",
        name,
        "--manifest-path",
        manifest,
    ])
    .args(["--message-format", "json-render-diagnostics"])
    .args(["--features", &features.join(",")]);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cargo.to_string_lossy()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("`cargo build --example {name}` failed:\n{stderr}"));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "example"))
        })
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo built no executable for example {name}:\n{stderr}"))
}
