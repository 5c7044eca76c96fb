//! [`Phonebook`]: the embedding API. The folders of one cache directory, each a
//! [`CachedFolder`] over its own source, and one [`CallerIndex`] and one
//! [`SearchIndex`] across all of them, kept current from the folders' change
//! notifications.
//!
//! ```
//! use std::sync::Arc;
//! use cti_phonebook::{DialPlan, MemorySource, Phonebook, Row};
//!
//! let dir = tempfile::tempdir()?;
//! let book = Phonebook::new(dir.path(), DialPlan::new("DE")?.with_area_code("30")?);
//! let folder = book.attach("Customers", Arc::new(MemorySource::new("Customers")))?;
//! folder.reload()?;
//! folder.create(&Row::new().with("display_name", "ACME GmbH").with("phone1", "+49 30 1234567"))?;
//! let hits = book.lookup("030 1234567")?;
//! assert_eq!(hits[0].display_name(), "ACME GmbH");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::cache::{CachedFolder, FolderChange, ListenerId, Snapshot};
use crate::error::Result;
use crate::lookup::{
    CallerIndex, CallerLookup, CallerMatch, DialPlan, IndexChange, IndexReport, IndexedContact,
    NotANumber, PhoneField, country_code,
};
use crate::record::RecordId;
use crate::schema::{AddressPart, ColumnKind, Field, PhoneKind, Row, Schema};
use crate::search::{SearchHit, SearchIndex};
use crate::source::PhonebookSource;
use crate::vcard::VCard;

/// A folder as a phone book holds it, with the change listener that keeps the index
/// current (`listener`, removed from the folder on detach and when an `add` replaces
/// it). `live` is true while it is attached: the listener indexes changes only then,
/// under that lock. Removing the listener alone would not do: a notification already
/// under way on another thread may still call it, and must not write to the index
/// after a detach cleared the folder there, nor before the first index of an `add`.
#[derive(Debug)]
struct Attached {
    folder: Arc<CachedFolder>,
    live: Arc<Mutex<bool>>,
    listener: ListenerId,
}

impl Attached {
    /// Ends the folder's part in the phone book: its listener no longer indexes
    /// anything and is removed from the folder. `then` runs under the `live` lock,
    /// so that no change of the folder is indexed after it.
    fn end(self, then: impl FnOnce()) -> Arc<CachedFolder> {
        let mut live = lock(&self.live);
        *live = false;
        then();
        drop(live);
        // After the lock: the listener may be waiting for it right now.
        self.folder.remove_listener(self.listener);
        self.folder
    }
}

fn lock(live: &Mutex<bool>) -> std::sync::MutexGuard<'_, bool> {
    live.lock().unwrap_or_else(|e| e.into_inner())
}

/// The folders of one cache directory and one caller index over them.
#[derive(Debug)]
pub struct Phonebook {
    dir: PathBuf,
    folders: RwLock<BTreeMap<String, Attached>>,
    index: Arc<CallerIndex>,
    search: Arc<SearchIndex>,
}

/// What the index reads of a folder's rows: the schema's phone columns, in column
/// order, with their kinds, and its address countries. Made once per schema and
/// used for every row, so that indexing a row allocates little: its list of
/// numbers, and a lookup key per address country it names.
#[derive(Debug, Clone)]
pub struct IndexedColumns {
    schema: Schema,
    phones: Vec<(String, PhoneKind)>,
    countries: Vec<String>,
}

impl IndexedColumns {
    /// The phone and address country columns of `schema`.
    pub fn new(schema: &Schema) -> IndexedColumns {
        let mut phones = Vec::new();
        let mut countries = Vec::new();
        for c in schema.columns() {
            match c.kind {
                ColumnKind::Phone(_, kind) => phones.push((c.name, kind)),
                ColumnKind::Address(_, _, AddressPart::Country) => countries.push(c.name),
                _ => {}
            }
        }
        IndexedColumns {
            schema: schema.clone(),
            phones,
            countries,
        }
    }

