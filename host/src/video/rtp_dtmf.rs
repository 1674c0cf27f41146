//! RFC 4733 keys from the RTP stream: a per-call UDP socket that we offer in our SDP,
//! reading only telephone-event packets (audio is not decoded; the hall hears the county
//! through the MCU or the codec, not through this controller).

use std::net::{IpAddr, SocketAddr};

use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

use super::dtmf::{TelephoneEvent, VoteSource, key_from_event};
use super::gateway::InputSender;
use super::site::SiteId;
use super::supervisor::CallInput;

/// The payload type we offer for `telephone-event/8000`.
pub const TELEPHONE_EVENT_PT: u8 = 101;

/// The parts of an RTP packet (RFC 3550 §5.1) that DTMF reception needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Payload type.
    pub payload_type: u8,
    /// RTP timestamp (one per DTMF event).
    pub timestamp: u32,
    /// Where the payload starts.
    pub payload_offset: usize,
}

/// Parses an RTP header, skipping CSRCs and a header extension. `None` if it is not RTP v2
/// or is truncated.
pub fn parse_rtp(packet: &[u8]) -> Option<RtpHeader> {
    if packet.len() < 12 || packet[0] >> 6 != 2 {
        return None;
    }
    let csrc = usize::from(packet[0] & 0x0f);
    let mut offset = 12 + 4 * csrc;
    if packet[0] & 0x10 != 0 {
        let ext = packet.get(offset + 2..offset + 4)?;
        offset += 4 + 4 * usize::from(u16::from_be_bytes([ext[0], ext[1]]));
    }
    if offset > packet.len() {
        return None;
    }
    Some(RtpHeader {
        payload_type: packet[1] & 0x7f,
        timestamp: u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]),
        payload_offset: offset,
    })
}

/// A bound RTP socket for one call.
pub struct RtpListener {
    socket: UdpSocket,
}

impl RtpListener {
    /// Binds on `ip` with an ephemeral port.
    pub async fn bind(ip: IpAddr) -> std::io::Result<Self> {
        Ok(RtpListener {
            socket: UdpSocket::bind(SocketAddr::new(ip, 0)).await?,
        })
    }

    /// The port to put in the SDP offer.
    pub fn port(&self) -> u16 {
        self.socket.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Reports each key once (at its first end packet) until `stop` is cancelled.
    pub async fn run(
        self,
        site: SiteId,
        attempt: u32,
        inputs: InputSender,
        stop: CancellationToken,
    ) {
        let mut buf = [0u8; 2048];
        let mut last_ts: Option<u32> = None;
        loop {
            let n = tokio::select! {
                () = stop.cancelled() => return,
                r = self.socket.recv_from(&mut buf) => match r {
                    Ok((n, _)) => n,
                    Err(_) => continue,
                },
            };
            let Some(h) = parse_rtp(&buf[..n]) else {
                continue;
            };
            if h.payload_type != TELEPHONE_EVENT_PT || last_ts == Some(h.timestamp) {
                continue;
            }
            if let Ok(ev) = TelephoneEvent::decode(&buf[h.payload_offset..n])
                && ev.end
                && let Some(key) = key_from_event(ev.event)
            {
                last_ts = Some(h.timestamp);
                let input = CallInput::Key {
                    key,
                    source: VoteSource::Rfc4733,
                };
                if inputs.send((site.clone(), attempt, input)).is_err() {
                    return;
                }
            }
        }
    }
}

/// The SDP offer: receive-only PCMU audio plus telephone-event on `port`.
pub fn sdp_offer(ip: IpAddr, port: u16) -> String {
    format!(
        "v=0\r\no=huitang 1 1 IN IP4 {ip}\r\ns=huitang\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0 {pt}\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-15\r\na=recvonly\r\n",
        pt = TELEPHONE_EVENT_PT
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn packet(pt: u8, ts: u32, payload: &[u8], csrc: u8, ext_words: Option<u16>) -> Vec<u8> {
        let mut p = vec![0x80 | csrc | if ext_words.is_some() { 0x10 } else { 0 }, pt];
        p.extend_from_slice(&7u16.to_be_bytes());
        p.extend_from_slice(&ts.to_be_bytes());
        p.extend_from_slice(&0x1234_5678u32.to_be_bytes());
        p.extend(std::iter::repeat_n(0u8, 4 * usize::from(csrc)));
        if let Some(w) = ext_words {
            p.extend_from_slice(&[0xbe, 0xde]);
            p.extend_from_slice(&w.to_be_bytes());
            p.extend(std::iter::repeat_n(0u8, 4 * usize::from(w)));
        }
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn telephone_event_packet_yields_its_key() {
        let ev = TelephoneEvent {
            event: 2,
            end: true,
            volume: 10,
            duration: 800,
        };
        let p = packet(101, 4000, &ev.encode(), 2, Some(1));
        let h = parse_rtp(&p).unwrap();
        assert_eq!(h.payload_type, 101);
        assert_eq!(h.timestamp, 4000);
        assert_eq!(TelephoneEvent::decode(&p[h.payload_offset..]), Ok(ev));
    }

    #[test]
    fn non_rtp_and_truncated_packets_are_ignored() {
        assert_eq!(parse_rtp(&[0u8; 11]), None);
        assert_eq!(parse_rtp(&[0x40; 20]), None);
        let mut p = packet(101, 1, &[], 0, Some(3));
        p.truncate(18);
        assert_eq!(parse_rtp(&p), None);
    }

    proptest! {
        #[test]
        fn parse_rtp_never_panics_and_stays_in_bounds(p in proptest::collection::vec(any::<u8>(), 0..100)) {
            if let Some(h) = parse_rtp(&p) {
                prop_assert!(h.payload_offset <= p.len());
            }
        }
    }
}
