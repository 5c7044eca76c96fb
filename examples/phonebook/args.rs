//! The command line: every command, flag and default, as clap reads them, and what
//! the dial plan flags describe.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cti_phonebook::DialPlan;
use cti_phonebook::lookup::OutsideLine;

use crate::errors::CliResult;

#[derive(Parser)]
#[command(
    name = "phonebook",
    version,
    about = "CardDAV address books as CTI phone book folders"
)]
pub(crate) struct Cli {
    /// Cache directory (one SQLite file per folder).
    #[arg(long, global = true, env = "PHONEBOOK_CACHE_DIR", default_value_os_t = default_cache_dir())]
    pub(crate) cache_dir: PathBuf,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
        /// Words in any order (`kow ag`), or digits (`4567`, `+49 170 555`).
        text: String,
        /// At most this many contacts.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// The country a number typed as a whole is read under (`030 123` also
        /// finds `+49 30 123…`).
        #[command(flatten)]
        plan: PlanArgs,
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
pub(crate) enum FolderCommand {
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
pub(crate) struct SetArgs {
    /// Folder name.
    pub(crate) name: String,
    /// New user name.
    #[arg(long)]
    pub(crate) user: Option<String>,
    #[command(flatten)]
    pub(crate) tls: TlsArgs,
    #[command(flatten)]
    pub(crate) columns: ColumnArgs,
    /// Retypes phone columns: `phone2=mobile` (kinds: business, business2, mobile,
    /// home, home2, business-fax, home-fax, pager, car, assistant, company, isdn,
    /// sip, other).
    #[arg(long = "phone-kind", value_name = "COLUMN=KIND")]
    pub(crate) phone_kind: Vec<String>,
    /// Automatic sync interval in days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) sync_interval: Option<f64>,
    /// Country of the folder's numbers stored without country code (ISO code,
    /// e.g. GB), when it is not the line's; `none` to go back to the line's.
    #[arg(long, value_name = "CC")]
    pub(crate) numbers_country: Option<String>,
    /// Area code for the folder's numbers stored without one (with
    /// --numbers-country).
    #[arg(long, value_name = "N", requires = "numbers_country")]
    pub(crate) numbers_area_code: Option<String>,
    /// Open the contact's data mask automatically on an incoming call (the
    /// `caller_popup` example shows the whole record).
    #[arg(long, value_enum, value_name = "ON|OFF")]
    pub(crate) auto_open: Option<OnOff>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OnOff {
    On,
    Off,
}

#[derive(Args, Default)]
pub(crate) struct TlsArgs {
    /// PEM file with a CA certificate to trust (company servers, test servers).
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<PathBuf>,
}

/// How to reach a server named by a URL the user typed.
#[derive(Args, Default)]
pub(crate) struct ConnectArgs {
    #[command(flatten)]
    pub(crate) tls: TlsArgs,
    /// For just a domain: follow its DNS SRV record to a host in another domain (a
    /// provider hosting the domain's address books), and send the password there.
    #[arg(long)]
    pub(crate) follow_dns_to_other_domains: bool,
    /// Name server to ask for the domain's SRV and TXT records instead of the
    /// system's (`192.0.2.53:53`); may be given more than once.
    #[arg(long, value_name = "IP:PORT")]
    pub(crate) dns_server: Vec<std::net::SocketAddr>,
}

#[derive(Args, Default)]
pub(crate) struct ColumnArgs {
    /// Number of phone columns.
    #[arg(long)]
    pub(crate) phones: Option<usize>,
    /// Number of email columns.
    #[arg(long)]
    pub(crate) emails: Option<usize>,
    /// Number of address columns.
    #[arg(long)]
    pub(crate) addresses: Option<usize>,
    /// Number of website columns.
    #[arg(long)]
    pub(crate) websites: Option<usize>,
    /// Number of user-defined columns.
    #[arg(long)]
    pub(crate) user_defined: Option<usize>,
}

#[derive(Args)]
pub(crate) struct PlanArgs {
    /// Country of the line (ISO code).
    #[arg(long, default_value = "DE")]
    pub(crate) country: String,
    /// Own area code, without trunk prefix.
    #[arg(long)]
    pub(crate) area_code: Option<String>,
    /// The PBX's outside-line prefix.
    #[arg(long)]
    pub(crate) outside_prefix: Option<String>,
}

impl PlanArgs {
    /// The dial plan these arguments describe.
    pub(crate) fn dial_plan(&self) -> CliResult<DialPlan> {
        let mut p = DialPlan::new(&self.country)?;
        if let Some(a) = &self.area_code {
            p = p.with_area_code(a)?;
        }
        if let Some(o) = &self.outside_prefix {
            p = p.with_outside_line(o, OutsideLine::AlsoInCallerNumbers)?;
        }
        Ok(p)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ExportFormat {
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

impl Command {
    /// Whether the command was asked for JSON output.
    pub(crate) fn json(&self) -> bool {
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
