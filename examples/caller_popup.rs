//! `caller_popup`: what a CTI client shows on an incoming call.
//!
//! Reads call events from stdin, one per line: `RING <number> [line]`, or just a
//! number (`#` starts a comment); or from a phone system: `--fritzbox HOST[:PORT]`
//! (the Fritz!Box call monitor) or `--ami HOST[:PORT] --ami-user USER` (Asterisk,
//! the secret in `CALLER_POPUP_AMI_SECRET`), connecting again when the connection
//! drops. For each it prints the pop-up: name, company, the matching number and its
//! kind (its column's, or for a number that no column shows, such as a switchboard
//! or a pager, its own), the contact's other numbers, the match quality, whether the
//! card has a photo, and how long the lookup took; for a folder set to open the data
//! mask automatically (`phonebook folder set NAME --auto-open on`), the whole record.
//! A withheld number (`anonymous`, an empty line after `RING`, `CLIR`, ...) says so.
//!
//! ```text
//! # from the folders cached by the `phonebook` example:
//! cargo run --example caller_popup -- --cache-dir DIR --country DE --area-code 30 < examples/data/calls.txt
//! # or straight from a vCard file, no server needed:
//! cargo run --example caller_popup -- --vcf examples/data/contacts.vcf < examples/data/calls.txt
//! # from a Fritz!Box call monitor (its address, port 1012 by default):
//! cargo run --example caller_popup -- --cache-dir DIR --fritzbox 127.0.0.1
//! ```

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use cti_phonebook::cache::{OfflineSource, cached_folders};
use cti_phonebook::lookup::{CallerLookup, CallerMatch, NumberPlace};
use cti_phonebook::schema::ColumnKind;
use cti_phonebook::vcard::Document;
use cti_phonebook::{DialPlan, MatchQuality, MemorySource, Phonebook};

#[path = "caller_popup/details.rs"]
mod details;
#[path = "caller_popup/sources.rs"]
mod sources;

#[derive(Parser)]
#[command(about = "Caller pop-ups for call events from stdin, a Fritz!Box or an Asterisk manager")]
struct Args {
    /// Cache directory of the `phonebook` example (all its folders are searched).
    #[arg(long, conflicts_with = "vcf")]
    cache_dir: Option<PathBuf>,
    /// A vCard file to search instead of a cache.
    #[arg(long)]
    vcf: Option<PathBuf>,
    /// Country of the line (ISO code).
    #[arg(long, default_value = "DE")]
    country: String,
    /// Own area code.
    #[arg(long, default_value = "30")]
    area_code: String,
    /// The PBX's outside-line prefix, if it adds one to caller numbers.
    #[arg(long)]
    outside_prefix: Option<String>,
    #[command(flatten)]
    source: sources::SourceArgs,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut plan = DialPlan::new(&args.country)?.with_area_code(&args.area_code)?;
    if let Some(p) = &args.outside_prefix {
        plan =
            plan.with_outside_line(p, cti_phonebook::lookup::OutsideLine::AlsoInCallerNumbers)?;
    }
    // Metadata of the number library loads now, not on the first call.
    cti_phonebook::lookup::preload();
    let _tmp;
    let book = match (&args.cache_dir, &args.vcf) {
        (Some(dir), _) => {
            let book = Phonebook::new(dir, plan);
            for name in cached_folders(dir)? {
                book.attach(&name, Arc::new(OfflineSource::new(&name)))?;
            }
            book
        }
        (None, Some(vcf)) => {
            _tmp = tempfile::tempdir()?;
            let book = Phonebook::new(_tmp.path(), plan);
            let src = Arc::new(MemorySource::new("vcf"));
            let doc = Document::parse(&std::fs::read(vcf)?);
            for (i, card) in doc.cards().enumerate() {
                src.put_card(format!("{i}.vcf"), card.clone());
            }
            book.attach("vcf", src)?.reload()?;
            book
        }
        (None, None) => return Err("give --cache-dir or --vcf".into()),
    };
    let contacts: usize = book.folders().iter().map(|f| f.snapshot().len()).sum();
    println!(
        "{contacts} contacts in {} folder(s); waiting for calls\n",
        book.folders().len()
    );
    if sources::run(&book, &args.source)? {
        return Ok(());
    }
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (number, on_line) = match words.next() {
            Some(w) if w.eq_ignore_ascii_case("RING") => {
                let rest: Vec<&str> = words.collect();
                // The line name is the last word when it is not part of the number.
                match rest.split_last() {
                    Some((last, head))
                        if !head.is_empty() && last.chars().any(|c| c.is_ascii_alphabetic()) =>
                    {
                        (head.join(" "), Some(*last))
                    }
                    _ => (rest.join(" "), None),
                }
            }
            _ => (line.to_owned(), None),
        };
        if sources::withheld(&number, on_line) {
            continue;
        }
        popup(&book, &number, on_line);
    }
    Ok(())
}