    /// What the index keeps of a record: [`contact`](Self::contact) of its row,
    /// and after the row's numbers those of its card that no column shows (see
    /// [`Schema::phones_without_column`]), each with the kind its TEL types make
    /// it. `card` must be the card `row` was mapped from under this schema.
    pub fn contact_with_card<'a>(&'a self, row: &'a Row, card: &VCard) -> IndexedContact<'a> {
        let mut contact = self.contact(row);
        if row.hidden.phones > 0 {
            contact.numbers.extend(
                self.schema
                    .phones_without_column(card)
                    .into_iter()
                    .map(|(kind, number)| PhoneField::without_column(kind, number)),
            );
        }
        contact
    }

    /// What the index keeps of `row`: display name, company and every non-empty
    /// phone column with its kind, borrowed from the row; and the country of its
    /// addresses, when those that name a known country (see [`country_code`]) all
    /// name the same one. Numbers no column shows are not in the row: see
    /// [`contact_with_card`](Self::contact_with_card).
    pub fn contact<'a>(&'a self, row: &'a Row) -> IndexedContact<'a> {
        let mut named = self
            .countries
            .iter()
            .filter_map(|c| row.get(c).and_then(country_code));
        let country = named.next().filter(|first| named.all(|c| c == *first));
        IndexedContact {
            display_name: row
                .get(Field::DisplayName.column_name())
                .unwrap_or("")
                .into(),
            company: row.get(Field::Company.column_name()).unwrap_or("").into(),
            numbers: self
                .phones
                .iter()
                .filter_map(|(c, kind)| {
                    row.get(c).map(|n| PhoneField {
                        column: c.as_str().into(),
                        number: n.into(),
                        kind: Some(*kind),
                    })
                })
                .collect(),
            country: country.map(Into::into),
        }
    }

    /// The change that indexes record `id` of `folder`: its row and, when the row
    /// has numbers without a column, those of its cached card. A card that cannot
    /// be read leaves the record indexed by its row alone.
    fn upsert<'a>(
        &'a self,
        folder: &'a CachedFolder,
        id: &RecordId,
        row: &'a Row,
    ) -> IndexChange<'a> {
        let contact = match row.hidden.phones {
            0 => self.contact(row),
            _ => match folder.cached_record(id) {
                Ok(record) => self.contact_with_card(row, &record.card),
                Err(_) => self.contact(row),
            },
        };
        IndexChange::Upsert {
            folder: folder.name().into(),
            id: id.clone(),
            contact,
        }
    }
}

/// The folder settings that hold where a folder's numbers are (see
/// [`Phonebook::set_folder_region`]).
const REGION_COUNTRY: &str = "numbers.country";
const REGION_AREA: &str = "numbers.area_code";

/// The plan a folder's stored region asks for: `None` when it has none, or when the
/// stored setting is no longer valid.
fn folder_region(folder: &CachedFolder) -> Option<DialPlan> {
    let country = folder.setting(REGION_COUNTRY).ok().flatten()?;
    if country.is_empty() {
        return None;
    }
    region_plan(
        &country,
        folder.setting(REGION_AREA).ok().flatten().as_deref(),
    )
    .ok()
}

/// Stores with `folder` where its numbers are (see
/// [`Phonebook::set_folder_region`]) and returns the plan they are read under, or
/// `None` for the phone book's own. For tools that change a folder's settings
/// without a phone book open; the region applies when the folder is next added.
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) for an unknown country or a bad area
/// code, [`Error::Cache`](crate::Error::Cache) when the setting cannot be stored.
pub fn store_folder_region(
    folder: &CachedFolder,
    country: Option<&str>,
    area_code: Option<&str>,
) -> Result<Option<DialPlan>> {
    let plan = country.map(|c| region_plan(c, area_code)).transpose()?;
    folder.set_setting(REGION_COUNTRY, country.unwrap_or(""))?;
    folder.set_setting(
        REGION_AREA,
        area_code.filter(|_| plan.is_some()).unwrap_or(""),
    )?;
    Ok(plan)
}

