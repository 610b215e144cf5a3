//! `vx mirror push oci://HOST/REPO [--platform P]... [--tag T]...`: the project's locked
//! downloads, vx.lock and an OCI image manifest, uploaded to a registry
//! ([`vx_project::fleet::push`]).

use vx_base::exit::{Error, OK};
use vx_ops::session::{Opening, Want};
use vx_project::fleet::push::Target;
use vx_sources::mirror::Source;

use crate::cli::MirrorCommand;

/// Runs `vx mirror …`.
pub(crate) fn run(command: MirrorCommand) -> Result<i32, Error> {
    match command {
        MirrorCommand::Push { target, content } => {
            let target = match Source::parse(&target).map_err(Error::usage)? {
                Source::Oci(oci) => oci,
                other => {
                    return Err(Error::usage(format!(
                        "`vx mirror push` sends to an OCI registry (oci://HOST/REPO), not {}",
                        other.label()
                    )));
                }
            };
            let label = target.label.clone();
            let target = Target::Registry(target);
            let session = super::open(&Opening::new(content.manifest.as_deref(), Want::Project))?;
            let request = super::request::push_request(&target, &content);
            let pushed = vx_ops::push::push(&session, request, &mut std::io::stderr())?;
            let _ = super::print(&crate::present::push::pushed(
                &pushed,
                &label,
                content.run.json,
            ));
            Ok(OK)
        }
    }
}
