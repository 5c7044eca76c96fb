//! Discovery: from whatever URL the user typed to the address books behind it.
//!
//! RFC 6764 §6 and RFC 6352 §7: try the URL as given (it may be the book, the home set
//! or the principal), then `/.well-known/carddav`, then `/`. From a principal
//! (`current-user-principal`) go to its `addressbook-home-set` and list it with
//! Depth 1. Deliberately *not* required, because real servers break them:
//! * an `addressbook` entry in the OPTIONS `DAV:` header (Nextcloud's root lacks it,
//!   nextcloud/server#37374): we never send OPTIONS during discovery;
//! * a principal at all (Synology: the URL itself may be the home set, vdirsyncer#498);
//! * a home set on the same host (iCloud answers `pNN-contacts.icloud.com`,
//!   go-webdav#61): whole URLs are kept and credentials follow because the
//!   authenticated server itself named that host;
//! * a useful well-known answer (SOGo answered 405, mailcow#359): any failure there just
//!   moves on to the next candidate;
//! * an answer to every property asked for: a server that fails the whole PROPFIND
//!   (a 500 for a `sync-token` asked of a collection that is no address book) is asked
//!   for the essential ones alone and for each other one on its own
//!   ([`super::propfind`]).

use url::Url;

use super::client::Client;
use super::propfind::{Outcome, multistatus, propfind, propfind_degrading};
use super::xml::{self, Props};
use super::{CardDavConfig, dns, resolve};
use crate::error::{Error, Result};
use crate::vcard;

/// An address book found by [`discover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressBook {
    /// The collection's URL (absolute; may be on another host than the one typed).
    pub url: Url,
    /// `displayname`, if the server has one.
    pub display_name: Option<String>,
    /// `addressbook-description`.
    pub description: Option<String>,
    /// `getctag` (changes whenever any card changes), if the server has one.
    pub ctag: Option<String>,
    /// The current `sync-token` property, if the server has one.
    pub sync_token: Option<String>,
    /// Whether the server offers `sync-collection` (RFC 6578) on this book.
    pub supports_sync: bool,
    /// vCard versions of `supported-address-data`; 3.0 alone when not advertised
    /// (RFC 6352 §6.2.2: 3.0 is the default).
    pub vcard_versions: Vec<vcard::Version>,
}

impl AddressBook {
    pub(crate) fn from_props(url: Url, p: &Props) -> AddressBook {
        let mut versions: Vec<vcard::Version> = p
            .supported_address_data
            .iter()
            .filter(|(ct, _)| ct.eq_ignore_ascii_case("text/vcard"))
            .map(|(_, v)| vcard::Version::from_value(v))
            .collect();
        versions.sort();
        versions.dedup();
        if versions.is_empty() {
            versions.push(vcard::Version::V3_0);
        }
        AddressBook {
            url,
            display_name: p.displayname.clone(),
            description: p.description.clone(),
            ctag: p.ctag.clone(),
            sync_token: p.sync_token.clone(),
            supports_sync: p.supported_reports.iter().any(|r| r == "sync-collection")
                || p.sync_token.is_some(),
            vcard_versions: versions,
        }
    }

    /// The version new cards are written in: 3.0 where the server takes it (the most
    /// widely understood, and what sabre/dav 4 serves anyway), else the newest offered.
    pub fn preferred_version(&self) -> vcard::Version {
        if self.vcard_versions.contains(&vcard::Version::V3_0) {
            vcard::Version::V3_0
        } else {
            self.vcard_versions
                .iter()
                .copied()
                .max()
                .unwrap_or(vcard::Version::V3_0)
        }
    }
}

/// Finds the address books reachable from `config`'s URL with its credentials. For
/// just a domain (`https://example.com`), first where its DNS SRV and TXT records
/// say the service is (RFC 6764; see
/// [`follow_dns_to_other_domains`](super::CardDavConfigBuilder::follow_dns_to_other_domains)).
/// Then the URL as given (and with a trailing slash added if it has none),
/// `/.well-known/carddav`, and `/`.
///
/// # Errors
/// [`Error::Unauthorized`] when the server refuses the credentials;
/// [`Error::Network`] when it cannot be reached; [`Error::Certificate`] when its TLS
/// certificate is not trusted; [`Error::NotCardDav`] when no
/// candidate URL leads to a principal, home set or address book (the reason lists what
/// each candidate answered, and a DNS target in another domain that was not
/// followed).
pub fn discover(config: &CardDavConfig) -> Result<Vec<AddressBook>> {
    let client = Client::new(config)?;
    discover_with(&client, config)
}

