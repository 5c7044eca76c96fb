//! The folder option "open the contact's data mask automatically on an incoming
//! call": stored with the folder as one of its settings, read by a pop-up.

use crate::cache::CachedFolder;
use crate::error::Result;

/// The folder setting that holds the option (`on` or `off`).
pub const AUTO_OPEN_SETTING: &str = "popup.auto_open";

/// Whether a call from a contact of `folder` opens the contact's data mask at
/// once. Off unless set; a setting that cannot be read counts as off.
pub fn auto_open(folder: &CachedFolder) -> bool {
    matches!(folder.setting(AUTO_OPEN_SETTING), Ok(Some(v)) if v == "on")
}

/// Stores the option with `folder`.
///
/// # Errors
/// [`Error::Cache`](crate::Error::Cache) when the setting cannot be stored.
pub fn set_auto_open(folder: &CachedFolder, on: bool) -> Result<()> {
    folder.set_setting(AUTO_OPEN_SETTING, if on { "on" } else { "off" })
}
