//! Unit tests of the mapping: column placement, merge-back and new cards.

use super::*;
use crate::schema::{PhoneKind, Schema, UserField};
use crate::vcard::Version;
use phones::TelTraits;

fn card(body: &str) -> VCard {
    VCard::parse(format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:T\r\n{body}END:VCARD\r\n").as_bytes())
        .unwrap()
}

/// (TEL lines, expected phone1..phone6 of the default schema — business, business 2,
/// mobile, home, business fax, other — and the hidden count)
#[test]
fn type_assignment_table() {
    let cases: &[(&str, [&str; 6], usize)] = &[
        ("TEL;TYPE=CELL:1\r\n", ["", "", "1", "", "", ""], 0),
        ("TEL;TYPE=CELL,WORK:1\r\n", ["", "", "1", "", "", ""], 0),
        ("TEL;TYPE=WORK,FAX:1\r\n", ["", "", "", "", "1", ""], 0),
        ("TEL;TYPE=WORK;TYPE=FAX:1\r\n", ["", "", "", "", "1", ""], 0),
        // A home fax is not a business fax, and a fax is never a voice number.
        ("TEL;TYPE=HOME,FAX:1\r\n", ["", "", "", "", "", ""], 1),
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
        // An untyped number says nothing about business: the second finds no column.
        ("TEL:1\r\nTEL:2\r\n", ["", "", "", "", "", "1"], 1),
        ("TEL:1\r\nTEL;PREF:2\r\n", ["", "", "", "", "", "2"], 1),
        ("TEL;TYPE=PAGER:1\r\n", ["", "", "", "", "", ""], 1),
        (
            "TEL;TYPE=FAX:1\r\nTEL;TYPE=FAX:2\r\nTEL;TYPE=FAX:3\r\n",
            ["", "", "", "", "1", ""],
            2,
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
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<HomeFAX>!$_\r\n",
            ["", "", "", "", "", ""],
            1,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nTEL;TYPE=WORK:2\r\n",
            ["2", "", "", "", "", "1"],
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
        // A second mobile goes to "other", never into a business or home column.
        (
            "TEL;TYPE=CELL:1\r\nTEL;TYPE=CELL:2\r\nTEL;TYPE=CELL:3\r\nTEL;TYPE=CELL:4\r\nTEL;TYPE=CELL:5\r\nTEL;TYPE=CELL:6\r\nTEL;TYPE=CELL:7\r\n",
            ["", "", "1", "", "", "2"],
            5,
        ),
        // The switchboard is kin to business, but a work number fits better.
        ("TEL;TYPE=MAIN:1\r\n", ["1", "", "", "", "", ""], 0),
        (
            "TEL;TYPE=MAIN:1\r\nTEL;TYPE=WORK:2\r\nTEL;TYPE=WORK:3\r\n",
            ["2", "3", "", "", "", "1"],
            0,
        ),
        ("TEL;TYPE=X-ASSISTANT:1\r\n", ["1", "", "", "", "", ""], 0),
        (
            "TEL;TYPE=HOME:1\r\nTEL;TYPE=HOME:2\r\n",
            ["", "", "", "1", "", "2"],
            0,
        ),
        ("TEL;TYPE=MODEM:1\r\n", ["", "", "", "", "", ""], 1),
        // An "Other" label or a HOME type keeps a work number out of business.
        (
            "item1.TEL;TYPE=WORK:1\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n",
            ["", "", "", "", "", "1"],
            0,
        ),
        ("TEL;TYPE=WORK,HOME:1\r\n", ["", "", "", "", "", "1"], 0),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<OtherFAX>!$_\r\n",
            ["", "", "", "", "", ""],
            1,
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

/// Type values and labels from Apple, Google, Outlook, vCard 4.0 and custom `X-`
/// types, each with the kind it names.
#[test]
fn types_and_labels_are_understood() {
    let cases: &[(&str, PhoneKind)] = &[
        ("TEL;TYPE=CELL:1\r\n", PhoneKind::Mobile),
        ("TEL;type=cell:1\r\n", PhoneKind::Mobile),
        ("TEL;TYPE=IPHONE;TYPE=CELL:1\r\n", PhoneKind::Mobile),
        ("TEL;TYPE=X-MOBIL:1\r\n", PhoneKind::Mobile),
        ("TEL;TYPE=WORK_MOBILE:1\r\n", PhoneKind::Mobile),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n",
            PhoneKind::Mobile,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:iPhone\r\n",
            PhoneKind::Mobile,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:Handy\r\n",
            PhoneKind::Mobile,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:Work Mobile\r\n",
            PhoneKind::Mobile,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<HomeFAX>!$_\r\n",
            PhoneKind::HomeFax,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<WorkFAX>!$_\r\n",
            PhoneKind::BusinessFax,
        ),
        ("TEL;TYPE=WORKFAX:1\r\n", PhoneKind::BusinessFax),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:homeFax\r\n",
            PhoneKind::HomeFax,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<Main>!$_\r\n",
            PhoneKind::CompanyMain,
        ),
        ("TEL;TYPE=main-number:1\r\n", PhoneKind::CompanyMain),
        ("TEL;TYPE=COMPANY_MAIN:1\r\n", PhoneKind::CompanyMain),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<Pager>!$_\r\n",
            PhoneKind::Pager,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<AssistantPhone>!$_\r\n",
            PhoneKind::Assistant,
        ),
        ("TEL;TYPE=X-ASSISTANT:1\r\n", PhoneKind::Assistant),
        ("TEL;CAR;VOICE:1\r\n", PhoneKind::Car),
        ("TEL;ISDN:1\r\n", PhoneKind::Isdn),
        ("TEL;WORK;VOICE:1\r\n", PhoneKind::Business),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:@work\r\n",
            PhoneKind::Business,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:Geschäftlich\r\n",
            PhoneKind::Business,
        ),
        ("TEL;TYPE=home,voice:1\r\n", PhoneKind::Home),
        ("item1.TEL:1\r\nitem1.X-ABLabel:Privat\r\n", PhoneKind::Home),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n",
            PhoneKind::Other,
        ),
        (
            "item1.TEL:1\r\nitem1.X-ABLabel:GRAND_CENTRAL\r\n",
            PhoneKind::Other,
        ),
        ("TEL;TYPE=OTHER:1\r\n", PhoneKind::Other),
        ("TEL;TYPE=X-NEC-FRIEND:1\r\n", PhoneKind::Other),
        ("TEL;TYPE=voice,text:1\r\n", PhoneKind::Other),
    ];
    for (tel, kind) in cases {
        let c = card(tel);
        let t = TelTraits::of(&c.tels()[0]);
        assert_eq!(t.kind(), *kind, "{tel:?}");
    }
}

