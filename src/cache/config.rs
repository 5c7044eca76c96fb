//! A folder's settings as the application reads and changes them: the sync
//! interval, its own settings (server URL, user name, ...), the form layout and the
//! schema. They live in the folder's settings file, apart from the records.

use std::sync::Arc;
use std::time::Duration;

use super::store::Batch;
use super::sync::add;
use super::{
    CachedFolder, CachedRow, MAX_SYNC_INTERVAL, META_FORM, META_INTERVAL, META_NEXT_SYNC,
    META_SCHEMA, MIN_SYNC_INTERVAL, SETTING_PREFIX, lock,
};
use crate::error::{Error, Result};
use crate::form::FormLayout;
use crate::schema::Schema;
use crate::source::RecordId;
use crate::vcard::VCard;

impl CachedFolder {
    /// The automatic sync interval.
    pub fn sync_interval(&self) -> Duration {
        *lock(&self.interval)
    }

    /// Sets and persists the automatic sync interval; the next sync moves accordingly.
    ///
    /// # Errors
    /// [`Error::Config`] for an interval shorter than [`MIN_SYNC_INTERVAL`] or longer
    /// than [`MAX_SYNC_INTERVAL`]; [`Error::Cache`].
    pub fn set_sync_interval(&self, interval: Duration) -> Result<()> {
        if !(MIN_SYNC_INTERVAL..=MAX_SYNC_INTERVAL).contains(&interval) {
            return Err(Error::Config(format!(
                "the sync interval must be between {} minute and {} days",
                MIN_SYNC_INTERVAL.as_secs() / 60,
                MAX_SYNC_INTERVAL.as_secs() / 86_400
            )));
        }
        let _g = lock(&self.sync_lock);
        let snap = self.snapshot();
        let next = snap.last_sync.and_then(|t| add(t, interval));
        lock(&self.store).apply(&Batch {
            meta: vec![(META_NEXT_SYNC.into(), next.map(|t| t.to_rfc3339()))],
            ..Batch::default()
        })?;
        self.settings.update(|m| {
            m.insert(META_INTERVAL.into(), interval.as_secs().to_string());
        })?;
        *lock(&self.interval) = interval;
        let mut s = (*snap).clone();
        s.next_sync = next;
        self.swap(s);
        Ok(())
    }

