//! Another process holding a folder's SQLite file locked, as another program would:
//! the test binary runs itself as that process.
//!
//! A test binary includes this file with `#[path = "support/lock.rs"] mod lock;`, which
//! brings the child side along as an ignored test of that binary.

#![allow(dead_code)] // each test binary uses part of it

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

/// Child side: holds an exclusive lock on the SQLite file named by `CTI_LOCK_FILE`
/// for `CTI_LOCK_MS` milliseconds or until its stdin gives a line or ends, and says
/// "locked" on stdout once it holds it.
#[test]
#[ignore = "run as a child process by the lock tests"]
fn child_lock_holder() {
    let (Ok(path), Ok(ms)) = (std::env::var("CTI_LOCK_FILE"), std::env::var("CTI_LOCK_MS")) else {
        return;
    };
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE; INSERT INTO meta (key, value) VALUES ('held', 'yes');")
        .unwrap();
    let (release, released) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = std::io::stdin().read(&mut [0]);
        let _ = release.send(());
    });
    println!("locked");
    let _ = released.recv_timeout(Duration::from_millis(ms.parse().unwrap()));
    conn.execute_batch("ROLLBACK").unwrap();
}

/// A process holding a file locked; dropping it ends the process.
pub struct LockHolder {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// Another process holding `path` locked for `held` (or until released); returns
/// once it holds it.
pub fn hold_lock(path: &Path, held: Duration) -> LockHolder {
    // The child's test name is its path in this test binary, without the crate.
    let module = module_path!();
    let name = match module.split_once("::") {
        Some((_, inner)) => format!("{inner}::child_lock_holder"),
        None => "child_lock_holder".to_owned(),
    };
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", &name, "--nocapture"])
        .env("CTI_LOCK_FILE", path)
        .env("CTI_LOCK_MS", held.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    let out = child.stdout.take().unwrap();
    let locked = BufReader::new(out)
        .lines()
        .any(|l| l.is_ok_and(|l| l.contains("locked")));
    assert!(locked, "the child did not take the lock");
    LockHolder { child, stdin }
}

impl LockHolder {
    /// Waits until the lock has been held for its whole time and is released.
    pub fn wait(mut self) {
        self.child.wait().unwrap();
    }

    /// Releases the lock now, and waits until it is released.
    pub fn release(mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"release\n");
        }
        self.child.wait().unwrap();
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        // A test that failed while the lock was held: the process goes with it.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
