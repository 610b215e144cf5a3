//! What `vx import` and `vx init` say of an import ([`vx_ops::import`]): each
//! entry's line and vx.toml created on stdout; the network's failure, the lock and
//! the entries skipped through the caller's `note` (stderr).

use vx_base::exit::{Error, FAILED, OK};
use vx_ops::import::{Edited, Settled};

/// Says that the network failed, if it did; then, when the import writes nothing,
/// each entry's line (a registry alone is not written, so not said) and that vx.toml
/// is unchanged, with the exit code: 1 when entries were skipped.
pub(crate) fn unwritten(edited: &Edited, note: &dyn Fn(&str)) -> Option<(String, i32)> {
    if edited.unreachable {
        note(&format!(
            "vx: the network failed (nothing answered), so the entries that needed it were skipped and the rest is written; {}",
            vx_engine::resolution::UNREACHABLE_HELP
        ));
    }
    if edited.write {
        return None;
    }
    let mut text: String = edited
        .lines
        .iter()
        .filter(|l| !l.starts_with("imported registry "))
        .map(|line| format!("{line}\n"))
        .collect();
    text.push_str(&format!(
        "nothing imported; {} is unchanged\n",
        vx_text::sanitize(&edited.path.display().to_string())
    ));
    Some((text, if edited.failed > 0 { FAILED } else { OK }))
}

/// An import written: vx.toml created (if it was), then each entry's line.
pub(crate) fn imported(edited: &Edited) -> String {
    let mut text = String::new();
    if edited.created {
        let path = edited.path.display().to_string();
        text.push_str(&format!("created {}\n", vx_text::sanitize(&path)));
    }
    for line in &edited.lines {
        text.push_str(&format!("{line}\n"));
    }
    text
}

/// Says what became of an import's lock ([`vx_ops::import::write_and_lock`]) and
/// of the files it put back, then the entries skipped, and returns the exit code: a
/// lock that only waits for the network is a success with a note.
pub(crate) fn settled(
    settled: Settled,
    edited: &Edited,
    note: &dyn Fn(&str),
) -> Result<i32, Error> {
    let code = match settled {
        Settled::Nothing => OK,
        Settled::Unreadable(e, put_back) => {
            super::edit::restored(&put_back, note);
            return Err(Error::usage(e));
        }
        Settled::Locked {
            report,
            platforms,
            restored: put_back,
        } => {
            if let Some(lock) = edited.lock_path() {
                super::lock::locked(&report, &lock, &platforms, note);
            }
            if let Some(put_back) = put_back {
                super::edit::restored(&put_back, note);
            }
            report.code
        }
        Settled::Waiting(e) => {
            let e = Error::from(e);
            note(&format!(
                "vx: vx.lock is not filled yet: {e}; run `vx lock` when the publishers can be reached"
            ));
            OK
        }
        Settled::Failed(e, put_back) => {
            super::edit::restored(&put_back, note);
            return Err(e.into());
        }
    };
    // What was written stands: `vx init && vx sync` goes on.
    let failed = edited.failed;
    if failed > 0 {
        note(&format!(
            "vx: {failed} entr{} skipped (the lines above say why); the rest is written",
            if failed == 1 { "y was" } else { "ies were" }
        ));
    }
    Ok(code)
}
