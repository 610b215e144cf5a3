//! A `bin` entry: a path inside an install (`bin/rg`), `NAME=PATH` when the command's
//! name differs from its file's (`yq=yq_linux_amd64`: the command is a symbolic link
//! to the file), or `NAME==PATH` when the command must be a hard link to it (aqua's
//! `files[].hard`, pnpm's `pnpx==pnpm`: a program that finds its name from its own
//! resolved path, as Node's single-executable applications do, sees `NAME`, which a
//! symbolic link would resolve away). Read by the manifest's checks, the installer, the
//! lock and the toolchain alike.

/// A `bin` entry's path inside the install: the entry itself, or what follows `NAME=`
/// or `NAME==` (`yq=yq_linux_amd64`: the command `yq` is the file `yq_linux_amd64`).
pub fn path(entry: &str) -> &str {
    match entry.split_once('=') {
        Some((_, path)) => path.strip_prefix('=').unwrap_or(path),
        None => entry,
    }
}

/// A `bin` entry's command name: the `NAME` of `NAME=PATH`, else the path's file name.
pub fn command(entry: &str) -> &str {
    match entry.split_once('=') {
        Some((name, _)) => name,
        None => entry.rsplit('/').next().unwrap_or(entry),
    }
}

/// Whether the entry asks for its command as a hard link (`NAME==PATH`).
pub fn is_hard(entry: &str) -> bool {
    entry
        .split_once('=')
        .is_some_and(|(_, rest)| rest.starts_with('='))
}

/// The entry for the command `name` whose file `path` has another name: `NAME=PATH`,
/// or `NAME==PATH` when `hard`.
pub fn renamed(name: &str, path: &str, hard: bool) -> String {
    format!("{name}{}{path}", if hard { "==" } else { "=" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_as_its_command_path_and_link_kind() {
        for (entry, command_, path_, hard) in [
            ("bin/rg", "rg", "bin/rg", false),
            ("yq=yq_linux_amd64", "yq", "yq_linux_amd64", false),
            ("pnpx==pnpm", "pnpx", "pnpm", true),
            ("pnx==dist/pnpm", "pnx", "dist/pnpm", true),
        ] {
            assert_eq!(
                (command(entry), path(entry), is_hard(entry)),
                (command_, path_, hard),
                "{entry}"
            );
        }
        assert_eq!(renamed("pnpx", "pnpm", true), "pnpx==pnpm");
        assert_eq!(renamed("pn", "pnpm", false), "pn=pnpm");
    }
}
