//! Records as the commands name and show them: short ids, finding a record by one,
//! and a record's JSON form.
use cti_phonebook::cache::CachedFolder;
use cti_phonebook::{RecordId, Row};
use serde_json::{Value, json};

use crate::errors::{CliResult, Failure};

/// A record as JSON: its id, version and cells.
pub(crate) fn record_json(id: &RecordId, version: &str, row: &Row) -> Value {
    let fields: serde_json::Map<String, Value> = row
        .cells()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect();
    json!({"id": id.as_str(), "version": version, "fields": fields})
}

/// Finds a record by its full id, or by the last segment of it (`abc.vcf` or `abc`),
/// which is what the table shows.
pub(crate) fn resolve_id(folder: &CachedFolder, given: &str) -> CliResult<RecordId> {
    let snap = folder.snapshot();
    let full = RecordId::new(given);
    if snap.get(&full).is_some() {
        return Ok(full);
    }
    let hits: Vec<&RecordId> = snap
        .rows()
        .map(|(id, _)| id)
        .filter(|id| {
            let last = short_id(id);
            last == given || last.strip_suffix(".vcf") == Some(given)
        })
        .collect();
    match hits[..] {
        [one] => Ok(one.clone()),
        [] => Err(Failure::usage(format!(
            "no record '{given}' in folder '{}' (run `sync`?)",
            folder.name()
        ))),
        _ => Err(Failure::usage(format!(
            "'{given}' is ambiguous; use the full id"
        ))),
    }
}

/// The last path segment of an id (a CardDAV href).
pub(crate) fn short_id(id: &RecordId) -> &str {
    let s = id.as_str().trim_end_matches('/');
    s.rsplit('/').next().unwrap_or(s)
}
