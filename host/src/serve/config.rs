//! `hall.toml`: the production configuration of `huitang serve`. Every key is documented in
//! [`KEYS_HELP`] (printed by `huitang serve --help`) and in `deploy/hall.toml`, the sample.
//! Loading checks the whole file before anything starts: a bad key, a duplicate seat, an
//! address off the bus, a password that is not an argon2 hash, a rulebook that does not load —
//! each is a clear error naming the key (and, for syntax, the line).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use huitang_protocol::HardwareId;
use serde::Deserialize;

use crate::meeting::{CheckInMode, Rulebook};
use crate::web::hall::{HallConfig, Person, SiteConfig as ConsoleSite};
use crate::web::users::{Role, UserDirectory};

/// The reference of every key, as `huitang serve --help` prints it.
pub const KEYS_HELP: &str = "\
hall.toml keys (see deploy/hall.toml for a complete sample):

[hall]
  id                MQTT hall id, the {hall} in huitang/{hall}/seat/... (required)
  name              hall name for logs and the banner (required)
  utc_offset_hours  hours east of UTC for times the clerk types and reads (default 8)
  check_in_mode     assigned-seat | any-seat | entrance (default assigned-seat)
  rulebooks         embedded city rulebooks offered, the first is the default
                    (wuxi, zhuzhou, rizhao, jiaxing, shangcheng; default [\"wuxi\"])
  rulebook_files    paths of the hall's own rulebook files, offered after the embedded ones

[ledger]
  url               SQLite file path (or sqlite://PATH) or postgres://user@host/db (required)
  suite             sha256-ed25519 (default) | sm3-sm2 (商用密码: SM3 chain, SM2 checkpoints)
  signing_key       checkpoint signing key file (default ledger-signing.key beside this
                    file; made by `huitang keygen`, or at first start if missing)
  anchor            copy every checkpoint to a file on another disk or a postgres:// URL of
                    another database; check with `huitang verify --anchor`
  checkpoint_every_events   sign after this many unsigned events (default 1000)
  checkpoint_every_minutes  sign unsigned events after this many minutes (default 5)
                    (meeting adjourned, vote closed and sign-in closed are always signed)

[web]
  listen            console address, e.g. 0.0.0.0:8443 (required)
  tls_cert          PEM certificate chain; with tls_key the console is served over HTTPS
  tls_key           PEM private key (PKCS#8, PKCS#1 or SEC1)
  session_idle_minutes      a session unused this long ends (default 30)
  session_absolute_hours    a session ends this long after login however busy (default 12)

[[users]]           console logins (at least one admin)
  login, name       login name and the name shown and recorded
  role              admin | clerk | chair | display | fire_panel (only POST /api/fire-alarm)
  password_hash     argon2 PHC string, from `huitang hash-password`

[[people]]          who may sit in the hall's meetings
  id, name, role    stable id, printed name, rulebook role id (mayor, vice-mayor, ...)
  seat              assigned seat number (optional)
  cards             card UIDs in hex (optional)
  observer          true for invited observers (列席) (default false)

[[serial]]          one RS-485 segment per port
  port              device path, e.g. /dev/ttyUSB0 (required)
  baud              line speed (default 115200, the protocol's)
  seats             [{ hardware_id = \"24 hex digits\", address = 1..247, seat = N }, ...]

[mqtt]              seats on MQTT (optional section)
  host, port        the broker (port default 1883, or 8883 with tls_ca)
  username          the host's MQTT login
  password_file     file holding the host's MQTT password (not the password itself)
  tls_ca            PEM CA certificate of the broker: connect over TLS
  client_id         MQTT client id of the host (default huitang-host-{hall.id})
  terminals         [{ id = \"terminal id\", seat = N }, ...]

[video]             county rooms by SIP (optional section)
  sip_bind          local SIP UDP address, e.g. 0.0.0.0:5060 (required with [video])
  sip_user          user part of our SIP URI (default huitang)
  loss_grace_seconds        a lost room's members count as absent after this; overrides
                            the rulebook's remote.loss_grace of each meeting (default: unset)
  [[video.sites]]   id, name, uri (sip:room@host:port), members = [person ids]

[cameras]           cameras that follow the speaker, VISCA over IP (optional section)
  overview          { camera = \"id\", preset = 0-255 }: the shot when nobody speaks
  [[cameras.units]] id, address (\"ip:52381\")
  [[cameras.shots]] seat = N, camera = \"id\", preset = 0-255

[fire_alarm]        the fire panel's dry contact (消防联动, optional section); the panel's
                    integration may instead call POST /api/fire-alarm with a fire_panel login
  contact           GPIO value file, e.g. /sys/class/gpio/gpio17/value (\"1\" = alarm)
  active_low        true: \"0\" is the alarm (normally-closed contact) (default false)
  poll_ms           how often it is read, 20-2000 (default 200)

[secrecy]           secrecy profile (涉密会议, optional section): no wireless or external path
  wired_interfaces  wired interfaces MQTT and the console may use, e.g. [\"eth0\"] (must
                    exist and not be wireless; empty: loopback only). [video] is refused; [mqtt]
                    is refused unless its host is an IP reached over one of them or the
                    loopback; web.listen must not be 0.0.0.0 or ::. `serve --check` and the
                    start-up banner list what was refused.
";

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// `[hall]`.
    pub hall: HallSection,
    /// `[ledger]`.
    pub ledger: LedgerSection,
    /// `[web]`.
    pub web: WebSection,
    /// `[[users]]`.
    #[serde(default)]
    pub users: Vec<UserEntry>,
    /// `[[people]]`.
    #[serde(default)]
    pub people: Vec<Person>,
    /// `[[serial]]`.
    #[serde(default)]
    pub serial: Vec<SerialSection>,
    /// `[mqtt]`.
    pub mqtt: Option<MqttSection>,
    /// `[video]`.
    pub video: Option<VideoSection>,
    /// `[secrecy]`: the secrecy profile (涉密会议).
    pub secrecy: Option<super::secrecy::SecrecySection>,
    /// `[cameras]`: cameras that follow the speaker (VISCA over IP).
    pub cameras: Option<super::cameras::CamerasSection>,
    /// `[fire_alarm]`: the fire panel's contact.
    pub fire_alarm: Option<super::fire_alarm::FireAlarmSection>,
}

/// `[hall]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HallSection {
    /// MQTT hall id.
    pub id: String,
    /// Hall name.
    pub name: String,
    /// Hours east of UTC.
    #[serde(default = "default_offset")]
    pub utc_offset_hours: i8,
    /// How card taps sign people in.
    #[serde(default = "default_mode")]
    pub check_in_mode: String,
    /// Embedded rulebooks offered.
    #[serde(default = "default_rulebooks")]
    pub rulebooks: Vec<String>,
    /// The hall's own rulebook files.
    #[serde(default)]
    pub rulebook_files: Vec<PathBuf>,
}

fn default_offset() -> i8 {
    8
}
fn default_mode() -> String {
    "assigned-seat".into()
}
fn default_rulebooks() -> Vec<String> {
    vec!["wuxi".into()]
}

/// `[ledger]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSection {
    /// SQLite path or PostgreSQL URL.
    pub url: String,
    /// Suite, key, checkpoint policy and anchor.
    #[serde(flatten)]
    pub signing: super::signing::SigningSection,
}

/// `[web]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSection {
    /// Console address.
    pub listen: SocketAddr,
    /// PEM certificate chain.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key.
    pub tls_key: Option<PathBuf>,
    /// Idle session lifetime.
    #[serde(default = "default_idle")]
    pub session_idle_minutes: u64,
    /// Absolute session lifetime.
    #[serde(default = "default_absolute")]
    pub session_absolute_hours: u64,
}

fn default_idle() -> u64 {
    30
}
fn default_absolute() -> u64 {
    12
}

/// One `[[users]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// Login name.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// argon2 PHC hash.
    pub password_hash: String,
}

/// One `[[serial]]` segment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialSection {
    /// Device path.
    pub port: String,
    /// Line speed.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// Seat map.
    #[serde(default)]
    pub seats: Vec<SerialSeat>,
}

fn default_baud() -> u32 {
    huitang_protocol::timing::BAUD_RATE
}

/// One seat of a segment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialSeat {
    /// Factory-unique id.
    pub hardware_id: HardwareId,
    /// Bus address.
    pub address: u8,
    /// Seat number.
    pub seat: u32,
}

/// `[mqtt]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSection {
    /// Broker host.
    pub host: String,
    /// Broker port.
    pub port: Option<u16>,
    /// Host's MQTT login.
    pub username: Option<String>,
    /// File with the host's MQTT password.
    pub password_file: Option<PathBuf>,
    /// Broker CA (enables TLS).
    pub tls_ca: Option<PathBuf>,
    /// Client id.
    pub client_id: Option<String>,
    /// Terminals on MQTT.
    #[serde(default)]
    pub terminals: Vec<MqttTerminal>,
}

/// One MQTT terminal.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttTerminal {
    /// Terminal id in topics.
    pub id: String,
    /// Seat number.
    pub seat: u32,
}

/// `[video]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoSection {
    /// Local SIP address.
    pub sip_bind: SocketAddr,
    /// User part of our URI.
    #[serde(default = "default_sip_user")]
    pub sip_user: String,
    /// Grace before a lost room's members are absent; unset: the meeting's rulebook value.
    pub loss_grace_seconds: Option<u64>,
    /// The county rooms.
    #[serde(default)]
    pub sites: Vec<VideoSite>,
}

fn default_sip_user() -> String {
    "huitang".into()
}

/// One county room.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoSite {
    /// Site id.
    pub id: String,
    /// Console name.
    pub name: String,
    /// SIP URI.
    pub uri: String,
    /// Person ids of the members who sit there.
    #[serde(default)]
    pub members: Vec<String>,
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// TOML syntax or a key of the wrong type or name (the message gives the line).
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// toml's message, with line and column.
        message: String,
    },
    /// A value that parses but cannot work.
    #[error("{path}: {key}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The key, e.g. `serial[0].seats[3].address`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// What `huitang serve` runs on, checked and resolved.
#[derive(Debug)]
pub struct Resolved {
    /// The parsed file.
    pub file: ServeConfig,
    /// The hall's standing configuration for the console.
    pub hall: HallConfig,
    /// Console logins.
    pub users: UserDirectory,
    /// The host's MQTT password, read from its file.
    pub mqtt_password: Option<String>,
    /// The broker CA, read from its file.
    pub mqtt_ca: Option<Vec<u8>>,
    /// The ledger signing.
    pub signing: super::signing::SigningPlan,
    /// The paths the secrecy profile refused (removed from `file`, not started).
    pub refused: Vec<super::secrecy::Refusal>,
    /// `[cameras]` checked: the cameras by id and which shot each seat has.
    pub cameras: Option<super::cameras::Cameras>,
    /// `[fire_alarm]` checked: the contact to watch.
    pub fire_contact: Option<crate::app::FireContact>,
}

impl ServeConfig {
    /// Parses `text` (named `path` in errors) without touching the files it names.
    pub fn parse(text: &str, path: &str) -> Result<ServeConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads, parses and checks `path`, and reads the files it names.
    pub fn load(path: &Path) -> Result<Resolved, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: name.clone(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let file = ServeConfig::parse(&text, &name)?;
        let net = match file.secrecy {
            Some(_) => super::secrecy::NetFacts::read().map_err(|e| ConfigError::Invalid {
                path: name.clone(),
                key: "secrecy".into(),
                message: format!("无法读取本机网络接口 / cannot read the network interfaces: {e}"),
            })?,
            None => super::secrecy::NetFacts::default(),
        };
        file.resolve_on(&name, base, &net)
    }

    /// [`ServeConfig::resolve_on`] on a machine without a secrecy profile to check.
    pub fn resolve(self, path: &str, base: &Path) -> Result<Resolved, ConfigError> {
        self.resolve_on(path, base, &super::secrecy::NetFacts::default())
    }

    /// Checks every value and reads the files the configuration names (relative paths are
    /// taken from `base`, the configuration file's directory); `[secrecy]` is reviewed against
    /// `net`, this machine's interfaces and routes, and the paths it refuses are removed.
    pub fn resolve_on(
        mut self,
        path: &str,
        base: &Path,
        net: &super::secrecy::NetFacts,
    ) -> Result<Resolved, ConfigError> {
        let bad = |key: String, message: String| ConfigError::Invalid {
            path: path.to_owned(),
            key,
            message,
        };
        let read = |key: &str, file: &Path| {
            std::fs::read(base.join(file)).map_err(|e| {
                bad(
                    key.to_owned(),
                    format!("cannot read {}: {e}", base.join(file).display()),
                )
            })
        };
        if self.hall.id.is_empty() || self.hall.id.contains(['/', '+', '#']) {
            return Err(bad(
                "hall.id".into(),
                "must be non-empty and contain no / + #".into(),
            ));
        }
        let check_in_mode = match self.hall.check_in_mode.as_str() {
            "assigned-seat" => CheckInMode::AssignedSeat,
            "any-seat" => CheckInMode::AnySeat,
            "entrance" => CheckInMode::Entrance,
            other => {
                return Err(bad(
                    "hall.check_in_mode".into(),
                    format!("“{other}”: expected assigned-seat, any-seat or entrance"),
                ));
            }
        };
        let mut rulebooks = Vec::new();
        for (i, city) in self.hall.rulebooks.iter().enumerate() {
            let book = Rulebook::embedded(city)
                .map_err(|e| bad(format!("hall.rulebooks[{i}]"), e.to_string()))?;
            rulebooks.push(book);
        }
        for (i, file) in self.hall.rulebook_files.iter().enumerate() {
            let book = Rulebook::load_file(&base.join(file))
                .map_err(|e| bad(format!("hall.rulebook_files[{i}]"), e.to_string()))?;
            rulebooks.push(book);
        }
        if rulebooks.is_empty() {
            return Err(bad("hall.rulebooks".into(), "no rulebook offered".into()));
        }
        let mut cameras = match &self.cameras {
            Some(c) => Some(c.plan().map_err(|(key, m)| bad(key, m))?),
            None => None,
        };
        let fire_contact = match &self.fire_alarm {
            Some(f) => Some(f.plan(base).map_err(|(key, m)| bad(key, m))?),
            None => None,
        };
        if self.web.tls_cert.is_some() != self.web.tls_key.is_some() {
            return Err(bad(
                "web.tls_cert".into(),
                "tls_cert and tls_key go together".into(),
            ));
        }

        if let (Some(cert), Some(key)) = (&self.web.tls_cert, &self.web.tls_key) {
            let (cert, key) = (base.join(cert), base.join(key));
            super::tls::server_config(&cert, &key).map_err(|e| bad("web.tls_cert".into(), e))?;
            self.web.tls_cert = Some(cert);
            self.web.tls_key = Some(key);
        }
        // A plain relative SQLite path is taken from the configuration's directory too.
        let url = &self.ledger.url;
        if !url.contains("://") && Path::new(url).is_relative() {
            self.ledger.url = base.join(url).display().to_string();
        } else if let Some(rest) = url.strip_prefix("sqlite://")
            && Path::new(rest).is_relative()
        {
            self.ledger.url = format!("sqlite://{}", base.join(rest).display());
        }

        let mut users = UserDirectory::new();
        for (i, u) in self.users.iter().enumerate() {
            let role = Role::parse(&u.role).ok_or_else(|| {
                bad(
                    format!("users[{i}].role"),
                    format!("“{}”: expected admin, clerk, chair or display", u.role),
                )
            })?;
            users
                .add_hashed(&u.login, &u.name, role, &u.password_hash)
                .map_err(|e| bad(format!("users[{i}]"), e.to_string()))?;
        }
        if !self.users.iter().any(|u| u.role == "admin") {
            return Err(bad(
                "users".into(),
                "at least one user with role admin".into(),
            ));
        }

        let mut person_ids = BTreeSet::new();
        let mut cards = BTreeSet::new();
        for (i, p) in self.people.iter().enumerate() {
            if !person_ids.insert(p.id.as_str()) {
                return Err(bad(format!("people[{i}].id"), format!("“{}” twice", p.id)));
            }
            for c in &p.cards {
                if c.is_empty() || !c.chars().all(|ch| ch.is_ascii_hexdigit()) {
                    return Err(bad(
                        format!("people[{i}].cards"),
                        format!("“{c}” is not a hex card UID"),
                    ));
                }
                if !cards.insert(c.to_ascii_uppercase()) {
                    return Err(bad(
                        format!("people[{i}].cards"),
                        format!("card {c} is issued twice"),
                    ));
                }
            }
        }

        let mut seats = BTreeSet::new();
        let mut seat_once = |key: String, seat: u32| {
            if seat == 0 {
                Err(bad(key, "seat numbers start at 1".into()))
            } else if !seats.insert(seat) {
                Err(bad(key, format!("seat {seat} is on two terminals")))
            } else {
                Ok(())
            }
        };
        for (b, bus) in self.serial.iter().enumerate() {
            let mut addresses = BTreeSet::new();
            let mut ids = BTreeSet::new();
            for (i, s) in bus.seats.iter().enumerate() {
                let key = format!("serial[{b}].seats[{i}]");
                if !(1..=247).contains(&s.address) {
                    return Err(bad(
                        format!("{key}.address"),
                        format!("{} is off the bus (1..=247)", s.address),
                    ));
                }
                if !addresses.insert(s.address) {
                    return Err(bad(
                        format!("{key}.address"),
                        format!("address {} twice on {}", s.address, bus.port),
                    ));
                }
                if !ids.insert(s.hardware_id) {
                    return Err(bad(
                        format!("{key}.hardware_id"),
                        format!("{} twice on {}", s.hardware_id, bus.port),
                    ));
                }
                seat_once(format!("{key}.seat"), s.seat)?;
            }
        }
        let mut mqtt_password = None;
        let mut mqtt_ca = None;
        if let Some(m) = &self.mqtt {
            let mut ids = BTreeSet::new();
            for (i, t) in m.terminals.iter().enumerate() {
                if t.id.is_empty() || t.id.contains(['/', '+', '#']) {
                    return Err(bad(
                        format!("mqtt.terminals[{i}].id"),
                        "must be non-empty and contain no / + #".into(),
                    ));
                }
                if !ids.insert(t.id.as_str()) {
                    return Err(bad(
                        format!("mqtt.terminals[{i}].id"),
                        format!("“{}” twice", t.id),
                    ));
                }
                seat_once(format!("mqtt.terminals[{i}].seat"), t.seat)?;
            }
            if m.username.is_some() != m.password_file.is_some() {
                return Err(bad(
                    "mqtt.username".into(),
                    "username and password_file go together".into(),
                ));
            }
            if let Some(file) = &m.password_file {
                let bytes = read("mqtt.password_file", file)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| bad("mqtt.password_file".into(), "not UTF-8".into()))?;
                mqtt_password = Some(text.trim_end_matches(['\r', '\n']).to_owned());
            }
            if let Some(file) = &m.tls_ca {
                mqtt_ca = Some(read("mqtt.tls_ca", file)?);
            }
        }
        let mut sites = Vec::new();
        if let Some(v) = &self.video {
            let mut ids = BTreeSet::new();
            for (i, s) in v.sites.iter().enumerate() {
                if !ids.insert(s.id.as_str()) {
                    return Err(bad(
                        format!("video.sites[{i}].id"),
                        format!("“{}” twice", s.id),
                    ));
                }
                if !s.uri.starts_with("sip:") {
                    return Err(bad(
                        format!("video.sites[{i}].uri"),
                        format!("“{}” is not a sip: URI", s.uri),
                    ));
                }
                if let Some(m) = s.members.iter().find(|m| !person_ids.contains(m.as_str())) {
                    return Err(bad(
                        format!("video.sites[{i}].members"),
                        format!("“{m}” is not in [[people]]"),
                    ));
                }
                sites.push(ConsoleSite {
                    id: s.id.clone(),
                    name: s.name.clone(),
                });
            }
        }
        // The whole file is checked first; then the secrecy profile removes what it refuses.
        let mut refused = Vec::new();
        if let Some(profile) = &self.secrecy {
            let paths = super::secrecy::Paths {
                console: self.web.listen,
                mqtt_host: self.mqtt.as_ref().map(|m| m.host.as_str()),
                video_sites: self.video.as_ref().map(|v| v.sites.len()),
                cameras: self
                    .cameras
                    .as_ref()
                    .map(|c| c.units.iter().map(|u| u.address.ip()).collect()),
            };
            refused = super::secrecy::review(profile, paths, net)
                .map_err(|(key, message)| bad(key, message))?;
        }
        for r in &refused {
            match r.section {
                "video" => {
                    self.video = None;
                    sites.clear();
                }
                "cameras" => {
                    self.cameras = None;
                    cameras = None;
                }
                _ => {
                    self.mqtt = None;
                    mqtt_password = None;
                    mqtt_ca = None;
                }
            }
        }
        let hall = HallConfig {
            rulebooks,
            check_in_mode,
            people: self.people.clone(),
            sites,
            utc_offset_hours: self.hall.utc_offset_hours,
        };
        let signing = self
            .ledger
            .signing
            .plan(base)
            .map_err(|(key, message)| bad(key, message))?;
        Ok(Resolved {
            file: self,
            hall,
            users,
            mqtt_password,
            mqtt_ca,
            signing,
            refused,
            cameras,
            fire_contact,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$3w7i5fZ1hDq3dNnG2Jd7Gk3bqjG2mN0vJc1wq8cX3dM";

    fn minimal() -> String {
        format!(
            r#"
[hall]
id = "wx"
name = "无锡市人民政府常务会议室"
[ledger]
url = "ledger.db"
[web]
listen = "127.0.0.1:0"
[[users]]
login = "admin"
name = "管理员"
role = "admin"
password_hash = "{HASH}"
[[serial]]
port = "/dev/ttyUSB0"
seats = [
  {{ hardware_id = "000000000000000000000001", address = 1, seat = 1 }},
  {{ hardware_id = "000000000000000000000002", address = 2, seat = 2 }},
]
"#
        )
    }

    fn resolve(text: &str) -> Result<Resolved, ConfigError> {
        ServeConfig::parse(text, "hall.toml")?.resolve("hall.toml", Path::new("."))
    }

    #[test]
    fn a_minimal_hall_resolves_with_wuxi_as_default_rulebook() {
        let r = resolve(&minimal()).unwrap();
        assert_eq!(r.hall.rulebooks[0].city, "wuxi");
        assert_eq!(r.file.serial[0].baud, 115_200);
        assert_eq!(r.hall.utc_offset_hours, 8);
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let text = minimal().replace("[ledger]", "[ledger]\nulr = \"x\"");
        let e = resolve(&text).unwrap_err().to_string();
        assert!(e.contains("ulr") && e.contains("line"), "{e}");
    }

    #[test]
    fn ledger_suite_and_checkpoint_policy_are_read_and_checked() {
        let text = minimal().replace(
            "url = \"ledger.db\"",
            "url = \"ledger.db\"\nsuite = \"sm3-sm2\"\ncheckpoint_every_events = 50\nanchor = \"/mnt/b/anchors\"",
        );
        let r = resolve(&text).unwrap();
        assert_eq!(r.signing.suite, crate::ledger::Suite::Sm3Sm2);
        assert_eq!(r.signing.policy.every_events, 50);
        let bad = minimal().replace(
            "url = \"ledger.db\"",
            "url = \"ledger.db\"\nsuite = \"md5\"",
        );
        let e = resolve(&bad).unwrap_err().to_string();
        assert!(e.contains("ledger.suite") && e.contains("sm3-sm2"), "{e}");
    }

    #[test]
    fn a_signing_key_of_another_suite_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k");
        crate::ledger::SoftwareSigner::generate(crate::ledger::Suite::Sha256Ed25519)
            .write_files(&key)
            .unwrap();
        let text = minimal().replace(
            "url = \"ledger.db\"",
            &format!(
                "url = \"ledger.db\"\nsuite = \"sm3-sm2\"\nsigning_key = {:?}",
                key.display().to_string()
            ),
        );
        let e = resolve(&text).unwrap_err().to_string();
        assert!(
            e.contains("ledger.signing_key") && e.contains("sha256-ed25519"),
            "{e}"
        );
    }

    #[test]
    fn two_terminals_on_one_seat_are_refused() {
        let text = minimal().replace("address = 2, seat = 2", "address = 2, seat = 1");
        let e = resolve(&text).unwrap_err().to_string();
        assert!(e.contains("serial[0].seats[1].seat"), "{e}");
    }

    #[test]
    fn an_address_off_the_bus_is_refused() {
        let text = minimal().replace("address = 2,", "address = 248,");
        let e = resolve(&text).unwrap_err().to_string();
        assert!(e.contains("off the bus"), "{e}");
    }

    #[test]
    fn a_clear_text_password_is_refused() {
        let text = minimal().replace(HASH, "hunter2");
        let e = resolve(&text).unwrap_err().to_string();
        assert!(e.contains("users[0]"), "{e}");
    }

    #[test]
    fn a_hall_without_admin_is_refused() {
        let text = minimal().replace("role = \"admin\"", "role = \"clerk\"");
        let e = resolve(&text).unwrap_err().to_string();
        assert!(e.contains("admin"), "{e}");
    }

    #[test]
    fn an_unknown_city_is_refused() {
        let text = minimal().replace(
            "name = \"无锡市人民政府常务会议室\"",
            "name = \"x\"\nrulebooks = [\"atlantis\"]",
        );
        let e = resolve(&text).unwrap_err().to_string();
        assert!(e.contains("hall.rulebooks[0]"), "{e}");
    }

    #[test]
    fn the_shipped_sample_is_complete_and_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
        let text = std::fs::read_to_string(dir.join("hall.toml")).unwrap();
        // The sample names files on the target machine; check everything else.
        let mut file = ServeConfig::parse(&text, "deploy/hall.toml").unwrap();
        if let Some(m) = &mut file.mqtt {
            m.password_file = None;
            m.username = None;
            m.tls_ca = None;
        }
        file.web.tls_cert = None;
        file.web.tls_key = None;
        let r = file.resolve("deploy/hall.toml", &dir).unwrap();
        assert!(!r.file.serial.is_empty() && r.file.mqtt.is_some() && r.file.video.is_some());
        for key in [
            "[hall]",
            "[ledger]",
            "[web]",
            "[[users]]",
            "[[people]]",
            "[[serial]]",
            "[mqtt]",
            "[video]",
            "[[video.sites]]",
        ] {
            assert!(text.contains(key), "sample lacks {key}");
            assert!(KEYS_HELP.contains(key), "help lacks {key}");
        }
    }
}
