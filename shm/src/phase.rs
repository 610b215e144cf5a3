//! The lifecycle phase of one tool's install, as published in its slot.

/// Where one tool's install stands. Stored in a slot as a `u32` code; readers decode it
/// with [`Phase::from_code`] because the segment is untrusted.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// Registered by the parent; no child has started on it yet.
    Queued = 0,
    /// The child is resolving what to fetch (reading its config, checking the store).
    Resolving = 1,
    /// Bytes are arriving; `bytes_done`/`bytes_total` count the download.
    Downloading = 2,
    /// The archive is being unpacked; `bytes_done`/`bytes_total` count archive bytes read.
    Extracting = 3,
    /// The optional post-install command is running.
    PostInstall = 4,
    /// Installed into the store.
    Completed = 5,
    /// Gave up; `exit_code` and the message say why.
    Failed = 6,
    /// Stopped on request (cancel flag or interrupt); nothing was left behind.
    Cancelled = 7,
    /// Already present in the store with a matching receipt; nothing was downloaded.
    Skipped = 8,
}

impl Phase {
    /// Every phase, in code order.
    pub const ALL: [Phase; 9] = [
        Phase::Queued,
        Phase::Resolving,
        Phase::Downloading,
        Phase::Extracting,
        Phase::PostInstall,
        Phase::Completed,
        Phase::Failed,
        Phase::Cancelled,
        Phase::Skipped,
    ];

    /// The code stored in a slot.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The phase's bit in a slot's `phases_seen`: bit `code - 1`, none for Queued.
    pub const fn seen_bit(self) -> u8 {
        match self {
            Phase::Queued => 0,
            phase => 1 << (phase.code() - 1),
        }
    }

    /// Decodes a stored code; `None` for a code no version of the layout defines.
    pub fn from_code(code: u32) -> Option<Phase> {
        Phase::ALL.get(code as usize).copied()
    }

    /// True once the install has reached an outcome and its writer will publish no more.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Phase::Completed | Phase::Failed | Phase::Cancelled | Phase::Skipped
        )
    }

    /// True for the outcomes that count as "the tool is installed".
    pub const fn is_success(self) -> bool {
        matches!(self, Phase::Completed | Phase::Skipped)
    }

    /// A short lower-case label for reports and JSON (`"downloading"`, `"post-install"`).
    pub const fn label(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::Resolving => "resolving",
            Phase::Downloading => "downloading",
            Phase::Extracting => "extracting",
            Phase::PostInstall => "post-install",
            Phase::Completed => "completed",
            Phase::Failed => "failed",
            Phase::Cancelled => "cancelled",
            Phase::Skipped => "cached",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_rejected() {
        for phase in Phase::ALL {
            assert_eq!(Phase::from_code(phase.code()), Some(phase));
        }
        assert_eq!(Phase::from_code(9), None);
        assert_eq!(Phase::from_code(u32::MAX), None);
    }
}
