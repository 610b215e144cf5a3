//! crates.io's sparse index (RFC 2789, Cargo's "Registry index" documentation): a
//! crate's versions are the JSON lines of `<index>/<prefix>/<name>` (`vers`, `cksum`
//! the sha256 of the `.crate`, `yanked`), its downloads named by the `dl` template of
//! `<index>/config.json`.
//!
//! The index is the one Cargo itself would read: crates.io's
//! (`https://index.crates.io/`) unless Cargo's configuration replaces it
//! (`[source.crates-io] replace-with = "NAME"`, NAME a `[source.NAME] registry` or a
//! `[registries.NAME] index`, `sparse+` URLs only), read from the project's
//! `.cargo/config.toml` and then `$CARGO_HOME/config.toml`.

use std::path::Path;

/// crates.io's sparse index.
pub(crate) const CRATES_IO_INDEX: &str = "https://index.crates.io/";

/// One version of a crate as its index line says (the fields vx reads).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct IndexLine {
    /// The crate's name.
    pub name: String,
    /// Its version.
    pub vers: String,
    /// The sha256 of its `.crate`, hex.
    pub cksum: String,
    /// Whether it was yanked.
    #[serde(default)]
    pub yanked: bool,
}

/// The index's `config.json` (the fields vx reads).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct IndexConfig {
    /// The download template.
    pub dl: String,
}

/// The path of `name`'s file in an index (`1/a`, `2/ab`, `3/a/abc`, `ca/rg/cargo`),
/// lower case.
pub fn index_path(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.len() {
        1 => format!("1/{lower}"),
        2 => format!("2/{lower}"),
        3 => format!("3/{}/{lower}", &lower[..1]),
        _ => format!("{}/{}/{lower}", &lower[..2], &lower[2..4]),
    }
}

/// The lines of an index file, each a version; a line that is not one is an error.
pub fn parse_index(text: &str) -> Result<Vec<IndexLine>, IndexLineError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            serde_json::from_str::<IndexLine>(line).map_err(|source| IndexLineError {
                line: n + 1,
                source,
            })
        })
        .collect()
}

/// A line of an index file that is not a version's.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {source}")]
pub struct IndexLineError {
    /// The line (1-based, blank lines not counted).
    pub line: usize,
    /// Why.
    pub source: serde_json::Error,
}

/// Why Cargo's configuration names no sparse index vx can read.
#[derive(Debug, thiserror::Error)]
pub enum CargoConfigError {
    /// A configuration file that is not TOML.
    #[error("{}: not Cargo's configuration: {source}", path.display())]
    NotConfig {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: toml::de::Error,
    },
    /// A replacement source without a registry's URL.
    #[error(
        "Cargo's configuration replaces crates-io with {replacement:?}, which names no `registry` or `index` URL (a directory or git source vx cannot read)"
    )]
    NoUrl {
        /// The replacement's name.
        replacement: String,
    },
    /// A replacement that is not a sparse index.
    #[error(
        "Cargo's configuration replaces crates-io with {replacement:?} = {url:?}: vx reads sparse indexes only (`sparse+https://…`)"
    )]
    NotSparse {
        /// The replacement's name.
        replacement: String,
        /// Its URL.
        url: String,
    },
}

/// The `.crate` URL of `line` by `config`'s `dl` template (`{crate}`, `{version}`,
/// `{prefix}`, `{lowerprefix}`, `{sha256-checksum}`; none of them:
/// `/{crate}/{version}/download` appended), as Cargo makes it.
pub fn download_url(config: &IndexConfig, line: &IndexLine) -> String {
    let markers = [
        "{crate}",
        "{version}",
        "{prefix}",
        "{lowerprefix}",
        "{sha256-checksum}",
    ];
    if !markers.iter().any(|m| config.dl.contains(m)) {
        return format!(
            "{}/{}/{}/download",
            config.dl.trim_end_matches('/'),
            line.name,
            line.vers
        );
    }
    let prefix = index_path(&line.name);
    let prefix = prefix.rsplit_once('/').map_or("", |(p, _)| p);
    let name = &line.name;
    let upper_prefix = match name.len() {
        1 => "1".to_owned(),
        2 => "2".to_owned(),
        3 => format!("3/{}", &name[..1]),
        _ => format!("{}/{}", &name[..2], &name[2..4]),
    };
    config
        .dl
        .replace("{crate}", &line.name)
        .replace("{version}", &line.vers)
        .replace("{lowerprefix}", prefix)
        .replace("{prefix}", &upper_prefix)
        .replace("{sha256-checksum}", &line.cksum)
}

