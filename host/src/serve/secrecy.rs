//! The secrecy profile (涉密会议) of hall.toml: `[secrecy]` for halls that hold classified
//! meetings. With it the host starts no wireless or external path:
//!
//! - no video link: `[video]` (SIP to county rooms) is refused and not started;
//! - MQTT only over a wired interface named in `wired_interfaces`: the broker must be an IP
//!   address (a host name may resolve to any path) that the host reaches over one of them, or
//!   the loopback; otherwise `[mqtt]` is refused and not started;
//! - no listener on every interface: the console must listen on the loopback or an address of
//!   a named wired interface, never `0.0.0.0` or `::` (that is a configuration error, since the
//!   hall cannot run without its console). `huitang serve` runs no embedded broker at all.
//!
//! A named interface that does not exist or is wireless is a configuration error. What was
//! refused is printed by `huitang serve --check` and at start-up.
//!
//! The review is sans-IO ([`review`] over [`NetFacts`]); [`NetFacts::read`] reads the machine's
//! interfaces from `/sys/class/net` and its routes from `/proc/net/route` and
//! `/proc/net/ipv6_route`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use serde::Deserialize;

/// `[secrecy]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecrecySection {
    /// The wired interfaces (e.g. `eth0`) MQTT and the console may use; may be empty (loopback
    /// only).
    #[serde(default)]
    pub wired_interfaces: Vec<String>,
}

/// A path the profile did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The section refused, `video` or `mqtt`.
    pub section: &'static str,
    /// Why, in Chinese then English.
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]: {}", self.section, self.reason)
    }
}

/// One route of the machine: destination network, prefix length, outgoing interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Destination network.
    pub net: IpAddr,
    /// Prefix length in bits.
    pub prefix: u8,
    /// Interface name.
    pub interface: String,
}

/// What the review needs to know of the machine.
#[derive(Debug, Clone, Default)]
pub struct NetFacts {
    /// Interface name → whether it is wireless.
    pub interfaces: BTreeMap<String, bool>,
    /// Usable routes (rejecting and down routes left out).
    pub routes: Vec<Route>,
}

/// The paths the configuration asks for, as the review sees them.
#[derive(Debug, Clone)]
pub struct Paths<'a> {
    /// `web.listen`.
    pub console: SocketAddr,
    /// `mqtt.host`, when `[mqtt]` is present.
    pub mqtt_host: Option<&'a str>,
    /// Number of county sites, when `[video]` is present.
    pub video_sites: Option<usize>,
    /// The camera addresses, when `[cameras]` is present.
    pub cameras: Option<Vec<IpAddr>>,
}

/// Reviews `paths` against the profile: the refused paths, or `(key, message)` for a
/// configuration the profile cannot run at all.
pub fn review(
    profile: &SecrecySection,
    paths: Paths<'_>,
    net: &NetFacts,
) -> Result<Vec<Refusal>, (String, String)> {
    for (i, name) in profile.wired_interfaces.iter().enumerate() {
        let key = format!("secrecy.wired_interfaces[{i}]");
        match net.interfaces.get(name) {
            None => {
                return Err((
                    key,
                    format!("本机没有接口 {name} / no interface {name} on this machine"),
                ));
            }
            Some(true) => {
                return Err((
                    key,
                    format!("{name} 是无线接口 / {name} is a wireless interface"),
                ));
            }
            Some(false) => {}
        }
    }
    let named = |ip: IpAddr| -> Result<(), String> {
        if ip.is_loopback() {
            return Ok(());
        }
        match net.route(ip) {
            Some(i) if profile.wired_interfaces.iter().any(|w| w == i) => Ok(()),
            Some(i) => Err(format!(
                "{ip} 经接口 {i}，不在 [secrecy] 所列有线接口中 / {ip} is reached over {i}, not a wired interface named in [secrecy]"
            )),
            None => Err(format!("{ip} 无路由 / no route to {ip}")),
        }
    };
    let console = paths.console.ip();
    if console.is_unspecified() {
        return Err((
            "web.listen".into(),
            format!(
                "{console} 监听所有接口（含无线）；涉密模式须为回环地址或所列有线接口的地址 / {console} listens on every interface, wireless too; the secrecy profile needs the loopback or an address of a wired interface named in [secrecy]"
            ),
        ));
    }
    named(console).map_err(|m| ("web.listen".to_owned(), m))?;

    let mut refused = Vec::new();
    if let Some(sites) = paths.video_sites {
        refused.push(Refusal {
            section: "video",
            reason: format!(
                "涉密模式不接视频会议，{sites} 个县区会场不拨号 / no video link in the secrecy profile: {sites} county site(s) not dialled"
            ),
        });
    }
    if let Some(host) = paths.mqtt_host {
        let why = match host.parse::<IpAddr>() {
            Err(_) => Some(format!(
                "代理 {host} 是主机名，可解析到任意路径；请写有线网段的 IP / broker {host} is a host name that may resolve to any path; give an IP address on a wired interface"
            )),
            Ok(ip) => named(ip).err(),
        };
        if let Some(why) = why {
            refused.push(Refusal {
                section: "mqtt",
                reason: format!("MQTT 席位不启动 / MQTT seats not started: {why}"),
            });
        }
    }
    if let Some(cameras) = &paths.cameras {
        let why: Vec<String> = cameras.iter().filter_map(|ip| named(*ip).err()).collect();
        if !why.is_empty() {
            refused.push(Refusal {
                section: "cameras",
                reason: format!(
                    "摄像机跟踪不启动 / cameras do not follow the speaker: {}",
                    why.join("; ")
                ),
            });
        }
    }
    Ok(refused)
}

