//! `vx mirror push oci://HOST/REPO [--platform P]... [--tag T]...`: the project's locked
//! downloads, vx.lock and an OCI image manifest, uploaded to a registry
//! ([`vx::fleet::push`]).

use vx::exit::{Error, OK};
use vx::fleet::push::Target;
use vx::mirror::Source;
use vx::session::{Opening, Want};

use crate::cli::MirrorCommand;

/// Runs `vx mirror …`.
pub fn run(command: MirrorCommand) -> Result<i32, Error> {
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
            let pushed = vx::ops::push::push(&session, request, &mut std::io::stderr())?;
            let _ = super::print(&vx::present::push::pushed(
                &pushed,
                &label,
                content.run.json,
            ));
            Ok(OK)
        }
    }
}
