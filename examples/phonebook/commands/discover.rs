//! `discover`: the address books behind a URL.
use cti_phonebook::carddav::discover;
use serde_json::Value;

use crate::args::ConnectArgs;
use crate::connect::{book_json, typed_config};
use crate::errors::CliResult;
use crate::output::{print_json, printable};

/// Lists the address books behind `url`.
pub(crate) fn cmd_discover(
    url: &str,
    user: Option<&str>,
    connect: &ConnectArgs,
    json: bool,
) -> CliResult {
    let (_, cfg) = typed_config(url, user, connect)?;
    let books = discover(&cfg)?;
    if json {
        print_json(&Value::Array(books.iter().map(book_json).collect()));
        return Ok(());
    }
    for b in &books {
        println!(
            "{}\t{}\t{}{}",
            printable(b.display_name.as_deref().unwrap_or("(no name)"), false),
            b.url,
            if b.supports_sync { "sync" } else { "ctag" },
            b.description
                .as_deref()
                .map(|d| format!("\t{}", printable(d, false)))
                .unwrap_or_default()
        );
    }
    Ok(())
}
