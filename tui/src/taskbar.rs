//! Terminal progress (OSC 9;4): the taskbar or tab of terminals that show it (Windows
//! Terminal, ConEmu, WezTerm, Ghostty, iTerm2) fills as the sync goes, as mise does.
//! Sent only where the terminal says it understands it, and always cleared at the end
//! (also after Ctrl-C: an interrupted board finishes too).

/// Whether the terminal described by these environment variables shows OSC 9;4
/// progress.
pub fn supported(var: impl Fn(&str) -> Option<String>) -> bool {
    let program = var("TERM_PROGRAM").unwrap_or_default();
    var("WT_SESSION").is_some()
        || var("ConEmuANSI").is_some_and(|v| v == "ON")
        || matches!(program.as_str(), "WezTerm" | "ghostty" | "iTerm.app")
}

/// The sequence that shows `percent` (clamped to 0–100), in the error state when
/// something failed.
pub fn progress(percent: f64, failed: bool) -> String {
    let percent = if percent.is_finite() {
        percent.clamp(0.0, 100.0).round() as u8
    } else {
        0
    };
    format!("\x1b]9;4;{};{percent}\x1b\\", if failed { 2 } else { 1 })
}

/// The sequence that removes the progress.
pub const CLEAR: &str = "\x1b]9;4;0;0\x1b\\";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_terminals_that_say_so_get_the_sequence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(supported(env(&[("WT_SESSION", "x")])));
        assert!(supported(env(&[("TERM_PROGRAM", "WezTerm")])));
        assert!(!supported(env(&[("TERM_PROGRAM", "tmux")])));
        assert!(!supported(env(&[("ConEmuANSI", "OFF")])));
        assert_eq!(progress(42.4, false), "\x1b]9;4;1;42\x1b\\");
        assert_eq!(progress(f64::NAN, true), "\x1b]9;4;2;0\x1b\\");
        assert_eq!(progress(250.0, false), "\x1b]9;4;1;100\x1b\\");
    }
}
