//! Helpers shared by the bus end-to-end tests.
#![allow(dead_code)]

pub mod mosquitto;
pub mod six_seats;
