//! The scenario file: YAML, schema `version: 1`, documented in `scenarios/README.md`.

pub mod model;
pub mod network;
pub mod validate;
pub mod yaml;

use std::fmt;
use std::path::Path;

pub use model::Scenario;
pub use validate::Problem;

/// Everything wrong with a scenario file, each as `file:line:column: what was expected`.
#[derive(Debug, thiserror::Error)]
pub struct ScenarioErrors {
    /// The file name used in messages.
    pub file: String,
    /// Problems in source order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: {}", self.file, p.pos.line, p.pos.col, p.msg)?;
        }
        Ok(())
    }
}

/// Parses and validates scenario text; `file` names it in messages.
pub fn parse_str(file: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
    let fail = |problems| ScenarioErrors {
        file: file.to_string(),
        problems,
    };
    let root = yaml::parse(text).map_err(|e| {
        fail(vec![Problem {
            pos: yaml::Pos {
                line: e.line,
                col: e.col,
            },
            msg: format!("expected valid YAML: {}", e.msg),
        }])
    })?;
    validate::validate(&root).map_err(fail)
}

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse_str(&file, &text),
        Err(e) => Err(ScenarioErrors {
            file,
            problems: vec![Problem {
                pos: yaml::Pos { line: 1, col: 1 },
                msg: format!("expected a readable file: {e}"),
            }],
        }),
    }
}
