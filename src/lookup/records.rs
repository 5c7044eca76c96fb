//! The caller index's record table: what is shown for a match (folder, id, names, the
//! numbers as stored), by record number.
//!
//! Records live in chunks of [`CHUNK`]. A chunk keeps the texts of all its records in
//! one string and their fields in one vector, so indexing a record allocates nothing
//! of its own and dropping an index frees a few hundred buffers rather than a few
//! per record. Chunks are copy-on-write between snapshots: the first change to a
//! shared chunk copies it (and leaves out the texts of records gone since), later
//! changes in the same batch write to that copy; [`RecordTable::freeze`] shares the
//! copies again for the next snapshot.

use std::sync::Arc;

use crate::record::RecordId;
use crate::schema::PhoneKind;

/// Records per chunk.
pub(super) const CHUNK: usize = 1024;

/// One record within its chunk.
#[derive(Debug, Clone)]
struct Entry {
    id: RecordId,
    folder: u16,
    /// The name number of the country its addresses are in (0: none given).
    country: u16,
    /// Start of the name, company and numbers in the chunk's text.
    text: u32,
    name_len: u32,
    company_len: u32,
    /// Its fields in the chunk's field vector.
    field0: u32,
    fields: u16,
    /// How many of its fields are indexed (the others are no number or too short).
    slots: u16,
}

/// A record's key and counts, as the index hands them over with its texts.
#[derive(Debug, Clone)]
pub(super) struct RecordHead {
    pub id: RecordId,
    /// The folder's name number.
    pub folder: u16,
    /// The name number of the contact's country (0: none given).
    pub country: u16,
    /// How many of its numbers are indexed.
    pub slots: u16,
}

/// A phone field: the column's name number, the length of the number and its kind
/// ([`kind_code`]). A record's numbers follow its company in the chunk's text, in
/// field order, so where one starts is the sum of the lengths before it; 6 bytes a
/// field keeps the table small: 1.8 MB for 300,000 numbers.
#[derive(Debug, Clone, Copy)]
struct FieldEntry {
    column: u16,
    len: u16,
    kind: u8,
}

/// A phone kind as one byte: 0 for none, then the kinds in declaration order.
fn kind_code(kind: Option<PhoneKind>) -> u8 {
    match kind {
        None => 0,
        Some(k) => match k {
            PhoneKind::Business => 1,
            PhoneKind::Business2 => 2,
            PhoneKind::Mobile => 3,
            PhoneKind::Home => 4,
            PhoneKind::Home2 => 5,
            PhoneKind::BusinessFax => 6,
            PhoneKind::HomeFax => 7,
            PhoneKind::Pager => 8,
            PhoneKind::Car => 9,
            PhoneKind::Assistant => 10,
            PhoneKind::CompanyMain => 11,
            PhoneKind::Isdn => 12,
            PhoneKind::Sip => 13,
            PhoneKind::Other => 14,
        },
    }
}

/// The kind of a [`kind_code`].
fn kind_of_code(code: u8) -> Option<PhoneKind> {
    Some(match code {
        1 => PhoneKind::Business,
        2 => PhoneKind::Business2,
        3 => PhoneKind::Mobile,
        4 => PhoneKind::Home,
        5 => PhoneKind::Home2,
        6 => PhoneKind::BusinessFax,
        7 => PhoneKind::HomeFax,
        8 => PhoneKind::Pager,
        9 => PhoneKind::Car,
        10 => PhoneKind::Assistant,
        11 => PhoneKind::CompanyMain,
        12 => PhoneKind::Isdn,
        13 => PhoneKind::Sip,
        14 => PhoneKind::Other,
        _ => return None,
    })
}

#[derive(Debug, Clone, Default)]
struct ChunkData {
    entries: Vec<Option<Entry>>,
    text: String,
    fields: Vec<FieldEntry>,
}

impl ChunkData {
    /// A copy holding only the live records' texts and fields.
    fn compacted(&self) -> ChunkData {
        let mut out = ChunkData {
            entries: Vec::with_capacity(CHUNK),
            text: String::with_capacity(self.text.len()),
            fields: Vec::with_capacity(self.fields.len()),
        };
        for e in &self.entries {
            let copy = e.as_ref().map(|e| {
                let view = RecordRef {
                    chunk: self,
                    entry: e,
                };
                let head = RecordHead {
                    id: e.id.clone(),
                    folder: e.folder,
                    country: e.country,
                    slots: e.slots,
                };
                out.store(head, view.display_name(), view.company(), view.fields())
            });
            out.entries.push(copy);
        }
        out
    }

