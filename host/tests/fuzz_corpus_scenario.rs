//! Replays the scenario fuzz corpus (`host/fuzz/corpus/scenario/seed-*`) as a regular test on
//! stable: the seeds load, and inputs that once crashed the loader (`seed-crash-*`, e.g. a seat
//! range of 633 million that allocated gigabytes, a vote duration of 3e76 s that panicked) now fail with an error naming the line.

use huitang::bus::rehearsal::Scenario;

#[test]
fn every_scenario_corpus_input_loads_or_fails_with_a_line() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/scenario");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus dir") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("seed-") {
            continue;
        }
        seen += 1;
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        match Scenario::parse(&text) {
            Ok(s) => {
                assert!(!name.starts_with("seed-crash-"), "{name} should be refused");
                assert!(s.members > 0, "{name}");
            }
            Err(e) => {
                assert!(name.starts_with("seed-crash-"), "{name}: {e}");
                let msg = e.to_string();
                assert!(
                    msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                        && msg.contains("line"),
                    "{name}: not a bilingual error naming the line: {msg}"
                );
            }
        }
    }
    assert!(seen >= 3, "the committed seeds are there");
}
