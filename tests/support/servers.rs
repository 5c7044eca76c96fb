//! Real CardDAV servers for integration tests, started from `scripts/servers/*.sh`.
//!
//! [`Server::start`] picks a free port on 127.0.0.1, runs the script (which installs
//! the server if it is missing) with a fresh data directory (under `/dev/shm` when
//! there is one: Radicale and Xandikos write much faster on tmpfs), and stops the
//! server and removes the directory on drop.
//!
//! A server that cannot be started fails the test with the install command in the
//! message. `CTI_SKIP_SERVERS` opts out explicitly: a comma-separated list of kinds
//! (`radicale,xandikos,xandikos-tls,sabredav,sabredav-digest`) or `all`.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// Kind as passed to [`Server::start`].
    pub kind: &'static str,
    /// The DAV root (what `CARDDAV_URL` says).
    pub url: String,
    /// Scheme, host and port with a trailing slash: the bare server.
    pub bare_url: String,
    /// The address book.
    pub book_url: String,
    /// User name and password.
    pub user: String,
    pub password: String,
    /// CA file for TLS servers.
    pub ca_file: Option<PathBuf>,
    /// Whether wrong credentials are refused (plain Xandikos has no auth).
    pub checks_password: bool,
    script: PathBuf,
    data: PathBuf,
}

/// The repository root: the crate's directory, or the nearest one above it with
/// the server scripts (for the tests of workspace members such as `ffi/`).
fn repo() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|d| d.join("scripts/servers").is_dir())
        .map_or_else(|| manifest.clone(), Path::to_path_buf)
}

/// Whether the user opted out of `kind` with `CTI_SKIP_SERVERS`.
pub fn skipped(kind: &str) -> bool {
    std::env::var("CTI_SKIP_SERVERS")
        .is_ok_and(|v| v.split(',').map(str::trim).any(|s| s == "all" || s == kind))
}

fn install_hint(script: &str) -> String {
    match script {
        "sabredav" => {
            "as root: apt-get install php-cli php-sqlite3 php-xml php-mbstring php-sabre-dav \
             (or run ./scripts/test, which installs everything)"
                .into()
        }
        s => format!(
            "scripts/servers/{s}.sh install (needs python3 with venv and PyPI), or ./scripts/test"
        ),
    }
}

static SEQ: AtomicU32 = AtomicU32::new(0);

impl Server {
    /// The server's data directory (what its start script was given).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Starts `kind`, or returns `None` when the user opted out of it.
    ///
    /// # Panics
    /// When the server cannot be started (the message says how to install it).
    pub fn start(kind: &'static str) -> Option<Server> {
        if skipped(kind) {
            eprintln!("{kind}: skipped because CTI_SKIP_SERVERS says so");
            return None;
        }
        let (script, env): (&str, &[(&str, &str)]) = match kind {
            "radicale" => ("radicale", &[]),
            "xandikos" => ("xandikos", &[]),
            "xandikos-tls" => ("xandikos", &[("XANDIKOS_TLS", "1")]),
            "xandikos-tls-expired" => (
                "xandikos",
                &[("XANDIKOS_TLS", "1"), ("XANDIKOS_CERT", "expired")],
            ),
            "xandikos-tls-wrong-name" => (
                "xandikos",
                &[("XANDIKOS_TLS", "1"), ("XANDIKOS_CERT", "wrong-name")],
            ),
            "sabredav" => ("sabredav", &[("SABRE_AUTH", "basic")]),
            "sabredav-digest" => ("sabredav", &[("SABRE_AUTH", "digest")]),
            other => panic!("unknown server kind {other}"),
        };
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let data = base.join(format!(
            "cti-phonebook-{}-{kind}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&data);
        let script_path = repo().join("scripts/servers").join(format!("{script}.sh"));
        let mut last_err = String::new();
        // A port picked here could be taken before the server binds it: try a few.
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port on 127.0.0.1")
                .port();
            let out = Command::new("bash")
                .arg(&script_path)
                .arg("start")
                .arg(port.to_string())
                .arg(&data)
                .envs(env.iter().copied())
                .output()
                .expect("bash runs");
            if out.status.success() {
                let vars: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                let get = |k: &str| vars.get(k).cloned().unwrap_or_default();
                let url = get("CARDDAV_URL");
                let u = url::Url::parse(&url).expect("CARDDAV_URL is a URL");
                let ca = get("CARDDAV_CAFILE");
                eprintln!("{kind}: {}", String::from_utf8_lossy(&out.stderr).trim());
                return Some(Server {
                    kind,
                    bare_url: format!("{}/", u.origin().ascii_serialization()),
                    url,
                    book_url: get("CARDDAV_ADDRESSBOOK_URL"),
                    user: get("CARDDAV_USER"),
                    password: get("CARDDAV_PASSWORD"),
                    ca_file: (!ca.is_empty()).then(|| PathBuf::from(ca)),
                    checks_password: get("CARDDAV_AUTH") != "none",
                    script: script_path,
                    data,
                });
            }
            last_err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            if !last_err.contains("in use") {
                break;
            }
        }
        let _ = std::fs::remove_dir_all(&data);
        panic!(
            "cannot start the {kind} CardDAV server: {last_err}\n\
             install it with: {}\n\
             or opt out explicitly with CTI_SKIP_SERVERS={kind}",
            install_hint(script)
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .arg(&self.data)
            .status();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
