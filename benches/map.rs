//! Mapping 10,000 cards to rows, and merging an edited row back.
//!
//! `cargo bench --bench map`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cti_phonebook::Schema;
use cti_phonebook::vcard::VCard;

fn cards() -> Vec<VCard> {
    (0..10_000)
        .map(|i| {
            let mut s = format!(
                "BEGIN:VCARD\r\nVERSION:{}\r\nUID:{i}\r\nFN:Person {i}\r\nN:Person;{i};;;\r\nORG:Company {};Sales\r\nTITLE:Manager\r\n",
                if i % 2 == 0 { "3.0" } else { "4.0" },
                i % 300
            );
            let types = ["WORK,VOICE", "CELL", "HOME", "WORK,FAX"];
            for (k, t) in types.iter().take(1 + i % 4).enumerate() {
                s += &format!("item{k}.TEL;TYPE={t}:+49 30 {i:07}{k}\r\nitem{k}.X-ABLabel:label\r\n");
            }
            s += &format!("EMAIL;TYPE=WORK:p{i}@example.com\r\nADR;TYPE=WORK:;;Street {i};Berlin;;10115;Germany\r\nNOTE:A note that is long enough to be folded somewhere in the middle of it, as real\r\n  notes are.\r\nEND:VCARD\r\n");
            VCard::parse(s.as_bytes()).unwrap()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cards = cards();
    let schema = Schema::default();
    let mut g = c.benchmark_group("map");
    g.throughput(Throughput::Elements(cards.len() as u64));
    g.bench_function("to_row_10k", |b| {
        b.iter(|| {
            cards
                .iter()
                .map(|c| schema.to_row(c))
                .filter(|r| r.hidden.phones > 0)
                .count()
        })
    });
    let rows: Vec<_> = cards
        .iter()
        .map(|c| schema.to_row(c).with("phone1", "+49 30 999"))
        .collect();
    g.bench_function("merge_edited_10k", |b| {
        b.iter(|| {
            let mut n = 0;
            for (c, r) in cards.iter().zip(&rows) {
                let mut c = c.clone();
                schema.merge(&mut c, r);
                n += usize::from(c.is_modified());
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
