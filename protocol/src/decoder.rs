//! The streaming frame decoder: bytes in as they arrive from the UART, frames or typed errors out.
//!
//! It keeps at most [`MAX_FRAME_SIZE`] bytes. Every 0x00 ends a frame; bytes before the first
//! 0x00 after noise are reported as one error and dropped, so the decoder is back in step at the
//! next frame. Empty frames (consecutive 0x00, e.g. a preamble) are ignored silently.

use core::marker::PhantomData;

use crate::frame::{Frame, FrameError, MAX_FRAME_SIZE, cobs_decode, decode_raw};
use crate::messages::Message;

/// Streaming decoder for frames carrying `M` ([`crate::Up`] on the host, [`crate::Down`] on a
/// terminal).
pub struct FrameDecoder<M> {
    buf: [u8; MAX_FRAME_SIZE],
    len: usize,
    overflowed: bool,
    _message: PhantomData<fn() -> M>,
}

impl<M: Message> Default for FrameDecoder<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Message> FrameDecoder<M> {
    /// An empty decoder.
    pub const fn new() -> Self {
        FrameDecoder {
            buf: [0; MAX_FRAME_SIZE],
            len: 0,
            overflowed: false,
            _message: PhantomData,
        }
    }

    /// Drops any partial frame (e.g. after a reply timeout).
    pub fn reset(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }

    /// Whether part of a frame has been received.
    pub fn is_mid_frame(&self) -> bool {
        self.len > 0 || self.overflowed
    }

    /// Feeds one byte. Returns a result when the byte ends a frame (it is 0x00).
    pub fn push(&mut self, byte: u8) -> Option<Result<Frame<M>, FrameError>> {
        if byte != 0 {
            if self.len < MAX_FRAME_SIZE - 1 {
                self.buf[self.len] = byte;
                self.len += 1;
            } else {
                self.overflowed = true;
            }
            return None;
        }
        let len = core::mem::take(&mut self.len);
        if core::mem::take(&mut self.overflowed) {
            return Some(Err(FrameError::Oversize));
        }
        if len == 0 {
            return None;
        }
        Some(cobs_decode(&mut self.buf[..len]).and_then(decode_raw))
    }

    /// Feeds a slice; the returned iterator yields each completed frame or error in order.
    /// Bytes after the last delimiter stay buffered for the next call.
    pub fn feed<'a>(&'a mut self, bytes: &'a [u8]) -> Feed<'a, M> {
        Feed {
            decoder: self,
            bytes,
        }
    }
}

/// Iterator over the frames completed by [`FrameDecoder::feed`]; drop it early and the
/// remaining bytes are not consumed.
pub struct Feed<'a, M> {
    decoder: &'a mut FrameDecoder<M>,
    bytes: &'a [u8],
}

impl<M: Message> Iterator for Feed<'_, M> {
    type Item = Result<Frame<M>, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some((&byte, rest)) = self.bytes.split_first() {
            self.bytes = rest;
            if let Some(result) = self.decoder.push(byte) {
                return Some(result);
            }
        }
        None
    }
}
