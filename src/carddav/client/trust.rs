//! Where credentials may go: the origins trusted with them, and which redirects are
//! followed at all.
//!
//! The configured URL's origin is trusted from the start; an origin a trusted server
//! sends us to (a redirect, a home set on another host as with iCloud) is trusted
//! too. A host named anywhere else (inside a vCard, an href in a listing) never gets
//! the credentials, and cannot gain trust by redirecting.

use std::collections::HashSet;
use std::sync::Mutex;

use url::Url;

/// Redirects followed per request before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// The `scheme://host:port` key of `url`, as trust and auth state are kept.
pub(super) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The origins that may receive credentials.
#[derive(Debug)]
pub(super) struct Trusted(Mutex<HashSet<String>>);

impl Trusted {
    /// Trusts `url`'s origin alone.
    pub(super) fn new(url: &Url) -> Self {
        Trusted(Mutex::new(HashSet::from([origin(url)])))
    }

    /// Allows credentials to go to `url`'s origin.
    pub(super) fn add(&self, url: &Url) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(origin(url));
    }

    /// Whether `url`'s origin may receive credentials.
    pub(super) fn contains(&self, url: &Url) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&origin(url))
    }

    /// Takes note of a redirect from `from` to `to`: only a trusted server can name a
    /// new host for the credentials. A host we reached without them (a card's href on
    /// another host) must not gain trust for itself or a third host by redirecting.
    pub(super) fn follow(&self, from: &Url, to: &Url) {
        if self.contains(from) {
            self.add(to);
        }
    }
}

/// Whether a redirect from `from` to `to` may be followed: http(s) only, and never
/// from https down to http (it would send the credentials in clear; nextcloud/docker#2437).
pub(super) fn redirect_allowed(from: &Url, to: &Url) -> std::result::Result<(), String> {
    match (from.scheme(), to.scheme()) {
        ("https", "https") | ("http", "http") | ("http", "https") => Ok(()),
        ("https", "http") => Err(format!(
            "refused redirect from https to http ({to}): it would expose credentials"
        )),
        (_, other) => Err(format!("refused redirect to a {other}: URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_never_downgrade() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(redirect_allowed(&u("https://a/x"), &u("https://b/y")).is_ok());
        assert!(redirect_allowed(&u("http://a/x"), &u("https://a/y")).is_ok());
        assert!(redirect_allowed(&u("http://a/x"), &u("http://a:8080/y")).is_ok());
        let e =
            redirect_allowed(&u("https://a/.well-known/carddav"), &u("http://a/dav/")).unwrap_err();
        assert!(e.contains("https to http"), "{e}");
        assert!(redirect_allowed(&u("https://a/x"), &u("file:///etc/passwd")).is_err());
    }
}
