//! huitang-e2e: helpers shared by the end-to-end tests and the benchmark (peer processes,
//! ephemeral ports).

pub mod mosquitto;
