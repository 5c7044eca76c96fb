//! An account's settings: the URL, credentials, TLS trust, time limits and request
//! batching ([`CardDavConfig`] and its builder).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::{percent_decode, sync};
use crate::error::{Error, Result};

/// A secret string (password or token): never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself; only for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How to log in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No credentials (a public or unauthenticated server).
    #[default]
    None,
    /// User name and password, for Basic or Digest, whichever the server asks for.
    Password {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// An OAuth 2 access token, sent as `Authorization: Bearer`.
    Bearer(Secret),
}

/// Connection settings of a CardDAV account. Build one with [`CardDavConfig::builder`].
#[derive(Debug, Clone)]
pub struct CardDavConfig {
    pub(crate) url: Url,
    pub(crate) credentials: Credentials,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) accept_invalid_certs: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) multiget_batch: usize,
    pub(crate) in_flight: usize,
    pub(crate) dns_servers: Vec<SocketAddr>,
    pub(crate) follow_dns_to_other_domains: bool,
    pub(crate) known_auth: Option<AuthScheme>,
    pub(crate) resume_auth: Option<String>,
}

impl CardDavConfig {
    /// Starts a configuration for `url` (any of the forms [`discover`](super::discover()) accepts).
    pub fn builder(url: &str) -> CardDavConfigBuilder {
        CardDavConfigBuilder {
            url: url.to_owned(),
            credentials: Credentials::None,
            ca_file: None,
            accept_invalid_certs: false,
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(120),
            max_response_bytes: 64 * 1024 * 1024,
            multiget_batch: 100,
            in_flight: 3,
            dns_servers: Vec::new(),
            follow_dns_to_other_domains: false,
            known_auth: None,
            resume_auth: None,
        }
    }

    /// The URL (without user info).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// What is risky about these settings, for the application to show the user (a
    /// line in a log, a yellow bar in the account dialog). Empty when nothing is.
    ///
    /// * Credentials with an `http://` URL: the password or token crosses the network
    ///   unencrypted (Digest hides the password but not the session). Loopback hosts
    ///   (`127.0.0.1`, `::1`, `localhost`) are exempt: that traffic never leaves the
    ///   machine.
    /// * [`accept_invalid_certs`](CardDavConfigBuilder::accept_invalid_certs): anyone
    ///   on the path can pose as the server.
    ///
    /// The texts never contain the secret itself.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let loopback = match self.url.host() {
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        if self.url.scheme() == "http" && self.credentials != Credentials::None && !loopback {
            out.push(format!(
                "credentials are sent to {} over plain http: anyone on the network can read \
                 or reuse them; use https",
                self.url.host_str().unwrap_or("the server")
            ));
        }
        if self.accept_invalid_certs {
            out.push(
                "TLS certificate checks are off (accept_invalid_certs): anyone on the path \
                 can pose as the server and read the credentials"
                    .to_owned(),
            );
        }
        out
    }

    /// How cards are fetched in batches.
    pub(crate) fn batching(&self) -> sync::Batching {
        sync::Batching {
            size: self.multiget_batch,
            in_flight: self.in_flight,
        }
    }

    /// The same settings for another URL (for example a book found by [`discover`](super::discover())).
    pub fn with_url(&self, url: Url) -> CardDavConfig {
        CardDavConfig {
            url,
            ..self.clone()
        }
    }
}

/// Builder of [`CardDavConfig`].
#[derive(Debug, Clone)]
pub struct CardDavConfigBuilder {
    url: String,
    credentials: Credentials,
    ca_file: Option<PathBuf>,
    accept_invalid_certs: bool,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: u64,
    multiget_batch: usize,
    in_flight: usize,
    dns_servers: Vec<SocketAddr>,
    follow_dns_to_other_domains: bool,
    known_auth: Option<AuthScheme>,
    resume_auth: Option<String>,
}

/// The HTTP authentication scheme a server asked for.
///
/// [`CardDavSource::auth_scheme`](super::CardDavSource::auth_scheme) tells which one a source learned; an application
/// stores it with the folder and hands it back with
/// [`CardDavConfigBuilder::known_auth_scheme`], so that the next run answers its first
/// request with credentials instead of meeting a 401 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// Basic (RFC 7617): can be sent up front.
    Basic,
    /// Digest (RFC 7616): answers a challenge of the server's. Knowing the scheme alone,
    /// the first request of a run still meets a 401; with
    /// [`CardDavConfigBuilder::resume_auth`] it answers the last run's challenge.
    Digest,
}

