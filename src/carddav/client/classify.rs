//! Error classification: what a failed request or a 5xx answer is as a typed
//! [`Error`] (a refused certificate, plain http spoken on an https URL, a network
//! failure before or after the server took the request, a server error).

use url::Url;

use super::transport::Reply;
use crate::error::Error;

/// Why a request failed after its connection was made: the words [`broke_off`] reads.
pub(super) const REQUEST_FAILED: &str = "request failed";
/// The words of an answer that broke off while its body was read.
pub(super) const READ_FAILED: &str = "connection failed while reading the answer";

/// An [`Error::Network`] with `reason` and no cause.
pub(super) fn network(url: &Url, reason: impl std::fmt::Display) -> Error {
    Error::Network {
        url: url.to_string(),
        reason: reason.to_string(),
        cause: None,
    }
}

/// An [`Error::Network`] that keeps the transport's error as its source.
pub(super) fn network_caused(
    url: &Url,
    reason: impl std::fmt::Display,
    cause: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Network {
        url: url.to_string(),
        reason: reason.to_string(),
        cause: Some(Box::new(cause)),
    }
}

/// The error of a request that got no answer: [`Error::Certificate`] when TLS refused
/// the server's certificate, else [`Error::Network`].
pub(super) fn send_error(url: &Url, e: reqwest::Error) -> Error {
    if let Some(c) = certificate_error(&e) {
        return Error::Certificate {
            url: url.to_string(),
            reason: certificate_reason(c),
            cause: Some(Box::new(e)),
        };
    }
    // An https URL to a server that answers in plain http (`127.0.0.1:5232` typed
    // without a scheme is taken as https): rustls reads the answer as a corrupt TLS
    // record. Retrying will not help; the URL needs `http://`.
    if url.scheme() == "https"
        && rustls_error(&e).is_some_and(|r| matches!(r, rustls::Error::InvalidMessage(_)))
    {
        let mut plain = url.clone();
        let _ = plain.set_scheme("http");
        return Error::InvalidResponse {
            url: url.to_string(),
            reason: format!(
                "the server does not answer in TLS (https); if it serves plain http, use {plain}"
            ),
        };
    }
    let reason = reqwest_reason(&e);
    network_caused(url, reason, e)
}

/// The rustls error somewhere in `e`'s cause chain (see [`certificate_error`]).
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    for _ in 0..32 {
        let err = next?;
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// The rustls certificate verdict somewhere in `e`'s cause chain.
///
/// reqwest 0.12 wraps it as `hyper_util` error → `io::Error` (Other) → `io::Error`
/// (InvalidData) → `rustls::Error::InvalidCertificate`. `io::Error::source` skips the
/// error it wraps (it returns that error's *source*), so the walk looks inside each
/// `io::Error` with `get_ref` instead.
fn certificate_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::CertificateError> {
    match rustls_error(e)? {
        rustls::Error::InvalidCertificate(c) => Some(c),
        _ => None,
    }
}

/// Plain words for a certificate verdict, then rustls's own text for the details.
fn certificate_reason(e: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    let plain = match e {
        C::UnknownIssuer => "it is self-signed or issued by an unknown certificate authority",
        C::Expired | C::ExpiredContext { .. } => "it has expired",
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "it is not valid yet (or this computer's clock is wrong)"
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it was issued for another host name"
        }
        C::Revoked => "it has been revoked",
        _ => "it does not verify",
    };
    format!("{plain} ({e})")
}

fn reqwest_reason(e: &reqwest::Error) -> String {
    // reqwest's Display names the URL already; we add the cause chain, which carries
    // the useful part (connection refused, certificate problems, ...).
    let mut s = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        REQUEST_FAILED.to_owned()
    };
    let mut src = std::error::Error::source(e);
    while let Some(cause) = src {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        src = cause.source();
    }
    s
}

/// Whether an [`Error::Network`] happened after the server took the request (a reset,
/// an answer cut off while it was read), rather than with no answer at all (refused,
/// unreachable, timed out): a narrower request may then still get through.
pub(crate) fn broke_off(e: &Error) -> bool {
    matches!(e, Error::Network { reason, .. }
        if reason.starts_with(REQUEST_FAILED) || reason.starts_with(READ_FAILED))
}

/// [`Error::Server`] for a 5xx answer: its status, the status's reason and the start
/// of its body (servers often say there what went wrong), without control characters.
pub(crate) fn server_error(reply: &Reply) -> Error {
    let mut reason = reqwest::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_owned();
    let body: String = reply
        .body_excerpt()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if !body.is_empty() {
        reason.push_str(if reason.is_empty() { "" } else { ": " });
        reason.push_str(&body);
    }
    Error::Server {
        url: reply.url.to_string(),
        status: reply.status,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wrapper whose `source` is the wrapped error, like hyper_util's.
    #[derive(Debug)]
    struct Wrap(std::io::Error);
    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("client error (Connect)")
        }
    }
    impl std::error::Error for Wrap {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn certificate_failures_are_found_inside_io_errors() {
        use rustls::CertificateError as C;
        // The chain reqwest 0.12 builds for an unknown CA (seen against Xandikos).
        let chain = |c: C| {
            Wrap(std::io::Error::other(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                rustls::Error::InvalidCertificate(c),
            )))
        };
        let e = chain(C::UnknownIssuer);
        let found = certificate_error(&e).expect("found");
        assert_eq!(found, &C::UnknownIssuer);
        assert!(certificate_reason(found).contains("unknown certificate authority"));
        let e = chain(C::Expired);
        assert!(certificate_reason(certificate_error(&e).unwrap()).contains("expired"));
        let e = chain(C::NotValidForName);
        assert!(certificate_reason(certificate_error(&e).unwrap()).contains("host name"));

        // Other TLS and connection failures stay network errors.
        let other = Wrap(std::io::Error::other(rustls::Error::DecryptError));
        assert!(certificate_error(&other).is_none());
        let refused = Wrap(std::io::ErrorKind::ConnectionRefused.into());
        assert!(certificate_error(&refused).is_none());
    }
}
