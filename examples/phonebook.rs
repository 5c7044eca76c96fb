//! `phonebook`: a command-line phone book client over CardDAV, with an offline cache.
//!
//! ```text
//! phonebook --cache-dir DIR discover URL --user USER [--ca-file PEM] [--json]
//! phonebook --cache-dir DIR folder add NAME --url URL --user USER [--book BOOK] ...
//! phonebook --cache-dir DIR sync [NAME] [--full] [--json]
//! phonebook --cache-dir DIR list NAME [--json]
//! phonebook --cache-dir DIR lookup NUMBER [--country CC] [--area-code N] [--json]
//! phonebook --cache-dir DIR search TEXT [--limit N] [--json]
//! ```
//!
//! The password comes from `PHONEBOOK_PASSWORD`, or a prompt when stdin is a terminal.
//! Run `phonebook --help` for every command; the README documents the JSON formats.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cti_phonebook::cache::{CachedFolder, OfflineSource, SyncReport, cached_folders};
use cti_phonebook::calls::{auto_open, set_auto_open};
use cti_phonebook::carddav::{AddressBook, CardDavConfig, CardDavSource, discover};
use cti_phonebook::lookup::CallerMatch;
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
        /// User name.
        #[arg(long)]
        user: String,
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
        /// The number as the PBX delivers it.
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
        /// Any URL form discovery accepts.
        #[arg(long)]
        url: String,
        /// User name.
        #[arg(long)]
        user: String,
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

/// A failure with the one line the user sees.
struct Failure(String);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(match &e {
            Error::Unauthorized { url } => format!("wrong user name or password for {url}"),
            Error::Network { .. } => format!("{e} (offline? lookups still work from the cache)"),
            Error::Server { .. } => {
                format!("{e} (a fault of the server; lookups still work from the cache)")
            }
            // Not a network problem: retrying or waiting will not help.
            Error::Certificate { url, reason } => format!(
                "the server's certificate is not trusted ({url}): {reason}; if the server \
                 uses its own CA, pass the CA certificate with --ca-file PEM \
                 (`folder set NAME --ca-file PEM` for an existing folder)"
            ),
            Error::NotCardDav { url, reason } => format!("{url} is not a CardDAV server: {reason}"),
            Error::Conflict { id, .. } => {
                format!("{id} was changed on the server meanwhile; run `sync` and try again")
            }
            _ => e.to_string(),
        })
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure(e.to_string())
    }
}

