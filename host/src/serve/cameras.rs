//! hall.toml `[cameras]`: the VISCA over IP cameras and the preset each seat is shown with
//! (cameras follow the speaker, `crate::camera`).
//!
//! ```toml
//! [cameras]
//! overview = { camera = "front", preset = 0 }
//! [[cameras.units]]
//! id = "front"
//! address = "10.20.0.31:52381"
//! [[cameras.shots]]
//! seat = 3
//! camera = "front"
//! preset = 3
//! ```

use crate::camera::{CameraPlan, Shot};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// `[cameras]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CamerasSection {
    /// The shot when nobody speaks.
    pub overview: Option<ShotEntry>,
    /// The cameras.
    #[serde(default)]
    pub units: Vec<CameraUnit>,
    /// The seats' shots.
    #[serde(default)]
    pub shots: Vec<SeatShot>,
}

/// One camera.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraUnit {
    /// Its id, named by the shots.
    pub id: String,
    /// `host:port` of its VISCA over IP interface (port 52381 on Sony cameras).
    pub address: SocketAddr,
}

/// A camera and a preset.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShotEntry {
    /// The camera's id.
    pub camera: String,
    /// The preset, 0–255.
    pub preset: u8,
}

/// A seat's shot.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatShot {
    /// The seat number.
    pub seat: u32,
    /// The camera's id.
    pub camera: String,
    /// The preset, 0–255.
    pub preset: u8,
}

/// The checked section: the cameras by id, and the plan.
pub type Cameras = (BTreeMap<String, SocketAddr>, CameraPlan);

impl CamerasSection {
    /// The cameras by id, and the plan; `Err((key, message))` names the first bad entry
    /// (a duplicate camera, a shot naming no listed camera, a seat given twice).
    pub fn plan(&self) -> Result<Cameras, (String, String)> {
        let mut units = BTreeMap::new();
        for (i, u) in self.units.iter().enumerate() {
            if units.insert(u.id.clone(), u.address).is_some() {
                return Err((
                    format!("cameras.units[{i}].id"),
                    format!("camera “{}” is listed twice", u.id),
                ));
            }
        }
        let known = |key: String, camera: &str| {
            if units.contains_key(camera) {
                Ok(())
            } else {
                Err((
                    key,
                    format!("camera “{camera}” is not in [[cameras.units]]"),
                ))
            }
        };
        let mut plan = CameraPlan::default();
        if let Some(o) = &self.overview {
            known("cameras.overview.camera".into(), &o.camera)?;
            plan.overview = Some(Shot {
                camera: o.camera.clone(),
                preset: o.preset,
            });
        }
        for (i, s) in self.shots.iter().enumerate() {
            known(format!("cameras.shots[{i}].camera"), &s.camera)?;
            let shot = Shot {
                camera: s.camera.clone(),
                preset: s.preset,
            };
            if plan.seats.insert(s.seat, shot).is_some() {
                return Err((
                    format!("cameras.shots[{i}].seat"),
                    format!("seat {} has two shots", s.seat),
                ));
            }
        }
        Ok((units, plan))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> CamerasSection {
        toml::from_str(text).expect("toml")
    }

    #[test]
    fn a_plan_is_read_and_bad_entries_are_named() {
        let ok = parse(
            "overview = { camera = \"front\", preset = 0 }\n\
             [[units]]\nid = \"front\"\naddress = \"127.0.0.1:52381\"\n\
             [[shots]]\nseat = 3\ncamera = \"front\"\npreset = 3\n",
        );
        let (units, plan) = ok.plan().expect("plan");
        assert_eq!(units["front"].port(), 52381);
        assert_eq!(plan.seats[&3].preset, 3);
        assert_eq!(plan.overview.expect("overview").preset, 0);

        let unknown = parse("[[shots]]\nseat = 3\ncamera = \"side\"\npreset = 3\n");
        assert_eq!(unknown.plan().unwrap_err().0, "cameras.shots[0].camera");
        let twice = parse(
            "[[units]]\nid = \"a\"\naddress = \"127.0.0.1:1\"\n\
             [[shots]]\nseat = 3\ncamera = \"a\"\npreset = 3\n\
             [[shots]]\nseat = 3\ncamera = \"a\"\npreset = 4\n",
        );
        assert_eq!(twice.plan().unwrap_err().0, "cameras.shots[1].seat");
        assert!(
            toml::from_str::<CamerasSection>("[[shots]]\nseat = 3\ncamera = \"a\"\npreset = 300\n")
                .is_err(),
            "a preset above 255 is refused"
        );
    }
}
