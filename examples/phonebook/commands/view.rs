//! `list` and `show`: a folder as a table and one record, from the cache.
use std::path::Path;

use cti_phonebook::schema::{ColumnKind, PhoneKind};
use serde_json::{Value, json};

use crate::connect::{check_rebuilt, open_offline};
use crate::errors::CliResult;
use crate::output::{print_json, print_table, printable};
use crate::records::{record_json, resolve_id, short_id};

/// Shows folder `name` as a table (or its records as JSON).
pub(crate) fn cmd_list(dir: &Path, name: &str, json: bool) -> CliResult {
    let folder = open_offline(dir, name)?;
    check_rebuilt(&folder)?;
    let snap = folder.snapshot();
    if json {
        let arr: Vec<Value> = snap
            .rows()
            .map(|(id, r)| record_json(id, r.version.as_str(), &r.row))
            .collect();
        print_json(&Value::Array(arr));
        return Ok(());
    }
    let schema = folder.source().schema();
    let phone_cols: Vec<(String, PhoneKind)> = schema
        .columns()
        .into_iter()
        .filter_map(|c| match c.kind {
            ColumnKind::Phone(_, k) => Some((c.name, k)),
            _ => None,
        })
        .collect();
    let mut rows: Vec<Vec<String>> = vec![
        ["id", "display_name", "company"]
            .iter()
            .map(|s| s.to_string())
            .chain(phone_cols.iter().map(|(_, k)| k.to_string()))
            .collect(),
    ];
    for (id, r) in snap.rows() {
        let mut line = vec![
            short_id(id).to_owned(),
            r.row.get("display_name").unwrap_or("").to_owned(),
            r.row.get("company").unwrap_or("").to_owned(),
        ];
        line.extend(
            phone_cols
                .iter()
                .map(|(c, _)| r.row.get(c).unwrap_or("").to_owned()),
        );
        rows.push(line);
    }
    print_table(&rows);
    Ok(())
}

pub(crate) fn cmd_show(dir: &Path, name: &str, id: &str, json: bool) -> CliResult {
    let folder = open_offline(dir, name)?;
    check_rebuilt(&folder)?;
    let id = resolve_id(&folder, id)?;
    let rec = folder.cached_record(&id)?;
    // Numbers that fit no column, each with the kind its types and label give it.
    let more = folder.source().schema().phones_without_column(&rec.card);
    if json {
        let mut v = record_json(&rec.id, rec.version.as_str(), &rec.row);
        v["hidden"] = json!({
            "phones": rec.row.hidden.phones,
            "emails": rec.row.hidden.emails,
            "websites": rec.row.hidden.websites,
            "addresses": rec.row.hidden.addresses,
        });
        v["more_numbers"] = more
            .iter()
            .map(|(kind, number)| json!({"kind": kind.to_string(), "number": number}))
            .collect();
        print_json(&v);
        return Ok(());
    }
    println!(
        "id: {}\nversion: {}",
        printable(rec.id.as_str(), false),
        printable(rec.version.as_str(), false)
    );
    for (k, v) in rec.row.cells() {
        println!("{k}: {}", printable(v, false));
    }
    if !more.is_empty() {
        println!("more numbers:");
        for (kind, number) in &more {
            println!("  {kind}: {}", printable(number, false));
        }
    }
    let h = rec.row.hidden;
    if h.emails + h.addresses + h.websites > 0 {
        println!(
            "(not shown: {} emails, {} addresses, {} websites)",
            h.emails, h.addresses, h.websites
        );
    }
    Ok(())
}
