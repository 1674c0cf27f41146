//! Fuzzes the rulebook loader (`Rulebook::parse`, what `huitang rules check` and
//! `--rulebook FILE` run on a hall's own file): arbitrary text in, never a panic. A rulebook it
//! accepts must be usable — every kind yields meeting rules whose quorum explanation renders —
//! and must survive a TOML round trip unchanged.
#![no_main]

use huitang_host_fuzz::meeting::{Headcount, Rulebook, quorum};
use libfuzzer_sys::fuzz_target;

/// The source texts the shipped rulebooks quote, by the `source_text` path they are named by.
const SOURCES: [(&str, &str); 5] = [
    (
        "sources/jiaxing.txt",
        include_str!("../../rulebooks/sources/jiaxing.txt"),
    ),
    (
        "sources/rizhao.txt",
        include_str!("../../rulebooks/sources/rizhao.txt"),
    ),
    (
        "sources/zhuzhou.txt",
        include_str!("../../rulebooks/sources/zhuzhou.txt"),
    ),
    (
        "sources/shangcheng.txt",
        include_str!("../../rulebooks/sources/shangcheng.txt"),
    ),
    (
        "sources/wuxi.txt",
        include_str!("../../rulebooks/sources/wuxi.txt"),
    ),
];

fn exercise(book: &Rulebook) {
    for kind in book.kind_ids() {
        let rules = book.meeting_rules(&kind).expect("a listed kind resolves");
        for (expected, on_site) in [(0, 0), (1, 0), (9, 4), (9, 5), (5000, 4096)] {
            let v = quorum::evaluate(
                &rules,
                Headcount {
                    expected,
                    on_site,
                    remote: on_site,
                    substitutes: 1,
                },
            );
            assert!(!v.explanation_zh.is_empty() && !v.explanation_en.is_empty());
        }
    }
    let text = toml::to_string(book).expect("an accepted rulebook serialises");
    let again = Rulebook::parse("fuzz-roundtrip", &text, None).expect("round trip re-validates");
    assert_eq!(&again, book);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(book) = Rulebook::parse("fuzz", text, None) {
        exercise(&book);
    }
    for (path, source) in SOURCES {
        if text.contains(path) {
            if let Ok(book) = Rulebook::parse("fuzz", text, Some(source)) {
                exercise(&book);
            }
        }
    }
});