impl NetFacts {
    /// The interface the longest matching route sends `ip` over.
    pub fn route(&self, ip: IpAddr) -> Option<&str> {
        self.routes
            .iter()
            .filter(|r| in_net(ip, r.net, r.prefix))
            .max_by_key(|r| r.prefix)
            .map(|r| r.interface.as_str())
    }

    /// Reads this machine's interfaces and routes (Linux).
    pub fn read() -> std::io::Result<NetFacts> {
        let mut interfaces = BTreeMap::new();
        for entry in std::fs::read_dir("/sys/class/net")? {
            let entry = entry?;
            let path = entry.path();
            let wireless = path.join("wireless").exists() || path.join("phy80211").exists();
            interfaces.insert(entry.file_name().to_string_lossy().into_owned(), wireless);
        }
        let mut routes = Vec::new();
        if let Ok(text) = std::fs::read_to_string("/proc/net/route") {
            routes.extend(parse_route_v4(&text));
        }
        if let Ok(text) = std::fs::read_to_string(Path::new("/proc/net/ipv6_route")) {
            routes.extend(parse_route_v6(&text));
        }
        Ok(NetFacts { interfaces, routes })
    }
}

const RTF_UP: u32 = 0x0001;
const RTF_REJECT: u32 = 0x0200;

fn usable(flags: u32) -> bool {
    flags & RTF_UP != 0 && flags & RTF_REJECT == 0
}

/// `/proc/net/route`: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex, the
/// addresses as the host-order print of network-order bytes).
fn parse_route_v4(text: &str) -> Vec<Route> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let hex = |s: &str| u32::from_str_radix(s, 16).ok();
            let (dest, flags, mask) = (hex(f.get(1)?)?, hex(f.get(3)?)?, hex(f.get(7)?)?);
            usable(flags).then(|| Route {
                net: IpAddr::V4(Ipv4Addr::from(dest.to_ne_bytes())),
                prefix: mask.count_ones() as u8,
                interface: f[0].to_owned(),
            })
        })
        .collect()
}

/// `/proc/net/ipv6_route`: dest prefix src src_prefix next_hop metric refcnt use flags iface.
fn parse_route_v6(text: &str) -> Vec<Route> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let dest = u128::from_str_radix(f.first()?, 16).ok()?;
            let prefix = u8::from_str_radix(f.get(1)?, 16).ok()?;
            let flags = u32::from_str_radix(f.get(8)?, 16).ok()?;
            let interface = (*f.get(9)?).to_owned();
            usable(flags).then(|| Route {
                net: IpAddr::V6(Ipv6Addr::from(dest)),
                prefix,
                interface,
            })
        })
        .collect()
}