impl AuthScheme {
    /// `"basic"` or `"digest"`, for storing.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::Basic => "basic",
            AuthScheme::Digest => "digest",
        }
    }

    /// Reads what [`AuthScheme::as_str`] wrote (any case); `None` for anything else.
    pub fn from_name(name: &str) -> Option<AuthScheme> {
        match name.trim().to_ascii_lowercase().as_str() {
            "basic" => Some(AuthScheme::Basic),
            "digest" => Some(AuthScheme::Digest),
            _ => None,
        }
    }
}

impl CardDavConfigBuilder {
    /// The scheme the server asked for in an earlier run ([`CardDavSource::auth_scheme`](super::CardDavSource::auth_scheme)).
    /// With [`AuthScheme::Basic`] the credentials go with the first request to the
    /// configured URL's origin (scheme, host and port), never to another one; a 401
    /// still makes the client learn the scheme anew. Default: none, the first request
    /// goes without credentials unless the URL is https.
    pub fn known_auth_scheme(mut self, scheme: Option<AuthScheme>) -> Self {
        self.known_auth = scheme;
        self
    }

    /// What [`CardDavSource::auth_resume`](super::CardDavSource::auth_resume) gave in an
    /// earlier run, so that the first request carries credentials on Digest servers
    /// too: it answers the server's last Digest challenge, counting on where that run
    /// stopped. Servers that keep nonces valid (sabre/dav, Baïkal) take it; a server
    /// that turns the old nonce down answers 401 with a fresh challenge, which is
    /// answered, so the run costs no more than without. Only ever sent to the
    /// configured URL's origin. Unreadable text is ignored. Default: none.
    pub fn resume_auth(mut self, state: Option<&str>) -> Self {
        self.resume_auth = state.map(str::to_owned);
        self
    }

    /// User name and password (Basic or Digest, as the server asks). Default: none.
    pub fn password(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Credentials::Password {
            username: username.into(),
            password: Secret::new(password),
        };
        self
    }

