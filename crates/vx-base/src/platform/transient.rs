//! Trying an operation again when the system refused it for a moment.
//!
//! Starting a process can fail for a reason that is gone a few milliseconds later: no
//! process slot or memory for a fork (`EAGAIN`, `ENOMEM` under a cgroup's pid limit),
//! or on Windows a process that died while it started (Wine reports it as
//! `ERROR_INTERNAL_ERROR`). One refused start must not fail a tool's install, so
//! [`retry`] runs the operation again after each of a few short pauses.

use std::io;
use std::time::Duration;

/// The pauses before each new try of a process start the system refused for a moment:
/// about a third of a second in all, then the error stands.
pub(crate) const SPAWN_PAUSES: [Duration; 3] = [
    Duration::from_millis(10),
    Duration::from_millis(50),
    Duration::from_millis(250),
];

/// Runs `op`; while it fails with an error `transient` accepts, sleeps the next of
/// `pauses` and runs it again. Returns the first success, the first other error, or
/// the last error once the pauses are used up.
pub(crate) fn retry<T>(
    mut op: impl FnMut() -> io::Result<T>,
    transient: impl Fn(&io::Error) -> bool,
    pauses: &[Duration],
) -> io::Result<T> {
    let mut pauses = pauses.iter();
    loop {
        match op() {
            Err(error) if transient(&error) => match pauses.next() {
                Some(pause) => std::thread::sleep(*pause),
                None => return Err(error),
            },
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy() -> io::Error {
        io::Error::new(io::ErrorKind::WouldBlock, "no process slot")
    }

    fn is_busy(error: &io::Error) -> bool {
        error.kind() == io::ErrorKind::WouldBlock
    }

    const PAUSES: [Duration; 3] = [Duration::ZERO; 3];

    #[test]
    fn a_start_refused_for_a_moment_succeeds_on_a_later_try() {
        let mut tries = 0;
        let result = retry(
            || {
                tries += 1;
                if tries < 3 { Err(busy()) } else { Ok(tries) }
            },
            is_busy,
            &PAUSES,
        );
        assert_eq!(result.unwrap(), 3);
    }

    #[test]
    fn another_error_is_returned_at_once() {
        let mut tries = 0;
        let result: io::Result<()> = retry(
            || {
                tries += 1;
                Err(io::Error::from(io::ErrorKind::NotFound))
            },
            is_busy,
            &PAUSES,
        );
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::NotFound);
        assert_eq!(tries, 1);
    }

    #[test]
    fn a_refusal_that_lasts_ends_with_its_error_after_every_pause() {
        let mut tries = 0;
        let result: io::Result<()> = retry(
            || {
                tries += 1;
                Err(busy())
            },
            is_busy,
            &PAUSES,
        );
        assert_eq!(result.unwrap_err().to_string(), "no process slot");
        assert_eq!(tries, 1 + PAUSES.len());
    }
}
