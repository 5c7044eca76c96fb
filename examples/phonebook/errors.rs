//! How a command fails: the failure kinds of the JSON error document and the one
//! line the user reads for each library error.
use cti_phonebook::Error;
use serde_json::{Value, json};

/// A failure: what kind it is (the `kind` of the JSON error document) and the one
/// line the user sees.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: &'static str,
    pub(crate) message: String,
    /// The command's JSON document, printed already, holds the failure.
    pub(crate) printed: bool,
}

impl Failure {
    pub(crate) fn new(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            printed: false,
        }
    }

    /// A command used wrongly: a bad argument, a folder or record that is not there.
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure::new("usage", message)
    }

    /// The same failure, for a command whose JSON document listed it already.
    pub(crate) fn printed(self) -> Failure {
        Failure {
            printed: true,
            ..self
        }
    }

    /// The same failure with `prefix` before its message.
    pub(crate) fn context(self, prefix: &str) -> Failure {
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

pub(crate) type CliResult<T = ()> = Result<T, Failure>;

/// The one JSON document of a failed command run with `--json`.
pub(crate) fn error_json(kind: &str, message: &str) -> Value {
    json!({"error": {"kind": kind, "message": message}})
}
