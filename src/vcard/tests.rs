//! Unit tests of the vCard engine: round trips, edits, charsets, folds and broken cards.

use super::*;

const APPLE: &[u8] = b"BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nN:Doe;John;;;\r\r\nFN:John Doe\r\r\nitem1.TEL;type=CELL;type=VOICE;type=pref:+1 555 0100\r\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\r\n BBBB\r\r\nEND:VCARD\r\r\n";

#[test]
fn unedited_round_trip_is_identical() {
    let doc = Document::parse(APPLE);
    assert_eq!(doc.to_bytes(), APPLE);
    let card = doc.cards().next().unwrap();
    assert_eq!(card.to_bytes(), APPLE);
}

#[test]
fn edit_rewrites_only_that_line() {
    let mut card = VCard::parse(APPLE).unwrap();
    let tel = card.tels()[0].clone();
    assert_eq!(tel.label.as_deref(), Some("Mobile"));
    assert_eq!(tel.pref, Some(1));
    assert_eq!(tel.types, ["CELL", "VOICE"]);
    card.set_text(tel.id, "+1 555 0199");
    let out = card.to_bytes();
    let expected = String::from_utf8_lossy(APPLE).replace(
        "item1.TEL;type=CELL;type=VOICE;type=pref:+1 555 0100\r\r\n",
        "item1.TEL;type=CELL;type=VOICE;type=pref:+1 555 0199\r\n",
    );
    assert_eq!(String::from_utf8_lossy(&out), expected);
}

#[test]
fn push_and_remove() {
    let mut card = VCard::new(Version::V4_0);
    let id = card.push_text("NOTE", "a, b; c\nd");
    card.push_text("FN", "X");
    assert_eq!(card.note().as_deref(), Some("a, b; c\nd"));
    assert!(card.remove(id));
    assert!(!card.remove(id));
    assert_eq!(
        card.to_bytes(),
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nEND:VCARD\r\n"
    );
}

#[test]
fn long_lines_fold_at_75_octets() {
    let mut card = VCard::new(Version::V3_0);
    card.push_text("NOTE", &"ü".repeat(80));
    let out = card.to_bytes();
    for line in out.split(|&b| b == b'\n') {
        assert!(line.len() <= 76, "{} octets", line.len());
    }
    let again = VCard::parse(&out).unwrap();
    assert_eq!(again.note().unwrap(), "ü".repeat(80));
}

#[test]
fn v21_edit_writes_quoted_printable_utf8() {
    let input = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS:\x93\x8c;\r\nEND:VCARD\r\n";
    let mut card = VCard::parse(input).unwrap();
    assert_eq!(card.name().unwrap().family, "東");
    let id = card.name().unwrap().id.unwrap();
    card.set_components(id, &["Müller", "Jörg"]);
    let out = String::from_utf8(card.to_bytes()).unwrap();
    assert!(
        out.contains("N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg\r\n"),
        "{out}"
    );
    let again = VCard::parse(out.as_bytes()).unwrap();
    assert_eq!(again.name().unwrap().given, "Jörg");
}

#[test]
fn malformed_lines_are_kept_with_a_warning() {
    let input = b"BEGIN:VCARD\nblablabla\nVERSION:3.0\nFN:x\nEND:VCARD\n";
    let card = VCard::parse(input).unwrap();
    assert_eq!(card.warnings().len(), 1);
    assert_eq!(card.warnings()[0].line, 2);
    assert_eq!(card.to_bytes(), input);
}

#[test]
fn per_card_errors() {
    assert_eq!(
        VCard::parse(b"BEGIN:VCARD\nVERSION:3.0\nFN:x\n"),
        Err(ParseError::Truncated { line: 1 })
    );
    assert_eq!(
        VCard::parse(b"VERSION:3.0\nFN:x\nEND:VCARD\n"),
        Err(ParseError::MissingBegin { line: 1 })
    );
    assert_eq!(VCard::parse(b"\r\n"), Err(ParseError::Empty));
    let two = b"BEGIN:VCARD\nFN:a\nEND:VCARD\nBEGIN:VCARD\nFN:b\nEND:VCARD\n";
    assert_eq!(
        VCard::parse(two),
        Err(ParseError::SeveralCards { count: 2 })
    );
    assert_eq!(Document::parse(two).cards().count(), 2);
}

#[test]
fn nested_cards_belong_to_the_outer_card() {
    let input = b"BEGIN:VCARD\nVERSION:2.1\nN:parent\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nTEL:9\nEND:VCARD\nTEL:1\nEND:VCARD\n";
    let doc = Document::parse(input);
    assert_eq!(doc.entries().len(), 1);
    let card = doc.cards().next().unwrap();
    let tels: Vec<_> = card.tels().into_iter().map(|t| t.number).collect();
    assert_eq!(tels, ["1"]);
    assert_eq!(doc.to_bytes(), input);
}

#[test]
fn tel_uri_with_extension() {
    let card = VCard::parse(
        b"BEGIN:VCARD\nVERSION:4.0\nTEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+49-30-1234567;ext=89\nEND:VCARD\n",
    )
    .unwrap();
    let t = &card.tels()[0];
    assert_eq!(t.number, "+49-30-1234567");
    assert_eq!(t.ext.as_deref(), Some("89"));
    assert_eq!(t.types, ["WORK", "VOICE"]);
    assert_eq!(t.pref, Some(1));
}

#[test]
fn base64_text_reads_decoded_and_edits_drop_the_encoding() {
    let mut card =
        VCard::parse(b"BEGIN:VCARD\nVERSION:3.0\nNOTE;ENCODING=b:THVkd2lnLUfDtnR6\nEND:VCARD\n")
            .unwrap();
    assert_eq!(card.note().as_deref(), Some("Ludwig-Götz"));
    let id = card.first("NOTE").unwrap().0;
    card.set_text(id, "Test");
    assert_eq!(
        card.to_bytes(),
        b"BEGIN:VCARD\nVERSION:3.0\nNOTE:Test\nEND:VCARD\n"
    );
}

#[test]
fn quoted_printable_crlf_reads_as_newline() {
    let card = VCard::parse(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab\r\nEND:VCARD\r\n",
    )
    .unwrap();
    assert_eq!(card.note().as_deref(), Some("a\nb"));
}

#[test]
fn v21_quoted_printable_latin1_reads_and_round_trips() {
    let input: &[u8] = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=F6rg\r\nNOTE;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Stra=DFe=0D=0A=\r\n2. Stock\r\nEND:VCARD\r\n";
    let card = VCard::parse(input).unwrap();
    let name = card.name().unwrap();
    assert_eq!(
        (name.family.as_str(), name.given.as_str()),
        ("Müller", "Jörg")
    );
    assert_eq!(card.note().as_deref(), Some("Straße\n2. Stock"));
    assert_eq!(card.to_bytes(), input);
}

#[test]
fn a_fold_inside_a_utf8_character_reads_as_the_character() {
    // "Müller": the fold splits the two bytes of ü (C3 BC).
    let input: &[u8] = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:M\xc3\r\n \xbcller\r\nEND:VCARD\r\n";
    let card = VCard::parse(input).unwrap();
    assert_eq!(card.formatted_name().as_deref(), Some("Müller"));
    assert_eq!(card.to_bytes(), input);
}
