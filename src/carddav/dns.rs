//! DNS service discovery (RFC 6764 §3-4): when the user gives just a domain, its
//! `_carddavs._tcp` SRV records name the host and port of its CardDAV service
//! (`_carddav._tcp` for plain http), and a TXT record at the same name may give the
//! path (`path=/dav/`).
//!
//! A DNS answer can be forged more easily than a TLS certificate, and the password
//! follows the URLs found here. So a target in the user's own domain (the domain
//! itself or a name under it) is used at once, and a target in another domain
//! (`example.com` hosted at `carddav.provider.net`) only when the configuration
//! allows it ([`follow_dns_to_other_domains`]); otherwise discovery names it in its
//! error, for the application to ask the user.
//!
//! [`follow_dns_to_other_domains`]: super::CardDavConfigBuilder::follow_dns_to_other_domains

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::Resolver;
use hickory_resolver::config::{
    NameServerConfig, NameServerConfigGroup, Protocol, ResolverConfig, ResolverOpts,
};
use hickory_resolver::error::ResolveErrorKind;
use url::Url;

/// Where a domain's DNS says its CardDAV service is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    /// The SRV record's name, e.g. `_carddavs._tcp.example.com`.
    pub record: String,
    /// `scheme://target:port/`, with the TXT record's path when there is one.
    pub url: Url,
    /// Whether the TXT record gave the path.
    pub has_path: bool,
    /// Whether the target is the domain itself or a name under it.
    pub same_domain: bool,
}

/// The domain to look up for `start`, when it is "just the server": an http(s) URL
/// with a domain name (not an IP address) and no path beyond `/`.
pub(crate) fn service_domain(start: &Url) -> Option<String> {
    let url::Host::Domain(host) = start.host()? else {
        return None;
    };
    let bare = matches!(start.path(), "" | "/") && start.query().is_none();
    (bare && start.port().is_none()).then(|| host.trim_end_matches('.').to_ascii_lowercase())
}

/// The SRV record name for `domain` under `start`'s scheme.
fn record_name(scheme: &str, domain: &str) -> String {
    let service = if scheme == "http" {
        "_carddav"
    } else {
        "_carddavs"
    };
    format!("{service}._tcp.{domain}")
}

/// `target` is `domain` or a name under it.
fn within(target: &str, domain: &str) -> bool {
    let target = target.trim_end_matches('.').to_ascii_lowercase();
    target == domain || target.ends_with(&format!(".{domain}"))
}

/// The path of a TXT record's strings (`path=/dav/`), if it has one that is absolute.
fn txt_path(strings: &[&[u8]]) -> Option<String> {
    strings.iter().find_map(|s| {
        let s = std::str::from_utf8(s).ok()?;
        let (key, value) = s.split_once('=')?;
        (key.trim().eq_ignore_ascii_case("path") && value.starts_with('/'))
            .then(|| value.to_owned())
    })
}

/// A resolver over `servers`, or the system's name servers when there are none.
/// Discovery waits for it: at most 2 s a try, two tries.
fn resolver(servers: &[SocketAddr]) -> std::io::Result<Resolver> {
    let (config, mut opts) = if servers.is_empty() {
        hickory_resolver::system_conf::read_system_conf()?
    } else {
        let mut group = NameServerConfigGroup::new();
        for &addr in servers {
            group.push(NameServerConfig::new(addr, Protocol::Udp));
        }
        (
            ResolverConfig::from_parts(None, vec![], group),
            ResolverOpts::default(),
        )
    };
    opts.timeout = Duration::from_secs(2);
    opts.attempts = 2;
    Resolver::new(config, opts)
}

/// The services the DNS names for `start`'s domain, best first (SRV priority, then
/// weight). Empty when the domain has no such record or says the service is not
/// offered (target `.`); an error text when the DNS could not be asked.
///
/// `servers`: name servers to ask instead of the system's.
pub(crate) fn lookup(start: &Url, servers: &[SocketAddr]) -> Result<Vec<Service>, String> {
    let Some(domain) = service_domain(start) else {
        return Ok(Vec::new());
    };
    let record = record_name(start.scheme(), &domain);
    let resolver = resolver(servers).map_err(|e| format!("no DNS resolver: {e}"))?;
    // The trailing dot: the name is complete, no search domain is appended.
    let srv = match resolver.srv_lookup(format!("{record}.")) {
        Ok(srv) => srv,
        Err(e) if matches!(e.kind(), ResolveErrorKind::NoRecordsFound { .. }) => {
            return Ok(Vec::new());
        }
        Err(e) => return Err(format!("DNS lookup of {record} failed: {e}")),
    };
    let mut targets: Vec<_> = srv
        .iter()
        .map(|r| (r.priority(), r.weight(), r.port(), r.target().to_ascii()))
        .collect();
    targets.sort_by_key(|&(priority, weight, ..)| (priority, std::cmp::Reverse(weight)));
    let path = resolver
        .txt_lookup(format!("{record}."))
        .ok()
        .and_then(|txt| {
            txt.iter().find_map(|t| {
                let strings: Vec<&[u8]> = t.txt_data().iter().map(|s| &**s).collect();
                txt_path(&strings)
            })
        });
    let mut out = Vec::new();
    for (_, _, port, target) in targets {
        let host = target.trim_end_matches('.');
        // RFC 2782: a target of "." says the service is decidedly not offered.
        if host.is_empty() {
            return Ok(Vec::new());
        }
        let text = format!(
            "{}://{host}:{port}{}",
            start.scheme(),
            path.as_deref().unwrap_or("/")
        );
        let Ok(url) = Url::parse(&text) else {
            continue;
        };
        out.push(Service {
            record: record.clone(),
            url,
            has_path: path.is_some(),
            same_domain: within(host, &domain),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_a_bare_domain_is_looked_up() {
        assert_eq!(
            service_domain(&u("https://Example.COM")),
            Some("example.com".into())
        );
        assert_eq!(
            service_domain(&u("https://example.com/")),
            Some("example.com".into())
        );
        assert_eq!(service_domain(&u("https://example.com/dav/")), None);
        assert_eq!(service_domain(&u("https://example.com:8443/")), None);
        assert_eq!(service_domain(&u("https://192.0.2.1/")), None);
        assert_eq!(service_domain(&u("https://[::1]/")), None);
        assert_eq!(service_domain(&u("https://example.com/?x=1")), None);
    }

    #[test]
    fn record_names_follow_the_scheme() {
        assert_eq!(
            record_name("https", "example.com"),
            "_carddavs._tcp.example.com"
        );
        assert_eq!(
            record_name("http", "example.com"),
            "_carddav._tcp.example.com"
        );
    }

    #[test]
    fn the_own_domain_and_names_under_it_are_within() {
        assert!(within("example.com.", "example.com"));
        assert!(within("DAV.example.com", "example.com"));
        assert!(!within("badexample.com", "example.com"));
        assert!(!within("carddav.provider.net", "example.com"));
        assert!(!within("example.com.evil.net", "example.com"));
    }

    #[test]
    fn txt_records_give_an_absolute_path() {
        assert_eq!(txt_path(&[b"path=/dav/"]), Some("/dav/".into()));
        assert_eq!(
            txt_path(&[b"other=1", b"PATH=/remote.php/dav"]),
            Some("/remote.php/dav".into())
        );
        assert_eq!(txt_path(&[b"path=dav"]), None);
        assert_eq!(txt_path(&[b"\xff\xfe"]), None);
        assert_eq!(txt_path(&[]), None);
    }
}
