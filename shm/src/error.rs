//! The errors of the board: every way a segment, a dump or a request can be refused.

use std::io;
use std::path::PathBuf;

/// Why a board could not be created, attached, opened, written or dumped. Every variant
/// names what was wrong, so a user can act on the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The board directory has no room for a new board (a full tmpfs).
    #[error(
        "no space for a progress board of {needed} bytes in {}; free space there or point VX_BOARD_DIR at another directory",
        dir.display()
    )]
    NoSpace {
        /// The board directory.
        dir: PathBuf,
        /// The bytes the board needs.
        needed: u64,
    },
    /// An I/O operation on the segment or dump file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("open", "map", "write dump to").
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The path is a directory, device, FIFO or socket, not a board or dump file.
    #[error("{path}: not a regular file, so not a vx board or dump")]
    NotAFile {
        /// The path concerned.
        path: PathBuf,
    },
    /// The file is too short to hold a header.
    #[error("{path}: {len} bytes is too small for a vx board (the header alone is {min} bytes)")]
    TooSmall {
        /// The file concerned.
        path: PathBuf,
        /// Its length.
        len: u64,
        /// The least a board can be.
        min: u64,
    },
    /// The file is larger than any board this version can make.
    #[error("{path}: {len} bytes is larger than any vx board (at most {max} bytes)")]
    TooLarge {
        /// The file concerned.
        path: PathBuf,
        /// Its length.
        len: u64,
        /// The most a board can be.
        max: u64,
    },
    /// The first bytes are not the board magic: not a vx board.
    #[error("{path}: not a vx board (bad magic)")]
    BadMagic {
        /// The file concerned.
        path: PathBuf,
    },
    /// Written on a machine of the other byte order.
    #[error("{path}: board written with a different byte order")]
    ByteOrder {
        /// The file concerned.
        path: PathBuf,
    },
    /// A layout version this build does not know.
    #[error(
        "{path}: board layout version {found} is not supported (this vx reads version {supported})"
    )]
    UnsupportedVersion {
        /// The file concerned.
        path: PathBuf,
        /// The version found.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// Header fields that contradict the layout or the file's length.
    #[error("{path}: corrupt board header: {problem}")]
    CorruptHeader {
        /// The file concerned.
        path: PathBuf,
        /// What does not add up.
        problem: String,
    },
    /// The segment belongs to another user.
    #[error("{path}: board belongs to {owner}, not to you ({me}); refusing to attach")]
    ForeignOwner {
        /// The file concerned.
        path: PathBuf,
        /// Its owner: `uid N` on Unix, a SID (`S-1-5-…`) on Windows.
        owner: String,
        /// The caller: the effective uid on Unix, the process token's user SID on Windows.
        me: String,
    },
    /// The segment is readable or writable by other users (Unix mode bits; Windows
    /// boards are private by their directory's ACL and never refused for this).
    #[error("{path}: board has mode {mode:o}; a live board must be private to its owner (0600)")]
    NotPrivate {
        /// The file concerned.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A slot index past the end of the table.
    #[error("no slot {index}: the board has {count} slots")]
    NoSuchSlot {
        /// The index asked for.
        index: usize,
        /// How many there are.
        count: usize,
    },
    /// A writer attached to a slot registered for another tool.
    #[error("slot {index} is registered for tool {found:?}, not {expected:?}")]
    SlotMismatch {
        /// The slot.
        index: usize,
        /// The tool the writer expected.
        expected: String,
        /// The tool the slot holds.
        found: String,
    },
    /// A tool list the board cannot hold.
    #[error("invalid tool list: {0}")]
    InvalidTools(String),
    /// The slot could not be read consistently (see [`crate::SlotError`]).
    #[error(transparent)]
    Slot(#[from] crate::SlotError),
    /// No live board matches an id.
    #[error("no board matches {0:?} (see `vx board ls`)")]
    NotFound(String),
    /// Several boards match an id prefix.
    #[error("{id:?} matches {count} boards; give more of the id")]
    Ambiguous {
        /// The prefix given.
        id: String,
        /// How many boards it matches.
        count: usize,
    },
    /// A board that is not a task run's where one was expected.
    #[error("{path}: a board of a sync, not of a task run (`vx run`)")]
    NotTasks {
        /// The board.
        path: PathBuf,
    },
}

impl Error {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
