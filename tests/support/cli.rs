//! Running the `phonebook` example CLI over a cache directory, and the cached folder
//! the CLI tests that need no server start from.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use cti_phonebook::MemorySource;
use cti_phonebook::cache::CachedFolder;

/// `phonebook --cache-dir DIR`, for the caller to add arguments and environment to.
pub fn phonebook(dir: &Path) -> Command {
    let mut cmd = Command::new(super::phonebook_exe());
    cmd.arg("--cache-dir").arg(dir);
    cmd
}

/// Runs `phonebook --cache-dir DIR ARGS` where no password is to be had: none in the
/// environment, and no terminal to ask on.
pub fn run_offline(dir: &Path, args: &[&str]) -> Output {
    phonebook(dir)
        .args(args)
        .env_remove("PHONEBOOK_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Folder "work" over `src`, loaded, as `folder add` leaves it but without a server:
/// its book is on a closed port. Returns the folder's database file.
pub fn offline_folder(dir: &Path, src: Arc<MemorySource>) -> PathBuf {
    let f = CachedFolder::create_new(
        dir,
        "work",
        src,
        &[
            ("url", "http://127.0.0.1:9/"),
            ("book_url", "http://127.0.0.1:9/book/"),
            ("user", "alice"),
        ],
    )
    .unwrap();
    f.reload().unwrap();
    f.path()
}
