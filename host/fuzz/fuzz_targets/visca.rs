//! Fuzzes the VISCA over IP reply decoder (`camera::visca::parse_reply`, what the host reads
//! from a camera on UDP 52381): arbitrary bytes in, never a panic; an accepted reply came from
//! at least a full header, and a refusal has a message.
#![no_main]

use huitang_host_fuzz::visca::parse_reply;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_reply(data) {
        Ok(_) => assert!(data.len() >= 9, "a reply needs a header and a payload"),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
