//! The lifecycle phase of one tool's install, as published in its slot.

use crate::coded::coded_phases;

coded_phases! {
    /// Where one tool's install stands. Stored in a slot as a `u32` code; readers
    /// decode it with [`Phase::from_code`] because the segment is untrusted.
    pub enum Phase from 0 {
        /// Registered by the parent; no child has started on it yet.
        Queued = 0 => "queued",
        /// The child is resolving what to fetch (reading its config, checking the store).
        Resolving = 1 => "resolving",
        /// Bytes are arriving; `bytes_done`/`bytes_total` count the download.
        Downloading = 2 => "downloading",
        /// The archive is being unpacked; `bytes_done`/`bytes_total` count archive bytes
        /// read.
        Extracting = 3 => "extracting",
        /// The optional post-install command is running.
        PostInstall = 4 => "post-install",
        /// Installed into the store.
        Completed = 5 => "completed",
        /// Gave up; `exit_code` and the message say why.
        Failed = 6 => "failed",
        /// Stopped on request (cancel flag or interrupt); nothing was left behind.
        Cancelled = 7 => "cancelled",
        /// Already present in the store with a matching receipt; nothing was downloaded.
        Skipped = 8 => "cached",
    }
    terminal: Completed | Failed | Cancelled | Skipped;
    success: Completed | Skipped;
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
