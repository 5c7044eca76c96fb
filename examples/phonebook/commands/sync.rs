//! `sync`: one folder or all of them, with a report per folder.
use std::path::Path;

use cti_phonebook::cache::{SyncReport, cached_folders};
use serde_json::{Value, json};

use crate::connect::{open_online, remember_connection};
use crate::errors::CliResult;
use crate::output::{print_json, printable};
use crate::progress::{progress, show_progress};

/// A sync's report; `requests` counts every request of the run on the wire for this
/// folder, opening and auth round trips included.
fn report_json(name: &str, r: &SyncReport, rebuilt: bool, requests: u32) -> Value {
    json!({
        "folder": name,
        "rebuilt": rebuilt,
        "mode": format!("{:?}", r.mode).to_lowercase(),
        "added": r.added,
        "changed": r.changed,
        "removed": r.removed,
        "skipped": r.skipped,
        "requests": requests,
        "warnings": r.warnings.iter().map(|w| json!({"id": w.id.as_str(), "message": w.message})).collect::<Vec<_>>(),
    })
}

pub(crate) fn cmd_sync(dir: &Path, name: Option<&str>, full: bool, json: bool) -> CliResult {
    let names = match name {
        Some(n) => vec![n.to_owned()],
        None => cached_folders(dir)?,
    };
    let mut reports = Vec::new();
    let mut failed = None;
    for n in &names {
        let bar = progress(&format!("syncing {n}"));
        // Whether this sync rebuilt records lost to damage: the folder said it had
        // to, and no longer does.
        let res = open_online(dir, n).and_then(|(f, source)| {
            if let Some(bar) = &bar {
                let bar = bar.clone();
                f.on_progress(move |p| show_progress(&bar, p));
            }
            let damaged = f.open_warning().is_some();
            let r = if full {
                f.reload()?
            } else {
                f.refresh_requested()?
            };
            remember_connection(&f, &source)?;
            Ok((r, damaged && f.open_warning().is_none(), source.requests()))
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        match res {
            Ok((r, rebuilt, requests)) => {
                if !json {
                    println!(
                        "{n}: {} added, {} changed, {} removed, {} skipped, {} requests{}",
                        r.added,
                        r.changed,
                        r.removed,
                        r.skipped,
                        requests,
                        if rebuilt {
                            " (the damaged cache is rebuilt)"
                        } else {
                            ""
                        }
                    );
                    for w in &r.warnings {
                        eprintln!(
                            "warning: {}: {}: {}",
                            printable(n, false),
                            printable(w.id.as_str(), false),
                            printable(&w.message, false)
                        );
                    }
                }
                reports.push(report_json(n, &r, rebuilt, requests));
            }
            Err(f) => {
                reports.push(json!({"folder": n, "error": {"kind": f.kind, "message": f.message}}));
                failed.get_or_insert(f.context(n));
            }
        }
    }
    if !json {
        return failed.map_or(Ok(()), Err);
    }
    match (name, failed) {
        // One folder: its report, or (from `main`) the error document.
        (Some(_), Some(f)) => Err(f),
        (Some(_), None) => {
            print_json(&reports.pop().unwrap_or(Value::Null));
            Ok(())
        }
        // All folders: one array, each entry a report or an error.
        (None, failed) => {
            print_json(&Value::Array(reports));
            failed.map_or(Ok(()), |f| Err(f.printed()))
        }
    }
}