    /// Appends a record's texts and fields; texts that would not fit the chunk's
    /// 32-bit offsets (gigabytes of them), and numbers longer than 65,535 bytes,
    /// are stored empty rather than wrapped.
    fn store<'a>(
        &mut self,
        head: RecordHead,
        name: &str,
        company: &str,
        fields: impl Iterator<Item = (u16, &'a str, Option<PhoneKind>)>,
    ) -> Entry {
        let field0 = self.fields.len();
        let text = self.text.len();
        let name = self.push_text(name);
        let company = self.push_text(company);
        for (column, number, kind) in fields.take(usize::from(u16::MAX)) {
            let len = match u16::try_from(number.len()) {
                Ok(_) => u16::try_from(self.push_text(number)).unwrap_or(0),
                Err(_) => 0,
            };
            self.fields.push(FieldEntry {
                column,
                len,
                kind: kind_code(kind),
            });
        }
        let RecordHead {
            id,
            folder,
            country,
            slots,
        } = head;
        Entry {
            id,
            folder,
            country,
            text: u32::try_from(text).unwrap_or(0),
            name_len: name,
            company_len: company,
            field0: u32::try_from(field0).unwrap_or(u32::MAX),
            fields: u16::try_from(self.fields.len() - field0).unwrap_or(0),
            slots,
        }
    }

    fn push_text(&mut self, s: &str) -> u32 {
        match u32::try_from(self.text.len() + s.len()) {
            Ok(_) => {
                self.text.push_str(s);
                s.len() as u32
            }
            Err(_) => 0,
        }
    }
}

#[derive(Debug, Clone)]
enum Chunk {
    Shared(Arc<ChunkData>),
    Owned(ChunkData),
}

impl Chunk {
    fn data(&self) -> &ChunkData {
        match self {
            Chunk::Shared(a) => a,
            Chunk::Owned(d) => d,
        }
    }
    fn owned(&mut self) -> &mut ChunkData {
        if let Chunk::Shared(a) = self {
            *self = Chunk::Owned(a.compacted());
        }
        match self {
            Chunk::Owned(d) => d,
            // Not reached (made owned above); make_mut keeps it panic-free.
            Chunk::Shared(a) => Arc::make_mut(a),
        }
    }
}

/// A record as the table holds it.
#[derive(Debug, Clone, Copy)]
pub(super) struct RecordRef<'a> {
    chunk: &'a ChunkData,
    entry: &'a Entry,
}

impl<'a> RecordRef<'a> {
    fn text(&self, start: u32, len: u32) -> &'a str {
        let start = start as usize;
        self.chunk
            .text
            .get(start..start + len as usize)
            .unwrap_or("")
    }
    pub(super) fn folder(&self) -> u16 {
        self.entry.folder
    }
    /// The name number of the contact's country; 0 when none was given.
    pub(super) fn country(&self) -> u16 {
        self.entry.country
    }
    /// How many of its numbers are indexed.
    pub(super) fn slots(&self) -> usize {
        usize::from(self.entry.slots)
    }
    pub(super) fn id(&self) -> &'a RecordId {
        &self.entry.id
    }
    pub(super) fn display_name(&self) -> &'a str {
        self.text(self.entry.text, self.entry.name_len)
    }
    pub(super) fn company(&self) -> &'a str {
        self.text(
            self.entry.text + self.entry.name_len,
            self.entry.company_len,
        )
    }
    /// The record's field entries.
    fn field_entries(&self) -> &'a [FieldEntry] {
        let first = self.entry.field0 as usize;
        self.chunk
            .fields
            .get(first..first + self.entry.fields as usize)
            .unwrap_or(&[])
    }
    /// Where the record's numbers begin in the chunk's text.
    fn numbers_start(&self) -> u32 {
        self.entry
            .text
            .saturating_add(self.entry.name_len)
            .saturating_add(self.entry.company_len)
    }
    /// The kind of field `i`, if it was given one.
    pub(super) fn kind(&self, i: usize) -> Option<PhoneKind> {
        self.field_entries()
            .get(i)
            .and_then(|f| kind_of_code(f.kind))
    }
    /// Field `i`: its column's name number and the number as stored.
    pub(super) fn field(&self, i: usize) -> Option<(u16, &'a str)> {
        let entries = self.field_entries();
        let f = entries.get(i)?;
        let before = entries[..i].iter().map(|f| u32::from(f.len)).sum::<u32>();
        let start = self.numbers_start().saturating_add(before);
        Some((f.column, self.text(start, u32::from(f.len))))
    }
    /// Every field: its column's name number, the number as stored and its kind.
    pub(super) fn fields(
        &self,
    ) -> impl Iterator<Item = (u16, &'a str, Option<PhoneKind>)> + use<'a> {
        let this = *self;
        let mut start = self.numbers_start();
        self.field_entries().iter().map(move |f| {
            let number = this.text(start, u32::from(f.len));
            start = start.saturating_add(u32::from(f.len));
            (f.column, number, kind_of_code(f.kind))
        })
    }
    /// Bytes of texts and tables this record takes.
    fn bytes(&self) -> usize {
        std::mem::size_of::<Option<Entry>>()
            + self.entry.name_len as usize
            + self.entry.company_len as usize
            + self
                .fields()
                .map(|(_, n, _)| n.len() + std::mem::size_of::<FieldEntry>())
                .sum::<usize>()
            + self.entry.id.as_str().len()
    }
}

