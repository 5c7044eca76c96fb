//! `add`, `edit` and `delete`: changing contacts on the server and in the cache.
use std::path::Path;

use cti_phonebook::{Record, Row};

use crate::connect::open_online;
use crate::errors::{CliResult, Failure};
use crate::output::{print_json, printable};
use crate::records::{record_json, resolve_id};

/// Sets the cells of `--set COLUMN=VALUE` arguments in `row`.
fn parse_sets(sets: &[String], row: &mut Row) -> CliResult {
    for s in sets {
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--set wants COLUMN=VALUE, got '{s}'")))?;
        row.set(k.trim(), v);
    }
    Ok(())
}

fn print_record(rec: &Record, json: bool) {
    if json {
        print_json(&record_json(&rec.id, rec.version.as_str(), &rec.row));
    } else {
        println!(
            "{}\t{}",
            printable(rec.id.as_str(), false),
            printable(rec.row.get("display_name").unwrap_or(""), false)
        );
    }
}

pub(crate) fn cmd_add(dir: &Path, name: &str, sets: &[String], json: bool) -> CliResult {
    let mut row = Row::new();
    parse_sets(sets, &mut row)?;
    let (folder, _) = open_online(dir, name)?;
    folder.source().schema().check_row(&row)?;
    let rec = folder.create(&row)?;
    print_record(&rec, json);
    Ok(())
}

pub(crate) fn cmd_edit(dir: &Path, name: &str, id: &str, sets: &[String], json: bool) -> CliResult {
    let (folder, _) = open_online(dir, name)?;
    let id = resolve_id(&folder, id)?;
    // Edit the server's current version, so a stale cache is no conflict.
    folder.refresh_record(&id)?;
    let base = folder.cached_record(&id)?;
    let mut row = base.row.clone();
    parse_sets(sets, &mut row)?;
    folder.source().schema().check_row(&row)?;
    let rec = folder.update(&base, &row)?;
    print_record(&rec, json);
    Ok(())
}

pub(crate) fn cmd_delete(dir: &Path, name: &str, id: &str) -> CliResult {
    let (folder, _) = open_online(dir, name)?;
    let id = resolve_id(&folder, id)?;
    folder.refresh_record(&id)?;
    let base = folder.cached_record(&id)?;
    folder.delete(&id, &base.version)?;
    println!("deleted {}", printable(id.as_str(), false));
    Ok(())
}
