//! The crate's errors: each names the file (or the selector) it is about, so a user can
//! go and fix it.

use std::path::PathBuf;

/// Why a workspace, a package or a turbo.json could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read (missing where it must be, unreadable, not a file).
    #[error("cannot read {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is larger than this crate reads (a manifest is small; this is a guard).
    #[error("{} is larger than {limit} bytes, the most read of such a file", file.display())]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is not valid JSON, JSONC, TOML or YAML, or not of the expected shape.
    #[error("{}: {message}", file.display())]
    Parse {
        /// The file.
        file: PathBuf,
        /// The parser's message (with its line and column where it gives one).
        message: String,
    },
    /// The file parses but says something the tool it belongs to would refuse.
    #[error("{}: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two packages of one ecosystem share a name, which their tool refuses too.
    #[error("two {ecosystem} packages are named {name:?}: {} and {}", first.display(), second.display())]
    DuplicateName {
        /// The name.
        name: String,
        /// The ecosystem (npm, cargo, uv, go).
        ecosystem: &'static str,
        /// The first package's directory.
        first: PathBuf,
        /// The second package's directory.
        second: PathBuf,
    },
    /// The walk or the package count went over a bound (a runaway glob such as `**`
    /// over a huge tree).
    #[error("more than {limit} {what} under {}: stopped there", root.display())]
    TooMany {
        /// What was counted (directories, packages).
        what: &'static str,
        /// The bound.
        limit: usize,
        /// The workspace root.
        root: PathBuf,
    },
    /// The package graph has a cycle, named package by package (the first repeated last).
    #[error("the packages depend on each other in a cycle: {}", cycle.join(" -> "))]
    Cycle {
        /// The packages of the cycle, the first one repeated at the end.
        cycle: Vec<String>,
    },
    /// A turbo.json's `extends` chain loops.
    #[error("turbo.json files extend each other in a cycle: {}", cycle.join(" -> "))]
    ExtendsCycle {
        /// The packages whose turbo.json files form the cycle.
        cycle: Vec<String>,
    },
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