fn in_net(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n\
wlan0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

    const ROUTE6: &str = "\
fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
";

    fn machine() -> NetFacts {
        let mut routes = parse_route_v4(ROUTE);
        routes.extend(parse_route_v6(ROUTE6));
        NetFacts {
            interfaces: [
                ("eth0".into(), false),
                ("wlan0".into(), true),
                ("lo".into(), false),
            ]
            .into(),
            routes,
        }
    }

    fn paths(console: &str, mqtt: Option<&'static str>, video: Option<usize>) -> Paths<'static> {
        Paths {
            console: console.parse().unwrap(),
            mqtt_host: mqtt,
            video_sites: video,
            cameras: None,
        }
    }

    fn wired(names: &[&str]) -> SecrecySection {
        SecrecySection {
            wired_interfaces: names.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn proc_routes_are_read_in_host_byte_order_and_reject_routes_are_left_out() {
        let net = machine();
        assert_eq!(net.route("192.0.2.9".parse().unwrap()), Some("eth0"));
        assert_eq!(net.route("192.168.0.7".parse().unwrap()), Some("wlan0"));
        assert_eq!(net.route("203.0.113.1".parse().unwrap()), Some("eth0"));
        assert_eq!(net.route("fd00::5".parse().unwrap()), Some("eth0"));
        assert_eq!(net.route("2001:db8::1".parse().unwrap()), None);
    }

    #[test]
    fn cameras_reached_over_wifi_are_refused_and_wired_or_loopback_ones_kept() {
        let net = machine();
        let with = |ips: &[&str]| Paths {
            cameras: Some(ips.iter().map(|ip| ip.parse().unwrap()).collect()),
            ..paths("127.0.0.1:8443", None, None)
        };
        let kept = review(&wired(&["eth0"]), with(&["192.0.2.31", "127.0.0.1"]), &net).unwrap();
        assert!(kept.is_empty(), "{kept:?}");
        let refused = review(
            &wired(&["eth0"]),
            with(&["192.0.2.31", "192.168.0.40"]),
            &net,
        )
        .unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].section, "cameras");
        assert!(
            refused[0].reason.contains("192.168.0.40"),
            "{}",
            refused[0].reason
        );
        assert!(refused[0].reason.contains("wlan0"), "{}", refused[0].reason);
    }

    #[test]
    fn video_is_refused_and_a_broker_on_a_named_wired_interface_is_kept() {
        let r = review(
            &wired(&["eth0"]),
            paths("192.0.2.2:8443", Some("192.0.2.10"), Some(3)),
            &machine(),
        )
        .unwrap();
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].section, "video");
        assert!(r[0].reason.contains("3 county site(s)"), "{}", r[0]);
    }

    #[test]
    fn a_broker_over_wireless_by_name_or_off_the_named_interfaces_is_refused() {
        for (host, why) in [
            ("192.168.0.7", "reached over wlan0"),
            ("broker.hall", "host name"),
            ("2001:db8::1", "no route"),
        ] {
            let r = review(
                &wired(&["eth0"]),
                paths("127.0.0.1:8443", Some(host), None),
                &machine(),
            )
            .unwrap();
            assert_eq!(r.len(), 1, "{host}: {r:?}");
            assert_eq!(r[0].section, "mqtt");
            assert!(r[0].reason.contains(why), "{host}: {}", r[0]);
        }
        let none_named = review(
            &wired(&[]),
            paths("127.0.0.1:8443", Some("192.0.2.10"), None),
            &machine(),
        )
        .unwrap();
        assert!(none_named[0].reason.contains("reached over eth0"));
        let loopback = review(
            &wired(&[]),
            paths("127.0.0.1:8443", Some("127.0.0.1"), None),
            &machine(),
        )
        .unwrap();
        assert!(loopback.is_empty(), "{loopback:?}");
    }

    #[test]
    fn a_console_on_every_interface_or_over_wireless_cannot_run_the_profile() {
        for console in ["0.0.0.0:8443", "[::]:8443", "192.168.0.3:8443"] {
            let (key, _) =
                review(&wired(&["eth0"]), paths(console, None, None), &machine()).unwrap_err();
            assert_eq!(key, "web.listen", "{console}");
        }
    }

    #[test]
    fn a_named_wireless_or_missing_interface_is_a_configuration_error() {
        let (key, m) = review(
            &wired(&["eth0", "wlan0"]),
            paths("127.0.0.1:1", None, None),
            &machine(),
        )
        .unwrap_err();
        assert_eq!(key, "secrecy.wired_interfaces[1]");
        assert!(m.contains("wireless"), "{m}");
        let (_, m) = review(
            &wired(&["eth9"]),
            paths("127.0.0.1:1", None, None),
            &machine(),
        )
        .unwrap_err();
        assert!(m.contains("no interface eth9"), "{m}");
    }
}
