//! A folder's data mask through the cache: the default from the schema, a changed
//! layout kept across opens, a bad one refused with the stored one kept, and schema
//! changes that add and remove columns.

use std::sync::Arc;

use cti_phonebook::cache::CachedFolder;
use cti_phonebook::form::{FormField, FormLayout, Group};
use cti_phonebook::schema::PhoneKind;
use cti_phonebook::{Error, MemorySource, Row, Schema};

fn open(dir: &std::path::Path) -> CachedFolder {
    CachedFolder::open(dir, "work", Arc::new(MemorySource::new("work"))).unwrap()
}

fn phones(form: &FormLayout) -> Vec<(String, bool)> {
    form.section(Group::Phones)
        .unwrap()
        .fields
        .iter()
        .map(|f| (f.column.clone(), f.visible))
        .collect()
}

#[test]
fn a_changed_form_is_kept_and_a_bad_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = open(dir.path());
    assert_eq!(
        f.form().unwrap(),
        FormLayout::default_for(&Schema::default())
    );

    let mut form = f.form().unwrap();
    let p = &mut form.section_mut(Group::Phones).unwrap().fields;
    p.swap(0, 2);
    p[5].visible = false;
    form.sections.swap(0, 1);
    form.title = vec!["company".into(), "last_name".into()];
    f.set_form(&form).unwrap();
    drop(f);

    let f = open(dir.path());
    assert_eq!(f.form().unwrap(), form);
    assert_eq!(
        f.form()
            .unwrap()
            .title_of(&Row::new().with("company", "ACME").with("last_name", "Doe")),
        "ACME — Doe"
    );

    let mut unknown = form.clone();
    unknown.sections[0].fields.push(FormField {
        column: "phone99".into(),
        visible: true,
    });
    let mut twice = form.clone();
    let dup = twice.sections[2].fields[0].clone();
    twice.sections[3].fields.push(dup);
    for bad in [unknown, twice] {
        match f.set_form(&bad) {
            Err(Error::Config(m)) => assert!(m.contains("phone"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(f.form().unwrap(), form, "the stored form is kept");
    }
    drop(f);
    assert_eq!(open(dir.path()).form().unwrap(), form);
}

#[test]
fn the_form_follows_schema_changes() {
    let dir = tempfile::tempdir().unwrap();
    let f = open(dir.path());
    let mut form = f.form().unwrap();
    form.section_mut(Group::Phones).unwrap().fields.reverse();
    form.title = vec!["phone6".into(), "display_name".into()];
    f.set_form(&form).unwrap();

    let mut fewer = Schema::default();
    fewer.set_phone_count(4).unwrap();
    f.set_schema(fewer).unwrap();
    let now = f.form().unwrap();
    assert_eq!(
        phones(&now),
        [
            ("phone4".into(), true),
            ("phone3".into(), true),
            ("phone2".into(), true),
            ("phone1".into(), true)
        ]
    );
    assert_eq!(now.title, ["display_name"]);

    // Back to six and one more: the returning and the new columns join the end.
    let mut more = Schema::default();
    more.phones.push(PhoneKind::Pager);
    f.set_schema(more.clone()).unwrap();
    drop(f);
    let f = open(dir.path());
    let names: Vec<String> = phones(&f.form().unwrap())
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(
        names,
        [
            "phone4", "phone3", "phone2", "phone1", "phone5", "phone6", "phone7"
        ]
    );
    f.form().unwrap().check(&more).unwrap();
}
