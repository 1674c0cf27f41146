//! Small statistics: percentiles of a sample and the median/spread of repeated runs.

use serde_json::{Value, json};

/// The `q`-quantile (0..=1) of `xs` by nearest rank; `NaN` when empty.
pub fn percentile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// One figure measured in several runs.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Stable key in report.json.
    pub key: String,
    /// What it is, for REPORT.md.
    pub label: String,
    /// Unit (`ms`, `msg/s`, ...).
    pub unit: String,
    /// One value per run.
    pub runs: Vec<f64>,
}

impl Figure {
    pub fn new(key: &str, label: &str, unit: &str) -> Figure {
        Figure {
            key: key.into(),
            label: label.into(),
            unit: unit.into(),
            runs: Vec::new(),
        }
    }

    pub fn median(&self) -> f64 {
        percentile(&self.runs, 0.5)
    }

    pub fn min(&self) -> f64 {
        self.runs.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub fn max(&self) -> f64 {
        self.runs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    pub fn json(&self) -> Value {
        json!({
            "label": self.label, "unit": self.unit, "median": self.median(),
            "min": self.min(), "max": self.max(), "runs": self.runs,
        })
    }
}

/// Formats a number with sensible precision for the report.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        "n/a".into()
    } else if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}