fn popup(book: &Phonebook, number: &str, line: Option<&str>) {
    let t = Instant::now();
    let result = book.lookup_caller(number);
    let took = t.elapsed();
    println!(
        "┌─ incoming call {number}{}",
        line.map(|l| format!(" on {l}")).unwrap_or_default()
    );
    match result {
        CallerLookup::Withheld => println!("│  number withheld"),
        CallerLookup::NotANumber(e) => println!("│  (not a number: {e})"),
        CallerLookup::Matches(m) if m.is_empty() => println!("│  unknown caller"),
        CallerLookup::Matches(matches) => {
            for m in matches.iter().take(3) {
                show(book, m);
            }
            if matches.len() > 3 {
                println!("│  … and {} more", matches.len() - 3);
            }
        }
        #[allow(unreachable_patterns)]
        _ => println!("│  no contact"),
    }
    println!("└─ lookup took {:.1} µs\n", took.as_secs_f64() * 1e6);
}

fn kind_of(book: &Phonebook, folder: &str, column: &str) -> String {
    book.folder(folder)
        .and_then(|f| f.source().schema().column(column))
        .map(|c| match c.kind {
            ColumnKind::Phone(_, k) => k.to_string(),
            _ => column.to_owned(),
        })
        .unwrap_or_else(|| column.to_owned())
}

fn show(book: &Phonebook, m: &CallerMatch) {
    let quality = match m.quality() {
        MatchQuality::Exact => "exact number".to_owned(),
        MatchQuality::National => "same national number".to_owned(),
        MatchQuality::Switchboard { stripped } => {
            format!("company switchboard ({stripped} digits of direct dial)")
        }
        MatchQuality::Extension => "internal extension".to_owned(),
        #[allow(unreachable_patterns)]
        _ => "match".to_owned(),
    };
    let company = match m.company() {
        c if c.is_empty() || c == m.display_name() => String::new(),
        c => format!(" — {c}"),
    };
    let kind = match m.place() {
        NumberPlace::Column(column) => match m.kind() {
            Some(k) => k.to_string(),
            None => kind_of(book, m.folder(), column),
        },
        NumberPlace::NoColumn(k) => format!("{k}, in no column"),
    };
    println!("│  {}{company}", m.display_name());
    println!("│    {} ({kind}), {quality}   [{}]", m.number(), m.folder());
    let Some(f) = book.folder(m.folder()) else {
        return;
    };
    let snap = f.snapshot();
    let Some(row) = snap.get(m.id()) else {
        return;
    };
    for c in f.source().schema().columns() {
        match (&c.kind, row.row.get(&c.name)) {
            (ColumnKind::Phone(_, k), Some(v)) if c.name != m.column() => {
                println!("│    also {k}: {v}")
            }
            _ => {}
        }
    }
    if row.row.hidden.phones > 0 {
        println!("│    (+{} more numbers in the card)", row.row.hidden.phones);
    }
    details::show(book, m);
}