/// Records by number, in copy-on-write chunks.
#[derive(Debug, Clone, Default)]
pub(super) struct RecordTable {
    chunks: Vec<Chunk>,
    len: usize,
}

impl RecordTable {
    pub(super) fn get(&self, r: usize) -> Option<RecordRef<'_>> {
        let chunk = self.chunks.get(r / CHUNK)?.data();
        let entry = chunk.entries.get(r % CHUNK)?.as_ref()?;
        Some(RecordRef { chunk, entry })
    }

    /// Stores record `r` (a number from [`push_none`](Self::push_none) or freed).
    pub(super) fn insert<'a>(
        &mut self,
        r: usize,
        head: RecordHead,
        name: &str,
        company: &str,
        fields: impl Iterator<Item = (u16, &'a str, Option<PhoneKind>)>,
    ) {
        if let Some(chunk) = self.chunks.get_mut(r / CHUNK) {
            let data = chunk.owned();
            let entry = data.store(head, name, company, fields);
            if let Some(slot) = data.entries.get_mut(r % CHUNK) {
                *slot = Some(entry);
            }
        }
    }

    /// Empties record `r`; its texts go when the chunk is next copied.
    pub(super) fn remove(&mut self, r: usize) {
        if let Some(chunk) = self.chunks.get_mut(r / CHUNK)
            && let Some(slot) = chunk.owned().entries.get_mut(r % CHUNK)
        {
            *slot = None;
        }
    }

    /// A new empty record number at the end.
    pub(super) fn push_none(&mut self) -> usize {
        let r = self.len;
        if r.is_multiple_of(CHUNK) {
            // Records of a batch are much alike: size the new chunk's buffers from
            // the last full one (with a little room), so that they rarely grow.
            let (text, fields) = match self.chunks.last() {
                Some(c) => {
                    let d = c.data();
                    (
                        d.text.len() + d.text.len() / 16,
                        d.fields.len() + CHUNK / 16,
                    )
                }
                None => (CHUNK * 64, CHUNK * 3),
            };
            self.chunks.push(Chunk::Owned(ChunkData {
                entries: Vec::with_capacity(CHUNK),
                text: String::with_capacity(text),
                fields: Vec::with_capacity(fields),
            }));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.owned().entries.push(None);
        }
        self.len += 1;
        r
    }

    /// Drops the last record number when it is empty, returning it.
    pub(super) fn pop_trailing_none(&mut self) -> Option<usize> {
        if self.len == 0 || self.get(self.len - 1).is_some() {
            return None;
        }
        self.len -= 1;
        if let Some(chunk) = self.chunks.last_mut() {
            let data = chunk.owned();
            data.entries.pop();
            if data.entries.is_empty() {
                self.chunks.pop();
            }
        }
        Some(self.len)
    }

    /// Shares every chunk, for a snapshot.
    pub(super) fn freeze(&mut self) {
        for chunk in &mut self.chunks {
            if let Chunk::Owned(d) = chunk {
                *chunk = Chunk::Shared(Arc::new(std::mem::take(d)));
            }
        }
    }

    /// Every record number with its record, if any.
    pub(super) fn iter(&self) -> impl Iterator<Item = Option<RecordRef<'_>>> {
        self.chunks.iter().flat_map(|c| {
            let chunk = c.data();
            chunk
                .entries
                .iter()
                .map(move |e| e.as_ref().map(|entry| RecordRef { chunk, entry }))
        })
    }

    /// Bytes of the live records' entries, texts and field tables.
    pub(super) fn payload_bytes(&self) -> usize {
        self.iter().flatten().map(|r| r.bytes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(t: &mut RecordTable, r: usize, name: &str, numbers: &[&str]) {
        t.insert(
            r,
            RecordHead {
                id: RecordId::new(format!("{name}.vcf")),
                folder: 1,
                country: 0,
                slots: 0,
            },
            name,
            "ACME",
            numbers
                .iter()
                .enumerate()
                .map(|(i, n)| (i as u16, *n, kind_of_code(i as u8 % 16))),
        );
    }

    #[test]
    fn records_read_back_across_chunks_and_copies() {
        let mut t = RecordTable::default();
        for r in 0..CHUNK + 10 {
            assert_eq!(t.push_none(), r);
            put(&mut t, r, &format!("n{r}"), &["+49 30 1", "+49 30 2"]);
        }
        t.freeze();
        let before = t.clone();
        // Replacing and removing in the shared chunk copies it; the old table keeps
        // its own.
        put(&mut t, 3, "changed", &["030 9"]);
        t.remove(4);
        let r3 = t.get(3).unwrap();
        assert_eq!(
            (r3.display_name(), r3.company(), r3.id().as_str()),
            ("changed", "ACME", "changed.vcf")
        );
        assert_eq!(r3.fields().collect::<Vec<_>>(), [(0, "030 9", None)]);
        assert!(t.get(4).is_none());
        assert_eq!(before.get(3).unwrap().display_name(), "n3");
        assert_eq!(before.get(4).unwrap().field(1), Some((1, "+49 30 2")));
        let last = t.get(CHUNK + 9).unwrap();
        assert_eq!(last.display_name(), format!("n{}", CHUNK + 9));
        assert_eq!(last.field(2), None);
    }

    #[test]
    fn a_number_too_long_to_show_is_stored_empty_and_the_others_stay_in_place() {
        let mut t = RecordTable::default();
        t.push_none();
        let long = "1".repeat(70_000);
        put(&mut t, 0, "n", &["+49 30 1", &long, "+49 30 3"]);
        let r = t.get(0).unwrap();
        let want = [
            (0, "+49 30 1", None),
            (1, "", Some(PhoneKind::Business)),
            (2, "+49 30 3", Some(PhoneKind::Business2)),
        ];
        assert_eq!(r.fields().collect::<Vec<_>>(), want);
        assert_eq!(r.kind(1), Some(PhoneKind::Business));
        assert_eq!(r.field(2), Some((2, "+49 30 3")));
        t.freeze();
        t.remove(0);
        t.push_none();
        put(&mut t, 1, "m", &["+49 30 4"]);
        assert_eq!(t.get(1).unwrap().field(0), Some((0, "+49 30 4")));
    }

    #[test]
    fn a_copied_chunk_leaves_out_the_texts_of_replaced_records() {
        let mut t = RecordTable::default();
        t.push_none();
        for round in 0..50 {
            put(&mut t, 0, &format!("name {round}"), &["+49 30 1234567"]);
        }
        let grown = t.chunks[0].data().text.len();
        t.freeze();
        t.remove(0);
        t.push_none();
        put(&mut t, 1, "last", &[]);
        assert!(t.chunks[0].data().text.len() < grown / 10);
        assert_eq!(t.get(1).unwrap().display_name(), "last");
        assert_eq!(t.pop_trailing_none(), None);
    }

    #[test]
    fn every_kind_reads_back_from_its_code() {
        for code in 0..=u8::MAX {
            if let Some(kind) = kind_of_code(code) {
                assert_eq!(kind_code(Some(kind)), code);
            }
        }
        assert_eq!(kind_code(None), 0);
        assert_eq!(kind_of_code(0), None);
        assert_eq!((1..=14).filter_map(kind_of_code).count(), 14);
    }
}
