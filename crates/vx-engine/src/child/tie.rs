//! A process tied to the `vx` that started it: what a `vx sync` install child is
//! (`super::from_parent`) and what the venv maker runs under ([`super::tied`]). The one
//! place the logic lives:
//!
//! - the process asks for SIGTERM when its parent dies (Linux `PR_SET_PDEATHSIG`, set
//!   on itself: no `pre_exec`, no unsafe code) and takes it, with SIGINT and SIGHUP, as
//!   a cancel ([`Tie::signalled`]);
//! - started as the leader of a process group of its own (`Tree::spawn`), it holds
//!   what it starts in that group; once the cancel came and the parent is gone (the
//!   caller says how to tell, [`Tie::watch`]), a watch thread gives the whole group
//!   SIGTERM, and [`ORPHAN_GRACE`] later SIGKILL, this process included, whatever the
//!   process's own work is waiting for (`npm ci`, pip, uv, `python -m venv`);
//! - at its end, a process whose parent is gone ends what is left of its group
//!   ([`Tie::end_if_orphaned`]): nobody else is there to.
//!
//! Elsewhere (macOS and the other Unixes, Windows) there is no parent-death request:
//! the tie holds nothing ([`Tie::tied`] is false) and the parent's own clean-up (its
//! process-group kill, Windows' Job Object) is what there is.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use vx_base::platform::process;

/// How long a process whose parent died gives its process tree to end by itself (the
/// SIGTERM every process of it got) before it SIGKILLs the tree, itself with it. Short:
/// nobody is left to show a clean cancel to, and what is half made is the next run's
/// to remove; `npm ci` rolling back on SIGTERM was still running 3 s after `vx sync`
/// was SIGKILLed (issue 79, item 6).
pub const ORPHAN_GRACE: Duration = Duration::from_millis(300);
/// How often the watch looks at the cancel flag.
const ORPHAN_POLL: Duration = Duration::from_millis(100);

/// This process's tie to its parent ([`Tie::to_parent`]).
pub struct Tie {
    signalled: Arc<AtomicBool>,
    tied: bool,
    own_tree: bool,
}

impl Tie {
    /// Ties this process to its parent: SIGTERM when the parent dies (even by
    /// SIGKILL; Linux only), counted as a cancel with SIGINT and SIGHUP. The request
    /// covers only a parent that dies after it: the caller checks the parent is still
    /// the one it expects ([`Tie::watch`]'s `gone`) once this returns.
    pub fn to_parent() -> Tie {
        let tied = process::cancel_on_parent_death();
        let signalled = vx_base::signals::cancel_flag();
        Tie {
            signalled,
            tied,
            own_tree: process::leads_own_tree(),
        }
    }

    /// The cancel flag: set by SIGTERM (the parent's death among them), SIGINT, SIGHUP.
    pub fn signalled(&self) -> &Arc<AtomicBool> {
        &self.signalled
    }

    /// Whether the parent's death reaches this process (Linux).
    pub fn tied(&self) -> bool {
        self.tied
    }

    /// Whether this process leads a process group of its own (its parent started it
    /// so): what it starts can be ended with it.
    pub fn own_tree(&self) -> bool {
        self.own_tree
    }

    /// Starts the watch of a tied process that leads its own tree: once the cancel
    /// came and `gone` says the parent is gone, every process of the tree gets SIGTERM
    /// at once and, after [`ORPHAN_GRACE`], the tree (this process included) SIGKILL,
    /// unless the process ended first. Nothing is started otherwise.
    pub fn watch(&self, gone: impl Fn() -> bool + Send + 'static) {
        if !(self.own_tree && self.tied) {
            return;
        }
        let signalled = Arc::clone(&self.signalled);
        let _ = std::thread::Builder::new()
            .name("vx-orphan-watch".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                loop {
                    if signalled.load(Ordering::Relaxed) && gone() {
                        process::term_own_tree();
                        std::thread::sleep(ORPHAN_GRACE);
                        process::kill_own_tree();
                        return;
                    }
                    std::thread::sleep(ORPHAN_POLL);
                }
            });
    }

    /// The last act of a tied process that leads its own tree: when `gone` says its
    /// parent is gone, what is left of the tree (a grandchild that ignored the
    /// cancel) is SIGKILLed, this process with it. A live parent ends the tree itself
    /// once it has reaped this process.
    pub fn end_if_orphaned(&self, gone: impl Fn() -> bool) {
        if self.own_tree && self.tied && gone() {
            process::kill_own_tree();
        }
    }
}
