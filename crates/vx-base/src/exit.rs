//! Exit codes (the contract) and the one typed error that ends a command.
//!
//! Codes: [`OK`] every tool installed or already present; [`FAILED`] one or more tools
//! failed, or `vx` could not do its work for a reason outside the user's input (the
//! machine: a board directory that cannot be created, a full disk); [`USAGE`] usage,
//! manifest, store or lock error; [`INTERRUPTED`] interrupted (SIGINT/SIGTERM).
//! `vx install` exits with its install's code (0, 10–15, 130, see `vx_engine::install`)
//! or `vx_model::config_frame::EXIT_BAD_CONFIG` for a bad frame.
//!
//! [`Error`] keeps the typed cause and its whole source chain; [`Error::report`] prints
//! it as `what failed: why: deeper cause`.

use std::error::Error as StdError;

/// Every tool installed or already present.
pub const OK: i32 = 0;
/// One or more tools failed, or the environment failed us.
pub const FAILED: i32 = 1;
/// Usage, manifest, store or lock error: the user's to fix.
pub const USAGE: i32 = 2;
/// Interrupted (SIGINT/SIGTERM).
pub const INTERRUPTED: i32 = 130;
/// A command found but not runnable (POSIX shells' 126): `vx exec`'s, a lone task's.
pub const NOT_RUNNABLE: i32 = 126;

/// Any error, with its source chain.
pub(crate) type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Why a command ended without doing its work. Tool failures are not errors: they are
/// outcomes, reported and counted; this is for what stops a command as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's to fix (arguments, manifest, store, lock): exit [`USAGE`].
    #[error(transparent)]
    Usage(BoxError),
    /// The machine failed (I/O, resources, signals): exit [`FAILED`].
    #[error(transparent)]
    Environment(BoxError),
    /// The command could not do what was asked and says so with its own code: a tool
    /// that is not installed (1), a command not found (127) or not runnable (126).
    #[error("{1}")]
    Code(i32, BoxError),
}

/// A message with the error that caused it, so both are printed (`message: cause`).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Because {
    message: String,
    #[source]
    source: BoxError,
}

impl Because {
    /// `message`, caused by `source`.
    pub fn new(message: impl Into<String>, source: impl Into<BoxError>) -> Because {
        Because {
            message: message.into(),
            source: source.into(),
        }
    }
}

impl Error {
    /// A usage error: a typed error, or a plain message (`String`, `&str`).
    pub fn usage(error: impl Into<BoxError>) -> Error {
        Error::Usage(error.into())
    }

    /// An environment error.
    pub fn environment(error: impl Into<BoxError>) -> Error {
        Error::Environment(error.into())
    }

    /// What was asked cannot be done (exit [`FAILED`]): a tool not installed, a
    /// version another `vx` is installing.
    pub fn failed(error: impl Into<BoxError>) -> Error {
        Error::Code(FAILED, error.into())
    }

    /// An error that ends the process with `code`.
    pub fn with_code(code: i32, error: impl Into<BoxError>) -> Error {
        Error::Code(code, error.into())
    }

    /// The process exit code for this error.
    pub fn code(&self) -> i32 {
        match self {
            Error::Usage(_) => USAGE,
            Error::Environment(_) => FAILED,
            Error::Code(code, _) => *code,
        }
    }

    /// Whether it comes from writing to a closed pipe (`vx … | head`): not a failure,
    /// output just ends (as ripgrep does).
    pub fn is_closed_pipe(&self) -> bool {
        chain(self).any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        })
    }

    /// The error and its causes as one line, `what: why: deeper`, leaving out a cause
    /// whose text the line already holds (many errors print their source themselves).
    pub fn report(&self) -> String {
        let mut line = String::new();
        for cause in chain(self) {
            let text = cause.to_string();
            if text.is_empty() || line.contains(&text) {
                continue;
            }
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
        line
    }
}

/// The error and each of its sources, outermost first.
fn chain<'a>(error: &'a Error) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let first: &(dyn StdError + 'static) = match error {
        Error::Usage(inner) | Error::Environment(inner) | Error::Code(_, inner) => inner.as_ref(),
    };
    std::iter::successors(Some(first), |&e| e.source())
}

/// A library error that says its exit code: whose it is (the user's to fix, exit 2; the
/// machine's or the network's, exit 1), or a code of its own. Each crate says it beside
/// its errors with [`exit_code!`](crate::exit_code), so a command's `?` turns an
/// operation's error into the [`Error`] `main` ends with.
pub trait Code {
    /// The error as the command's end.
    fn exit(self) -> Error;
}

impl<E: Code> From<E> for Error {
    fn from(error: E) -> Error {
        error.exit()
    }
}

/// A library error that says whose it is: the user's to fix (exit 2) when `usage`,
/// else the machine's or the network's (exit 1).
pub fn by_kind(usage: bool, e: impl Into<BoxError>) -> Error {
    if usage {
        Error::usage(e)
    } else {
        Error::environment(e)
    }
}

/// Implements [`Code`] for each `$error` with the mapping `|$e| $body`, in which
/// [`Error`], [`Because`], [`by_kind`] and the codes are in scope.
#[macro_export]
macro_rules! exit_code {
    ($($error:ty => |$e:ident| $body:expr;)*) => {$(
        impl $crate::exit::Code for $error {
            fn exit(self) -> $crate::exit::Error {
                #[allow(unused_imports)]
                use $crate::exit::{by_kind, Because, Error, FAILED, INTERRUPTED, NOT_RUNNABLE, USAGE};
                let $e = self;
                $body
            }
        }
    )*};
}

impl From<std::io::Error> for Error {
    /// Writing output failed (a closed pipe, a full disk): the environment's doing.
    fn from(error: std::io::Error) -> Error {
        Error::Environment(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_shows_every_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let err = Error::environment(Because::new("cannot create the board directory /x", io));
        assert_eq!(
            err.report(),
            "cannot create the board directory /x: Permission denied"
        );
        assert_eq!(err.code(), FAILED);
        // A cause already spelled out by its parent is not repeated.
        let inner = std::io::Error::other("/dev/zero: not a regular file");
        let err = Error::environment(Because::new("/dev/zero: not a regular file", inner));
        assert_eq!(err.report(), "/dev/zero: not a regular file");
        assert_eq!(Error::usage("bad -j").code(), USAGE);
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_the_chain() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(Error::environment(Because::new("cannot print", pipe)).is_closed_pipe());
        assert!(Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe)).is_closed_pipe());
        assert!(!Error::usage("x").is_closed_pipe());
    }
}
