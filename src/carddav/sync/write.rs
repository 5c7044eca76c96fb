//! Writing cards: PUT with its ETag precondition, and DELETE.

use url::Url;

use crate::carddav::client::{Client, Reply, Request, server_error};
use crate::carddav::{names, resolve};
use crate::error::{Error, Result};

/// The precondition of a PUT.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Precondition<'a> {
    /// `If-None-Match: *`: create, never overwrite.
    Create,
    /// `If-Match: etag`: update exactly this version.
    Match(&'a str),
}

/// What a PUT or DELETE did.
#[derive(Debug)]
pub(crate) enum WriteOutcome {
    /// Done; the new ETag if the server sent a strong one.
    Done(Option<String>),
    /// 412: the precondition failed (the card changed, or exists already).
    PreconditionFailed,
}

fn write_error(reply: &Reply, what: &str, href: &str) -> Error {
    match reply.status {
        404 | 410 => Error::not_found(href),
        403 | 405 => Error::ReadOnly(format!(
            "{} refused the {what} ({}): {}",
            reply.url,
            reply.status,
            reply.body_excerpt()
        )),
        s => reply.invalid(format!("{what} answered {s}: {}", reply.body_excerpt())),
    }
}

/// Sends a write, waiting out `423 Locked` and `500`/`503`: Xandikos answers those to
/// a write that comes while another one commits (git's lock). Retrying is safe because
/// every write we send is conditional (`If-Match` / `If-None-Match`): a retry of a
/// write that did happen meets a 412, never overwrites.
fn send_write(client: &Client, req: &Request) -> Result<Reply> {
    let req = req.clone().keeping_server_errors();
    let mut wait = std::time::Duration::from_millis(50);
    let mut reply = client.send(&req)?;
    for _ in 0..6 {
        if !matches!(reply.status, 423 | 500 | 503) {
            break;
        }
        std::thread::sleep(wait);
        wait *= 2;
        reply = client.send(&req)?;
    }
    if reply.status >= 500 {
        return Err(server_error(&reply));
    }
    Ok(reply)
}

/// PUT `body` to `href`.
pub(crate) fn put(
    client: &Client,
    book: &Url,
    href: &str,
    body: Vec<u8>,
    pre: Precondition<'_>,
) -> Result<WriteOutcome> {
    let url = resolve(book, href)?;
    let req = Request::new("PUT", url).body(names::VCARD_CONTENT_TYPE, body);
    let req = match pre {
        Precondition::Create => req.header("If-None-Match", "*"),
        Precondition::Match(etag) => req.header("If-Match", etag),
    };
    let reply = send_write(client, &req)?;
    match reply.status {
        200..=299 => Ok(WriteOutcome::Done(
            // A weak ETag cannot be used in If-Match: fetch the card instead.
            reply.etag().filter(|e| !e.starts_with("W/")),
        )),
        412 => Ok(WriteOutcome::PreconditionFailed),
        _ => Err(write_error(&reply, "PUT", href)),
    }
}

/// DELETE `href` if its ETag is still `etag`.
pub(crate) fn delete(client: &Client, book: &Url, href: &str, etag: &str) -> Result<WriteOutcome> {
    let url = resolve(book, href)?;
    let reply = send_write(
        client,
        &Request::new("DELETE", url).header("If-Match", etag),
    )?;
    match reply.status {
        // Radicale answers 200 with a multistatus body.
        200..=299 => Ok(WriteOutcome::Done(None)),
        412 => Ok(WriteOutcome::PreconditionFailed),
        _ => Err(write_error(&reply, "DELETE", href)),
    }
}
