//! The one-line text form of a [`Schema`] that settings files store
//! ([`Schema::to_spec`], [`Schema::from_spec`]).

use std::fmt;

use super::{MAX_COLUMNS, MAX_USER_COLUMNS, Schema, UserField, check_count};
use crate::error::{Error, Result};

impl Schema {
    /// A one-line text form of the schema, for settings files:
    /// `phones=business,mobile;emails=work;websites=;addresses=work;user=P:X-CTI-USER1|L:Customer no`.
    /// [`Schema::from_spec`] reads it back.
    pub fn to_spec(&self) -> String {
        fn list<T: fmt::Display>(v: &[T]) -> String {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        }
        let user: Vec<String> = self
            .user_fields
            .iter()
            .map(|u| match u {
                UserField::Property(p) => format!("P:{p}"),
                UserField::Labeled(l) => format!("L:{l}"),
            })
            .collect();
        format!(
            "phones={};emails={};websites={};addresses={};user={}",
            list(&self.phones),
            list(&self.emails),
            list(&self.websites),
            list(&self.addresses),
            user.join("|")
        )
    }

    /// Reads [`Schema::to_spec`]'s form. Missing parts keep their defaults.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown kind or part, or more columns than the
    /// limits allow ([`Schema::validate`]); a spec of millions of columns is refused
    /// before any of them is read.
    pub fn from_spec(spec: &str) -> Result<Schema> {
        fn list<T: std::str::FromStr<Err = Error>>(v: &str) -> Result<Vec<T>> {
            let items = v.split(',').filter(|s| !s.trim().is_empty());
            check_count("stored", items.clone().count(), MAX_COLUMNS)?;
            items.map(str::parse).collect()
        }
        let mut schema = Schema::default();
        for part in spec.split(';').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| Error::Config(format!("bad schema part '{part}'")))?;
            match key.trim() {
                "phones" => schema.phones = list(value)?,
                "emails" => schema.emails = list(value)?,
                "websites" => schema.websites = list(value)?,
                "addresses" => schema.addresses = list(value)?,
                "user" => {
                    let items = value.split('|').filter(|s| !s.is_empty());
                    check_count("user-defined", items.clone().count(), MAX_USER_COLUMNS)?;
                    schema.user_fields = items
                        .map(|u| match u.split_once(':') {
                            Some(("P", p)) => Ok(UserField::Property(p.to_owned())),
                            Some(("L", l)) => Ok(UserField::Labeled(l.to_owned())),
                            _ => Err(Error::Config(format!("bad user field '{u}'"))),
                        })
                        .collect::<Result<_>>()?
                }
                other => return Err(Error::Config(format!("unknown schema part '{other}'"))),
            }
        }
        schema.validate()?;
        Ok(schema)
    }
}
