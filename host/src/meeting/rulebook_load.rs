//! Loading rulebooks: the five shipped in the binary (with the source texts they quote) and a
//! hall's own file, each validated whole before use, with errors a clerk can act on.

use std::fmt;

use serde::Deserialize;

use super::rulebook::Rulebook;
use super::rulebook_check::{self, Problem};

/// The rulebooks shipped in the binary: (city id, file name, TOML text).
pub const EMBEDDED: [(&str, &str, &str); 5] = [
    (
        "jiaxing",
        "jiaxing.toml",
        include_str!("../../rulebooks/jiaxing.toml"),
    ),
    (
        "rizhao",
        "rizhao.toml",
        include_str!("../../rulebooks/rizhao.toml"),
    ),
    (
        "zhuzhou",
        "zhuzhou.toml",
        include_str!("../../rulebooks/zhuzhou.toml"),
    ),
    (
        "shangcheng",
        "shangcheng.toml",
        include_str!("../../rulebooks/shangcheng.toml"),
    ),
    (
        "wuxi",
        "wuxi.toml",
        include_str!("../../rulebooks/wuxi.toml"),
    ),
];

/// The source texts the shipped rulebooks quote, keyed by the `source_text` path they name.
pub const EMBEDDED_SOURCES: [(&str, &str); 5] = [
    (
        "sources/jiaxing.txt",
        include_str!("../../rulebooks/sources/jiaxing.txt"),
    ),
    (
        "sources/rizhao.txt",
        include_str!("../../rulebooks/sources/rizhao.txt"),
    ),
    (
        "sources/zhuzhou.txt",
        include_str!("../../rulebooks/sources/zhuzhou.txt"),
    ),
    (
        "sources/shangcheng.txt",
        include_str!("../../rulebooks/sources/shangcheng.txt"),
    ),
    (
        "sources/wuxi.txt",
        include_str!("../../rulebooks/sources/wuxi.txt"),
    ),
];

/// Why a rulebook could not be loaded or a city/kind was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulebookError {
    /// The file is not valid TOML or does not have the rulebook's shape.
    #[error("{origin}:{line}:{column}: 规则文件格式错误 / invalid rulebook: {message}")]
    Parse {
        /// File name or `embedded:CITY`.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The file parsed but breaks rulebook rules; every problem is listed.
    #[error("{origin}: 规则文件有 {} 处错误 / {} problem(s) in rulebook:\n{}", .problems.len(), .problems.len(), ProblemList(.problems))]
    Invalid {
        /// File name or `embedded:CITY`.
        origin: String,
        /// The problems, each with a line when one could be found.
        problems: Vec<Problem>,
    },
    /// No rulebook for this city.
    #[error("未知城市 “{city}” / unknown city “{city}”; 可用 / valid: {}", .known.join(", "))]
    UnknownCity {
        /// What was asked for.
        city: String,
        /// The cities that exist.
        known: Vec<String>,
    },
    /// The city has no such meeting kind.
    #[error("{city} 没有会议类型 “{kind}” / {city} has no meeting kind “{kind}”; 可用 / valid: {}", .known.join(", "))]
    UnknownKind {
        /// The city.
        city: String,
        /// What was asked for.
        kind: String,
        /// The kinds the city has.
        known: Vec<String>,
    },
    /// The file could not be read.
    #[error("无法读取规则文件 {path} / cannot read rulebook {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        message: String,
    },
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl Rulebook {
    /// Parses and validates a rulebook. `origin` names it in errors; `source_text` is the text
    /// its clauses quote, when available (every law clause must then appear in it verbatim).
    pub fn parse(
        origin: &str,
        text: &str,
        source_text: Option<&str>,
    ) -> Result<Self, RulebookError> {
        let book: Rulebook = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |s| rulebook_check::line_col(text, s.start));
            RulebookError::Parse {
                origin: origin.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        let problems = rulebook_check::validate(&book, text, source_text);
        if problems.is_empty() {
            Ok(book)
        } else {
            Err(RulebookError::Invalid {
                origin: origin.to_owned(),
                problems,
            })
        }
    }

    /// Loads a rulebook file; a `source_text` it names is read relative to the file.
    pub fn load_file(path: &std::path::Path) -> Result<Self, RulebookError> {
        let io = |e: std::io::Error| RulebookError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let text = std::fs::read_to_string(path).map_err(io)?;
        let source = source_text_path(&text).and_then(|rel| {
            let p = path.parent().unwrap_or(std::path::Path::new(".")).join(rel);
            std::fs::read_to_string(p).ok()
        });
        Self::parse(&path.display().to_string(), &text, source.as_deref())
    }

    /// One of the rulebooks shipped in the binary.
    pub fn embedded(city: &str) -> Result<Self, RulebookError> {
        let (_, file, text) = EMBEDDED
            .iter()
            .find(|(c, _, _)| *c == city)
            .ok_or_else(|| RulebookError::UnknownCity {
                city: city.to_owned(),
                known: embedded_cities(),
            })?;
        let source = source_text_path(text).and_then(|rel| {
            EMBEDDED_SOURCES
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, t)| *t)
        });
        Self::parse(&format!("embedded:{file}"), text, source)
    }

    /// A shipped city by id, or a rulebook file when `name` contains `/` or ends in `.toml`.
    pub fn resolve(name: &str) -> Result<Self, RulebookError> {
        if name.contains('/') || name.ends_with(".toml") {
            Self::load_file(std::path::Path::new(name))
        } else {
            Self::embedded(name)
        }
    }
}

/// The city ids of the shipped rulebooks.
pub fn embedded_cities() -> Vec<String> {
    EMBEDDED.iter().map(|(c, _, _)| (*c).to_owned()).collect()
}

/// Reads `source_text = "..."` without a full parse (the parse proper comes after).
fn source_text_path(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Head {
        source_text: Option<String>,
    }
    toml::from_str::<Head>(text)
        .ok()
        .and_then(|h| h.source_text)
}