fn region_plan(country: &str, area_code: Option<&str>) -> Result<DialPlan> {
    let plan = DialPlan::new(country)?;
    match area_code.filter(|a| !a.is_empty()) {
        Some(a) => plan.with_area_code(a),
        None => Ok(plan),
    }
}

/// Feeds one folder change to the search index.
fn search_change(search: &SearchIndex, schema: &Schema, change: &FolderChange) {
    let snapshot = change.snapshot.clone();
    if change.reloaded {
        search.index_folder(&change.folder, schema, snapshot);
    } else {
        search.apply(
            &change.folder,
            schema,
            snapshot,
            &change.changed,
            &change.removed,
        );
    }
}

/// Indexes every record of `folder` as `snap` holds it, in place of what the index
/// held for the folder.
fn reindex_all(index: &CallerIndex, folder: &CachedFolder, snap: &Snapshot) {
    let columns = IndexedColumns::new(&folder.schema());
    let changes = std::iter::once(IndexChange::ClearFolder(folder.name().into())).chain(
        snap.rows()
            .map(|(id, r)| columns.upsert(folder, id, &r.row)),
    );
    index.apply(changes);
}

impl Phonebook {
    /// A phone book over cache directory `dir`, matching numbers under `plan`.
    pub fn new(dir: impl Into<PathBuf>, plan: DialPlan) -> Phonebook {
        Phonebook {
            dir: dir.into(),
            folders: RwLock::new(BTreeMap::new()),
            search: Arc::new(SearchIndex::with_dial_plan(&plan)),
            index: Arc::new(CallerIndex::new(plan)),
        }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens folder `name` over `source` (its cached rows are indexed at once, without
    /// the network) and keeps the index current as the folder changes.
    ///
    /// # Errors
    /// As [`CachedFolder::open`].
    pub fn attach(
        &self,
        name: &str,
        source: Arc<dyn PhonebookSource>,
    ) -> Result<Arc<CachedFolder>> {
        let folder = Arc::new(CachedFolder::open(&self.dir, name, source)?);
        self.add(folder.clone());
        Ok(folder)
    }

    /// Adds an already opened folder (e.g. one opened with an injected clock). A
    /// folder attached under the same name before (the same one, too) is replaced:
    /// the phone book's listener is removed from it, so a folder holds one such
    /// listener however often it is added.
    pub fn add(&self, folder: Arc<CachedFolder>) {
        let name = folder.name().to_owned();
        let live = Arc::new(Mutex::new(true));
        // Held until the folder is indexed: a change that arrives meanwhile waits
        // and is applied after the re-index, which reads the snapshot of now.
        let indexing = lock(&live);
        let index = Arc::downgrade(&self.index);
        let search = Arc::downgrade(&self.search);
        let this = Arc::downgrade(&folder);
        let listening = live.clone();
        let listener = folder.on_change(move |change: &FolderChange| {
            let attached = lock(&listening);
            let (true, Some(index), Some(folder)) = (*attached, index.upgrade(), this.upgrade())
            else {
                return;
            };
            let schema = folder.schema();
            if let Some(search) = search.upgrade() {
                search_change(&search, &schema, change);
            }
            if change.reloaded {
                reindex_all(&index, &folder, &change.snapshot);
                return;
            }
            let columns = IndexedColumns::new(&folder.schema());
            let ups = change.changed.iter().filter_map(|id| {
                change
                    .snapshot
                    .get(id)
                    .map(|r| columns.upsert(&folder, id, &r.row))
            });
            let rems = change.removed.iter().map(|id| IndexChange::Remove {
                folder: change.folder.as_str().into(),
                id: id.clone(),
            });
            index.apply(ups.chain(rems).collect::<Vec<_>>());
        });
        let previous = self
            .folders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                name.clone(),
                Attached {
                    folder: folder.clone(),
                    live: live.clone(),
                    listener,
                },
            );
        if let Some(previous) = previous {
            previous.end(|| {});
        }
        // The re-index right after reads every number under the folder's plan.
        self.index
            .set_folder_plan_for_reindex(&name, folder_region(&folder));
        reindex_all(&self.index, &folder, &folder.snapshot());
        self.search
            .index_folder(&name, &folder.schema(), folder.snapshot());
        drop(indexing);
    }

    /// Removes folder `name` from the phone book and the index (its cache file
    /// stays). The folder's later changes no longer reach the index, and the phone
    /// book's change listener is removed from the folder.
    pub fn detach(&self, name: &str) -> Option<Arc<CachedFolder>> {
        let gone = self
            .folders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name)?;
        Some(gone.end(|| {
            self.index.clear_folder(name);
            self.search.remove_folder(name);
        }))
    }

