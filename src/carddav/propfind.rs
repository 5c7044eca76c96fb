//! PROPFIND requests, and one that degrades when a server fails on the properties
//! asked for.
//!
//! A server may fail a whole PROPFIND because of one property it cannot give where it
//! is asked: a 500 for a `sync-token` asked of a collection that is no address book,
//! a 400 or 403 for a property it does not know, a body that does not parse. (A 404,
//! 405 or 501 is about the URL or the method, and is not asked again.) [`propfind_degrading`] then asks
//! again for the essential properties alone, and for each of the optional ones on its
//! own, merging what comes back. A server that answers the first request costs one
//! request, as before.

use url::Url;

use super::client::{Client, Reply, Request, server_error};
use super::sync::narrower_may_help;
use super::{href_key, names, xml};
use crate::error::{Error, Result};

/// The PROPFIND request of `body` at `url` with `depth`.
fn request(url: &Url, depth: &str, body: String) -> Request {
    Request::new("PROPFIND", url.clone())
        .header("Depth", depth)
        .body(names::XML_CONTENT_TYPE, body)
}

/// A PROPFIND of `body` at `url` with `depth`.
pub(crate) fn propfind(client: &Client, url: &Url, depth: &str, body: String) -> Result<Reply> {
    client.send(&request(url, depth, body))
}

/// The multistatus in a 207 answer's body; [`Error::InvalidResponse`] when it does
/// not parse.
pub(crate) fn multistatus(reply: &Reply) -> Result<xml::Multistatus> {
    xml::parse_multistatus(&reply.body).map_err(|e| reply.invalid(e.0))
}

/// A multistatus answer and the URL that gave it (after redirects).
#[derive(Debug)]
pub(crate) struct Answer {
    /// Where the answer came from: hrefs are relative to it.
    pub url: Url,
    pub multistatus: xml::Multistatus,
}

/// What a degrading PROPFIND got.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A multistatus.
    Answer(Answer),
    /// 404 or 410: nothing at the URL.
    Gone,
    /// No usable answer even for the essential properties: [`Error::Server`] for a
    /// 5xx, else [`Error::InvalidResponse`] saying what the server answered.
    Failed(Error),
    /// The server takes no PROPFIND here at all (405, 501).
    Refused(Error),
}

/// Whether the server's answer to a PROPFIND is a usable multistatus, or else why not.
fn answer(client: &Client, url: &Url, depth: &str, props: &[(&str, &str)]) -> Result<Outcome> {
    let req = request(url, depth, xml::propfind(props)).keeping_server_errors();
    let reply = match client.send(&req) {
        Ok(r) => r,
        Err(e) if narrower_may_help(&e) => return Ok(Outcome::Failed(e)),
        Err(e) => return Err(e),
    };
    match reply.status {
        207 => match xml::parse_multistatus(&reply.body) {
            Ok(multistatus) => Ok(Outcome::Answer(Answer {
                url: reply.url,
                multistatus,
            })),
            Err(e) => Ok(Outcome::Failed(
                reply.invalid(format!("PROPFIND answered 207 but {}", e.0)),
            )),
        },
        404 | 410 => Ok(Outcome::Gone),
        // The method itself is refused: fewer properties will not change that.
        405 | 501 => Ok(Outcome::Refused(
            reply.invalid(format!("PROPFIND answered {}", reply.status)),
        )),
        s if s >= 500 => Ok(Outcome::Failed(server_error(&reply))),
        s => Ok(Outcome::Failed(
            reply.invalid(format!("PROPFIND answered {s}")),
        )),
    }
}

/// A PROPFIND of `essential` and `optional` together; when the server fails on that
/// as a whole, `essential` alone and then each of `optional` on its own (failures of
/// those are ignored), merged by href.
///
/// # Errors
/// [`Error::Unauthorized`], [`Error::Certificate`] and an [`Error::Network`] without
/// an answer; everything the server answered is an [`Outcome`].
pub(crate) fn propfind_degrading(
    client: &Client,
    url: &Url,
    depth: &str,
    essential: &[(&str, &str)],
    optional: &[(&str, &str)],
) -> Result<Outcome> {
    let all: Vec<(&str, &str)> = essential.iter().chain(optional).copied().collect();
    let first = match answer(client, url, depth, &all)? {
        Outcome::Failed(why) => why,
        done => return Ok(done),
    };
    let mut base = match answer(client, url, depth, essential)? {
        Outcome::Answer(a) => a,
        Outcome::Gone => return Ok(Outcome::Gone),
        Outcome::Failed(why) | Outcome::Refused(why) => {
            return Ok(Outcome::Failed(match first {
                // A server error stays one: transient, with its status.
                e @ Error::Server { .. } => e,
                e => Error::InvalidResponse {
                    url: url.to_string(),
                    reason: format!("{e}; with only {} asked for: {why}", names_of(essential)),
                },
            }));
        }
    };
    for prop in optional {
        if let Ok(Outcome::Answer(extra)) = answer(client, url, depth, &[*prop]) {
            merge(&mut base, extra);
        }
    }
    Ok(Outcome::Answer(base))
}

fn names_of(props: &[(&str, &str)]) -> String {
    props.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ")
}

/// Adds the properties of `extra`'s responses to those of `base` for the same href.
fn merge(base: &mut Answer, extra: Answer) {
    for r in extra.multistatus.responses {
        let key = href_key(&extra.url, &r.href);
        if let Some(b) = base
            .multistatus
            .responses
            .iter_mut()
            .find(|b| href_key(&base.url, &b.href) == key)
        {
            b.props.merge(r.props);
        }
    }
}

impl Outcome {
    /// The answer, or the error a caller that needs one reports.
    pub(crate) fn into_answer(self, url: &Url) -> Result<Answer> {
        match self {
            Outcome::Answer(a) => Ok(a),
            Outcome::Gone => Err(Error::not_found(url)),
            Outcome::Failed(e) | Outcome::Refused(e) => Err(e),
        }
    }
}
