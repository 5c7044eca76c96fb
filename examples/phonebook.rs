//! `phonebook`: a command-line phone book client over CardDAV, with an offline cache.
//!
//! ```text
//! phonebook --cache-dir DIR discover URL [--user USER] [--ca-file PEM] [--json]
//! phonebook --cache-dir DIR folder add NAME --url URL [--user USER] [--book BOOK] ...
//! phonebook --cache-dir DIR sync [NAME] [--full] [--json]
//! phonebook --cache-dir DIR list NAME [--json]
//! phonebook --cache-dir DIR lookup NUMBER [--country CC] [--area-code N] [--json]
//! phonebook --cache-dir DIR folder form NAME [--set-json FILE] [--json]
//! phonebook --cache-dir DIR search TEXT [--limit N] [--json]
//! ```
//!
//! The password comes from the URL typed to `discover` or `folder add`
//! (`https://USER:PASSWORD@host/`, for that run only), `PHONEBOOK_PASSWORD`, or a
//! prompt when stdin is a terminal. With `--json`, stdout holds one JSON document,
//! `{"error": {"kind", "message"}}` when the command fails. Text and CSV output show
//! control characters from card data as escapes. Run `phonebook --help` for every
//! command; the README documents the JSON formats.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cti_phonebook::cache::{
    CachedFolder, MAX_SYNC_INTERVAL, MIN_SYNC_INTERVAL, OfflineSource, SyncReport, cached_folders,
    folder_exists, remove_folder,
};
use cti_phonebook::calls::{auto_open, set_auto_open};
use cti_phonebook::carddav::{AddressBook, AuthScheme, CardDavConfig, CardDavSource, discover};
use cti_phonebook::form::{FormField, FormLayout, FormSection, Group};
use cti_phonebook::labels::Language;
use cti_phonebook::lookup::{CallerLookup, CallerMatch, NumberPlace, OutsideLine};
use cti_phonebook::phonebook::store_folder_region;
use cti_phonebook::schema::{ColumnKind, PhoneKind};
use cti_phonebook::search::{MatchedField, SearchHit};
use cti_phonebook::{
    DialPlan, Error, MatchQuality, Phonebook, Record, RecordId, Row, Schema, SyncProgress,
};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "phonebook",
    version,
    about = "CardDAV address books as CTI phone book folders"
)]
struct Cli {
    /// Cache directory (one SQLite file per folder).
    #[arg(long, global = true, env = "PHONEBOOK_CACHE_DIR", default_value_os_t = default_cache_dir())]
    cache_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lists the address books behind a URL (the book, the DAV root or the server).
    Discover {
        /// Any URL form: address book, home set, principal, DAV root or bare server.
        url: String,
        /// User name (or in the URL: `https://USER@host/`).
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        connect: ConnectArgs,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Manages folders.
    #[command(subcommand)]
    Folder(FolderCommand),
    /// Synchronises one folder or all of them.
    Sync {
        /// Folder (all when omitted).
        name: Option<String>,
        /// Reload everything instead of fetching changes.
        #[arg(long)]
        full: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Shows a folder as a table (from the cache).
    List {
        /// Folder.
        name: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Shows one record (from the cache).
    Show {
        /// Folder.
        name: String,
        /// Record id.
        id: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Finds the contacts of an incoming number across all folders (from the cache).
    Lookup {
        /// The number as the PBX delivers it (`-1` too: a number, not an option).
        #[arg(allow_negative_numbers = true)]
        number: String,
        #[command(flatten)]
        plan: PlanArgs,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Finds contacts by the start of their names, company, department or e-mail
    /// words, or digits inside a number, across all folders (from the cache).
    Search {
        /// Words in any order (`kow ag`), or digits (`4567`).
        text: String,
        /// At most this many contacts.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Creates a contact.
    Add {
        /// Folder.
        name: String,
        /// Cell values, `COLUMN=VALUE` (e.g. `display_name=Ada`, `phone3=+44 7700 900001`).
        #[arg(long = "set", value_name = "COLUMN=VALUE", required = true)]
        set: Vec<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Changes cells of a contact (an empty value clears the cell).
    Edit {
        /// Folder.
        name: String,
        /// Record id.
        id: String,
        /// Cell values, `COLUMN=VALUE`.
        #[arg(long = "set", value_name = "COLUMN=VALUE", required = true)]
        set: Vec<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Deletes a contact.
    Delete {
        /// Folder.
        name: String,
        /// Record id.
        id: String,
    },
    /// Writes a folder's contacts to stdout.
    Export {
        /// Folder.
        name: String,
        /// `vcf`: the cached cards byte for byte as the server holds them (a line break
        /// is added after a card that ends without one); `csv`: the table.
        #[arg(long, value_enum)]
        format: ExportFormat,
    },
    /// Prints the digits the PBX must dial for a number or a tel:/callto:/sip: link.
    Dial {
        /// Number or link.
        #[arg(allow_negative_numbers = true)]
        number: String,
        #[command(flatten)]
        plan: PlanArgs,
        /// JSON output (with the matching contact, if any).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum FolderCommand {
    /// Adds a folder for an address book.
    Add {
        /// Folder name.
        name: String,
        /// Any URL form discovery accepts. A user name and password in it
        /// (`https://USER:PASSWORD@host/`) are used for this run and never stored.
        #[arg(long)]
        url: String,
        /// User name (or in the URL).
        #[arg(long)]
        user: Option<String>,
        /// The book's display name or URL, when there are several.
        #[arg(long)]
        book: Option<String>,
        #[command(flatten)]
        connect: ConnectArgs,
        #[command(flatten)]
        columns: ColumnArgs,
        /// Automatic sync interval in days (default 7).
        #[arg(long, value_name = "DAYS")]
        sync_interval: Option<f64>,
    },
    /// Changes a folder's settings; the cache is kept.
    Set(SetArgs),
    /// Lists the folders.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Removes a folder and its cache.
    Remove {
        /// Folder name.
        name: String,
    },
    /// Shows a folder's data mask (the record form: groups, columns, labels,
    /// visibility, title), or replaces it.
    Form {
        /// Folder name.
        name: String,
        /// Replaces the layout with the one in this JSON file, in the form `--json`
        /// prints (labels in it are ignored).
        #[arg(long, value_name = "FILE")]
        set_json: Option<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `folder set`: what to change.
#[derive(Args)]
struct SetArgs {
    /// Folder name.
    name: String,
    /// New user name.
    #[arg(long)]
    user: Option<String>,
    #[command(flatten)]
    tls: TlsArgs,
    #[command(flatten)]
    columns: ColumnArgs,
    /// Retypes phone columns: `phone2=mobile` (kinds: business, business2, mobile,
    /// home, home2, business-fax, home-fax, pager, car, assistant, company, isdn,
    /// sip, other).
    #[arg(long = "phone-kind", value_name = "COLUMN=KIND")]
    phone_kind: Vec<String>,
    /// Automatic sync interval in days.
    #[arg(long, value_name = "DAYS")]
    sync_interval: Option<f64>,
    /// Country of the folder's numbers stored without country code (ISO code,
    /// e.g. GB), when it is not the line's; `none` to go back to the line's.
    #[arg(long, value_name = "CC")]
    numbers_country: Option<String>,
    /// Area code for the folder's numbers stored without one (with
    /// --numbers-country).
    #[arg(long, value_name = "N", requires = "numbers_country")]
    numbers_area_code: Option<String>,
    /// Open the contact's data mask automatically on an incoming call (the
    /// `caller_popup` example shows the whole record).
    #[arg(long, value_enum, value_name = "ON|OFF")]
    auto_open: Option<OnOff>,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Args, Default)]
struct TlsArgs {
    /// PEM file with a CA certificate to trust (company servers, test servers).
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
}

/// How to reach a server named by a URL the user typed.
#[derive(Args, Default)]
struct ConnectArgs {
    #[command(flatten)]
    tls: TlsArgs,
    /// For just a domain: follow its DNS SRV record to a host in another domain (a
    /// provider hosting the domain's address books), and send the password there.
    #[arg(long)]
    follow_dns_to_other_domains: bool,
    /// Name server to ask for the domain's SRV and TXT records instead of the
    /// system's (`192.0.2.53:53`); may be given more than once.
    #[arg(long, value_name = "IP:PORT")]
    dns_server: Vec<std::net::SocketAddr>,
}

#[derive(Args, Default)]
struct ColumnArgs {
    /// Number of phone columns.
    #[arg(long)]
    phones: Option<usize>,
    /// Number of email columns.
    #[arg(long)]
    emails: Option<usize>,
    /// Number of address columns.
    #[arg(long)]
    addresses: Option<usize>,
    /// Number of website columns.
    #[arg(long)]
    websites: Option<usize>,
    /// Number of user-defined columns.
    #[arg(long)]
    user_defined: Option<usize>,
}

#[derive(Args)]
struct PlanArgs {
    /// Country of the line (ISO code).
    #[arg(long, default_value = "DE")]
    country: String,
    /// Own area code, without trunk prefix.
    #[arg(long)]
    area_code: Option<String>,
    /// The PBX's outside-line prefix.
    #[arg(long)]
    outside_prefix: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Vcf,
    Csv,
}

fn default_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("cti-phonebook")
}

/// A failure: what kind it is (the `kind` of the JSON error document) and the one
/// line the user sees.
#[derive(Debug)]
struct Failure {
    kind: &'static str,
    message: String,
    /// The command's JSON document, printed already, holds the failure.
    printed: bool,
}

impl Failure {
    fn new(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            printed: false,
        }
    }

    /// A command used wrongly: a bad argument, a folder or record that is not there.
    fn usage(message: impl Into<String>) -> Failure {
        Failure::new("usage", message)
    }

    /// The same failure, for a command whose JSON document listed it already.
    fn printed(self) -> Failure {
        Failure {
            printed: true,
            ..self
        }
    }

    /// The same failure with `prefix` before its message.
    fn context(self, prefix: &str) -> Failure {
        Failure::new(self.kind, format!("{prefix}: {}", self.message))
    }
}

/// The JSON `kind` of a library error.
fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::NotFound { .. } => "not_found",
        Error::Conflict { .. } => "conflict",
        Error::Unauthorized { .. } => "unauthorized",
        Error::ReadOnly(_) => "read_only",
        Error::TokenExpired => "token_expired",
        Error::Network { .. } => "network",
        Error::NotConnected { .. } => "not_connected",
        Error::Server { .. } => "server",
        Error::Certificate { .. } => "certificate",
        Error::InvalidResponse { .. } => "invalid_response",
        Error::NotCardDav { .. } => "not_carddav",
        Error::Config(_) => "config",
        Error::Unsupported(_) => "unsupported",
        Error::VCard(_) => "vcard",
        Error::Cache { .. } => "cache",
        Error::CacheLocked(_) => "cache_locked",
        Error::Io(_) => "io",
        _ => "other",
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::new(
            error_kind(&e),
            match &e {
                Error::Unauthorized { url } => format!("wrong user name or password for {url}"),
                Error::Network { .. } => {
                    format!("{e} (offline? lookups still work from the cache)")
                }
                Error::Server { .. } => {
                    format!("{e} (a fault of the server; lookups still work from the cache)")
                }
                // Not a network problem: retrying or waiting will not help.
                Error::Certificate { url, reason, .. } => format!(
                    "the server's certificate is not trusted ({url}): {reason}; if the server \
                 uses its own CA, pass the CA certificate with --ca-file PEM \
                 (`folder set NAME --ca-file PEM` for an existing folder)"
                ),
                Error::NotCardDav { url, reason } => {
                    format!("{url} is not a CardDAV server: {reason}")
                }
                Error::Conflict { id, .. } => {
                    format!("{id} was changed on the server meanwhile; run `sync` and try again")
                }
                _ => e.to_string(),
            },
        )
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::new("io", e.to_string())
    }
}

type CliResult<T = ()> = Result<T, Failure>;

/// The one JSON document of a failed command run with `--json`.
fn error_json(kind: &str, message: &str) -> Value {
    json!({"error": {"kind": kind, "message": message}})
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let asked_json = std::env::args_os().any(|a| a == "--json");
            if asked_json && e.use_stderr() {
                let text = e.kind().as_str().unwrap_or("invalid arguments").to_owned();
                let detail = e.to_string();
                let first = detail.lines().next().unwrap_or(&text);
                let first = first.strip_prefix("error: ").unwrap_or(first);
                print_json(&error_json("usage", first));
                eprint!("{}", e.render());
                return ExitCode::from(2);
            }
            e.exit();
        }
    };
    let json = cli.command.json();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure {
            kind,
            message,
            printed,
        }) => {
            if json && !printed {
                print_json(&error_json(kind, &message));
            }
            eprintln!("error: {}", printable(&message, false));
            ExitCode::FAILURE
        }
    }
}

impl Command {
    /// Whether the command was asked for JSON output.
    fn json(&self) -> bool {
        match self {
            Command::Discover { json, .. }
            | Command::Sync { json, .. }
            | Command::List { json, .. }
            | Command::Show { json, .. }
            | Command::Lookup { json, .. }
            | Command::Add { json, .. }
            | Command::Edit { json, .. }
            | Command::Dial { json, .. }
            | Command::Search { json, .. }
            | Command::Folder(FolderCommand::List { json })
            | Command::Folder(FolderCommand::Form { json, .. }) => *json,
            Command::Folder(_) | Command::Delete { .. } | Command::Export { .. } => false,
        }
    }
}

/// Prints `v` as one line of JSON. JSON escapes C0 controls; the other characters
/// [`printable`] escapes (C1 controls, bidirectional overrides) are valid in JSON
/// strings as they are, so they are written as `\uXXXX` here, which reads back the
/// same: JSON printed to a terminal cannot steer it either.
fn print_json(v: &Value) {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            // Outside strings JSON has no such characters, and inside them C0 and
            // DEL are escaped already (DEL is harmless, and escaped here too).
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    println!("{out}");
}

/// `text` with the characters that steer a terminal (C0 and C1 controls, DEL, and
/// the bidirectional overrides that reorder what is shown) written as visible
/// escapes such as `\x1B` or `\u{202E}`: card data comes from servers, and must not
/// set a window title, clear the screen or hide text. `keep_newlines` keeps line
/// breaks and tabs (for CSV, whose quoting carries them); a backslash stays as it is.
fn printable(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let steers = |c: char| {
        (c.is_control() && !(keep_newlines && matches!(c, '\n' | '\t')))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(steers) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !steers(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn run(cli: Cli) -> CliResult {
    let dir = cli.cache_dir;
    match cli.command {
        Command::Discover {
            url,
            user,
            connect,
            json,
        } => cmd_discover(&url, user.as_deref(), &connect, json),
        Command::Folder(FolderCommand::Add {
            name,
            url,
            user,
            book,
            connect,
            columns,
            sync_interval,
        }) => cmd_folder_add(
            &dir,
            &name,
            &url,
            user.as_deref(),
            book.as_deref(),
            &connect,
            &columns,
            sync_interval,
        ),
        Command::Folder(FolderCommand::Set(set)) => cmd_folder_set(&dir, set),
        Command::Folder(FolderCommand::List { json }) => cmd_folder_list(&dir, json),
        Command::Folder(FolderCommand::Remove { name }) => cmd_folder_remove(&dir, &name),
        Command::Folder(FolderCommand::Form {
            name,
            set_json,
            json,
        }) => cmd_folder_form(&dir, &name, set_json.as_deref(), json),
        Command::Sync { name, full, json } => cmd_sync(&dir, name.as_deref(), full, json),
        Command::List { name, json } => cmd_list(&dir, &name, json),
        Command::Show { name, id, json } => cmd_show(&dir, &name, &id, json),
        Command::Lookup { number, plan, json } => cmd_lookup(&dir, &number, &plan, json),
        Command::Search { text, limit, json } => cmd_search(&dir, &text, limit, json),
        Command::Add { name, set, json } => cmd_add(&dir, &name, &set, json),
        Command::Edit {
            name,
            id,
            set,
            json,
        } => cmd_edit(&dir, &name, &id, &set, json),
        Command::Delete { name, id } => cmd_delete(&dir, &name, &id),
        Command::Export { name, format } => cmd_export(&dir, &name, format),
        Command::Dial { number, plan, json } => cmd_dial(&dir, &number, &plan, json),
    }
}

// ----- connecting -----

fn password(user: &str, in_url: Option<String>) -> CliResult<String> {
    if let Some(p) = in_url {
        return Ok(p);
    }
    if let Ok(p) = std::env::var("PHONEBOOK_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("Password for {user}: ")).map_err(Failure::from);
    }
    Err(Failure::usage(
        "no password: set PHONEBOOK_PASSWORD or run on a terminal",
    ))
}

/// The configuration for `url`; `connect` carries the DNS choices of a command that
/// takes a typed URL (a stored book URL needs no discovery).
fn config(
    url: &str,
    user: &str,
    url_password: Option<String>,
    ca_file: Option<&Path>,
    connect: Option<&ConnectArgs>,
    known_auth: Option<AuthScheme>,
) -> CliResult<CardDavConfig> {
    let mut b = CardDavConfig::builder(url)
        .password(user, password(user, url_password)?)
        .known_auth_scheme(known_auth);
    if let Some(ca) = ca_file {
        b = b.ca_file(ca);
    }
    if let Some(c) = connect {
        b = b.follow_dns_to_other_domains(c.follow_dns_to_other_domains);
        for &server in &c.dns_server {
            b = b.dns_server(server);
        }
    }
    let config = b.build()?;
    // Risky settings (a password over plain http): say so, on stderr, every time.
    for w in config.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(config)
}

/// A URL the user typed, split into the URL without user info, the user name and
/// the password it carried. The password is for this run: it is never stored,
/// printed, or sent anywhere but as the credentials for that URL's server.
struct TypedUrl {
    url: String,
    user: String,
    password: Option<String>,
}

/// Decodes `%XX` escapes (user info in a URL is percent-encoded).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The configuration for a URL the user typed (its user info taken out, see
/// [`typed_url`]), with the connection options of the command line.
fn typed_config(
    url: &str,
    user: Option<&str>,
    connect: &ConnectArgs,
) -> CliResult<(TypedUrl, CardDavConfig)> {
    let typed = typed_url(url, user)?;
    let cfg = config(
        &typed.url,
        &typed.user,
        typed.password.clone(),
        connect.tls.ca_file.as_deref(),
        Some(connect),
        None,
    )?;
    Ok((typed, cfg))
}

/// Takes the user info out of `url` (`https://alice:pw@host/` or `alice@host`);
/// `user` is the `--user` given, which must agree with a user name in the URL.
fn typed_url(url: &str, user: Option<&str>) -> CliResult<TypedUrl> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (info, host) = match authority.rsplit_once('@') {
        Some((info, host)) => (Some(info), host),
        None => (None, authority),
    };
    let clean = match scheme {
        Some(s) => format!("{s}://{host}{tail}"),
        None => format!("{host}{tail}"),
    };
    let (url_user, password) = match info {
        Some(info) => match info.split_once(':') {
            Some((u, p)) => (Some(percent_decode(u)), Some(percent_decode(p))),
            None => (Some(percent_decode(info)), None),
        },
        None => (None, None),
    };
    let user = match (url_user.filter(|u| !u.is_empty()), user) {
        (Some(u), Some(given)) if u != given => {
            return Err(Failure::usage(format!(
                "the URL names user '{u}' and --user names '{given}'; give one"
            )));
        }
        (Some(u), _) => u,
        (None, Some(given)) => given.to_owned(),
        (None, None) => {
            return Err(Failure::usage(
                "no user name: give --user, or put it in the URL (https://USER@host/)",
            ));
        }
    };
    Ok(TypedUrl {
        url: clean,
        user,
        password,
    })
}

/// Says on stderr what is wrong with a folder's cache, if anything is.
fn warn_about(folder: &CachedFolder) {
    if let Some(w) = folder.open_warning() {
        eprintln!(
            "warning: folder '{}': {}",
            printable(folder.name(), false),
            printable(&w, false)
        );
    }
}

/// Refuses to show a folder whose records were lost to damage and are not yet
/// rebuilt, rather than show an empty table as if it were empty.
fn check_rebuilt(folder: &CachedFolder) -> CliResult {
    match folder.open_warning() {
        Some(w) if folder.snapshot().is_empty() => Err(Failure::new(
            "cache",
            format!(
                "folder '{}' has no records: {w}; run `phonebook sync {}` to reload them",
                folder.name(),
                folder.name()
            ),
        )),
        _ => Ok(()),
    }
}

/// Opens a folder from its cache only.
fn open_offline(dir: &Path, name: &str) -> CliResult<CachedFolder> {
    if !folder_exists(dir, name) {
        return Err(Failure::new(
            "not_found",
            format!("unknown folder '{name}' (see `phonebook folder list`)"),
        ));
    }
    let folder = CachedFolder::open(dir, name, Arc::new(OfflineSource::new(name)))?;
    warn_about(&folder);
    Ok(folder)
}

/// Opens a folder connected to its address book. With the book and the server's auth
/// scheme stored by an earlier run, opening costs no request and the first request
/// carries the credentials.
fn open_online(dir: &Path, name: &str) -> CliResult<(CachedFolder, Arc<CardDavSource>)> {
    let offline = open_offline(dir, name)?;
    let setting = |k: &str| -> CliResult<String> {
        offline
            .setting(k)?
            .ok_or_else(|| Failure::usage(format!("folder '{name}' has no {k}; add it again")))
    };
    let book = setting("book_url")?;
    let user = setting("user")?;
    let ca = offline.setting("ca_file")?.map(PathBuf::from);
    let scheme = offline
        .setting("auth_scheme")?
        .and_then(|s| AuthScheme::from_name(&s));
    let cfg = config(&book, &user, None, ca.as_deref(), None, scheme)?;
    let source = Arc::new(match stored_book(&offline)? {
        Some(b) if b.url.as_str() == book => CardDavSource::with_address_book(cfg, b)?,
        _ => CardDavSource::open(cfg)?,
    });
    // The rows read offline stay: the cache is not read a second time.
    Ok((offline.with_source(source.clone()), source))
}

/// The address book a folder stored (see [`remember_connection`]).
fn stored_book(folder: &CachedFolder) -> CliResult<Option<AddressBook>> {
    let Some(text) = folder.setting("book")? else {
        return Ok(None);
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Ok(None);
    };
    let Some(url) = v["url"].as_str().and_then(|u| url::Url::parse(u).ok()) else {
        return Ok(None);
    };
    let text = |k: &str| v[k].as_str().map(str::to_owned);
    Ok(Some(AddressBook {
        url,
        display_name: text("display_name"),
        description: text("description"),
        ctag: text("ctag"),
        sync_token: None,
        supports_sync: v["supports_sync"].as_bool().unwrap_or(false),
        vcard_versions: v["vcard_versions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(cti_phonebook::vcard::Version::from_value)
                    .collect()
            })
            .filter(|v: &Vec<_>| !v.is_empty())
            .unwrap_or_else(|| vec![cti_phonebook::vcard::Version::V3_0]),
    }))
}

/// Stores what the next run needs to sync without round trips of its own: the book
/// (opening it is then no request) and the auth scheme the server asked for (the first
/// request then carries the credentials). Written only when they changed.
fn remember_connection(folder: &CachedFolder, source: &CardDavSource) -> CliResult {
    let book = book_json(source.address_book()).to_string();
    if folder.setting("book")?.as_deref() != Some(book.as_str()) {
        folder.set_setting("book", &book)?;
    }
    if let Some(scheme) = source.auth_scheme()
        && folder.setting("auth_scheme")?.as_deref() != Some(scheme.as_str())
    {
        folder.set_setting("auth_scheme", scheme.as_str())?;
    }
    Ok(())
}

// ----- commands -----

fn book_json(b: &AddressBook) -> Value {
    json!({
        "url": b.url.as_str(),
        "display_name": b.display_name,
        "description": b.description,
        "ctag": b.ctag,
        "supports_sync": b.supports_sync,
        "vcard_versions": b.vcard_versions.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
    })
}

fn cmd_discover(url: &str, user: Option<&str>, connect: &ConnectArgs, json: bool) -> CliResult {
    let (_, cfg) = typed_config(url, user, connect)?;
    let books = discover(&cfg)?;
    if json {
        print_json(&Value::Array(books.iter().map(book_json).collect()));
        return Ok(());
    }
    for b in &books {
        println!(
            "{}\t{}\t{}{}",
            printable(b.display_name.as_deref().unwrap_or("(no name)"), false),
            b.url,
            if b.supports_sync { "sync" } else { "ctag" },
            b.description
                .as_deref()
                .map(|d| format!("\t{}", printable(d, false)))
                .unwrap_or_default()
        );
    }
    Ok(())
}

fn apply_columns(schema: &mut Schema, c: &ColumnArgs) -> CliResult {
    if let Some(n) = c.phones {
        schema.set_phone_count(n)?;
    }
    if let Some(n) = c.emails {
        schema.set_email_count(n)?;
    }
    if let Some(n) = c.addresses {
        schema.set_address_count(n)?;
    }
    if let Some(n) = c.websites {
        schema.set_website_count(n)?;
    }
    if let Some(n) = c.user_defined {
        schema.set_user_count(n)?;
    }
    Ok(())
}

/// `--sync-interval DAYS` as a duration, within the cache's bounds.
fn interval(days: f64) -> CliResult<Duration> {
    let secs = days * 86_400.0;
    let (min, max) = (MIN_SYNC_INTERVAL.as_secs(), MAX_SYNC_INTERVAL.as_secs());
    // Also false for NaN; checked before the conversion, which would saturate.
    if !(secs >= min as f64 && secs <= max as f64) {
        return Err(Failure::new(
            "config",
            format!(
                "--sync-interval must be between {} and {} days",
                min as f64 / 86_400.0,
                max / 86_400
            ),
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[allow(clippy::too_many_arguments)]
fn cmd_folder_add(
    dir: &Path,
    name: &str,
    url: &str,
    user: Option<&str>,
    book: Option<&str>,
    connect: &ConnectArgs,
    columns: &ColumnArgs,
    sync_interval: Option<f64>,
) -> CliResult {
    let tls = &connect.tls;
    let exists = || {
        Failure::new(
            "exists",
            format!("folder '{name}' exists; use `folder set` to change it"),
        )
    };
    if folder_exists(dir, name) {
        return Err(exists());
    }
    let mut schema = Schema::default();
    apply_columns(&mut schema, columns)?;
    let interval = sync_interval.map(interval).transpose()?;
    let (typed, cfg) = typed_config(url, user, connect)?;
    let url = typed.url.as_str();
    let books = discover(&cfg)?;
    let chosen = match book {
        Some(b) => books
            .iter()
            .find(|x| {
                x.display_name.as_deref() == Some(b) || x.url.as_str() == b || x.url.path() == b
            })
            .ok_or_else(|| {
                Failure::usage(format!(
                    "no address book '{b}' at {url}; found: {}",
                    names(&books)
                ))
            })?,
        None if books.len() == 1 => &books[0],
        None if books.is_empty() => {
            return Err(Failure::usage(format!("no address book at {url}")));
        }
        None => {
            return Err(Failure::usage(format!(
                "several address books at {url}, pick one with --book: {}",
                names(&books)
            )));
        }
    };
    let source =
        Arc::new(CardDavSource::open(cfg.with_url(chosen.url.clone()))?.with_schema(schema));
    let ca = match &tls.ca_file {
        Some(ca) => Some(std::fs::canonicalize(ca)?.to_string_lossy().into_owned()),
        None => None,
    };
    let mut settings = vec![
        ("url", url),
        ("book_url", chosen.url.as_str()),
        ("user", typed.user.as_str()),
    ];
    if let Some(ca) = &ca {
        settings.push(("ca_file", ca));
    }
    // Exclusive: of two `folder add` of one name at once, one adds it.
    let folder = match CachedFolder::create_new(dir, name, source.clone(), &settings) {
        Err(Error::Config(_)) if folder_exists(dir, name) => return Err(exists()),
        other => other?,
    };
    remember_connection(&folder, &source)?;
    if let Some(d) = interval {
        folder.set_sync_interval(d)?;
    }
    println!(
        "added folder '{}': {} ({})",
        printable(name, false),
        printable(chosen.display_name.as_deref().unwrap_or("(no name)"), false),
        chosen.url
    );
    Ok(())
}

fn names(books: &[AddressBook]) -> String {
    books
        .iter()
        .map(|b| {
            let name = b.display_name.as_deref().unwrap_or("");
            format!("'{}' ({})", printable(name, false), b.url)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn cmd_folder_set(dir: &Path, set: SetArgs) -> CliResult {
    let SetArgs {
        name,
        user,
        tls,
        columns,
        phone_kind: phone_kinds,
        sync_interval,
        numbers_country,
        numbers_area_code,
        auto_open,
    } = set;
    let name = name.as_str();
    let folder = open_offline(dir, name)?;
    if let Some(u) = user {
        folder.set_setting("user", &u)?;
    }
    if let Some(ca) = &tls.ca_file {
        folder.set_setting("ca_file", &std::fs::canonicalize(ca)?.to_string_lossy())?;
    }
    let mut schema = folder.source().schema();
    apply_columns(&mut schema, &columns)?;
    let interval = sync_interval.map(interval).transpose()?;
    for pk in &phone_kinds {
        let (col, kind) = pk
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--phone-kind wants COLUMN=KIND, got '{pk}'")))?;
        let idx: usize = col
            .strip_prefix("phone")
            .and_then(|n| n.parse().ok())
            .filter(|n| (1..=schema.phones.len()).contains(n))
            .ok_or_else(|| Failure::usage(format!("no phone column '{col}'")))?;
        schema.phones[idx - 1] = kind.parse::<PhoneKind>()?;
    }
    if schema != folder.source().schema() {
        folder.set_schema(schema)?;
    }
    if let Some(d) = interval {
        folder.set_sync_interval(d)?;
    }
    if let Some(cc) = numbers_country {
        let cc = Some(cc).filter(|c| !c.eq_ignore_ascii_case("none"));
        store_folder_region(&folder, cc.as_deref(), numbers_area_code.as_deref())?;
    }
    if let Some(on) = auto_open {
        set_auto_open(&folder, matches!(on, OnOff::On))?;
    }
    println!("updated folder '{name}'");
    Ok(())
}

fn cmd_folder_list(dir: &Path, json: bool) -> CliResult {
    let mut out = Vec::new();
    let mut failed = None;
    for name in cached_folders(dir)? {
        // One folder that cannot be read (locked, say) does not hide the others.
        let f = match open_offline(dir, &name) {
            Ok(f) => f,
            Err(e) => {
                out.push(json!({"name": name, "error": {"kind": e.kind, "message": e.message}}));
                failed.get_or_insert(e.context(&name));
                continue;
            }
        };
        let snap = f.snapshot();
        out.push(json!({
            "name": name,
            "url": f.setting("url")?,
            "book_url": f.setting("book_url")?,
            "user": f.setting("user")?,
            "records": snap.len(),
            "last_sync": snap.last_sync().map(|t| t.to_rfc3339()),
            "next_sync": snap.next_sync().map(|t| t.to_rfc3339()),
            "sync_interval_days": f.sync_interval().as_secs_f64() / 86_400.0,
            "auto_open": auto_open(&f),
            "schema": f.source().schema().to_spec(),
            "warning": f.open_warning(),
        }));
    }
    if json {
        // Every folder, the unreadable ones with their error; the exit code says
        // whether there were any.
        print_json(&Value::Array(out));
        return failed.map_or(Ok(()), |f| Err(f.printed()));
    } else {
        for f in out {
            if f.get("error").is_some() {
                continue;
            }
            println!(
                "{}\t{} records\t{}\tlast sync {}",
                printable(f["name"].as_str().unwrap_or(""), false),
                f["records"],
                printable(f["book_url"].as_str().unwrap_or("-"), false),
                f["last_sync"].as_str().unwrap_or("never")
            );
        }
    }
    failed.map_or(Ok(()), Err)
}

fn cmd_folder_remove(dir: &Path, name: &str) -> CliResult {
    if !remove_folder(dir, name)? {
        return Err(Failure::new(
            "not_found",
            format!("unknown folder '{name}'"),
        ));
    }
    println!("removed folder '{}'", printable(name, false));
    Ok(())
}

/// A sync's report; `requests` counts every request of the run on the wire for this
/// folder, opening and auth round trips included.
fn report_json(name: &str, r: &SyncReport, rebuilt: bool, requests: u32) -> Value {
    json!({
        "folder": name,
        "rebuilt": rebuilt,
        "mode": format!("{:?}", r.mode).to_lowercase(),
        "added": r.added,
        "changed": r.changed,
        "removed": r.removed,
        "skipped": r.skipped,
        "requests": requests,
        "warnings": r.warnings.iter().map(|w| json!({"id": w.id.as_str(), "message": w.message})).collect::<Vec<_>>(),
    })
}

fn cmd_sync(dir: &Path, name: Option<&str>, full: bool, json: bool) -> CliResult {
    let names = match name {
        Some(n) => vec![n.to_owned()],
        None => cached_folders(dir)?,
    };
    let mut reports = Vec::new();
    let mut failed = None;
    for n in &names {
        let bar = progress(&format!("syncing {n}"));
        // Whether this sync rebuilt records lost to damage: the folder said it had
        // to, and no longer does.
        let res = open_online(dir, n).and_then(|(f, source)| {
            if let Some(bar) = &bar {
                let bar = bar.clone();
                f.on_progress(move |p| show_progress(&bar, p));
            }
            let damaged = f.open_warning().is_some();
            let r = if full {
                f.reload()?
            } else {
                f.refresh_requested()?
            };
            remember_connection(&f, &source)?;
            Ok((r, damaged && f.open_warning().is_none(), source.requests()))
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        match res {
            Ok((r, rebuilt, requests)) => {
                if !json {
                    println!(
                        "{n}: {} added, {} changed, {} removed, {} skipped, {} requests{}",
                        r.added,
                        r.changed,
                        r.removed,
                        r.skipped,
                        requests,
                        if rebuilt {
                            " (the damaged cache is rebuilt)"
                        } else {
                            ""
                        }
                    );
                    for w in &r.warnings {
                        eprintln!(
                            "warning: {}: {}: {}",
                            printable(n, false),
                            printable(w.id.as_str(), false),
                            printable(&w.message, false)
                        );
                    }
                }
                reports.push(report_json(n, &r, rebuilt, requests));
            }
            Err(f) => {
                reports.push(json!({"folder": n, "error": {"kind": f.kind, "message": f.message}}));
                failed.get_or_insert(f.context(n));
            }
        }
    }
    if !json {
        return failed.map_or(Ok(()), Err);
    }
    match (name, failed) {
        // One folder: its report, or (from `main`) the error document.
        (Some(_), Some(f)) => Err(f),
        (Some(_), None) => {
            print_json(&reports.pop().unwrap_or(Value::Null));
            Ok(())
        }
        // All folders: one array, each entry a report or an error.
        (None, failed) => {
            print_json(&Value::Array(reports));
            failed.map_or(Ok(()), |f| Err(f.printed()))
        }
    }
}

/// A spinner on stderr while a sync runs, when stderr is a terminal; it becomes a bar
/// (`syncing NAME  1200/10000`) once the sync knows how many cards it fetches.
fn progress(msg: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = spinner(msg, indicatif::ProgressDrawTarget::stderr());
    pb.enable_steady_tick(Duration::from_millis(100));
    Some(pb)
}

/// The spinner [`progress`] shows, drawn to `target` (the tests draw to a fake
/// terminal: indicatif draws nothing when stderr is not one).
fn spinner(msg: &str, target: indicatif::ProgressDrawTarget) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::with_draw_target(None, target);
    pb.set_style(indicatif::ProgressStyle::default_spinner());
    pb.set_message(msg.to_owned());
    pb
}

/// Moves the sync's bar; the first event with a total turns the spinner into a bar.
fn show_progress(pb: &indicatif::ProgressBar, p: SyncProgress) {
    let Some(total) = p.total else { return };
    if pb.length() != Some(total as u64) {
        if pb.length().is_none() {
            let style =
                indicatif::ProgressStyle::with_template("{spinner} {msg}  {pos}/{len} [{bar:30}]")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> ");
            pb.set_style(style);
        }
        // A refresh that turns into a reload starts over with another total.
        pb.set_length(total as u64);
    }
    pb.set_position(p.fetched as u64);
}

fn record_json(id: &RecordId, version: &str, row: &Row) -> Value {
    let fields: serde_json::Map<String, Value> = row
        .cells()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect();
    json!({"id": id.as_str(), "version": version, "fields": fields})
}

fn cmd_list(dir: &Path, name: &str, json: bool) -> CliResult {
    let folder = open_offline(dir, name)?;
    check_rebuilt(&folder)?;
    let snap = folder.snapshot();
    if json {
        let arr: Vec<Value> = snap
            .rows()
            .map(|(id, r)| record_json(id, r.version.as_str(), &r.row))
            .collect();
        print_json(&Value::Array(arr));
        return Ok(());
    }
    let schema = folder.source().schema();
    let phone_cols: Vec<(String, PhoneKind)> = schema
        .columns()
        .into_iter()
        .filter_map(|c| match c.kind {
            ColumnKind::Phone(_, k) => Some((c.name, k)),
            _ => None,
        })
        .collect();
    let mut rows: Vec<Vec<String>> = vec![
        ["id", "display_name", "company"]
            .iter()
            .map(|s| s.to_string())
            .chain(phone_cols.iter().map(|(_, k)| k.to_string()))
            .collect(),
    ];
    for (id, r) in snap.rows() {
        let mut line = vec![
            short_id(id).to_owned(),
            r.row.get("display_name").unwrap_or("").to_owned(),
            r.row.get("company").unwrap_or("").to_owned(),
        ];
        line.extend(
            phone_cols
                .iter()
                .map(|(c, _)| r.row.get(c).unwrap_or("").to_owned()),
        );
        rows.push(line);
    }
    print_table(&rows);
    Ok(())
}

fn print_table(rows: &[Vec<String>]) {
    let cols = rows.first().map_or(0, Vec::len);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| {
                    let n = printable(&r[c], false).chars().count();
                    n.min(if c == 0 { 80 } else { 32 })
                })
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&width)
            .map(|(v, w)| {
                let v: String = printable(v, false).chars().take((*w).max(1)).collect();
                format!("{v:<w$}")
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
}

/// Finds a record by its full id, or by the last segment of it (`abc.vcf` or `abc`),
/// which is what the table shows.
fn resolve_id(folder: &CachedFolder, given: &str) -> CliResult<RecordId> {
    let snap = folder.snapshot();
    let full = RecordId::new(given);
    if snap.get(&full).is_some() {
        return Ok(full);
    }
    let hits: Vec<&RecordId> = snap
        .rows()
        .map(|(id, _)| id)
        .filter(|id| {
            let last = short_id(id);
            last == given || last.strip_suffix(".vcf") == Some(given)
        })
        .collect();
    match hits[..] {
        [one] => Ok(one.clone()),
        [] => Err(Failure::usage(format!(
            "no record '{given}' in folder '{}' (run `sync`?)",
            folder.name()
        ))),
        _ => Err(Failure::usage(format!(
            "'{given}' is ambiguous; use the full id"
        ))),
    }
}

/// The last path segment of an id (a CardDAV href).
fn short_id(id: &RecordId) -> &str {
    let s = id.as_str().trim_end_matches('/');
    s.rsplit('/').next().unwrap_or(s)
}

/// Largest form file `folder form --set-json` reads.
const MAX_FORM_FILE: u64 = 1 << 20;

fn cmd_folder_form(dir: &Path, name: &str, set_json: Option<&Path>, json: bool) -> CliResult {
    let folder = open_offline(dir, name)?;
    if let Some(path) = set_json {
        let form = read_form_json(path)?;
        folder.set_form(&form)?;
    }
    let form = folder.form()?;
    let infos = folder.source().schema().column_infos();
    let info = |column: &str| infos.iter().find(|c| c.name == column);
    if json {
        let groups: Vec<Value> = form
            .sections
            .iter()
            .map(|s| {
                let fields: Vec<Value> = s
                    .fields
                    .iter()
                    .map(|f| {
                        let mut v = json!({"column": f.column, "visible": f.visible});
                        if let Some(c) = info(&f.column) {
                            v["label"] = json!(c.label(Language::English));
                            v["label_de"] = json!(c.label(Language::German));
                            v["input"] = json!(c.input.as_str());
                            v["property"] = json!(c.property);
                            v["types"] = json!(c.types);
                            v["component"] = json!(c.component);
                        }
                        v
                    })
                    .collect();
                json!({
                    "group": s.group.as_str(),
                    "label": s.group.label(Language::English),
                    "label_de": s.group.label(Language::German),
                    "fields": fields,
                })
            })
            .collect();
        print_json(&json!({"folder": name, "title": form.title, "groups": groups}));
        return Ok(());
    }
    println!("title: {}", printable(&form.title.join(" — "), false));
    for s in &form.sections {
        println!("{}:", s.group.label(Language::English));
        for f in &s.fields {
            let (label, input, property) = info(&f.column).map_or(("", "", ""), |c| {
                (
                    c.label(Language::English),
                    c.input.as_str(),
                    c.property.as_str(),
                )
            });
            println!(
                "  {}{}\t{}\t{input}\t{}",
                if f.visible { "" } else { "(hidden) " },
                f.column,
                printable(label, false),
                printable(property, false)
            );
        }
    }
    Ok(())
}

/// A form layout from a JSON file of the shape `folder form --json` prints:
/// `{"title": [COLUMN...], "groups": [{"group": NAME, "fields": [{"column": NAME,
/// "visible": BOOL}]}]}`; `visible` defaults to true, other keys are ignored.
fn read_form_json(path: &Path) -> CliResult<FormLayout> {
    let bad = |what: String| Failure::from(Error::Config(format!("{}: {what}", path.display())));
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_FORM_FILE + 1), &mut text)
        .map_err(|e| bad(format!("not a text file ({e})")))?;
    if text.len() as u64 > MAX_FORM_FILE {
        return Err(bad(format!("larger than {MAX_FORM_FILE} bytes")));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let strings = |v: &Value, what: &str| -> CliResult<Vec<String>> {
        v.as_array()
            .ok_or_else(|| bad(format!("{what} must be an array")))?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("{what} must hold column names")))
            })
            .collect()
    };
    let title = strings(&v["title"], "\"title\"")?;
    let groups = v["groups"]
        .as_array()
        .ok_or_else(|| bad("\"groups\" must be an array".into()))?;
    let mut sections = Vec::new();
    for g in groups {
        let group: Group = g["group"]
            .as_str()
            .ok_or_else(|| bad("every group needs a \"group\" name".into()))?
            .parse()?;
        let mut fields = Vec::new();
        for f in g["fields"]
            .as_array()
            .ok_or_else(|| bad(format!("group '{group}' needs a \"fields\" array")))?
        {
            let column = f["column"]
                .as_str()
                .ok_or_else(|| bad(format!("a field of group '{group}' has no \"column\"")))?;
            let visible = match &f["visible"] {
                Value::Null => true,
                Value::Bool(b) => *b,
                _ => {
                    return Err(bad(format!(
                        "\"visible\" of '{column}' must be true or false"
                    )));
                }
            };
            fields.push(FormField {
                column: column.to_owned(),
                visible,
            });
        }
        sections.push(FormSection { group, fields });
    }
    Ok(FormLayout { sections, title })
}

fn cmd_show(dir: &Path, name: &str, id: &str, json: bool) -> CliResult {
    let folder = open_offline(dir, name)?;
    check_rebuilt(&folder)?;
    let id = resolve_id(&folder, id)?;
    let rec = folder.cached_record(&id)?;
    // Numbers that fit no column, each with the kind its types and label give it.
    let more = folder.source().schema().phones_without_column(&rec.card);
    if json {
        let mut v = record_json(&rec.id, rec.version.as_str(), &rec.row);
        v["hidden"] = json!({
            "phones": rec.row.hidden.phones,
            "emails": rec.row.hidden.emails,
            "websites": rec.row.hidden.websites,
            "addresses": rec.row.hidden.addresses,
        });
        v["more_numbers"] = more
            .iter()
            .map(|(kind, number)| json!({"kind": kind.to_string(), "number": number}))
            .collect();
        print_json(&v);
        return Ok(());
    }
    println!(
        "id: {}\nversion: {}",
        printable(rec.id.as_str(), false),
        printable(rec.version.as_str(), false)
    );
    for (k, v) in rec.row.cells() {
        println!("{k}: {}", printable(v, false));
    }
    if !more.is_empty() {
        println!("more numbers:");
        for (kind, number) in &more {
            println!("  {kind}: {}", printable(number, false));
        }
    }
    let h = rec.row.hidden;
    if h.emails + h.addresses + h.websites > 0 {
        println!(
            "(not shown: {} emails, {} addresses, {} websites)",
            h.emails, h.addresses, h.websites
        );
    }
    Ok(())
}

fn plan(args: &PlanArgs) -> CliResult<DialPlan> {
    let mut p = DialPlan::new(&args.country)?;
    if let Some(a) = &args.area_code {
        p = p.with_area_code(a)?;
    }
    if let Some(o) = &args.outside_prefix {
        p = p.with_outside_line(o, OutsideLine::AlsoInCallerNumbers)?;
    }
    Ok(p)
}

/// A phone book of every cached folder. A folder that cannot be opened (locked by
/// another process, say) is left out with a warning: the others still answer.
fn open_all(dir: &Path, plan: DialPlan) -> CliResult<Phonebook> {
    let book = Phonebook::new(dir, plan);
    for name in cached_folders(dir)? {
        match open_offline(dir, &name) {
            Ok(f) => book.add(Arc::new(f)),
            Err(e) => eprintln!(
                "warning: folder '{}' left out: {}",
                printable(&name, false),
                printable(&e.message, false)
            ),
        }
    }
    Ok(book)
}

fn quality(q: MatchQuality) -> String {
    match q {
        MatchQuality::Exact => "exact".into(),
        MatchQuality::National => "national".into(),
        MatchQuality::Switchboard { .. } => "switchboard".into(),
        MatchQuality::Extension => "extension".into(),
    }
}

/// A match as JSON: `column` is null for a number that no column shows, and
/// `kind` says what the number is (its column's kind, or its TEL's own type).
fn match_json(m: &CallerMatch) -> Value {
    let column = match m.place() {
        NumberPlace::Column(c) => Some(c),
        NumberPlace::NoColumn(_) => None,
    };
    json!({
        "folder": m.folder(),
        "id": m.id().as_str(),
        "display_name": m.display_name(),
        "column": column,
        "kind": m.kind().map(|k| k.to_string()),
        "number": m.number(),
        "quality": quality(m.quality()),
    })
}

/// Looks up an incoming number. A withheld number or text that is no number is an
/// answer (`reason`), not a failure: a PBX delivers them on every such call.
fn cmd_lookup(dir: &Path, number: &str, args: &PlanArgs, json: bool) -> CliResult {
    let book = open_all(dir, plan(args)?)?;
    let outcome = book.lookup_caller(number);
    let matches = outcome.matches();
    if json {
        let mut out = json!({"matches": matches.iter().map(match_json).collect::<Vec<_>>()});
        match &outcome {
            CallerLookup::Withheld => out["reason"] = json!("withheld"),
            CallerLookup::NotANumber(e) => {
                out["reason"] = json!("not_a_number");
                out["detail"] = json!(e.to_string());
            }
            _ => {}
        }
        print_json(&out);
        return Ok(());
    }
    match &outcome {
        CallerLookup::Withheld => println!("withheld number: no contact"),
        CallerLookup::NotANumber(e) => println!(
            "not a number ({}): no contact",
            printable(&e.to_string(), false)
        ),
        _ if matches.is_empty() => println!("no contact for {}", printable(number, false)),
        _ => {}
    }
    for m in matches {
        let place = match m.place() {
            NumberPlace::Column(c) => c.to_owned(),
            NumberPlace::NoColumn(kind) => format!("no column ({kind})"),
        };
        println!(
            "{}\t{}\t{place} {}\t{}\t[{}]",
            printable(m.display_name(), false),
            printable(m.company(), false),
            printable(m.number(), false),
            printable(m.folder(), false),
            quality(m.quality())
        );
    }
    Ok(())
}

/// `value` with its matched ranges in brackets: `[Kow]alczyk`.
fn marked(f: &MatchedField) -> String {
    let mut out = String::new();
    let mut at = 0;
    for r in &f.ranges {
        if r.start < at || r.end > f.value.len() {
            continue;
        }
        out.push_str(&f.value[at..r.start]);
        out.push('[');
        out.push_str(&f.value[r.clone()]);
        out.push(']');
        at = r.end;
    }
    out.push_str(&f.value[at..]);
    out
}

fn hit_json(h: &SearchHit) -> Value {
    json!({
        "folder": h.folder(),
        "id": h.id().as_str(),
        "display_name": h.display_name(),
        "company": h.company(),
        "rank": h.rank(),
        "matched": h.matched().iter().map(|f| json!({
            "column": f.column,
            "value": f.value,
            "ranges": f.ranges.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn cmd_search(dir: &Path, text: &str, limit: usize, json: bool) -> CliResult {
    // The dial plan plays no part in a name search.
    let book = open_all(dir, DialPlan::new("DE")?)?;
    let hits = book.search(text, limit);
    if json {
        println!(
            "{}",
            json!({"hits": hits.iter().map(hit_json).collect::<Vec<_>>()})
        );
        return Ok(());
    }
    if hits.is_empty() {
        println!("no contact for '{text}'");
    }
    for h in &hits {
        let fields: Vec<String> = h
            .matched()
            .iter()
            .map(|f| format!("{}: {}", f.column, marked(f)))
            .collect();
        println!(
            "{}\t{}\t{}\t{}\t{}",
            h.display_name(),
            h.company(),
            h.folder(),
            short_id(h.id()),
            fields.join("; ")
        );
    }
    Ok(())
}

fn parse_sets(sets: &[String], row: &mut Row) -> CliResult {
    for s in sets {
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--set wants COLUMN=VALUE, got '{s}'")))?;
        row.set(k.trim(), v);
    }
    Ok(())
}

fn print_record(rec: &Record, json: bool) {
    if json {
        print_json(&record_json(&rec.id, rec.version.as_str(), &rec.row));
    } else {
        println!(
            "{}\t{}",
            printable(rec.id.as_str(), false),
            printable(rec.row.get("display_name").unwrap_or(""), false)
        );
    }
}

fn cmd_add(dir: &Path, name: &str, sets: &[String], json: bool) -> CliResult {
    let mut row = Row::new();
    parse_sets(sets, &mut row)?;
    let (folder, _) = open_online(dir, name)?;
    folder.source().schema().check_row(&row)?;
    let rec = folder.create(&row)?;
    print_record(&rec, json);
    Ok(())
}

fn cmd_edit(dir: &Path, name: &str, id: &str, sets: &[String], json: bool) -> CliResult {
    let (folder, _) = open_online(dir, name)?;
    let id = resolve_id(&folder, id)?;
    // Edit the server's current version, so a stale cache is no conflict.
    folder.refresh_record(&id)?;
    let base = folder.cached_record(&id)?;
    let mut row = base.row.clone();
    parse_sets(sets, &mut row)?;
    folder.source().schema().check_row(&row)?;
    let rec = folder.update(&base, &row)?;
    print_record(&rec, json);
    Ok(())
}

fn cmd_delete(dir: &Path, name: &str, id: &str) -> CliResult {
    let (folder, _) = open_online(dir, name)?;
    let id = resolve_id(&folder, id)?;
    folder.refresh_record(&id)?;
    let base = folder.cached_record(&id)?;
    folder.delete(&id, &base.version)?;
    println!("deleted {}", printable(id.as_str(), false));
    Ok(())
}

/// A CSV field: quoted when it must be, with the characters that steer a terminal
/// escaped ([`printable`]; line breaks and tabs stay, inside quotes).
fn csv_field(s: &str) -> String {
    let s = printable(s, true);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

fn cmd_export(dir: &Path, name: &str, format: ExportFormat) -> CliResult {
    let folder = open_offline(dir, name)?;
    check_rebuilt(&folder)?;
    let snap = folder.snapshot();
    let mut out = std::io::stdout().lock();
    match format {
        ExportFormat::Vcf => {
            // A card that cannot be read (damage) costs that card, not the export.
            let mut unreadable = 0;
            for (id, _) in snap.rows() {
                match folder.cached_record(id) {
                    Ok(rec) => {
                        let bytes = rec.card.to_bytes();
                        out.write_all(&bytes)?;
                        // A card whose END:VCARD has no line break of its own would
                        // run into the next one's BEGIN.
                        if !bytes.ends_with(b"\n") {
                            out.write_all(b"\r\n")?;
                        }
                    }
                    Err(e) => {
                        unreadable += 1;
                        eprintln!(
                            "warning: {}: {}",
                            printable(id.as_str(), false),
                            printable(&e.to_string(), false)
                        );
                    }
                }
            }
            if unreadable > 0 {
                return Err(Failure::new(
                    "cache",
                    format!(
                        "{unreadable} of {} cards could not be read; `phonebook sync {name}` \
                         reloads them",
                        snap.len()
                    ),
                ));
            }
        }
        ExportFormat::Csv => {
            let cols: Vec<String> = folder
                .source()
                .schema()
                .columns()
                .into_iter()
                .map(|c| c.name)
                .collect();
            writeln!(out, "id,{}", cols.join(","))?;
            for (id, r) in snap.rows() {
                let cells: Vec<String> = cols
                    .iter()
                    .map(|c| csv_field(r.row.get(c).unwrap_or("")))
                    .collect();
                writeln!(out, "{},{}", csv_field(id.as_str()), cells.join(","))?;
            }
        }
    }
    Ok(())
}

fn cmd_dial(dir: &Path, number: &str, args: &PlanArgs, json: bool) -> CliResult {
    let plan = plan(args)?;
    let digits = plan
        .dial(number)
        .map_err(|e| Failure::new("not_a_number", format!("'{number}': {e}")))?;
    if !json {
        println!("{digits}");
        return Ok(());
    }
    let found = open_all(dir, plan)
        .ok()
        .and_then(|b| b.lookup(number).ok())
        .and_then(|m| m.into_iter().next());
    print_json(&json!({"number": number, "dial": digits, "match": found.as_ref().map(match_json)}));
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use cti_phonebook::SyncProgress;
    use indicatif::{ProgressDrawTarget, TermLike};

    use super::{printable, show_progress, spinner, typed_url};

    #[test]
    fn user_info_leaves_a_typed_url() {
        let t = typed_url("https://alice:p%40ss:w@dav.example.test/a@b/", None).unwrap();
        assert_eq!(t.url, "https://dav.example.test/a@b/");
        assert_eq!(
            (t.user.as_str(), t.password.as_deref()),
            ("alice", Some("p@ss:w"))
        );
        let t = typed_url("alice@example.test", Some("alice")).unwrap();
        assert_eq!((t.url.as_str(), t.password), ("example.test", None));
        let t = typed_url("http://127.0.0.1:5232/", Some("bob")).unwrap();
        assert_eq!(
            (t.url.as_str(), t.user.as_str()),
            ("http://127.0.0.1:5232/", "bob")
        );
        assert!(typed_url("http://alice@h/", Some("bob")).is_err());
        assert!(typed_url("http://h/", None).is_err());
    }

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(printable("Esc\u{1b}]0;x\u{7}", false), "Esc\\x1B]0;x\\x07");
        assert_eq!(
            printable("a\u{9b}b\u{202e}c", false),
            "a\\u{009B}b\\u{202E}c"
        );
        assert_eq!(printable("a\nb\tc", false), "a\\x0Ab\\x09c");
        assert_eq!(printable("a\nb\tc", true), "a\nb\tc");
        assert!(matches!(
            printable("Müller \\ Co", false),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// A terminal of one line: what was written since the line was last cleared.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn line(&self) -> String {
            self.0.lock().unwrap().trim_end().to_owned()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.lock().unwrap().clear();
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_spinner_becomes_a_bar_once_the_total_is_known() {
        let screen = Screen::default();
        // Without a refresh rate: every change is drawn at once.
        let pb = spinner(
            "syncing Work",
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        pb.tick();
        assert!(
            screen.line().ends_with(" syncing Work"),
            "{:?}",
            screen.line()
        );

        // Listing: no total yet, the spinner stays.
        show_progress(&pb, SyncProgress::new(0, None));
        assert_eq!(pb.length(), None);
        assert!(!screen.line().contains('/'), "{:?}", screen.line());

        show_progress(&pb, SyncProgress::new(0, Some(10)));
        show_progress(&pb, SyncProgress::new(4, Some(10)));
        let line = screen.line();
        assert!(line.contains(" syncing Work  4/10 ["), "{line:?}");
        // 4 of 10 in a bar of 30: 12 filled, the head, 17 empty.
        let bar = &line[line.find('[').unwrap()..];
        assert_eq!(bar, format!("[{}>{}]", "=".repeat(12), " ".repeat(17)));

        // A refresh that turns into a reload starts over with its own total.
        show_progress(&pb, SyncProgress::new(0, Some(25)));
        assert!(screen.line().contains("  0/25 ["), "{:?}", screen.line());
        show_progress(&pb, SyncProgress::new(25, Some(25)));
        assert!(screen.line().contains("  25/25 ["), "{:?}", screen.line());
        assert_eq!((pb.position(), pb.length()), (25, Some(25)));
    }
}
