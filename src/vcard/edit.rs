//! Changing a card's properties: replacing, setting, adding and removing lines,
//! each edit touching only its own line.

use super::{Line, LineKind, PropId, Property, VCard, prop_kind, text};

impl VCard {
    /// Replaces the property behind `id` (the line is rewritten). Returns false when
    /// `id` names no live property.
    pub fn replace(&mut self, id: PropId, prop: Property) -> bool {
        let Some(current) = self.property(id) else {
            return false;
        };
        if *current != prop {
            let l = &mut self.lines[id.0];
            l.kind = prop_kind(prop);
            l.span = None;
            self.modified = true;
        }
        true
    }

    /// Sets the value of `id` to `text`, escaped for the card's version; group and
    /// parameters are kept. Returns false when `id` names no live property.
    pub fn set_text(&mut self, id: PropId, text: &str) -> bool {
        let raw = text::escape_text(text, self.version);
        self.set_text_value(id, raw)
    }

    /// Sets a structured value (N, ADR, ORG) from its components.
    pub fn set_components(&mut self, id: PropId, components: &[&str]) -> bool {
        let raw = self.join_components(components);
        self.set_text_value(id, raw)
    }

    /// Sets an escaped text value: a base64 transfer encoding the old value had no
    /// longer applies, so it is dropped.
    fn set_text_value(&mut self, id: PropId, raw: String) -> bool {
        let Some(mut prop) = self.property(id).cloned() else {
            return false;
        };
        if !prop.is_base64() {
            return self.set_raw_value(id, raw);
        }
        prop.params.retain(|p| {
            !(p.is("ENCODING")
                && p.values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case("B") || v.eq_ignore_ascii_case("BASE64")))
        });
        prop.value = raw;
        self.replace(id, prop)
    }

    fn join_components(&self, components: &[&str]) -> String {
        components
            .iter()
            .map(|c| text::escape_component(c, self.version))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Sets the value of `id` to an already escaped value.
    pub fn set_raw_value(&mut self, id: PropId, raw: String) -> bool {
        let Some(mut prop) = self.property(id).cloned() else {
            return false;
        };
        if prop.value == raw {
            return true;
        }
        prop.value = raw;
        self.replace(id, prop)
    }

    /// Removes the property behind `id`. Returns false when there was none.
    pub fn remove(&mut self, id: PropId) -> bool {
        match self.lines.get_mut(id.0) {
            Some(l) if !l.removed && l.depth == 1 && matches!(l.kind, LineKind::Prop(_)) => {
                l.removed = true;
                self.modified = true;
                true
            }
            _ => false,
        }
    }

    /// Appends a property before `END:VCARD` and returns its id.
    pub fn push(&mut self, prop: Property) -> PropId {
        let end = self
            .lines
            .iter()
            .rposition(|l| l.depth == 0 && self.prop_of(l).is_some_and(|p| p.is("END")))
            .unwrap_or(self.lines.len());
        self.lines.insert(
            end,
            Line {
                span: None,
                kind: prop_kind(prop),
                depth: 1,
                removed: false,
            },
        );
        self.modified = true;
        PropId(end)
    }

    /// Appends a text property (`NAME:value`, escaped for the card's version).
    pub fn push_text(&mut self, name: &str, value: &str) -> PropId {
        let raw = text::escape_text(value, self.version);
        self.push(Property::new(name, &raw))
    }

    /// Appends a structured property from components.
    pub fn push_components(&mut self, name: &str, components: &[&str]) -> PropId {
        let raw = self.join_components(components);
        self.push(Property::new(name, &raw))
    }

    /// Sets the first `name` property to `value` (adding it when missing), or removes
    /// every `name` property when `value` is `None`.
    pub fn set_single(&mut self, name: &str, value: Option<&str>) {
        let ids: Vec<PropId> = self.find(name).map(|(id, _)| id).collect();
        match (value, ids.first()) {
            (Some(v), Some(&id)) => {
                let current = self.property(id).map(|p| p.text(self.version));
                if current.as_deref() != Some(v) {
                    self.set_text(id, v);
                }
            }
            (Some(v), None) => {
                self.push_text(name, v);
            }
            (None, _) => {
                for id in ids {
                    self.remove(id);
                }
            }
        }
    }
}