/// The sparse index Cargo reads crates.io's crates from, as configured for a project
/// in `project_dir` (`.cargo/config.toml` there, then `$CARGO_HOME`'s): its URL,
/// ending in `/`.
pub fn index_url(
    project_dir: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, CargoConfigError> {
    let home = env("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".cargo")));
    let mut files = Vec::new();
    if let Some(dir) = project_dir {
        files.push(dir.join(".cargo/config.toml"));
        files.push(dir.join(".cargo/config"));
    }
    if let Some(home) = home {
        files.push(home.join("config.toml"));
        files.push(home.join("config"));
    }
    let configs: Vec<(std::path::PathBuf, toml::Table)> = files
        .into_iter()
        .filter_map(|path| {
            let text = vx_base::bounded_read::read_to_string(&path, 1 << 20).ok()?;
            Some((path, text))
        })
        .map(|(path, text)| match text.parse::<toml::Table>() {
            Ok(table) => Ok((path, table)),
            Err(source) => Err(CargoConfigError::NotConfig { path, source }),
        })
        .collect::<Result<_, CargoConfigError>>()?;
    let lookup = |path: [&str; 3]| -> Option<String> {
        configs.iter().find_map(|(_, t)| {
            t.get(path[0])?
                .get(path[1])?
                .get(path[2])?
                .as_str()
                .map(str::to_owned)
        })
    };
    let Some(replacement) = lookup(["source", "crates-io", "replace-with"]) else {
        return Ok(CRATES_IO_INDEX.to_owned());
    };
    let url = lookup(["source", &replacement, "registry"])
        .or_else(|| lookup(["registries", &replacement, "index"]))
        .ok_or_else(|| CargoConfigError::NoUrl {
            replacement: replacement.clone(),
        })?;
    let Some(sparse) = url.strip_prefix("sparse+") else {
        return Err(CargoConfigError::NotSparse {
            replacement,
            url: url.clone(),
        });
    };
    Ok(if sparse.ends_with('/') {
        sparse.to_owned()
    } else {
        format!("{sparse}/")
    })
}

/// The build step of a crate's `.crate` unpacked into the tree (its files at the
/// top, `strip_components` 1): `cargo install --locked` of that very source with
/// the project's rust, into the tree (`bin/`), its build folder removed after.
/// `--locked` builds the dependencies the crate's own `Cargo.lock` names, which
/// Cargo checks against their index checksums.
pub fn build_command(windows: bool) -> String {
    let install = "cargo install --locked --path . --root . --target-dir .vx-target";
    if windows {
        format!("{install} && rmdir /s /q .vx-target")
    } else {
        format!("{install} && rm -rf .vx-target")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_and_download_urls_are_cargos() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("abc"), "3/a/abc");
        assert_eq!(index_path("Cargo-Nextest"), "ca/rg/cargo-nextest");
        let line = IndexLine {
            name: "wait-timeout".into(),
            vers: "0.2.1".into(),
            cksum: "ab".into(),
            yanked: false,
        };
        let crates_io = IndexConfig {
            dl: "https://static.crates.io/crates".into(),
        };
        assert_eq!(
            download_url(&crates_io, &line),
            "https://static.crates.io/crates/wait-timeout/0.2.1/download"
        );
        let templated = IndexConfig {
            dl: "https://m.example/{lowerprefix}/{crate}-{version}.crate?{sha256-checksum}".into(),
        };
        assert_eq!(
            download_url(&templated, &line),
            "https://m.example/wa/it/wait-timeout-0.2.1.crate?ab"
        );
    }

    #[test]
    fn cargo_configuration_replaces_crates_io() {
        let dir = tempfile::tempdir().unwrap();
        let env = |k: &str| (k == "CARGO_HOME").then(|| dir.path().to_string_lossy().into_owned());
        assert_eq!(index_url(None, &env).unwrap(), CRATES_IO_INDEX);
        std::fs::write(
            dir.path().join("config.toml"),
            "[source.crates-io]\nreplace-with = \"corp\"\n[registries.corp]\nindex = \"sparse+https://corp.example/index\"\n",
        )
        .unwrap();
        assert_eq!(
            index_url(None, &env).unwrap(),
            "https://corp.example/index/"
        );
        std::fs::write(
            dir.path().join("config.toml"),
            "[source.crates-io]\nreplace-with = \"v\"\n[source.v]\ndirectory = \"vendor\"\n",
        )
        .unwrap();
        assert!(
            index_url(None, &env)
                .unwrap_err()
                .to_string()
                .contains("names no")
        );
    }
}
