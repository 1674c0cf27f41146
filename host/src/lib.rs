//! huitang: the host service of the Huitang meeting-hall controller.

pub mod app;
pub mod bus;
pub mod camera;
pub mod demo;
pub mod ledger;
pub mod meeting;
pub mod serve;
pub mod video;
pub mod web;
