//! The HTTP layer: the only code that touches reqwest.
//!
//! One blocking reqwest client per [`CardDavSource`](super::CardDavSource), so the
//! connection pool is reused across requests (carddav2fb measured up to 7× faster
//! downloads from that alone). What it adds on top of reqwest, a file each:
//!
//! * `transport`: the client, and a request sent with its redirects followed by hand
//!   (at most `MAX_REDIRECTS`, five): the method and body are resent after
//!   301/302/303/307/308 (vdirsyncer's `_fix_redirects` does the same: a PROPFIND that
//!   loses its body after a redirect is useless). A body over the size cap is an
//!   [`Error::InvalidResponse`](crate::Error::InvalidResponse), read no further than
//!   the cap; the whole request, body included, has a deadline.
//! * `trust`: **credentials go only to trusted hosts**: the configured URL's, and
//!   those the server itself sent us to (redirects from a trusted host, a home set on
//!   another host as with iCloud). A host named anywhere else (inside a vCard, an href
//!   in a listing) never gets them, and cannot gain trust by redirecting. https → http
//!   redirects are refused.
//! * `auth`: Basic, Digest (RFC 7616: MD5, MD5-sess, SHA-256, SHA-256-sess;
//!   `qop=auth` or none) and Bearer, learned per origin. **sabre/dav with Digest
//!   answers an unauthenticated REPORT with 500** (sabre-io/dav#932): when a request
//!   sent without credentials gets a 5xx, one unauthenticated `OPTIONS` fetches the
//!   challenge and the request is repeated with it.
//! * `classify`: transport failures and 5xx answers as typed errors.
//!
//! Errors never contain credentials: URLs are configured without user info and
//! headers are never shown.

mod auth;
mod classify;
mod transport;
mod trust;

pub(crate) use auth::hex;
pub(crate) use classify::{broke_off, server_error};
pub(crate) use transport::{Client, Reply, Request};
