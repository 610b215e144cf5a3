//! A `bin` entry: a path inside an install (`bin/rg`), or `NAME=PATH` when the
//! command's name differs from its file's (`yq=yq_linux_amd64`). Read by the manifest's
//! checks, the installer, the lock and the toolchain alike.

/// A `bin` entry's path inside the install: the entry itself, or what follows `NAME=`
/// (`yq=yq_linux_amd64`: the command `yq` is the file `yq_linux_amd64`).
pub fn path(entry: &str) -> &str {
    entry.split_once('=').map_or(entry, |(_, path)| path)
}

/// A `bin` entry's command name: the `NAME` of `NAME=PATH`, else the path's file name.
pub fn command(entry: &str) -> &str {
    match entry.split_once('=') {
        Some((name, _)) => name,
        None => entry.rsplit('/').next().unwrap_or(entry),
    }
}