    /// A setting stored with the folder (e.g. the server URL of the application).
    ///
    /// # Errors
    /// [`Error::Cache`] when the settings file cannot be read.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let map = self.settings.load()?.unwrap_or_default();
        Ok(map.get(&format!("{SETTING_PREFIX}{key}")).cloned())
    }

    /// Stores a setting with the folder, in its settings file (written whole and
    /// atomically, so it survives damage to the records). Never store passwords
    /// here: a URL with a password in it is refused.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL with a password; [`Error::Cache`] when the
    /// settings file cannot be written (it is then unchanged).
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        check_setting(value)?;
        self.settings.update(|m| {
            m.insert(format!("{SETTING_PREFIX}{key}"), value.to_owned());
        })?;
        Ok(())
    }

    /// The folder's data mask: the stored [`FormLayout`] fitted to the current
    /// schema, or the schema's default layout when none is stored (or the stored
    /// one cannot be read).
    ///
    /// # Errors
    /// [`Error::Cache`] when the settings file cannot be read.
    pub fn form(&self) -> Result<FormLayout> {
        let schema = self.source().schema();
        let map = self.settings.load()?.unwrap_or_default();
        Ok(match map.get(META_FORM).map(|f| FormLayout::from_spec(f)) {
            Some(Ok(form)) => form.fitted(&schema),
            _ => FormLayout::default_for(&schema),
        })
    }

    /// Checks `form` against the folder's schema ([`FormLayout::check`]) and stores
    /// it, fitted to the schema, in the folder's settings file.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown or repeated column or group, or a title
    /// without columns; [`Error::Cache`] when the settings file cannot be written.
    /// On error the stored form is unchanged.
    pub fn set_form(&self, form: &FormLayout) -> Result<()> {
        let schema = self.source().schema();
        form.check(&schema)?;
        let spec = form.fitted(&schema).to_spec();
        self.settings.update(|m| {
            m.insert(META_FORM.into(), spec);
        })?;
        Ok(())
    }

    /// Changes the folder's schema (column counts and kinds): applied to the source,
    /// persisted, and every cached row re-mapped from its stored card in one step.
    ///
    /// # Errors
    /// [`Error::Config`] for a schema over the column limits
    /// ([`Schema::validate`]); [`Error::Cache`]; a stored card that no longer parses
    /// is an [`Error::VCard`].
    pub fn set_schema(&self, schema: Schema) -> Result<()> {
        schema.validate()?;
        let _g = lock(&self.sync_lock);
        let snap = self.snapshot();
        let mut batch = Batch::default();
        let mut next = (*snap).clone();
        {
            let store = lock(&self.store);
            for (id, cached) in snap.rows() {
                let Some(bytes) = store.card(id)? else {
                    continue;
                };
                let card = VCard::parse(&bytes)?;
                let row = schema.to_row(&card);
                next.rows.insert(
                    id.clone(),
                    Arc::new(CachedRow::kept(cached.version.clone(), row.clone())),
                );
                batch
                    .upserts
                    .push((id.clone(), cached.version.clone(), row, bytes));
            }
        }
        lock(&self.store).apply(&batch)?;
        let spec = schema.to_spec();
        self.settings.update(|m| {
            m.insert(META_SCHEMA.into(), spec);
            // A stored form follows: removed columns leave it, new ones join their group.
            if let Some(Ok(form)) = m.get(META_FORM).map(|f| FormLayout::from_spec(f)) {
                m.insert(META_FORM.into(), form.fitted(&schema).to_spec());
            }
        })?;
        self.source().set_schema(schema);
        let changed: Vec<RecordId> = next.rows.keys().cloned().collect();
        self.swap(next);
        self.notify(changed, Vec::new(), true);
        Ok(())
    }

    /// [`set_schema`](Self::set_schema) for a caller that cannot take an error
    /// (the [`PhonebookSource`](crate::source::PhonebookSource) trait): a failure
    /// becomes the folder's [`open_warning`](Self::open_warning), where the caller
    /// sees it, until a reload clears the warning.
    ///
    /// A schema over the column limits is not applied. One the cache cannot take (its
    /// file or settings cannot be written, a stored card no longer parses) is still
    /// given to the source, so records read from it use the new columns; the cached
    /// rows follow with the next reload, and the folder opens with the schema stored
    /// before until one is stored.
    pub(super) fn set_schema_or_warn(&self, schema: Schema) {
        let warning = if let Err(e) = schema.validate() {
            format!("the schema was not applied ({e})")
        } else if let Err(e) = self.set_schema(schema.clone()) {
            self.source().set_schema(schema);
            format!(
                "the schema could not be stored with the folder ({e}); the source maps \
                 with it and the cached rows follow with the next reload"
            )
        } else {
            return;
        };
        *lock(&self.warning) = Some(warning);
    }
}

/// The sync interval stored as `secs`, when it is one within bounds.
pub(super) fn stored_interval(secs: Option<&String>) -> Option<Duration> {
    let d = Duration::from_secs(secs?.parse::<u64>().ok()?);
    (MIN_SYNC_INTERVAL..=MAX_SYNC_INTERVAL)
        .contains(&d)
        .then_some(d)
}

/// `url` without the password of its user info, when it is a URL that has one.
pub(super) fn without_password(value: &str) -> Option<String> {
    let mut url = url::Url::parse(value).ok()?;
    url.password()?;
    url.set_password(None).ok()?;
    Some(url.to_string())
}

/// Refuses a setting that is a URL with a password in it: passwords are never
/// stored.
pub(super) fn check_setting(value: &str) -> Result<()> {
    if without_password(value).is_some() {
        return Err(Error::Config(
            "a URL with a password in it is not stored; pass the password separately".into(),
        ));
    }
    Ok(())
}
