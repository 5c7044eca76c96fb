//! `lookup` and `dial`: an incoming number's contacts and the digits to dial, under
//! the dial plan of the command line.
use std::path::Path;

use cti_phonebook::MatchQuality;
use cti_phonebook::lookup::{CallerLookup, CallerMatch, NumberPlace};
use serde_json::{Value, json};

use crate::args::PlanArgs;
use crate::connect::open_all;
use crate::errors::{CliResult, Failure};
use crate::output::{print_json, printable};

fn quality(q: MatchQuality) -> String {
    match q {
        MatchQuality::Exact => "exact".into(),
        MatchQuality::National => "national".into(),
        MatchQuality::Switchboard { .. } => "switchboard".into(),
        MatchQuality::Extension => "extension".into(),
    }
}

/// A match as JSON: `column` is null for a number that no column shows, and
/// `kind` says what the number is (its column's kind, or its TEL's own type).
fn match_json(m: &CallerMatch) -> Value {
    let column = match m.place() {
        NumberPlace::Column(c) => Some(c),
        NumberPlace::NoColumn(_) => None,
    };
    json!({
        "folder": m.folder(),
        "id": m.id().as_str(),
        "display_name": m.display_name(),
        "column": column,
        "kind": m.kind().map(|k| k.to_string()),
        "number": m.number(),
        "quality": quality(m.quality()),
    })
}

/// Looks up an incoming number. A withheld number or text that is no number is an
/// answer (`reason`), not a failure: a PBX delivers them on every such call.
pub(crate) fn cmd_lookup(dir: &Path, number: &str, args: &PlanArgs, json: bool) -> CliResult {
    let book = open_all(dir, args.dial_plan()?)?;
    let outcome = book.lookup_caller(number);
    let matches = outcome.matches();
    if json {
        let mut out = json!({"matches": matches.iter().map(match_json).collect::<Vec<_>>()});
        match &outcome {
            CallerLookup::Withheld => out["reason"] = json!("withheld"),
            CallerLookup::NotANumber(e) => {
                out["reason"] = json!("not_a_number");
                out["detail"] = json!(e.to_string());
            }
            _ => {}
        }
        print_json(&out);
        return Ok(());
    }
    match &outcome {
        CallerLookup::Withheld => println!("withheld number: no contact"),
        CallerLookup::NotANumber(e) => println!(
            "not a number ({}): no contact",
            printable(&e.to_string(), false)
        ),
        _ if matches.is_empty() => println!("no contact for {}", printable(number, false)),
        _ => {}
    }
    for m in matches {
        let place = match m.place() {
            NumberPlace::Column(c) => c.to_owned(),
            NumberPlace::NoColumn(kind) => format!("no column ({kind})"),
        };
        println!(
            "{}\t{}\t{place} {}\t{}\t[{}]",
            printable(m.display_name(), false),
            printable(m.company(), false),
            printable(m.number(), false),
            printable(m.folder(), false),
            quality(m.quality())
        );
    }
    Ok(())
}

pub(crate) fn cmd_dial(dir: &Path, number: &str, args: &PlanArgs, json: bool) -> CliResult {
    let plan = args.dial_plan()?;
    let digits = plan
        .dial(number)
        .map_err(|e| Failure::new("not_a_number", format!("'{number}': {e}")))?;
    if !json {
        println!("{digits}");
        return Ok(());
    }
    let found = open_all(dir, plan)
        .ok()
        .and_then(|b| b.lookup(number).ok())
        .and_then(|m| m.into_iter().next());
    print_json(&json!({"number": number, "dial": digits, "match": found.as_ref().map(match_json)}));
    Ok(())
}
