//! Each library error as the exit code of the contract ([`crate::foundation::exit`]), in one place:
//! `From<…> for exit::Error`, so a command's `?` turns an operation's error into the
//! typed error `main` ends with. The user's to fix (a manifest, a lock, a flag, a
//! declaration) is usage (exit 2); the machine's or the network's is exit 1; a command
//! that was interrupted is 130; a command's own code stays its own.

use crate::foundation::exit::{Because, BoxError, Error, FAILED, INTERRUPTED};

/// A library error that says whose it is: the user's to fix (exit 2) when `usage`,
/// else the machine's or the network's (exit 1).
pub fn by_kind(usage: bool, e: impl Into<BoxError>) -> Error {
    if usage {
        Error::usage(e)
    } else {
        Error::environment(e)
    }
}

/// Implements `From<$error> for Error` with the mapping `|$e| $body`.
macro_rules! exit_code {
    ($($error:ty => |$e:ident| $body:expr;)*) => {$(
        impl From<$error> for Error {
            fn from($e: $error) -> Error {
                $body
            }
        }
    )*};
}

exit_code! {
    // A project that could not be opened: a manifest, a runtime declaration, the
    // store named are the user's (exit 2); else the machine's or network's (exit 1).
    crate::operations::session::SessionError => |e| by_kind(e.is_usage(), e);
    // A toolchain that could not be assembled: a manifest, lock or request that cannot
    // be used is a usage error; a resolution's as its own error says.
    crate::projects::toolchain::ToolchainError => |e| {
        use crate::projects::toolchain::{RequestError, ToolchainError};
        match e {
            ToolchainError::Project(e) => e.into(),
            ToolchainError::Request(RequestError::Resolution(e)) => e.into(),
            other => Error::usage(other),
        }
    };
    // A toolchain `vx env` or `vx which` could not assemble, or an env file that
    // cannot be read (exit 2).
    crate::ways_in::daemon::active::ActiveError => |e| match e {
        crate::ways_in::daemon::active::ActiveError::Toolchain(e) => e.into(),
        crate::ways_in::daemon::active::ActiveError::EnvFile(e) => Error::usage(e),
    };
    // A manifest or lock error is the user's to fix (exit 2), but for a sync that
    // could not run (exit 1); a resolution's as its own error says.
    crate::projects::project::ProjectError => |e| match e {
        crate::projects::project::ProjectError::Resolution(e) => e.into(),
        e => by_kind(e.is_usage(), e),
    };
    // vx.toml's fault (exit 2) or the network's (exit 1; nothing answered: what
    // helps, never a token).
    crate::engine::resolution::ResolutionError => |e| {
        use crate::engine::resolution::{ResolutionError, UNREACHABLE_HELP};
        match e {
            e if e.is_usage() => Error::usage(e),
            ResolutionError::Unreachable(why) => {
                Error::environment(format!("{why}; {UNREACHABLE_HELP}"))
            }
            e => Error::environment(e),
        }
    };
    // A lock that could not be written, said once (the error names the file): an
    // entry no later read would take is the project's or its registry's fault (exit
    // 2), anything else the machine's.
    crate::files::lock::LockError => |e| match e {
        crate::files::lock::LockError::Refused { .. } => Error::usage(e),
        _ => Error::environment(e),
    };
    // A lock run that could not do its work.
    crate::operations::ops::lock::LockOpError => |e| {
        use crate::operations::ops::lock::LockOpError;
        match e {
            LockOpError::Project(e) => e.into(),
            LockOpError::Write(e) => e.into(),
            e => Error::usage(e),
        }
    };
    // A sync that could not run.
    crate::operations::ops::sync::SyncError => |e| {
        use crate::operations::ops::sync::SyncError;
        match e {
            SyncError::Session(e) => e.into(),
            SyncError::Project(e) => e.into(),
            e @ SyncError::Network(_) => Error::usage(e),
            e @ SyncError::NotHere(_) => Error::environment(e),
        }
    };
    // A push that could not be made: a missing lock is a usage error (exit 2), an
    // interrupted download 130, anything else the environment's (exit 1).
    crate::operations::ops::push::PushOpError => |e| {
        use crate::operations::ops::push::PushOpError;
        match e {
            PushOpError::Session(e) => e.into(),
            PushOpError::Network(e) => Error::usage(Because::new("network settings", e)),
            PushOpError::Push(e) if e.is_interrupted() => Error::with_code(INTERRUPTED, e),
            PushOpError::Push(e) if e.is_usage() => Error::usage(e),
            PushOpError::Push(e) => Error::environment(e),
        }
    };
    // An import that could not be made: the files' or vx.toml's fault (exit 2), or
    // the network's.
    crate::operations::ops::import::ImportError => |e| match e {
        crate::operations::ops::import::ImportError::Resolution(e) => e.into(),
        e => Error::usage(e),
    };
    // A file a command could not write (vx.toml by an import; exit 1).
    crate::foundation::atomic::WriteError => |e| Error::environment(Because::new(
        format!("cannot write {}", e.path.display()),
        e.source,
    ));
    // A board that cannot be listed, opened or cleaned (`vx board`, `vx ps`).
    crate::operations::ops::board::BoardError => |e| by_kind(e.is_usage(), e);
    // A registry tool that could not be resolved (`vx x`, `vx TOOL@VERSION`): a
    // malformed name or constraint is exit 2, `--offline` without a resolution exit
    // 1, a lookup as the resolution's error says.
    crate::operations::ops::x::XError => |e| {
        use crate::operations::ops::x::XError;
        match e {
            XError::Resolution(e) => e.into(),
            XError::Session(e) => e.into(),
            e @ XError::NotResolved(_) => Error::failed(e),
            e => Error::usage(e),
        }
    };
    // An edit of vx.toml that could not be made: the user's to fix (exit 2) but for
    // the machine's (a file that cannot be read again or written) and the network's.
    crate::operations::ops::edit::EditError => |e| {
        use crate::operations::ops::edit::EditError;
        match e {
            EditError::Session(e) => e.into(),
            EditError::Resolution(e) => e.into(),
            EditError::Locking(e) => e.into(),
            EditError::LockWrite(e) => e.into(),
            e @ (EditError::Reread { .. } | EditError::Write { .. }) => Error::environment(e),
            e => Error::usage(e),
        }
    };
    // A command that could not run (`vx exec`, `vx CMD`, `vx x`, `vx run`).
    crate::operations::ops::target::TargetError => |e| {
        use crate::operations::ops::target::TargetError;
        match e {
            TargetError::Toolchain(e) => e.into(),
            TargetError::Project(e) => e.into(),
            TargetError::Session(e) => e.into(),
            TargetError::Exec(e) => e,
            e @ TargetError::NotInstalled(_) => Error::failed(e),
            e @ TargetError::Interrupted => Error::with_code(INTERRUPTED, e),
            e @ TargetError::Install(_) => Error::environment(e),
            e @ (TargetError::Store(_) | TargetError::Network(_) | TargetError::Declared(_)) => {
                Error::usage(e)
            }
        }
    };
    // A registry tool that could not be resolved, installed or run.
    crate::operations::ops::target::RegistryToolError => |e| {
        use crate::operations::ops::target::RegistryToolError;
        match e {
            RegistryToolError::Session(e) => e.into(),
            RegistryToolError::X(e) => e.into(),
            RegistryToolError::Target(e) => e.into(),
        }
    };
    // A shim's command that could not run.
    crate::operations::ops::shim::ShimError => |e| {
        use crate::operations::ops::shim::ShimError;
        match e {
            ShimError::Session(e) => e.into(),
            ShimError::Toolchain(e) => e.into(),
            ShimError::Declared(e) => Error::usage(e),
            ShimError::Exec(e) => e,
        }
    };
    // A run whose tasks cannot be chosen or prepared.
    crate::operations::ops::run::RunError => |e| {
        use crate::operations::ops::run::RunError;
        match e {
            RunError::Target(e) => e.into(),
            RunError::Toolchain(e) => e.into(),
            RunError::Session(e) => e.into(),
            e @ RunError::NotConfirmed { .. } => Error::with_code(FAILED, e),
            e => by_kind(e.is_usage(), e),
        }
    };
    // A lone task run in the foreground that could not replace vx: the failed
    // command's own code, 130 interrupted, 126 not runnable, else the machine's.
    crate::projects::tasks::foreground::ForegroundError => |e| {
        use crate::projects::tasks::foreground::ForegroundError;
        match e {
            ForegroundError::Failed { code, .. } => Error::with_code(code, e),
            e @ ForegroundError::Interrupted { .. } => Error::with_code(INTERRUPTED, e),
            e @ ForegroundError::Replace { .. } => {
                Error::with_code(crate::operations::ops::exec::NOT_RUNNABLE, e)
            }
            e @ (ForegroundError::Signals(_) | ForegroundError::Spawn { .. }) => {
                Error::environment(e)
            }
        }
    };
    // A prune that did not start: the project or store named (exit 2), else the
    // machine (exit 1).
    crate::operations::ops::prune::PruneError => |e| {
        use crate::operations::ops::prune::PruneError;
        match e {
            PruneError::Session(e) => e.into(),
            PruneError::Toolchain(e) => e.into(),
            e => Error::environment(e),
        }
    };
    // A registry that cannot be shown or moved.
    crate::operations::ops::registry::RegistryOpError => |e| {
        use crate::operations::ops::registry::RegistryOpError;
        match e {
            RegistryOpError::Resolution(e) => e.into(),
            RegistryOpError::Session(e) => e.into(),
            RegistryOpError::LockRead(e) => Error::usage(e),
            RegistryOpError::LockWrite(e) => e.into(),
            e @ (RegistryOpError::Source(_) | RegistryOpError::Github(_)) => {
                Error::environment(e)
            }
        }
    };
    // A search whose registries could not be read.
    crate::operations::ops::search::SearchError => |e| {
        use crate::operations::ops::search::SearchError;
        match e {
            SearchError::Resolution(e) => e.into(),
            e @ SearchError::Unsearched { .. } => Error::environment(e),
        }
    };
    // Versions that could not be looked up (`vx outdated`).
    crate::operations::ops::outdated::OutdatedError => |e| match e {
        crate::operations::ops::outdated::OutdatedError::Session(e) => e.into(),
        crate::operations::ops::outdated::OutdatedError::Resolution(e) => e.into(),
    };
    // A task whose output cannot be read (`vx logs`).
    crate::operations::ops::logs::LogsError => |e| by_kind(e.is_usage(), e);
    // The daemon's life could not be handled (exit 1 either way).
    crate::ways_in::daemon::control::ControlError => |e| {
        if e.is_failure() {
            Error::failed(e)
        } else {
            Error::environment(e)
        }
    };
    // vx itself could not be updated or removed: settings, flags and channels are the
    // user's (exit 2), the network's and the release's are not (exit 1), an interrupt
    // is 130.
    crate::engine::self_update::SelfUpdateError => |e| match e {
        e @ crate::engine::self_update::SelfUpdateError::Interrupted => Error::with_code(INTERRUPTED, e),
        e => by_kind(e.is_usage(), e),
    };
    // The user config could not be edited (`vx config set`, `unset`).
    crate::sources::settings::edit::EditError => |e| by_kind(e.is_usage(), e);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resolution::{ResolutionError, UNREACHABLE_HELP};
    use crate::foundation::exit::{FAILED, USAGE};
    use crate::projects::tasks::foreground::ForegroundError;

    #[test]
    fn a_resolution_is_the_user_s_or_the_network_s() {
        let usage = Error::from(ResolutionError::Usage("no such tool".into()));
        assert_eq!(usage.code(), USAGE);
        // Nothing answered: exit 1, with what helps.
        let unreachable = Error::from(ResolutionError::Unreachable("no answer".into()));
        assert_eq!(unreachable.code(), FAILED);
        assert_eq!(
            unreachable.report(),
            format!("no answer; {UNREACHABLE_HELP}")
        );
    }

    #[test]
    fn a_lone_task_keeps_its_own_code_and_an_interrupt_is_130() {
        let failed = ForegroundError::Failed {
            task: "lint".into(),
            number: 1,
            status: "exit status: 3".into(),
            code: 3,
        };
        assert_eq!(Error::from(failed).code(), 3);
        let interrupted = ForegroundError::Interrupted {
            task: "lint".into(),
        };
        assert_eq!(Error::from(interrupted).code(), INTERRUPTED);
        let replace = ForegroundError::Replace {
            task: "lint".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            Error::from(replace).code(),
            crate::operations::ops::exec::NOT_RUNNABLE
        );
    }

    #[test]
    fn an_interrupted_self_update_is_130() {
        let e = Error::from(crate::engine::self_update::SelfUpdateError::Interrupted);
        assert_eq!(e.code(), INTERRUPTED);
    }
}
