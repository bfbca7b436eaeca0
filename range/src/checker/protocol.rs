//! The Hackerdom checker exec protocol.
//!
//! `checker info`, `checker check HOST`, `checker put HOST FLAG_ID FLAG VULN`,
//! `checker get HOST FLAG_ID FLAG VULN`. Exit codes: 101 OK, 102 CORRUPT, 103 MUMBLE,
//! 104 DOWN, 110 CHECKER_ERROR; anything else (other codes, death by signal, failure to
//! start) is a checker error. stdout is the public message shown to teams, except for `put`,
//! whose first stdout line is the flag id to pass to later `get`s; stderr goes to trainers.

use serde::Serialize;

use crate::game::SlaStatus;

/// A checker action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Describe the checker (vulns, timeouts).
    Info,
    /// Check the service works.
    Check,
    /// Store a flag.
    Put {
        /// Flag id proposed by the game server.
        flag_id: String,
        /// The flag.
        flag: String,
        /// Flag store (vuln) number, from 1.
        vuln: u32,
    },
    /// Retrieve a flag.
    Get {
        /// Flag id from `put`.
        flag_id: String,
        /// The flag expected.
        flag: String,
        /// Flag store (vuln) number, from 1.
        vuln: u32,
    },
}

impl Action {
    /// Command-line arguments after the checker's own command.
    pub fn args(&self, host: &str) -> Vec<String> {
        match self {
            Action::Info => vec!["info".into()],
            Action::Check => vec!["check".into(), host.into()],
            Action::Put {
                flag_id,
                flag,
                vuln,
            } => vec![
                "put".into(),
                host.into(),
                flag_id.clone(),
                flag.clone(),
                vuln.to_string(),
            ],
            Action::Get {
                flag_id,
                flag,
                vuln,
            } => vec![
                "get".into(),
                host.into(),
                flag_id.clone(),
                flag.clone(),
                vuln.to_string(),
            ],
        }
    }
}

/// What one checker run says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckerVerdict {
    /// 101.
    Ok,
    /// 102.
    Corrupt,
    /// 103.
    Mumble,
    /// 104, or a timeout when the scenario says so.
    Down,
    /// 110, any other exit, a signal, a failure to start, or a timeout when configured.
    CheckerError,
}

impl CheckerVerdict {
    /// The verdict of an exit code (`None` = killed by a signal).
    pub fn from_exit(code: Option<i32>) -> Self {
        match code {
            Some(101) => CheckerVerdict::Ok,
            Some(102) => CheckerVerdict::Corrupt,
            Some(103) => CheckerVerdict::Mumble,
            Some(104) => CheckerVerdict::Down,
            _ => CheckerVerdict::CheckerError,
        }
    }

    /// The SLA status of this verdict (RECOVERING is decided by the tick logic, not here).
    pub fn status(self) -> SlaStatus {
        match self {
            CheckerVerdict::Ok => SlaStatus::Ok,
            CheckerVerdict::Corrupt => SlaStatus::Corrupt,
            CheckerVerdict::Mumble => SlaStatus::Mumble,
            CheckerVerdict::Down => SlaStatus::Down,
            CheckerVerdict::CheckerError => SlaStatus::CheckerError,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_map_to_verdicts() {
        assert_eq!(CheckerVerdict::from_exit(Some(101)), CheckerVerdict::Ok);
        assert_eq!(
            CheckerVerdict::from_exit(Some(102)),
            CheckerVerdict::Corrupt
        );
        assert_eq!(CheckerVerdict::from_exit(Some(103)), CheckerVerdict::Mumble);
        assert_eq!(CheckerVerdict::from_exit(Some(104)), CheckerVerdict::Down);
        assert_eq!(
            CheckerVerdict::from_exit(Some(110)),
            CheckerVerdict::CheckerError
        );
        assert_eq!(
            CheckerVerdict::from_exit(Some(0)),
            CheckerVerdict::CheckerError
        );
        assert_eq!(
            CheckerVerdict::from_exit(None),
            CheckerVerdict::CheckerError
        );
    }

    #[test]
    fn put_passes_host_flag_id_flag_and_vuln() {
        let a = Action::Put {
            flag_id: "id1".into(),
            flag: "FLAG{X}".into(),
            vuln: 2,
        };
        assert_eq!(
            a.args("10.60.1.2"),
            ["put", "10.60.1.2", "id1", "FLAG{X}", "2"]
        );
    }
}
