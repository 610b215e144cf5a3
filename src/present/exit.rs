//! Each library error as the exit code of the contract ([`vx_base::exit`]): every
//! error an operation returns says its code beside its definition
//! ([`vx_base::exit::Code`], written with `vx_base::exit_code!` in its crate), so a
//! command's `?` turns it into the typed error `main` ends with. The user's to fix (a
//! manifest, a lock, a flag, a declaration) is usage (exit 2); the machine's or the
//! network's is exit 1; a command that was interrupted is 130; a command's own code
//! stays its own. The tests here hold the contract for the errors whose codes matter
//! most to scripts.

#[cfg(test)]
mod tests {
    use vx_base::exit::{Error, INTERRUPTED};
    use vx_base::exit::{FAILED, USAGE};
    use vx_engine::resolution::{ResolutionError, UNREACHABLE_HELP};
    use vx_tasks::foreground::ForegroundError;

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
        assert_eq!(Error::from(replace).code(), vx_ops::exec::NOT_RUNNABLE);
    }

    #[test]
    fn an_interrupted_self_update_is_130() {
        let e = Error::from(vx_engine::self_update::SelfUpdateError::Interrupted);
        assert_eq!(e.code(), INTERRUPTED);
    }
}