/// The Apple card of a user report, whose "Other" number was shown as "business" and
/// whose preferred number sat in "other" below an iPhone in business 2.
#[test]
fn apple_card_columns_a_user_would_call_right() {
    let lines = "item1.TEL;type=pref:+48 22 1000001\r\n\
                 item1.X-ABLabel:_$!<Work>!$_\r\n\
                 TEL;type=CELL:+48 600 000002\r\n\
                 TEL;type=HOME:+48 22 1000003\r\n\
                 TEL;type=WORK;type=FAX:+48 22 1000004\r\n\
                 item2.TEL:+48 22 1000005\r\n\
                 item2.X-ABLabel:_$!<Other>!$_\r\n\
                 TEL;type=IPHONE;type=CELL:+48 600 000006\r\n\
                 TEL;type=MAIN:+48 22 1000000\r\n\
                 TEL;type=PAGER:+48 600 000007\r\n";
    let schema = Schema::default();
    let c = card(lines);
    let row = schema.to_row(&c);
    let got: Vec<&str> = (1..=6)
        .map(|i| row.get(&format!("phone{i}")).unwrap_or(""))
        .collect();
    assert_eq!(
        got,
        [
            "+48 22 1000001",
            "+48 22 1000000",
            "+48 600 000002",
            "+48 22 1000003",
            "+48 22 1000004",
            "+48 22 1000005"
        ]
    );
    assert_eq!(
        schema.phones_without_column(&c),
        [
            (PhoneKind::Mobile, "+48 600 000006".to_owned()),
            (PhoneKind::Pager, "+48 600 000007".to_owned()),
        ]
    );

    // Without its label, the preferred number is untyped: it wins "other" from the
    // "Other" number, and neither goes into a business column.
    let unlabelled = lines.replace("item1.X-ABLabel:_$!<Work>!$_\r\n", "");
    let row = schema.to_row(&card(&unlabelled));
    assert_eq!(row.get("phone1"), Some("+48 22 1000000"));
    assert_eq!(row.get("phone2"), None);
    assert_eq!(row.get("phone6"), Some("+48 22 1000001"));
    assert_eq!(row.hidden.phones, 3);
}

