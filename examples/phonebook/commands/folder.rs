//! `folder add`, `folder set`, `folder list` and `folder remove`: a folder's
//! connection, columns and settings.
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cti_phonebook::cache::{
    CachedFolder, MAX_SYNC_INTERVAL, MIN_SYNC_INTERVAL, cached_folders, folder_exists,
    remove_folder,
};
use cti_phonebook::calls::{auto_open, set_auto_open};
use cti_phonebook::carddav::{AddressBook, CardDavSource, discover};
use cti_phonebook::phonebook::store_folder_region;
use cti_phonebook::schema::PhoneKind;
use cti_phonebook::{Error, Schema};
use serde_json::{Value, json};

use crate::args::{ColumnArgs, ConnectArgs, OnOff, SetArgs};
use crate::connect::{open_offline, remember_connection, typed_config};
use crate::errors::{CliResult, Failure};
use crate::output::{print_json, printable};

/// Applies the column counts given on the command line to `schema`.
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
pub(crate) fn cmd_folder_add(
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

pub(crate) fn cmd_folder_set(dir: &Path, set: SetArgs) -> CliResult {
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

pub(crate) fn cmd_folder_list(dir: &Path, json: bool) -> CliResult {
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

pub(crate) fn cmd_folder_remove(dir: &Path, name: &str) -> CliResult {
    if !remove_folder(dir, name)? {
        return Err(Failure::new(
            "not_found",
            format!("unknown folder '{name}'"),
        ));
    }
    println!("removed folder '{}'", printable(name, false));
    Ok(())
}
