//! Connecting: passwords, the user info of a typed URL, the CardDAV configuration,
//! and opening folders from their cache, online or all at once.
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cti_phonebook::cache::{CachedFolder, OfflineSource, cached_folders, folder_exists};
use cti_phonebook::carddav::{AddressBook, CardDavConfig, CardDavSource};
use cti_phonebook::{DialPlan, Phonebook};
use serde_json::{Value, json};

use crate::args::ConnectArgs;
use crate::errors::{CliResult, Failure};
use crate::output::printable;

/// The password for `user`: the one in the typed URL, `PHONEBOOK_PASSWORD`, or a
/// prompt on a terminal.
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
    resume_auth: Option<&str>,
) -> CliResult<CardDavConfig> {
    let mut b = CardDavConfig::builder(url)
        .password(user, password(user, url_password)?)
        .resume_auth(resume_auth);
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
pub(crate) struct TypedUrl {
    pub(crate) url: String,
    pub(crate) user: String,
    pub(crate) password: Option<String>,
}

/// Decodes `%XX` escapes (user info in a URL is percent-encoded).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The configuration for a URL the user typed (its user info taken out, see
/// [`typed_url`]), with the connection options of the command line.
pub(crate) fn typed_config(
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
pub(crate) fn check_rebuilt(folder: &CachedFolder) -> CliResult {
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
pub(crate) fn open_offline(dir: &Path, name: &str) -> CliResult<CachedFolder> {
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
pub(crate) fn open_online(dir: &Path, name: &str) -> CliResult<(CachedFolder, Arc<CardDavSource>)> {
    let offline = open_offline(dir, name)?;
    let setting = |k: &str| -> CliResult<String> {
        offline
            .setting(k)?
            .ok_or_else(|| Failure::usage(format!("folder '{name}' has no {k}; add it again")))
    };
    let book = setting("book_url")?;
    let user = setting("user")?;
    let ca = offline.setting("ca_file")?.map(PathBuf::from);
    // What the server asked for last time: "basic", or a Digest challenge to answer.
    let resume = offline.setting("auth_scheme")?;
    let cfg = config(&book, &user, None, ca.as_deref(), None, resume.as_deref())?;
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
pub(crate) fn remember_connection(folder: &CachedFolder, source: &CardDavSource) -> CliResult {
    let book = book_json(source.address_book()).to_string();
    if folder.setting("book")?.as_deref() != Some(book.as_str()) {
        folder.set_setting("book", &book)?;
    }
    if let Some(state) = source.auth_resume()
        && folder.setting("auth_scheme")?.as_deref() != Some(state.as_str())
    {
        folder.set_setting("auth_scheme", &state)?;
    }
    Ok(())
}

pub(crate) fn book_json(b: &AddressBook) -> Value {
    json!({
        "url": b.url.as_str(),
        "display_name": b.display_name,
        "description": b.description,
        "ctag": b.ctag,
        "supports_sync": b.supports_sync,
        "vcard_versions": b.vcard_versions.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
    })
}

/// A phone book of every cached folder. A folder that cannot be opened (locked by
/// another process, say) is left out with a warning: the others still answer.
pub(crate) fn open_all(dir: &Path, plan: DialPlan) -> CliResult<Phonebook> {
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

#[cfg(test)]
mod tests {
    use super::typed_url;

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
}
