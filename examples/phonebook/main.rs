//! `phonebook`: a command-line phone book client over CardDAV, with an offline cache.
//!
//! ```text
//! phonebook --cache-dir DIR discover URL [--user USER] [--ca-file PEM] [--json]
//! phonebook --cache-dir DIR folder add NAME --url URL [--user USER] [--book BOOK] ...
//! phonebook --cache-dir DIR sync [NAME] [--full] [--json]
//! phonebook --cache-dir DIR list NAME [--json]
//! phonebook --cache-dir DIR lookup NUMBER [--country CC] [--area-code N] [--json]
//! phonebook --cache-dir DIR folder form NAME [--set-json FILE] [--json]
//! phonebook --cache-dir DIR search TEXT [--limit N] [--json]
//! ```
//!
//! The password comes from the URL typed to `discover` or `folder add`
//! (`https://USER:PASSWORD@host/`, for that run only), `PHONEBOOK_PASSWORD`, or a
//! prompt when stdin is a terminal. With `--json`, stdout holds one JSON document,
//! `{"error": {"kind", "message"}}` when the command fails. Text and CSV output show
//! control characters from card data as escapes. Run `phonebook --help` for every
//! command; the README documents the JSON formats.

mod args;
mod commands;
mod connect;
mod errors;
mod output;
mod progress;
mod records;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::commands::run;
use crate::errors::{Failure, error_json};
use crate::output::{print_json, printable};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let asked_json = std::env::args_os().any(|a| a == "--json");
            if asked_json && e.use_stderr() {
                let text = e.kind().as_str().unwrap_or("invalid arguments").to_owned();
                let detail = e.to_string();
                let first = detail.lines().next().unwrap_or(&text);
                let first = first.strip_prefix("error: ").unwrap_or(first);
                print_json(&error_json("usage", first));
                eprint!("{}", e.render());
                return ExitCode::from(2);
            }
            e.exit();
        }
    };
    let json = cli.command.json();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure {
            kind,
            message,
            printed,
        }) => {
            if json && !printed {
                print_json(&error_json(kind, &message));
            }
            eprintln!("error: {}", printable(&message, false));
            ExitCode::FAILURE
        }
    }
}