/// A number's column depends only on the numbers that compete for it: adding a work
/// number moves nothing but the switchboard it outranks.
#[test]
fn placement_is_stable_when_an_unrelated_number_is_added() {
    let base = "TEL;TYPE=CELL:1\r\nTEL;TYPE=HOME:2\r\nTEL;TYPE=WORK,FAX:3\r\n\
                item1.TEL:4\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nTEL;TYPE=CELL:5\r\n";
    let schema = Schema::default();
    let before = schema.to_row(&card(base));
    for extra in [
        "TEL;TYPE=WORK:9\r\n",
        "TEL;TYPE=WORK:9\r\nTEL;TYPE=WORK:8\r\n",
        "TEL;TYPE=PAGER:9\r\n",
        "TEL;TYPE=HOME,FAX:9\r\n",
        "TEL;TYPE=CELL,PREF:9\r\n",
    ] {
        let after = schema.to_row(&card(&format!("{base}{extra}")));
        for col in ["phone4", "phone5", "phone6"] {
            assert_eq!(after.get(col), before.get(col), "{extra:?} moved {col}");
        }
        if !extra.contains("CELL") {
            assert_eq!(after.get("phone3"), before.get("phone3"), "{extra:?}");
        }
    }
    // A preferred second mobile wins the mobile column, and the first one goes to no
    // business column: "other" already has its own number.
    let pref = schema.to_row(&card(&format!("{base}TEL;TYPE=CELL,PREF:9\r\n")));
    assert_eq!(pref.get("phone3"), Some("9"));
    assert_eq!(pref.get("phone1"), None);
    assert_eq!(pref.get("phone2"), None);
}

/// Schemas with a column for every kind: each number finds its own.
#[test]
fn every_kind_finds_its_own_column() {
    let schema = Schema {
        phones: vec![
            PhoneKind::Business,
            PhoneKind::Mobile,
            PhoneKind::Home,
            PhoneKind::BusinessFax,
            PhoneKind::HomeFax,
            PhoneKind::Pager,
            PhoneKind::Car,
            PhoneKind::Assistant,
            PhoneKind::CompanyMain,
            PhoneKind::Isdn,
            PhoneKind::Sip,
            PhoneKind::Other,
        ],
        ..Schema::default()
    };
    let c = card(
        "TEL;TYPE=OTHER:12\r\nTEL:sip:11@example.com\r\nTEL;TYPE=ISDN:10\r\n\
         TEL;TYPE=MAIN:9\r\nTEL;TYPE=X-ASSISTANT:8\r\nTEL;TYPE=CAR:7\r\nTEL;TYPE=PAGER:6\r\n\
         TEL;TYPE=HOME,FAX:5\r\nTEL;TYPE=FAX:4\r\nTEL;TYPE=HOME:3\r\nTEL;TYPE=CELL:2\r\n\
         TEL;TYPE=WORK:1\r\n",
    );
    let row = schema.to_row(&c);
    for i in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12] {
        assert_eq!(row.get(&format!("phone{i}")), Some(i.to_string().as_str()));
    }
    assert_eq!(row.get("phone11"), Some("sip:11@example.com"));
    assert_eq!(row.hidden.phones, 0);
}