type CliResult<T = ()> = Result<T, Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> CliResult {
    let dir = cli.cache_dir;
    match cli.command {
        Command::Discover {
            url,
            user,
            connect,
            json,
        } => cmd_discover(&url, &user, &connect, json),
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
            &user,
            book.as_deref(),
            &connect,
            &columns,
            sync_interval,
        ),
        Command::Folder(FolderCommand::Set(set)) => cmd_folder_set(&dir, set),
        Command::Folder(FolderCommand::List { json }) => cmd_folder_list(&dir, json),
        Command::Folder(FolderCommand::Remove { name }) => cmd_folder_remove(&dir, &name),
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

fn password(user: &str) -> CliResult<String> {
    if let Ok(p) = std::env::var("PHONEBOOK_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("Password for {user}: ")).map_err(Failure::from);
    }
    Err(Failure(
        "no password: set PHONEBOOK_PASSWORD or run on a terminal".into(),
    ))
}

/// The configuration for `url`; `connect` carries the DNS choices of a command that
/// takes a typed URL (a stored book URL needs no discovery).
fn config(
    url: &str,
    user: &str,
    ca_file: Option<&Path>,
    connect: Option<&ConnectArgs>,
) -> CliResult<CardDavConfig> {
    let mut b = CardDavConfig::builder(url).password(user, password(user)?);
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

/// Opens a folder from its cache only.
fn open_offline(dir: &Path, name: &str) -> CliResult<CachedFolder> {
    let path = cti_phonebook::cache::folder_path(dir, name);
    if !path.exists() {
        return Err(Failure(format!(
            "unknown folder '{name}' (see `phonebook folder list`)"
        )));
    }
    Ok(CachedFolder::open(
        dir,
        name,
        Arc::new(OfflineSource::new(name)),
    )?)
}

/// Opens a folder connected to its address book.
fn open_online(dir: &Path, name: &str) -> CliResult<CachedFolder> {
    let offline = open_offline(dir, name)?;
    let setting = |k: &str| -> CliResult<String> {
        offline
            .setting(k)?
            .ok_or_else(|| Failure(format!("folder '{name}' has no {k}; add it again")))
    };
    let book = setting("book_url")?;
    let user = setting("user")?;
    let ca = offline.setting("ca_file")?.map(PathBuf::from);
    let source = CardDavSource::open(config(&book, &user, ca.as_deref(), None)?)?;
    // The rows read offline stay: the cache is not read a second time.
    Ok(offline.with_source(Arc::new(source)))
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

fn cmd_discover(url: &str, user: &str, connect: &ConnectArgs, json: bool) -> CliResult {
    let tls = &connect.tls;
    let books = discover(&config(url, user, tls.ca_file.as_deref(), Some(connect))?)?;
    if json {
        println!("{}", Value::Array(books.iter().map(book_json).collect()));
        return Ok(());
    }
    for b in &books {
        println!(
            "{}\t{}\t{}{}",
            b.display_name.as_deref().unwrap_or("(no name)"),
            b.url,
            if b.supports_sync { "sync" } else { "ctag" },
            b.description
                .as_deref()
                .map(|d| format!("\t{d}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

fn apply_columns(schema: &mut Schema, c: &ColumnArgs) {
    if let Some(n) = c.phones {
        schema.set_phone_count(n);
    }
    if let Some(n) = c.emails {
        schema.set_email_count(n);
    }
    if let Some(n) = c.addresses {
        schema.set_address_count(n);
    }
    if let Some(n) = c.websites {
        schema.set_website_count(n);
    }
    if let Some(n) = c.user_defined {
        schema.set_user_count(n);
    }
}

fn interval(days: f64) -> CliResult<chrono::Duration> {
    if !(days > 0.0 && days.is_finite()) {
        return Err(Failure(
            "--sync-interval must be a positive number of days".into(),
        ));
    }
    Ok(chrono::Duration::seconds((days * 86_400.0) as i64))
}

#[allow(clippy::too_many_arguments)]
fn cmd_folder_add(
    dir: &Path,
    name: &str,
    url: &str,
    user: &str,
    book: Option<&str>,
    connect: &ConnectArgs,
    columns: &ColumnArgs,
    sync_interval: Option<f64>,
) -> CliResult {
    let tls = &connect.tls;
    if cti_phonebook::cache::folder_path(dir, name).exists() {
        return Err(Failure(format!(
            "folder '{name}' exists; use `folder set` to change it"
        )));
    }
    let cfg = config(url, user, tls.ca_file.as_deref(), Some(connect))?;
    let books = discover(&cfg)?;
    let chosen = match book {
        Some(b) => books
            .iter()
            .find(|x| {
                x.display_name.as_deref() == Some(b) || x.url.as_str() == b || x.url.path() == b
            })
            .ok_or_else(|| {
                Failure(format!(
                    "no address book '{b}' at {url}; found: {}",
                    names(&books)
                ))
            })?,
        None if books.len() == 1 => &books[0],
        None if books.is_empty() => return Err(Failure(format!("no address book at {url}"))),
        None => {
            return Err(Failure(format!(
                "several address books at {url}, pick one with --book: {}",
                names(&books)
            )));
        }
    };
    let mut schema = Schema::default();
    apply_columns(&mut schema, columns);
    let source = CardDavSource::open(cfg.with_url(chosen.url.clone()))?.with_schema(schema);
    std::fs::create_dir_all(dir)?;
    let folder = CachedFolder::open(dir, name, Arc::new(source))?;
    folder.set_setting("url", url)?;
    folder.set_setting("book_url", chosen.url.as_str())?;
    folder.set_setting("user", user)?;
    if let Some(ca) = &tls.ca_file {
        let abs = std::fs::canonicalize(ca)?;
        folder.set_setting("ca_file", &abs.to_string_lossy())?;
    }
    if let Some(d) = sync_interval {
        folder.set_sync_interval(interval(d)?)?;
    }
    println!(
        "added folder '{name}': {} ({})",
        chosen.display_name.as_deref().unwrap_or("(no name)"),
        chosen.url
    );
    Ok(())
}

fn names(books: &[AddressBook]) -> String {
    books
        .iter()
        .map(|b| format!("'{}' ({})", b.display_name.as_deref().unwrap_or(""), b.url))
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
    apply_columns(&mut schema, &columns);
    for pk in &phone_kinds {
        let (col, kind) = pk
            .split_once('=')
            .ok_or_else(|| Failure(format!("--phone-kind wants COLUMN=KIND, got '{pk}'")))?;
        let idx: usize = col
            .strip_prefix("phone")
            .and_then(|n| n.parse().ok())
            .filter(|n| (1..=schema.phones.len()).contains(n))
            .ok_or_else(|| Failure(format!("no phone column '{col}'")))?;
        schema.phones[idx - 1] = kind.parse::<PhoneKind>()?;
    }
    if schema != folder.source().schema() {
        folder.set_schema(schema)?;
    }
    if let Some(d) = sync_interval {
        folder.set_sync_interval(interval(d)?)?;
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
    for name in cached_folders(dir)? {
        let f = open_offline(dir, &name)?;
        let snap = f.snapshot();
        out.push(json!({
            "name": name,
            "url": f.setting("url")?,
            "book_url": f.setting("book_url")?,
            "user": f.setting("user")?,
            "records": snap.len(),
            "last_sync": snap.last_sync().map(|t| t.to_rfc3339()),
            "next_sync": snap.next_sync().map(|t| t.to_rfc3339()),
            "sync_interval_days": f.sync_interval().num_seconds() as f64 / 86_400.0,
            "auto_open": auto_open(&f),
            "schema": f.source().schema().to_spec(),
        }));
    }
    if json {
        println!("{}", Value::Array(out));
    } else {
        for f in out {
            println!(
                "{}\t{} records\t{}\tlast sync {}",
                f["name"].as_str().unwrap_or(""),
                f["records"],
                f["book_url"].as_str().unwrap_or("-"),
                f["last_sync"].as_str().unwrap_or("never")
            );
        }
    }
    Ok(())
}

fn cmd_folder_remove(dir: &Path, name: &str) -> CliResult {
    let path = cti_phonebook::cache::folder_path(dir, name);
    if !path.exists() {
        return Err(Failure(format!("unknown folder '{name}'")));
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    println!("removed folder '{name}'");
    Ok(())
}

fn report_json(name: &str, r: &SyncReport) -> Value {
    json!({
        "folder": name,
        "mode": format!("{:?}", r.mode).to_lowercase(),
        "added": r.added,
        "changed": r.changed,
        "removed": r.removed,
        "skipped": r.skipped,
        "requests": r.requests,
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
        let res = open_online(dir, n).and_then(|f| {
            if let Some(bar) = &bar {
                let bar = bar.clone();
                f.on_progress(move |p| show_progress(&bar, p));
            }
            Ok(if full { f.reload()? } else { f.refresh()? })
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        match res {
            Ok(r) => {
                if !json {
                    println!(
                        "{n}: {} added, {} changed, {} removed, {} skipped, {} requests",
                        r.added, r.changed, r.removed, r.skipped, r.requests
                    );
                    for w in &r.warnings {
                        eprintln!("warning: {n}: {}: {}", w.id, w.message);
                    }
                }
                reports.push(report_json(n, &r));
            }
            Err(Failure(msg)) => {
                failed.get_or_insert(Failure(format!("{n}: {msg}")));
            }
        }
    }
    if json {
        let out = if name.is_some() {
            reports.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(reports)
        };
        if !out.is_null() {
            println!("{out}");
        }
    }
    failed.map_or(Ok(()), Err)
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
    let snap = folder.snapshot();
    if json {
        let arr: Vec<Value> = snap
            .rows()
            .map(|(id, r)| record_json(id, r.version.as_str(), &r.row))
            .collect();
        println!("{}", Value::Array(arr));
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
                .map(|r| r[c].chars().count().min(if c == 0 { 80 } else { 32 }))
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
                let v: String = v.chars().take((*w).max(1)).collect();
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
        [] => Err(Failure(format!(
            "no record '{given}' in folder '{}' (run `sync`?)",
            folder.name()
        ))),
        _ => Err(Failure(format!("'{given}' is ambiguous; use the full id"))),
    }
}

/// The last path segment of an id (a CardDAV href).
fn short_id(id: &RecordId) -> &str {
    let s = id.as_str().trim_end_matches('/');
    s.rsplit('/').next().unwrap_or(s)
}

fn cmd_show(dir: &Path, name: &str, id: &str, json: bool) -> CliResult {
    let folder = open_offline(dir, name)?;
    let id = resolve_id(&folder, id)?;
    let rec = folder.cached_record(&id)?;
    if json {
        let mut v = record_json(&rec.id, rec.version.as_str(), &rec.row);
        v["hidden"] = json!({
            "phones": rec.row.hidden.phones,
            "emails": rec.row.hidden.emails,
            "websites": rec.row.hidden.websites,
            "addresses": rec.row.hidden.addresses,
        });
        println!("{v}");
        return Ok(());
    }
    println!("id: {}\nversion: {}", rec.id, rec.version);
    for (k, v) in rec.row.cells() {
        println!("{k}: {v}");
    }
    let h = rec.row.hidden;
    if h.phones + h.emails + h.addresses + h.websites > 0 {
        println!(
            "(not shown: {} numbers, {} emails, {} addresses, {} websites)",
            h.phones, h.emails, h.addresses, h.websites
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
        p = p.with_outside_line(o, true)?;
    }
    Ok(p)
}

fn open_all(dir: &Path, plan: DialPlan) -> CliResult<Phonebook> {
    let book = Phonebook::new(dir, plan);
    for name in cached_folders(dir)? {
        book.add(Arc::new(open_offline(dir, &name)?));
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

fn match_json(m: &CallerMatch) -> Value {
    json!({
        "folder": m.folder(),
        "id": m.id().as_str(),
        "display_name": m.display_name(),
        "column": m.column(),
        "number": m.number(),
        "quality": quality(m.quality()),
    })
}

fn cmd_lookup(dir: &Path, number: &str, args: &PlanArgs, json: bool) -> CliResult {
    let book = open_all(dir, plan(args)?)?;
    let matches = book
        .lookup(number)
        .map_err(|e| Failure(format!("'{number}': {e}")))?;
    if json {
        println!(
            "{}",
            json!({"matches": matches.iter().map(match_json).collect::<Vec<_>>()})
        );
        return Ok(());
    }
    if matches.is_empty() {
        println!("no contact for {number}");
    }
    for m in &matches {
        println!(
            "{}\t{}\t{} {}\t{}\t[{}]",
            m.display_name(),
            m.company(),
            m.column(),
            m.number(),
            m.folder(),
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
            .ok_or_else(|| Failure(format!("--set wants COLUMN=VALUE, got '{s}'")))?;
        row.set(k.trim(), v);
    }
    Ok(())
}

fn print_record(rec: &Record, json: bool) {
    if json {
        println!("{}", record_json(&rec.id, rec.version.as_str(), &rec.row));
    } else {
        println!("{}\t{}", rec.id, rec.row.get("display_name").unwrap_or(""));
    }
}

fn cmd_add(dir: &Path, name: &str, sets: &[String], json: bool) -> CliResult {
    let mut row = Row::new();
    parse_sets(sets, &mut row)?;
    let folder = open_online(dir, name)?;
    folder.source().schema().check_row(&row)?;
    let rec = folder.create(&row)?;
    print_record(&rec, json);
    Ok(())
}

fn cmd_edit(dir: &Path, name: &str, id: &str, sets: &[String], json: bool) -> CliResult {
    let folder = open_online(dir, name)?;
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
    let folder = open_online(dir, name)?;
    let id = resolve_id(&folder, id)?;
    folder.refresh_record(&id)?;
    let base = folder.cached_record(&id)?;
    folder.delete(&id, &base.version)?;
    println!("deleted {id}");
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn cmd_export(dir: &Path, name: &str, format: ExportFormat) -> CliResult {
    let folder = open_offline(dir, name)?;
    let snap = folder.snapshot();
    let mut out = std::io::stdout().lock();
    match format {
        ExportFormat::Vcf => {
            for (id, _) in snap.rows() {
                let rec = folder.cached_record(id)?;
                let bytes = rec.card.to_bytes();
                out.write_all(&bytes)?;
                // A card whose END:VCARD has no line break of its own would run into
                // the next one's BEGIN.
                if !bytes.ends_with(b"\n") {
                    out.write_all(b"\r\n")?;
                }
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
        .map_err(|e| Failure(format!("'{number}': {e}")))?;
    if !json {
        println!("{digits}");
        return Ok(());
    }
    let found = open_all(dir, plan)
        .ok()
        .and_then(|b| b.lookup(number).ok())
        .and_then(|m| m.into_iter().next());
    println!(
        "{}",
        json!({"number": number, "dial": digits, "match": found.as_ref().map(match_json)})
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use cti_phonebook::SyncProgress;
    use indicatif::{ProgressDrawTarget, TermLike};

    use super::{show_progress, spinner};

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
