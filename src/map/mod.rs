//! vCard ⇄ [`Row`]: mapping a card into a folder's fixed columns and merging an edited
//! row back into the card it came from.
//!
//! # Placement
//!
//! Each TEL goes to a column whose header it does not contradict, by what its types
//! and label say it is (`TYPE=CELL`, vCard 4.0 `type=cell`, Apple's
//! `_$!<Mobile>!$_`, Google's `WORK_MOBILE`, Outlook's and others' custom types
//! such as `X-MOBIL`):
//!
//! - first the columns of its own kind: a work number in business, business 2; a
//!   mobile in mobile; `WORK,FAX` in business fax; an untyped number or one labelled
//!   "Other" in "other";
//! - then kin only: a switchboard (`MAIN`) or an assistant in a business column, a
//!   fax typed neither work nor home in a fax column;
//! - then any voice number that found no column of its own (a second mobile, a third
//!   work number) in an "other" column.
//!
//! A home, mobile or "other" number never goes into a business column, a fax or
//! pager never into a voice column. When several numbers fit one column equally well,
//! the preferred one (`PREF`) wins, then card order: preference decides who gets a
//! contested column, never which column a number goes to. So a number's column
//! depends only on the card's numbers that compete for it. What finds no fitting
//! column stays in the card, byte for byte, is counted in [`Row::hidden`] and is
//! listed, with the kind its types give it, by [`Schema::phones_without_column`].
//!
//! Emails, websites and addresses go to the column whose work/home kind fits, then
//! to an "other" column, then an untyped one to any free column; a home or
//! "Other"-labelled value never goes into a work column, nor a work value into a
//! home column. Preferred values go first, then card order.
//!
//! # Merge-back
//!
//! [`Schema::merge`] compares the row with the card's current row and changes only the
//! properties whose cells changed: a changed number rewrites that TEL's value and keeps
//! its group and parameters; a cleared cell removes that one property (and its Apple
//! label when nothing else uses the group); a new value adds a property typed by its
//! column. Everything else (PHOTO, X- properties, overflow numbers, unknown properties,
//! order) is untouched, byte for byte.
//!
//! Columns of the same kind are filled in order when read, so a number typed into
//! "business 2" while "business" is empty reads back as "business".

mod merge;
mod phones;
mod placement;

pub use merge::derive_display_name;
use placement::{Placement, join_list};

use crate::schema::{Field, Row, Schema};
use crate::vcard::VCard;

impl Schema {
    /// The card as a row of this schema.
    pub fn to_row(&self, card: &VCard) -> Row {
        self.map_card(card).0
    }

    /// The row and where each multi-valued cell came from.
    fn map_card(&self, card: &VCard) -> (Row, Placement) {
        let mut row = Row::new();
        let v = card.version();
        if let Some(s) = card.formatted_name() {
            row.set(Field::DisplayName.column_name(), s);
        }
        if let Some(n) = card.name() {
            row.set(Field::LastName.column_name(), n.family);
            row.set(Field::FirstName.column_name(), n.given);
            row.set(Field::MiddleName.column_name(), n.additional);
            row.set(Field::Prefix.column_name(), n.prefix);
            row.set(Field::Suffix.column_name(), n.suffix);
        }
        row.set(Field::Nickname.column_name(), join_list(&card.nicknames()));
        if let Some(o) = card.organization() {
            row.set(Field::Company.column_name(), o.name);
            row.set(
                Field::Department.column_name(),
                o.units.into_iter().next().unwrap_or_default(),
            );
        }
        for (field, name) in [
            (Field::JobTitle, "TITLE"),
            (Field::Birthday, "BDAY"),
            (Field::Note, "NOTE"),
        ] {
            if let Some((_, p)) = card.first(name) {
                row.set(field.column_name(), p.text(v));
            }
        }
        row.set(
            Field::Categories.column_name(),
            join_list(&card.categories()),
        );
        let placement = self.placement(card, &mut row);
        (row, placement)
    }
}

#[cfg(test)]
mod tests;
