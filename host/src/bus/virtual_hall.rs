//! Connects a running [`VirtualHall`] to the host's buses: one serial bus master per virtual
//! RS-485 segment (seat map from the seats' hardware ids and addresses) and, when the hall has
//! MQTT seats, the MQTT transport with their terminal ids. Used by `huitang rehearse`, the
//! benchmark and `huitang demo`.

use huitang_hallsim::{SeatInfo, SeatLinkKind, VirtualHall};

use super::hub::BusHub;
use super::mqtt::MqttSettings;
use super::serial::{BusConfig, SeatBinding};
use super::terminal::TerminalId;
use crate::meeting::SeatId;

/// The seat map of virtual serial bus `bus`.
pub fn serial_bindings(seats: &[SeatInfo], bus: usize) -> Vec<SeatBinding> {
    seats
        .iter()
        .filter_map(|s| match s.link {
            SeatLinkKind::Serial { bus: b, address } if b == bus => Some(SeatBinding {
                hardware_id: s.hardware_id,
                address,
                seat: SeatId(s.seat),
            }),
            _ => None,
        })
        .collect()
}

/// Takes the virtual hall's serial ports into `hub` (one master each) and, if `mqtt` is
/// given and the hall has MQTT seats, starts the MQTT transport for them.
pub fn connect(vhall: &mut VirtualHall, hub: &mut BusHub, mqtt: Option<MqttSettings>) {
    let seats = vhall.seats();
    for (bus, port) in vhall.take_serial_ports().into_iter().enumerate() {
        let config = BusConfig::new(format!("virtual-{bus}"), serial_bindings(&seats, bus));
        hub.add_serial(config, port);
    }
    let map: Vec<(TerminalId, SeatId)> = seats
        .iter()
        .filter(|s| s.link == SeatLinkKind::Mqtt)
        .map(|s| (TerminalId(s.terminal.clone()), SeatId(s.seat)))
        .collect();
    if let Some(settings) = mqtt.filter(|_| !map.is_empty()) {
        hub.add_mqtt(settings, map);
    }
}