    /// Says where the numbers of folder `name` are when they are stored without
    /// country code (`country`, an ISO code) or without area code (`area_code`): a
    /// folder of British contacts written `020 7946 0456` is then found by calls
    /// from `+44 20 7946 0456`. `None` reads them under the phone book's own plan
    /// again. The choice is stored with the folder and applied whenever the folder
    /// is added to a phone book; the folder's numbers are re-read at once.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) for an unknown country or a bad area
    /// code, [`Error::NotFound`](crate::Error::NotFound) when there is no such folder,
    /// [`Error::Cache`](crate::Error::Cache) when the setting cannot be stored.
    pub fn set_folder_region(
        &self,
        name: &str,
        country: Option<&str>,
        area_code: Option<&str>,
    ) -> Result<IndexReport> {
        let folder = self
            .folder(name)
            .ok_or_else(|| crate::Error::not_found(format!("folder {name:?}")))?;
        let plan = store_folder_region(&folder, country, area_code)?;
        Ok(self.index.set_folder_plan(name, plan))
    }

    /// The country and area code set for folder `name` by
    /// [`set_folder_region`](Self::set_folder_region), if any.
    pub fn folder_region(&self, name: &str) -> Option<(String, String)> {
        self.folder(name)?;
        let plan = self.index.folder_plan(name)?;
        Some((plan.country().iso().to_owned(), plan.area_code().to_owned()))
    }

    /// The folder called `name`.
    pub fn folder(&self, name: &str) -> Option<Arc<CachedFolder>> {
        self.folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .map(|a| a.folder.clone())
    }

    /// Every folder, by name.
    pub fn folders(&self) -> Vec<Arc<CachedFolder>> {
        self.folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|a| a.folder.clone())
            .collect()
    }

    /// The contacts whose numbers match `number`, best first, across all folders.
    /// Never touches the network and never waits for a sync. For the number of an
    /// incoming call, [`lookup_caller`](Self::lookup_caller) answers a withheld
    /// number (`anonymous`, `""`) as an outcome instead of an error.
    ///
    /// # Errors
    /// [`NotANumber`] when `number` is no phone number.
    pub fn lookup(&self, number: &str) -> std::result::Result<Vec<CallerMatch>, NotANumber> {
        self.index.lookup(number)
    }

    /// The contacts whose numbers match the number of an incoming call, as
    /// [`lookup`](Self::lookup) finds them, but a withheld number (`anonymous`,
    /// `""`, `CLIR`, ...) or text that is no number is an outcome, not an error:
    /// see [`CallerLookup`].
    pub fn lookup_caller(&self, number: &str) -> CallerLookup {
        self.index.lookup_caller(number)
    }

    /// The caller index.
    pub fn index(&self) -> &Arc<CallerIndex> {
        &self.index
    }

    /// The contacts across all folders that match `text` (name, nickname, company,
    /// department, e-mail words by their start, or digits inside a number), best
    /// first, at most `limit`. See [`search`](crate::search) for the rules. Never
    /// touches the network and never waits for a sync.
    pub fn search(&self, text: &str, limit: usize) -> Vec<SearchHit> {
        self.search.search(text, limit)
    }

    /// The search index.
    pub fn search_index(&self) -> &Arc<SearchIndex> {
        &self.search
    }
}
