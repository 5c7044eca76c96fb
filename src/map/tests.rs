use super::*;
use crate::schema::Schema;

fn card(body: &str) -> VCard {
    VCard::parse(format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:T\r\n{body}END:VCARD\r\n").as_bytes())
        .unwrap()
}

/// (TEL lines, expected phone1..phone6 of the default schema, hidden count)
#[test]
fn type_assignment_table() {
    let cases: &[(&str, [&str; 6], usize)] = &[
        ("TEL;TYPE=CELL:1\r\n", ["", "", "1", "", "", ""], 0),
        ("TEL;TYPE=CELL,WORK:1\r\n", ["", "", "1", "", "", ""], 0),
        ("TEL;TYPE=WORK,FAX:1\r\n", ["", "", "", "", "1", ""], 0),
        ("TEL;TYPE=WORK;TYPE=FAX:1\r\n", ["", "", "", "", "1", ""], 0),
        ("TEL;TYPE=HOME,FAX:1\r\n", ["", "", "", "", "1", ""], 0),
        (
            "TEL;TYPE=WORK:1\r\nTEL;TYPE=WORK:2\r\nTEL;TYPE=WORK:3\r\n",
            ["1", "2", "", "", "", "3"],
            0,
        ),
        (
            "TEL;TYPE=WORK:1\r\nTEL;TYPE=WORK,PREF:2\r\n",
            ["2", "1", "", "", "", ""],
            0,
        ),
        ("TEL:1\r\n", ["", "", "", "", "", "1"], 0),
        ("TEL:1\r\nTEL:2\r\n", ["2", "", "", "", "", "1"], 0),
        ("TEL;TYPE=PAGER:1\r\n", ["", "", "", "", "", "1"], 0),
        (
            "TEL;TYPE=FAX:1\r\nTEL;TYPE=FAX:2\r\nTEL;TYPE=FAX:3\r\n",
            ["", "", "", "", "1", "2"],
            1,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n",
            ["", "", "1", "", "", ""],
            0,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:work fax\r\n",
            ["", "", "", "", "1", ""],
            0,
        ),
        (
            "TEL;TYPE=WORK:**21\r\nTEL;TYPE=HOME:*#06#\r\n",
            ["**21", "", "", "*#06#", "", ""],
            0,
        ),
        (
            "TEL;TYPE=CELL:+49 170 1234567p123w4\r\n",
            ["", "", "+49 170 1234567p123w4", "", "", ""],
            0,
        ),
        (
            "TEL;TYPE=X-SIP:sip:alice@example.com\r\n",
            ["", "", "", "", "", "sip:alice@example.com"],
            0,
        ),
        (
            "TEL;TYPE=CELL:1\r\nTEL;TYPE=CELL:2\r\nTEL;TYPE=CELL:3\r\nTEL;TYPE=CELL:4\r\nTEL;TYPE=CELL:5\r\nTEL;TYPE=CELL:6\r\nTEL;TYPE=CELL:7\r\n",
            ["3", "4", "1", "5", "", "2"],
            2,
        ),
    ];
    let schema = Schema::default();
    for (tels, expected, hidden) in cases {
        let row = schema.to_row(&card(tels));
        let got: Vec<&str> = (1..=6)
            .map(|i| row.get(&format!("phone{i}")).unwrap_or(""))
            .collect();
        assert_eq!(got, expected, "{tels:?}");
        assert_eq!(row.hidden.phones, *hidden, "{tels:?}");
    }
}

#[test]
fn sip_column_takes_sip_uris() {
    let schema = Schema {
        phones: vec![PhoneKind::Business, PhoneKind::Sip],
        ..Schema::default()
    };
    let row = schema.to_row(&card("TEL;TYPE=WORK:1\r\nTEL:sip:bob@example.com\r\n"));
    assert_eq!(row.get("phone2"), Some("sip:bob@example.com"));
}

#[test]
fn unchanged_row_merges_to_identical_bytes() {
    let c = card("N:Doe;Jane;;;\r\nTEL;TYPE=CELL:1\r\nPHOTO;ENCODING=b:AAAA\r\nX-FOO:bar\r\n");
    let schema = Schema::default();
    let row = schema.to_row(&c);
    let mut c2 = c.clone();
    schema.merge(&mut c2, &row);
    assert!(!c2.is_modified());
    assert_eq!(c2.to_bytes(), c.to_bytes());
}

#[test]
fn merge_changes_clears_and_adds() {
    let c = card(
        "N:Doe;Jane;;;\r\nitem1.TEL;TYPE=CELL:1\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\nTEL;TYPE=WORK:2\r\nPHOTO;ENCODING=b:AAAA\r\n",
    );
    let schema = Schema::default();
    let mut row = schema.to_row(&c);
    row.set("phone3", "");
    row.set("phone1", "22");
    row.set("phone4", "33");
    row.set("email1", "jane@example.com");
    row.set("company", "ACME; Inc.");
    let mut c2 = c.clone();
    schema.merge(&mut c2, &row);
    let out = String::from_utf8(c2.to_bytes()).unwrap();
    assert_eq!(
        out,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:T\r\nN:Doe;Jane;;;\r\nTEL;TYPE=WORK:22\r\nPHOTO;ENCODING=b:AAAA\r\nORG:ACME\\; Inc.\r\nTEL;TYPE=HOME,VOICE:33\r\nEMAIL;TYPE=INTERNET,WORK:jane@example.com\r\nEND:VCARD\r\n"
    );
    let again = schema.to_row(&VCard::parse(out.as_bytes()).unwrap());
    assert_eq!(again.get("company"), Some("ACME; Inc."));
    assert_eq!(again.get("phone4"), Some("33"));
}

#[test]
fn tel_uri_keeps_its_form() {
    let c = VCard::parse(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:T\r\nTEL;VALUE=uri;TYPE=work:tel:+49-30-1;ext=2\r\nEND:VCARD\r\n").unwrap();
    let schema = Schema::default();
    let mut row = schema.to_row(&c);
    assert_eq!(row.get("phone1"), Some("+49-30-1 ext. 2"));
    row.set("phone1", "+49 30 9 ext. 7");
    let mut c2 = c.clone();
    schema.merge(&mut c2, &row);
    let out = String::from_utf8(c2.to_bytes()).unwrap();
    assert!(
        out.contains("TEL;VALUE=uri;TYPE=work:tel:+49-30-9;ext=7\r\n"),
        "{out}"
    );
}

#[test]
fn new_card_derives_fn_and_uid() {
    let schema = Schema::default();
    let row = Row::new()
        .with("first_name", "Ada")
        .with("last_name", "Lovelace")
        .with("phone3", "+44 1");
    for v in [Version::V3_0, Version::V4_0, Version::V2_1] {
        let c = schema.new_card(&row, v);
        assert_eq!(c.formatted_name().as_deref(), Some("Ada Lovelace"));
        assert!(c.uid().is_some());
        let parsed = VCard::parse(&c.to_bytes()).unwrap();
        let back = schema.to_row(&parsed);
        assert_eq!(back.get("phone3"), Some("+44 1"));
        assert_eq!(back.get("last_name"), Some("Lovelace"));
    }
}

#[test]
fn labeled_user_fields() {
    let schema = Schema {
        user_fields: vec![UserField::Labeled("Customer no".into())],
        ..Schema::default()
    };
    let c = card("item7.X-ABRELATEDNAMES:4711\r\nitem7.X-ABLabel:Customer no\r\n");
    let mut row = schema.to_row(&c);
    assert_eq!(row.get("user1"), Some("4711"));
    row.set("user1", "4712");
    let mut c2 = c.clone();
    schema.merge(&mut c2, &row);
    assert_eq!(schema.to_row(&c2).get("user1"), Some("4712"));
    let fresh = schema.new_card(&Row::new().with("user1", "9"), Version::V3_0);
    let s = String::from_utf8(fresh.to_bytes()).unwrap();
    assert!(
        s.contains("item1.X-CTI-FIELD:9\r\nitem1.X-ABLabel:Customer no\r\n"),
        "{s}"
    );
}

#[test]
fn changing_counts_loses_nothing() {
    let c = card("TEL;TYPE=CELL:1\r\nTEL;TYPE=CELL:2\r\nTEL;TYPE=CELL:3\r\n");
    let mut small = Schema::default();
    small.set_phone_count(1).unwrap();
    let row = small.to_row(&c);
    assert_eq!(row.hidden.phones, 2);
    let mut c2 = c.clone();
    small.merge(&mut c2, &row);
    assert_eq!(c2.to_bytes(), c.to_bytes());
    let mut big = Schema::default();
    big.set_phone_count(8).unwrap();
    let row = big.to_row(&c2);
    assert_eq!(row.hidden.phones, 0);
}

/// An iPhone card with eight numbers under the default six columns: the switchboard
/// and the pager find no column, and say what they are.
#[test]
fn numbers_without_a_column_keep_their_kind() {
    let c = card(
        "item1.TEL;type=WORK;type=VOICE;type=pref:+49 30 12345-678\r\n\
         TEL;type=CELL;type=VOICE:+49 170 1234567\r\n\
         TEL;type=HOME;type=VOICE:+49 30 7654321\r\n\
         TEL;type=WORK;type=FAX:+49 30 12345-99\r\n\
         item2.TEL:+49 30 5550123\r\n\
         item2.X-ABLabel:_$!<Other>!$_\r\n\
         TEL;type=IPHONE;type=CELL;type=VOICE:+49 171 7654321\r\n\
         TEL;type=MAIN:+49 30 12345-0\r\n\
         TEL;type=PAGER:+49 160 9876543\r\n\
         TEL;type=HOME;type=FAX:tel:+49-30-7654322;ext=5\r\n",
    );
    let schema = Schema::default();
    let row = schema.to_row(&c);
    assert_eq!(row.hidden.phones, 3);
    assert_eq!(
        schema.phones_without_column(&c),
        [
            (PhoneKind::CompanyMain, "+49 30 12345-0".to_owned()),
            (PhoneKind::Pager, "+49 160 9876543".to_owned()),
            (PhoneKind::HomeFax, "+49-30-7654322 ext. 5".to_owned()),
        ]
    );
    // With columns for every number, none is left over.
    let mut wide = Schema::default();
    wide.set_phone_count(10).unwrap();
    assert!(wide.phones_without_column(&c).is_empty());
    assert!(schema.phones_without_column(&card("")).is_empty());
}