/// A discovery PROPFIND, degrading to the essential properties (see
/// [`propfind_degrading`]).
fn discovery_propfind(client: &Client, url: &Url, depth: &str) -> Result<Outcome> {
    let (essential, optional) = xml::DISCOVERY_PROPS.split_at(xml::DISCOVERY_ESSENTIAL);
    propfind_degrading(client, url, depth, essential, optional)
}

/// What one candidate URL turned out to be.
enum Found {
    Books(Vec<AddressBook>),
    /// A principal or home set without any address book.
    Empty,
    Nothing(String),
}

/// The URLs the DNS names for `config`'s domain, trusted for the credentials, and
/// whether it named a host that was not followed (why goes to `notes`).
fn dns_candidates(
    client: &Client,
    config: &CardDavConfig,
    notes: &mut Vec<String>,
) -> (Vec<Url>, bool) {
    let services = match dns::lookup(&config.url, &config.dns_servers) {
        Ok(s) => s,
        Err(why) => {
            notes.push(why);
            return (Vec::new(), false);
        }
    };
    let mut out = Vec::new();
    let mut refused = false;
    for s in services {
        if !s.same_domain && !config.follow_dns_to_other_domains {
            refused = true;
            notes.push(format!(
                "{} points to {}, outside the domain: not followed without \
                 follow_dns_to_other_domains",
                s.record,
                s.url.host_str().unwrap_or("?")
            ));
            continue;
        }
        client.trust(&s.url);
        if s.has_path {
            push_new(&mut out, s.url);
        } else {
            push_server_fallbacks(&mut out, &s.url);
        }
    }
    (out, refused)
}

fn push_new(candidates: &mut Vec<Url>, url: Url) {
    if !candidates.contains(&url) {
        candidates.push(url);
    }
}

/// The places to try on a server whose URL at hand is not a DAV collection itself:
/// `/.well-known/carddav` (RFC 6764), then `/`.
fn push_server_fallbacks(candidates: &mut Vec<Url>, server: &Url) {
    for path in ["/.well-known/carddav", "/"] {
        if let Ok(u) = server.join(path) {
            push_new(candidates, u);
        }
    }
}

pub(crate) fn discover_with(client: &Client, config: &CardDavConfig) -> Result<Vec<AddressBook>> {
    let start = &config.url;
    let mut notes = Vec::new();
    let (mut candidates, refused) = dns_candidates(client, config, &mut notes);
    // The URL as typed decides alone when the DNS named no other place.
    let typed = candidates.len();
    let typed_decides = typed == 0 && !refused;
    candidates.push(start.clone());
    // `https://host/remote.php/dav` as typed: collections live under the slashed URL.
    if !start.path().ends_with('/') && start.query().is_none() {
        let mut slashed = start.clone();
        slashed.set_path(&format!("{}/", start.path()));
        candidates.push(slashed);
    }
    push_server_fallbacks(&mut candidates, start);
    for (i, c) in candidates.iter().enumerate() {
        match probe(client, c) {
            Ok(Found::Books(b)) => return Ok(b),
            // A principal or home set without books: an account with no address book.
            Ok(Found::Empty) => return Ok(Vec::new()),
            Ok(Found::Nothing(why)) => notes.push(format!("{c}: {why}")),
            Err(e @ Error::Unauthorized { .. }) => return Err(e),
            // The server as typed is unreachable or untrusted, and the DNS named no
            // other: that is the answer. A failing fallback URL (a well-known redirect
            // to another port, a DNS target) is only noted.
            Err(e @ (Error::Network { .. } | Error::Certificate { .. }))
                if i == typed && typed_decides =>
            {
                return Err(e);
            }
            Err(e) => notes.push(format!("{c}: {e}")),
        }
    }
    Err(Error::NotCardDav {
        url: start.to_string(),
        reason: notes.join("; "),
    })
}

