//! Full failure reasons, carried beside the board: a slot's message is a short status
//! (at most 112 bytes), so a failed child's whole reason comes from its captured
//! stderr, where it writes `vx install: TOOL VERSION: REASON` as its last word. The
//! parent records it when it settles the child; until then a failure line waits, so
//! the reason is printed once and whole.

use std::collections::{HashMap, HashSet};

pub(crate) use vx_tui::Reason;

/// The full reasons of one sync, by slot.
#[derive(Debug, Default)]
pub(crate) struct FullReasons {
    waiting: HashSet<usize>,
    known: HashMap<usize, String>,
}

impl FullReasons {
    /// A child was started for slot `index`.
    pub(crate) fn expect(&mut self, index: usize) {
        self.waiting.insert(index);
    }

    /// The child of slot `index` was settled, with its full reason if it failed.
    pub(crate) fn settle(&mut self, index: usize, reason: Option<String>) {
        self.waiting.remove(&index);
        if let Some(reason) = reason {
            self.known.insert(index, reason);
        }
    }

    /// What is known of slot `index`.
    pub(crate) fn get(&self, index: usize) -> Reason {
        match self.known.get(&index) {
            Some(reason) => Reason::Known(reason.clone()),
            None if self.waiting.contains(&index) => Reason::Waiting,
            None => Reason::Board,
        }
    }

    /// The full reason of slot `index`, if one is known.
    pub(crate) fn known(&self, index: usize) -> Option<&str> {
        self.known.get(&index).map(String::as_str)
    }
}

/// How a child's reason line starts: the protocol's
/// [`vx_model::config_frame::reason_prefix`].
pub(crate) use vx_model::config_frame::reason_prefix as line_prefix;

/// The reason a child wrote for `tool` `version` in its stderr `lines` (the last line
/// starting with [`line_prefix`]).
pub(crate) fn from_stderr(lines: &[String], tool: &str, version: &str) -> Option<String> {
    let prefix = line_prefix(tool, version);
    lines
        .iter()
        .rev()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(str::to_owned)
}

/// How a child's line about a retry starts: `vx retry: TOOL VERSION: ` (a failed
/// source, such as a mirror serving other bytes, or a transient failure of the
/// origin). The slot's message says it only until the next phase, which a reader
/// polling the board can miss; the parent reports each line when it settles the child,
/// in every output mode, so an operator learns that a mirror is corrupt.
pub(crate) use vx_model::config_frame::retry_prefix;

/// The retries a child wrote for `tool` `version` in its stderr `lines`, in order
/// (`retry 2/3: oci://…: checksum mismatch …`).
pub(crate) fn retries_from_stderr(lines: &[String], tool: &str, version: &str) -> Vec<String> {
    let prefix = retry_prefix(tool, version);
    lines
        .iter()
        .filter_map(|line| line.strip_prefix(&prefix))
        .map(str::to_owned)
        .collect()
}

/// How a child's line about a notice starts: `vx notice: TOOL VERSION: ` (the install
/// went on another way than the lock planned, such as pip for uv, and why).
pub(crate) use vx_model::config_frame::notice_prefix;

/// The notices a child wrote for `tool` `version` in its stderr `lines`, in order.
pub(crate) fn notices_from_stderr(lines: &[String], tool: &str, version: &str) -> Vec<String> {
    let prefix = notice_prefix(tool, version);
    lines
        .iter()
        .filter_map(|line| line.strip_prefix(&prefix))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_waits_for_its_child_then_is_whole() {
        let mut reasons = FullReasons::default();
        assert_eq!(reasons.get(0), Reason::Board);
        reasons.expect(0);
        assert_eq!(reasons.get(0), Reason::Waiting);
        let long = "x".repeat(300);
        let lines = vec![
            "noise".to_owned(),
            format!("vx install: rg 14: {long}"),
            "after".to_owned(),
        ];
        reasons.settle(0, from_stderr(&lines, "rg", "14"));
        assert_eq!(reasons.get(0), Reason::Known(long));
        reasons.expect(1);
        reasons.settle(1, from_stderr(&lines, "fd", "1"));
        assert_eq!(reasons.get(1), Reason::Board);
    }
}
