//! `search`: contacts by the start of their words or digits in their numbers.
use std::path::Path;

use cti_phonebook::search::{MatchedField, SearchHit};
use serde_json::{Value, json};

use crate::args::PlanArgs;
use crate::connect::open_all;
use crate::errors::CliResult;
use crate::records::short_id;

/// `value` with its matched ranges in brackets: `[Kow]alczyk`.
fn marked(f: &MatchedField<'_>) -> String {
    let mut out = String::new();
    let mut at = 0;
    for r in f.ranges {
        if r.start < at || r.end > f.value.len() {
            continue;
        }
        out.push_str(&f.value[at..r.start]);
        out.push('[');
        out.push_str(&f.value[r.clone()]);
        out.push(']');
        at = r.end;
    }
    out.push_str(&f.value[at..]);
    out
}

fn hit_json(h: &SearchHit) -> Value {
    json!({
        "folder": h.folder(),
        "id": h.id().as_str(),
        "display_name": h.display_name(),
        "company": h.company(),
        "rank": h.rank(),
        "matched": h.matched().map(|f| json!({
            "column": f.column,
            "value": f.value,
            "ranges": f.ranges.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn cmd_search(
    dir: &Path,
    text: &str,
    limit: usize,
    plan: &PlanArgs,
    json: bool,
) -> CliResult {
    // The dial plan reads a number typed as a whole in its other form too.
    let book = open_all(dir, plan.dial_plan()?)?;
    let hits = book.search(text, limit);
    if json {
        println!(
            "{}",
            json!({"hits": hits.iter().map(hit_json).collect::<Vec<_>>()})
        );
        return Ok(());
    }
    if hits.is_empty() {
        println!("no contact for '{text}'");
    }
    for h in &hits {
        let fields: Vec<String> = h
            .matched()
            .map(|f| format!("{}: {}", f.column, marked(&f)))
            .collect();
        println!(
            "{}\t{}\t{}\t{}\t{}",
            h.display_name(),
            h.company(),
            h.folder(),
            short_id(h.id()),
            fields.join("; ")
        );
    }
    Ok(())
}
