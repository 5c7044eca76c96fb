//! Writing a card back: the bytes it was read from for unedited lines, and edited
//! lines in the card's own version and line ending, folded at 75 octets.

use super::{LineKind, Param, Property, VCard, Version, text};

impl VCard {
    /// The card's bytes: the bytes it was read from when nothing was edited.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len() + 64);
        self.write_to(&mut out);
        out
    }

    /// Appends the card's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        if let Some(around) = &self.around {
            out.extend_from_slice(&around.0);
        }
        self.write_lines(out);
        if let Some(around) = &self.around {
            out.extend_from_slice(&around.1);
        }
    }

    fn write_lines(&self, out: &mut Vec<u8>) {
        if !self.modified {
            out.extend_from_slice(&self.source);
            return;
        }
        for l in &self.lines {
            if l.removed {
                continue;
            }
            match (l.span, &l.kind) {
                (Some((s, e)), _) => out.extend_from_slice(&self.source[s..e]),
                (None, LineKind::Prop(_)) => {
                    if let Some(p) = self.prop_of(l) {
                        self.write_property(out, p);
                    }
                }
                (None, LineKind::Other) => {}
            }
        }
    }

    fn write_property(&self, out: &mut Vec<u8>, prop: &Property) {
        let prop = self.normalise_for_write(prop);
        let (line, qp) = prop.write_unfolded(self.version, self.eol);
        if qp {
            // Quoted-printable lines carry their own soft line breaks.
            out.extend_from_slice(&line);
            out.extend_from_slice(self.eol);
        } else {
            text::fold_into(out, &line, self.eol);
        }
    }

    /// Adjusts transfer parameters so that the written bytes mean what the value says:
    /// values are written as UTF-8, and 2.1 values with line breaks or non-ASCII text
    /// travel as quoted-printable.
    fn normalise_for_write(&self, prop: &Property) -> Property {
        let mut p = prop.clone();
        // A raw line break must never reach the output, whatever produced it (found by
        // fuzzing: a 2.1 continuation line inside a 3.0 card): 3.0/4.0 escape it, 2.1
        // carries it as quoted-printable.
        if !p.is_quoted_printable() && p.value.contains(['\r', '\n']) {
            if self.version == Version::V2_1 {
                p.params.retain(|x| !x.is("ENCODING"));
                p.params.push(Param::new("ENCODING", "QUOTED-PRINTABLE"));
            } else {
                p.value = p
                    .value
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .replace('\n', "\\n");
            }
        }
        // After the line-break rule, which may turn a base64 value into quoted-printable
        // text: the charset and encoding rules then see the final encoding, so that
        // rewriting a rewritten line changes nothing (found by fuzzing).
        let non_ascii = !p.value.is_ascii();
        if p.is_base64() {
            // The charset of a base64 value names the encoded bytes, which are
            // written as they are (found by fuzzing).
        } else if let Some(cs) = p.params.iter_mut().find(|x| x.is("CHARSET")) {
            cs.values = vec!["UTF-8".into()];
        } else if non_ascii && self.version == Version::V2_1 {
            p.params.push(Param::new("CHARSET", "UTF-8"));
        }
        if self.version == Version::V2_1
            && (non_ascii || p.value.contains('\n'))
            && !p.is_quoted_printable()
            && p.param("ENCODING").is_none()
        {
            p.params.push(Param::new("ENCODING", "QUOTED-PRINTABLE"));
        }
        p
    }
}
