//! `export`: a folder's cards as vCards or its table as CSV.
use std::io::Write;
use std::path::Path;

use crate::args::ExportFormat;
use crate::connect::{check_rebuilt, open_offline};
use crate::errors::{CliResult, Failure};
use crate::output::{csv_field, printable};

/// Writes folder `name`'s contacts to stdout as vCards or CSV.
pub(crate) fn cmd_export(dir: &Path, name: &str, format: ExportFormat) -> CliResult {
    let folder = open_offline(dir, name)?;
    check_rebuilt(&folder)?;
    let snap = folder.snapshot();
    let mut out = std::io::stdout().lock();
    match format {
        ExportFormat::Vcf => {
            // A card that cannot be read (damage) costs that card, not the export.
            let mut unreadable = 0;
            for (id, _) in snap.rows() {
                match folder.cached_record(id) {
                    Ok(rec) => {
                        let bytes = rec.card.to_bytes();
                        out.write_all(&bytes)?;
                        // A card whose END:VCARD has no line break of its own would
                        // run into the next one's BEGIN.
                        if !bytes.ends_with(b"\n") {
                            out.write_all(b"\r\n")?;
                        }
                    }
                    Err(e) => {
                        unreadable += 1;
                        eprintln!(
                            "warning: {}: {}",
                            printable(id.as_str(), false),
                            printable(&e.to_string(), false)
                        );
                    }
                }
            }
            if unreadable > 0 {
                return Err(Failure::new(
                    "cache",
                    format!(
                        "{unreadable} of {} cards could not be read; `phonebook sync {name}` \
                         reloads them",
                        snap.len()
                    ),
                ));
            }
        }
        ExportFormat::Csv => {
            let cols: Vec<String> = folder
                .source()
                .schema()
                .columns()
                .into_iter()
                .map(|c| c.name)
                .collect();
            writeln!(out, "id,{}", cols.join(","))?;
            for (id, r) in snap.rows() {
                let cells: Vec<String> = cols
                    .iter()
                    .map(|c| csv_field(r.row.get(c).unwrap_or("")))
                    .collect();
                writeln!(out, "{},{}", csv_field(id.as_str()), cells.join(","))?;
            }
        }
    }
    Ok(())
}
