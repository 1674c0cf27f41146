//! What the figures were measured on: CPU model, cores, memory, OS, rustc, load at start.

use serde_json::{Value, json};

fn first_line_with(path: &str, key: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()?.lines().find_map(|l| {
        l.strip_prefix(key).map(|rest| {
            rest.trim_start_matches([' ', '\t', ':', '='])
                .trim()
                .trim_matches('"')
                .to_owned()
        })
    })
}

fn command(cmd: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(cmd).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The machine description as JSON.
pub fn describe() -> Value {
    let mem_kb: f64 = first_line_with("/proc/meminfo", "MemTotal")
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(f64::NAN);
    json!({
        "cpu": first_line_with("/proc/cpuinfo", "model name").unwrap_or_default(),
        "cores": std::thread::available_parallelism().map_or(0, |c| c.get()),
        "memory_gib": mem_kb / 1024.0 / 1024.0,
        "os": first_line_with("/etc/os-release", "PRETTY_NAME").unwrap_or_default(),
        "kernel": command("uname", &["-r"]).unwrap_or_default(),
        "rustc": command("rustc", &["--version"]).unwrap_or_default(),
        "mosquitto": command("mosquitto", &["-h"]).and_then(|s| s.lines().next().map(str::to_owned)).unwrap_or_default(),
        "load_average_at_start": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    })
}