    /// An OAuth 2 bearer token instead of a password. Default: none.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Credentials::Bearer(Secret::new(token));
        self
    }

    /// A PEM file of CA certificates to trust in addition to the built-in roots, for
    /// company servers with their own CA. Default: none.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Accepts any TLS certificate, including expired and self-signed ones. Opt-in only,
    /// and unsafe outside a test network: anyone on the path can read the password.
    /// Default: false.
    pub fn accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// Time allowed to establish a connection. Default: 15 s.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Time allowed for one whole request, body included. Default: 120 s (a multiget
    /// of 100 cards with photos can be large).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Largest response body read whole, in bytes; a larger one is an
    /// [`Error::InvalidResponse`] (a listing then skips the one card concerned with a
    /// warning). A sync report's answer is read as it streams in: there the limit
    /// bounds each card's response, and the whole answer may be 64 times as large.
    /// Default: 64 MiB. Cards of 161 MB exist (nextcloud/contacts#2743).
    pub fn max_response_bytes(mut self, n: u64) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// Cards fetched per `addressbook-multiget` request. Default: 100; values below 1
    /// count as 1.
    pub fn multiget_batch_size(mut self, n: usize) -> Self {
        self.multiget_batch = n.max(1);
        self
    }

    /// Multigets in flight at once when a sync fetches cards in batches: the server
    /// prepares the next batch while the last one is parsed. Default: 3; clamped to
    /// 1 (one after the other, for servers that refuse parallel requests) to 8.
    pub fn multigets_in_flight(mut self, n: usize) -> Self {
        self.in_flight = n.clamp(1, 8);
        self
    }

    /// Asks this name server (instead of the system's) for the SRV and TXT records of
    /// DNS service discovery; may be given more than once. For company networks with
    /// a DNS server of their own, and for tests. Default: the system's settings.
    pub fn dns_server(mut self, server: SocketAddr) -> Self {
        self.dns_servers.push(server);
        self
    }

    /// Lets [`discover`](super::discover()) follow a DNS SRV record of the user's domain to a host in
    /// another domain (`example.com` whose address books are at
    /// `carddav.provider.net`), and send the credentials there. DNS answers are easier
    /// to forge than TLS certificates, so the default is false: discovery then fails
    /// with an [`Error::NotCardDav`] that names the host, for the application to ask
    /// the user first. Hosts in the user's own domain are always followed.
    pub fn follow_dns_to_other_domains(mut self, follow: bool) -> Self {
        self.follow_dns_to_other_domains = follow;
        self
    }

    /// Checks and finishes the configuration. User info in the URL
    /// (`https://user:pass@host/`) is moved into the credentials (unless some are set),
    /// so it can never leak into an error message. Text without a scheme
    /// (`example.com`, `dav.example.com:8443/dav/`) is taken as an https URL.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that does not parse or is not http(s).
    pub fn build(mut self) -> Result<CardDavConfig> {
        let text = self.url.trim();
        let text = if text.contains("://") || text.is_empty() {
            text.to_owned()
        } else {
            format!("https://{text}")
        };
        let mut url = Url::parse(&text).map_err(|e| Error::Config(format!("not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "URL scheme {} is not http or https",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            if self.credentials == Credentials::None {
                self.credentials = Credentials::Password {
                    username: percent_decode(url.username()),
                    password: Secret::new(percent_decode(url.password().unwrap_or(""))),
                };
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        Ok(CardDavConfig {
            url,
            credentials: self.credentials,
            ca_file: self.ca_file,
            accept_invalid_certs: self.accept_invalid_certs,
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
            multiget_batch: self.multiget_batch,
            in_flight: self.in_flight,
            dns_servers: self.dns_servers,
            follow_dns_to_other_domains: self.follow_dns_to_other_domains,
            known_auth: self.known_auth,
            resume_auth: self.resume_auth,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_hidden() {
        let c = CardDavConfig::builder("https://alice:s3cr%40t@example.org/dav/")
            .build()
            .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr"), "{shown}");
        assert_eq!(c.url().as_str(), "https://example.org/dav/");
        match &c.credentials {
            Credentials::Password { username, password } => {
                assert_eq!(username, "alice");
                assert_eq!(password.expose(), "s3cr@t");
            }
            other => panic!("{other:?}"),
        }
        let b = CardDavConfig::builder("https://h/")
            .bearer_token("tok3n")
            .build()
            .unwrap();
        assert!(!format!("{b:?}").contains("tok3n"));
        assert_eq!(Secret::new("x").to_string(), "***");
    }

    #[test]
    fn risky_settings_are_warned_about() {
        let w = |b: CardDavConfigBuilder| b.build().unwrap().warnings();
        let http = w(CardDavConfig::builder("http://dav.example.org/").password("a", "pw1x"));
        assert_eq!(http.len(), 1, "{http:?}");
        assert!(http[0].contains("plain http") && !http[0].contains("pw1x"));
        assert_eq!(
            w(CardDavConfig::builder("http://dav.example.org/").bearer_token("t")).len(),
            1
        );
        assert!(w(CardDavConfig::builder("http://dav.example.org/")).is_empty());
        assert!(
            w(CardDavConfig::builder("https://dav.example.org/").password("a", "b")).is_empty()
        );
        for local in [
            "http://127.0.0.1:5232/",
            "http://[::1]/",
            "http://localhost/",
        ] {
            assert!(w(CardDavConfig::builder(local).password("a", "b")).is_empty());
        }
        let tls = w(CardDavConfig::builder("https://h/").accept_invalid_certs(true));
        assert!(tls[0].contains("certificate"), "{tls:?}");
    }

    #[test]
    fn bad_urls_are_config_errors() {
        assert!(matches!(
            CardDavConfig::builder("not a url").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            CardDavConfig::builder("ftp://h/").build(),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn text_without_a_scheme_is_an_https_url() {
        let url = |s: &str| CardDavConfig::builder(s).build().map(|c| c.url.to_string());
        assert_eq!(url(" example.com ").unwrap(), "https://example.com/");
        assert_eq!(
            url("dav.example.com:8443/dav/").unwrap(),
            "https://dav.example.com:8443/dav/"
        );
        assert_eq!(url("http://example.com").unwrap(), "http://example.com/");
        let c = CardDavConfig::builder("ann:s3cret@example.com")
            .build()
            .unwrap();
        assert_eq!(c.url.as_str(), "https://example.com/");
        assert!(matches!(c.credentials, Credentials::Password { .. }));
        assert!(matches!(url(""), Err(Error::Config(_))));
    }
}
