//! C programs built with the system `cc` against the static library and the
//! checked-in header, run against a real Radicale on 127.0.0.1: the smoke test of
//! the whole job (also under valgrind, with no leak allowed) and the README's
//! example.

#[path = "../../tests/support/servers.rs"]
mod servers;
mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use servers::Server;
use support::library::{repo, static_lib};

/// Compiles `source` (relative to the repository) with `cc`, linked against the
/// static library, into a program in `out`.
fn compile(source: &str, out: &Path) -> PathBuf {
    let lib = static_lib();
    let program = out.join(Path::new(source).file_stem().expect("a file name"));
    let status = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-g", "-I"])
        .arg(repo().join("include"))
        .arg(repo().join(source))
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil", "-o"])
        .arg(&program)
        .status()
        .expect("cc runs (install a C compiler, e.g. apt-get install gcc)");
    assert!(status.success(), "cc failed on {source}");
    program
}

/// Runs `command` (the smoke program, maybe under valgrind) against a fresh
/// Radicale: stops the server when the program asks, and checks its end.
fn run_smoke(mut command: Command, server: Server, dir: &Path) -> String {
    let mut child = command
        .arg(dir)
        .arg(&server.bare_url)
        .arg(&server.user)
        .arg(&server.password)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the smoke program starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut server = Some(server);
    let mut lines = Vec::new();
    for line in stdout.lines() {
        let line = line.expect("a line of output");
        eprintln!("smoke: {line}");
        if line == "STOP-SERVER" {
            drop(server.take());
            stdin.write_all(b"\n").expect("the program reads stdin");
        }
        lines.push(line);
    }
    let status = child.wait().expect("the smoke program ends");
    assert!(
        server.is_none(),
        "the program never asked to stop the server"
    );
    assert!(status.success(), "the smoke program failed: {status}");
    assert_eq!(lines.last().map(String::as_str), Some("SMOKE OK"));
    lines.join("\n")
}

#[test]
fn smoke_program_does_the_whole_job() {
    let Some(server) = Server::start("radicale") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let program = compile("ffi/tests/c/smoke.c", tmp.path());
    let out = run_smoke(Command::new(&program), server, &tmp.path().join("cache"));
    assert!(out.contains("conflict: conflict:"), "{out}");
}

/// valgrind is required unless `CTI_SKIP_VALGRIND=1` opts out explicitly.
#[test]
fn smoke_program_leaks_nothing_under_valgrind() {
    if std::env::var_os("CTI_SKIP_VALGRIND").is_some() {
        eprintln!("valgrind run skipped because CTI_SKIP_VALGRIND says so");
        return;
    }
    let Some(server) = Server::start("radicale") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let program = compile("ffi/tests/c/smoke.c", tmp.path());
    let valgrind = Command::new("valgrind").arg("--version").output();
    assert!(
        valgrind.is_ok_and(|o| o.status.success()),
        "valgrind is missing: apt-get install valgrind, or opt out with CTI_SKIP_VALGRIND=1"
    );
    let mut command = Command::new("valgrind");
    command
        .args([
            "--error-exitcode=97",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect",
        ])
        .arg(&program);
    run_smoke(command, server, &tmp.path().join("cache"));
}

#[test]
fn readme_example_is_the_compiled_file_and_runs() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let example =
        std::fs::read_to_string(repo().join("examples/c/quickstart.c")).expect("the example");
    assert!(
        readme.contains(&format!("```c\n{example}```")),
        "the README's C example is not examples/c/quickstart.c"
    );
    let Some(server) = Server::start("radicale") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let program = compile("examples/c/quickstart.c", tmp.path());
    let out = Command::new(&program)
        .arg(tmp.path().join("cache"))
        .arg(&server.bare_url)
        .arg(&server.user)
        .arg(&server.password)
        .arg("anonymous")
        .output()
        .expect("the example runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "number withheld\n");
}

/// C++ hosts include the header as it is: it compiles as C++ without warnings.
#[test]
fn header_compiles_as_cpp() {
    let status = Command::new("c++")
        .args([
            "-std=c++11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
            "-x",
            "c++",
        ])
        .arg(repo().join("include/cti_phonebook.h"))
        .status()
        .expect("c++ runs (install a C++ compiler, e.g. apt-get install g++)");
    assert!(status.success(), "the header does not compile as C++");
}