/// Numbers without a column keep their kind, in card order.
#[test]
fn numbers_without_a_column_keep_their_kind() {
    let c = card(
        "TEL;TYPE=WORK:1\r\nTEL;TYPE=PAGER:2\r\nTEL;TYPE=HOME;TYPE=FAX:tel:+49-30-3;ext=5\r\n",
    );
    let schema = Schema::default();
    assert_eq!(
        schema.phones_without_column(&c),
        [
            (PhoneKind::Pager, "2".to_owned()),
            (PhoneKind::HomeFax, "+49-30-3 ext. 5".to_owned()),
        ]
    );
    assert!(schema.phones_without_column(&card("TEL:1\r\n")).is_empty());
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
    // One business column: no mobile goes there.
    assert_eq!(row.hidden.phones, 3);
    let mut c2 = c.clone();
    small.merge(&mut c2, &row);
    assert_eq!(c2.to_bytes(), c.to_bytes());
    let mut big = Schema::default();
    big.set_phone_count(8).unwrap();
    let row = big.to_row(&c2);
    assert_eq!(row.hidden.phones, 0);
}

/// Emails and addresses: a home value never fills a work column, nor the reverse;
/// an untyped one still takes any free column.
#[test]
fn contact_columns_take_no_contradicting_value() {
    let schema = Schema::default();
    let row = schema.to_row(&card(
        "EMAIL;TYPE=HOME:a@x.de\r\nEMAIL;TYPE=HOME:b@x.de\r\nEMAIL;TYPE=HOME:c@x.de\r\n",
    ));
    assert_eq!(
        (row.get("email1"), row.get("email2"), row.get("email3")),
        (None, Some("a@x.de"), Some("b@x.de"))
    );
    assert_eq!(row.hidden.emails, 1);
    let row = schema.to_row(&card(
        "item1.EMAIL:o@x.de\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nEMAIL:u@x.de\r\nEMAIL:v@x.de\r\n",
    ));
    assert_eq!(
        (row.get("email1"), row.get("email2"), row.get("email3")),
        (Some("u@x.de"), Some("v@x.de"), Some("o@x.de"))
    );
    let row = schema.to_row(&card("ADR;TYPE=WORK:;;Main St 1;Berlin;;10115;DE\r\nADR;TYPE=WORK:;;Side St 2;Bonn;;53111;DE\r\n"));
    assert_eq!(row.get("address1_city"), Some("Berlin"));
    assert_eq!(row.get("address2_city"), None);
    assert_eq!(row.hidden.addresses, 1);
}

/// An iPhone card with nine numbers under the default six columns: the switchboard
/// takes business 2, the second mobile loses "other" to the "Other" number, and it,
/// the pager and the home fax say what they are.
#[test]
fn an_iphone_cards_numbers_without_a_column_say_their_kind() {
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
            (PhoneKind::Mobile, "+49 171 7654321".to_owned()),
            (PhoneKind::Pager, "+49 160 9876543".to_owned()),
            (PhoneKind::HomeFax, "+49-30-7654322 ext. 5".to_owned()),
        ]
    );
    assert_eq!(row.get("phone2"), Some("+49 30 12345-0"));
    // With a column for every kind of number, none is left over.
    let mut wide = Schema::default();
    wide.phones
        .extend([PhoneKind::Other, PhoneKind::Pager, PhoneKind::HomeFax]);
    assert!(wide.phones_without_column(&c).is_empty());
    assert!(schema.phones_without_column(&card("")).is_empty());
}
