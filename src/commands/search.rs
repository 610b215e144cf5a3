//! `vx search TERM [--json]`: vx's language runtimes, then packages of the project's
//! registries and the standard one, whose names, aliases, commands or descriptions
//! hold TERM, best matches first.

use crate::cli::SearchArgs;
use vx_base::exit::{Error, FAILED, OK};

/// Runs `vx search`: exit 0 with results, 1 with none.
pub(crate) fn run(args: &SearchArgs) -> Result<i32, Error> {
    let session = super::open_optional(args.manifest.as_deref(), args.offline)?;
    let searched = vx_ops::search::search(&session, &args.term, args.json)?;
    for problem in &searched.problems {
        vx_base::note!("vx: warning: not searched: {problem}");
    }
    let found = &searched.found;
    let text = crate::present::search::text(found, searched.runtimes, &args.term, args.json);
    super::print(&text)?;
    Ok(if found.is_empty() { FAILED } else { OK })
}