/// The response about `reply.url` itself in a Depth 0 answer (the first that has
/// properties; servers name it as a path, an absolute URL, with or without a slash).
fn own_props(ms: &xml::Multistatus) -> Option<&Props> {
    ms.responses
        .iter()
        .find(|r| r.status.is_none_or(|s| (200..300).contains(&s)) && r.props != Props::default())
        .map(|r| &r.props)
}

fn probe(client: &Client, url: &Url) -> Result<Found> {
    let answer = match discovery_propfind(client, url, "0")? {
        Outcome::Answer(a) => a,
        Outcome::Gone => return Ok(Found::Nothing("PROPFIND answered 404".into())),
        Outcome::Failed(e) | Outcome::Refused(e) => return Ok(Found::Nothing(e.to_string())),
    };
    let ms = answer.multistatus;
    // After redirects, hrefs are relative to where we ended up.
    let here = answer.url;
    let Some(props) = own_props(&ms) else {
        return Ok(Found::Nothing("no properties".into()));
    };
    let rt = props.resourcetype.clone().unwrap_or_default();
    if rt.addressbook {
        return Ok(Found::Books(vec![AddressBook::from_props(here, props)]));
    }
    let mut homes = Vec::new();
    for h in &props.addressbook_home_set {
        homes.push(resolve(&here, h)?);
    }
    let mut principal_found = false;
    if homes.is_empty()
        && let Some(p) = &props.current_user_principal
    {
        let principal = resolve(&here, p)?;
        principal_found = true;
        if principal != here {
            client.trust(&principal);
            let r = propfind(
                client,
                &principal,
                "0",
                xml::propfind(&[("c", "addressbook-home-set")]),
            )?;
            if r.status == 207 {
                let pm = multistatus(&r)?;
                if let Some(pp) = own_props(&pm) {
                    for h in &pp.addressbook_home_set {
                        homes.push(resolve(&r.url, h)?);
                    }
                }
            }
        }
    }
    // No principal and no home set: the URL itself may be a home set (Synology).
    let guessed = homes.is_empty() && rt.collection;
    if guessed {
        homes.push(here.clone());
    }
    let mut books = Vec::new();
    for home in &homes {
        // The authenticated server named this URL; credentials may go there (iCloud).
        client.trust(home);
        books.extend(list_books(client, home)?);
    }
    if !books.is_empty() {
        Ok(Found::Books(books))
    } else if principal_found || (!homes.is_empty() && !guessed) {
        Ok(Found::Empty)
    } else {
        Ok(Found::Nothing(
            "no principal, home set or address book".into(),
        ))
    }
}

/// Depth 1 listing of a home set: its address book children.
pub(crate) fn list_books(client: &Client, home: &Url) -> Result<Vec<AddressBook>> {
    let answer = match discovery_propfind(client, home, "1")? {
        Outcome::Gone => return Ok(Vec::new()),
        other => other.into_answer(home)?,
    };
    let mut books: Vec<AddressBook> = Vec::new();
    for r in &answer.multistatus.responses {
        if r.props.resourcetype.as_ref().is_some_and(|t| t.addressbook) {
            let url = resolve(&answer.url, &r.href)?;
            if !books.iter().any(|b| b.url == url) {
                books.push(AddressBook::from_props(url, &r.props));
            }
        }
    }
    Ok(books)
}

/// Depth 0 properties of a known address book URL.
pub(crate) fn book_info(client: &Client, url: &Url) -> Result<AddressBook> {
    let answer = discovery_propfind(client, url, "0")?.into_answer(url)?;
    let ms = &answer.multistatus;
    match own_props(ms) {
        Some(p) if p.resourcetype.as_ref().is_some_and(|t| t.addressbook) => {
            Ok(AddressBook::from_props(answer.url.clone(), p))
        }
        // Xandikos answers a missing path with 207 + an inner 404.
        None if ms.responses.iter().any(|r| r.status == Some(404)) => Err(Error::not_found(url)),
        _ => Err(Error::NotCardDav {
            url: url.to_string(),
            reason: "not an address book (use discover() to find the books)".into(),
        }),
    }
}
