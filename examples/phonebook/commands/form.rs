//! `folder form`: a folder's data mask, printed or replaced from a JSON file.
use std::path::Path;

use cti_phonebook::Error;
use cti_phonebook::form::{FormField, FormLayout, FormSection, Group};
use cti_phonebook::labels::Language;
use serde_json::{Value, json};

use crate::connect::open_offline;
use crate::errors::{CliResult, Failure};
use crate::output::{print_json, printable};

/// Largest form file `folder form --set-json` reads.
const MAX_FORM_FILE: u64 = 1 << 20;

pub(crate) fn cmd_folder_form(
    dir: &Path,
    name: &str,
    set_json: Option<&Path>,
    json: bool,
) -> CliResult {
    let folder = open_offline(dir, name)?;
    if let Some(path) = set_json {
        let form = read_form_json(path)?;
        folder.set_form(&form)?;
    }
    let form = folder.form()?;
    let infos = folder.source().schema().column_infos();
    let info = |column: &str| infos.iter().find(|c| c.name == column);
    if json {
        let groups: Vec<Value> = form
            .sections
            .iter()
            .map(|s| {
                let fields: Vec<Value> = s
                    .fields
                    .iter()
                    .map(|f| {
                        let mut v = json!({"column": f.column, "visible": f.visible});
                        if let Some(c) = info(&f.column) {
                            v["label"] = json!(c.label(Language::English));
                            v["label_de"] = json!(c.label(Language::German));
                            v["input"] = json!(c.input.as_str());
                            v["property"] = json!(c.property);
                            v["types"] = json!(c.types);
                            v["component"] = json!(c.component);
                        }
                        v
                    })
                    .collect();
                json!({
                    "group": s.group.as_str(),
                    "label": s.group.label(Language::English),
                    "label_de": s.group.label(Language::German),
                    "fields": fields,
                })
            })
            .collect();
        print_json(&json!({"folder": name, "title": form.title, "groups": groups}));
        return Ok(());
    }
    println!("title: {}", printable(&form.title.join(" — "), false));
    for s in &form.sections {
        println!("{}:", s.group.label(Language::English));
        for f in &s.fields {
            let (label, input, property) = info(&f.column).map_or(("", "", ""), |c| {
                (
                    c.label(Language::English),
                    c.input.as_str(),
                    c.property.as_str(),
                )
            });
            println!(
                "  {}{}\t{}\t{input}\t{}",
                if f.visible { "" } else { "(hidden) " },
                f.column,
                printable(label, false),
                printable(property, false)
            );
        }
    }
    Ok(())
}

/// A form layout from a JSON file of the shape `folder form --json` prints:
/// `{"title": [COLUMN...], "groups": [{"group": NAME, "fields": [{"column": NAME,
/// "visible": BOOL}]}]}`; `visible` defaults to true, other keys are ignored.
fn read_form_json(path: &Path) -> CliResult<FormLayout> {
    let bad = |what: String| Failure::from(Error::Config(format!("{}: {what}", path.display())));
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_FORM_FILE + 1), &mut text)
        .map_err(|e| bad(format!("not a text file ({e})")))?;
    if text.len() as u64 > MAX_FORM_FILE {
        return Err(bad(format!("larger than {MAX_FORM_FILE} bytes")));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let strings = |v: &Value, what: &str| -> CliResult<Vec<String>> {
        v.as_array()
            .ok_or_else(|| bad(format!("{what} must be an array")))?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("{what} must hold column names")))
            })
            .collect()
    };
    let title = strings(&v["title"], "\"title\"")?;
    let groups = v["groups"]
        .as_array()
        .ok_or_else(|| bad("\"groups\" must be an array".into()))?;
    let mut sections = Vec::new();
    for g in groups {
        let group: Group = g["group"]
            .as_str()
            .ok_or_else(|| bad("every group needs a \"group\" name".into()))?
            .parse()?;
        let mut fields = Vec::new();
        for f in g["fields"]
            .as_array()
            .ok_or_else(|| bad(format!("group '{group}' needs a \"fields\" array")))?
        {
            let column = f["column"]
                .as_str()
                .ok_or_else(|| bad(format!("a field of group '{group}' has no \"column\"")))?;
            let visible = match &f["visible"] {
                Value::Null => true,
                Value::Bool(b) => *b,
                _ => {
                    return Err(bad(format!(
                        "\"visible\" of '{column}' must be true or false"
                    )));
                }
            };
            fields.push(FormField {
                column: column.to_owned(),
                visible,
            });
        }
        sections.push(FormSection { group, fields });
    }
    Ok(FormLayout { sections, title })
}
