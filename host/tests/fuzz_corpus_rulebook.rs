//! Replays the rulebook fuzz corpus (`host/fuzz/corpus/rulebook/seed-*`) as a regular test on
//! stable, with the fuzz target's invariants: the seeds (the five shipped rulebooks) load, every
//! kind's quorum explanation renders, and a TOML round trip gives the same rulebook. Crash
//! inputs found by fuzzing are committed there as `seed-crash-*` and must then load or fail
//! with a clear error, never panic.

use huitang::meeting::{Headcount, Rulebook, quorum};

fn corpus() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/rulebook");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("seed-"))
        })
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_rulebook_corpus_input_loads_or_fails_with_a_located_error() {
    let seeds = corpus();
    assert!(seeds.len() >= 5, "the five shipped rulebooks are seeds");
    for (name, text) in &seeds {
        match Rulebook::parse(name, text, None) {
            Ok(book) => {
                for kind in book.kind_ids() {
                    let rules = book.meeting_rules(&kind).unwrap();
                    let v = quorum::evaluate(
                        &rules,
                        Headcount {
                            expected: 9,
                            on_site: 5,
                            remote: 1,
                            substitutes: 1,
                        },
                    );
                    assert!(!v.explanation_zh.is_empty(), "{name}/{kind}");
                }
                let again = toml::to_string(&book).unwrap();
                assert_eq!(
                    Rulebook::parse("roundtrip", &again, None).as_ref(),
                    Ok(&book),
                    "{name} round trip"
                );
            }
            Err(e) => {
                assert!(
                    !name.starts_with("seed-") || name.starts_with("seed-crash-"),
                    "{name}: {e}"
                );
                assert!(
                    e.to_string().contains(name.as_str()),
                    "error names its file: {e}"
                );
            }
        }
    }
}

#[test]
fn the_shipped_rulebooks_are_the_seeds() {
    let seeds = corpus();
    for (name, text) in seeds.iter().filter(|(n, _)| !n.starts_with("seed-crash-")) {
        let file = name.trim_start_matches("seed-");
        let shipped = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("rulebooks")
                .join(file),
        )
        .unwrap_or_else(|e| panic!("{name} names no shipped rulebook: {e}"));
        assert_eq!(
            &shipped, text,
            "{name} is stale; copy rulebooks/{file} again"
        );
    }
}
