//! Finding a release and putting it in place of the running vx: the manifest and its
//! signature fetched and checked ([`Source::find`]), then the archive downloaded,
//! checked against the manifest, the binary taken out of it, run once to check the
//! version it reports, and only then moved over the running executable
//! ([`Source::install`]). Any failure before that last step leaves the installed vx
//! as it was.
//!
//! While the new binary is staged beside the running one (`.vx-update-XXXXXX`, a whole
//! vx), SIGINT, SIGTERM and SIGHUP stop the update: its `--version` check is killed, the
//! staged file removed, and the update ends with exit 130. Before that (the downloads)
//! they end vx as usual: nothing is written then. A staged file an update killed with
//! SIGKILL left is removed by the next update ([`remove_stale_stages`]).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use super::manifest::{self, ReleaseManifest};
use super::{MANIFEST, MAX_MANIFEST_BYTES, RELEASE_KEY, REPOSITORY, SelfUpdateError};
use vx_base::signals::Interrupt;
use vx_base::validate::{self, Scheme};
use vx_model::manifest::network::ProjectNet;
use vx_model::user_config::UserConfig;
use vx_net::verify::minisign::Key;
use vx_net::{Client, Timeouts};
use vx_sources::github::{Github, GithubConfig, GithubError};

/// How long the new binary has to answer `--version`.
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);
/// The most of its `--version` output read.
const VERSION_OUTPUT_LIMIT: u64 = 64 * 1024;
/// The largest binary taken out of an archive.
const MAX_BINARY_BYTES: u64 = 512 << 20;
/// The name prefix of a staged new binary.
const STAGE_PREFIX: &str = ".vx-update-";
/// A staged binary older than this was left by an update that was killed: a live one
/// is written, checked within [`VERSION_TIMEOUT`] and moved into place, all in far less.
const STALE_STAGE: Duration = Duration::from_secs(15 * 60);

/// Where releases come from and which keys sign them.
pub(crate) struct Source {
    github: Github,
    repo_url: String,
    keys: Vec<Key>,
}

/// A release found and verified.
#[derive(Clone, Debug)]
pub struct Found {
    /// Its manifest, signature checked.
    pub manifest: ReleaseManifest,
    /// Where the manifest was fetched from.
    pub url: String,
}

impl Source {
    /// The source the environment and the user config describe: `[self_update] url`,
    /// else `vx-toolchain/vx` on `VX_GITHUB_URL` / `[github] url`'s GitHub (default
    /// github.com); the compiled-in key and `[self_update] keys`; the network settings
    /// of every request.
    pub(crate) fn from_env() -> Result<Source, SelfUpdateError> {
        let setting = |e: &dyn std::fmt::Display| SelfUpdateError::Setting(e.to_string());
        let user = UserConfig::load().map_err(|e| setting(&e))?;
        let github_config = GithubConfig::from_env(&user).map_err(|e| setting(&e))?;
        let repo_url = match &user.self_update.url {
            Some(url) => {
                if !matches!(validate::url(url), Ok(Scheme::Http | Scheme::Https)) {
                    return Err(SelfUpdateError::Setting(
                        "[self_update] url must be an http:// or https:// URL".to_owned(),
                    ));
                }
                url.trim_end_matches('/').to_owned()
            }
            None => format!(
                "{}/{REPOSITORY}",
                github_config.hosts.web.trim_end_matches('/')
            ),
        };
        let mut keys =
            vec![Key::parse(RELEASE_KEY).map_err(|e| SelfUpdateError::BadKey(Box::new(e)))?];
        for entry in &user.self_update.keys {
            keys.push(load_key(entry)?);
        }
        let net = vx_sources::settings::network::merged(&ProjectNet::default(), &user)
            .map_err(|e| setting(&e))?;
        let client = Client::new(Arc::new(net), Timeouts::default());
        // No cache: a release manifest is small and must be fresh.
        let github = Github::new(github_config, client, None, false);
        Ok(Source {
            github,
            repo_url,
            keys,
        })
    }

    /// The URL of `file` in the release tagged `tag`, or in the latest release.
    fn release_file(&self, tag: Option<&str>, file: &str) -> String {
        match tag {
            Some(tag) => format!(
                "{}/releases/download/{}/{file}",
                self.repo_url,
                vx_sources::github::encode_segment(tag)
            ),
            None => format!("{}/releases/latest/download/{file}", self.repo_url),
        }
    }

    /// The release `version` (`1.2.3` or `v1.2.3`), or the latest: its manifest and
    /// signature fetched, the signature checked with the trusted keys, the signed tag
    /// the manifest's, and for a pinned version the manifest that version's.
    pub(crate) fn find(&self, version: Option<&str>) -> Result<Found, SelfUpdateError> {
        let tag = match version {
            Some(v) => {
                let bare = v.trim().trim_start_matches('v');
                semver::Version::parse(bare).map_err(|_| {
                    SelfUpdateError::Setting(format!(
                        "{} is not a version (MAJOR.MINOR.PATCH)",
                        vx_text::sanitize(&validate::shorten(v))
                    ))
                })?;
                Some(format!("v{bare}"))
            }
            None => None,
        };
        let what = match &tag {
            Some(tag) => format!("the release manifest of {tag}"),
            None => "the latest release manifest".to_owned(),
        };
        let url = self.release_file(tag.as_deref(), MANIFEST);
        let bytes = self
            .github
            .fetch(&url, MAX_MANIFEST_BYTES)
            .map_err(|source| SelfUpdateError::Fetch {
                what: what.clone(),
                source: Box::new(source),
            })?;
        let signature_url = format!("{url}.minisig");
        let signature = match self.github.fetch(&signature_url, MAX_MANIFEST_BYTES) {
            Ok(signature) => signature,
            Err(GithubError::NotFound { .. }) => return Err(SelfUpdateError::Unsigned { url }),
            Err(source) => {
                return Err(SelfUpdateError::Fetch {
                    what: format!("the signature of {what}"),
                    source: Box::new(source),
                });
            }
        };
        let manifest = manifest::verify(&bytes, &signature, &url, &self.keys)?;
        if let Some(tag) = &tag
            && &manifest.tag != tag
        {
            return Err(SelfUpdateError::Manifest {
                url,
                problem: format!(
                    "is the signed manifest of {}, not of {tag}: a release served under another tag",
                    manifest.tag
                ),
            });
        }
        Ok(Found { manifest, url })
    }

    /// Downloads `found`'s archive for `target`, checks it, takes the binary out, runs
    /// it to check the version it reports, and puts it in place of `exe`.
    pub(crate) fn install(
        &self,
        found: &Found,
        target: &str,
        exe: &Path,
    ) -> Result<(), SelfUpdateError> {
        let manifest = &found.manifest;
        let asset = manifest
            .targets
            .get(target)
            .ok_or_else(|| SelfUpdateError::NoTarget {
                tag: manifest.tag.clone(),
                target: target.to_owned(),
            })?;
        let url = self.release_file(Some(&manifest.tag), &asset.asset);
        // One byte over the manifest's size is read so that a longer answer is told
        // from one of the right size (the client's limit refuses the limit itself).
        let bytes =
            self.github
                .fetch(&url, asset.size + 1)
                .map_err(|source| SelfUpdateError::Fetch {
                    what: format!("the archive {}", asset.asset),
                    source: Box::new(source),
                })?;
        let bad = |problem: String| SelfUpdateError::Archive {
            url: vx_net::url::display_url(&url),
            problem,
        };
        if bytes.len() as u64 != asset.size {
            return Err(bad(format!(
                "has {} bytes, not the {} the manifest says (a truncated or altered download)",
                bytes.len(),
                asset.size
            )));
        }
        let sha256 = hex::encode(Sha256::digest(&bytes));
        if sha256 != asset.sha256 {
            return Err(bad(format!(
                "has sha256 {sha256}, not the manifest's {}",
                asset.sha256
            )));
        }
        let windows = target.contains("windows");
        let name = if windows { "vx.exe" } else { "vx" };
        let inner = format!("vx-{}-{target}/{name}", manifest.version);
        let binary = if asset.asset.ends_with(".zip") {
            from_zip(&bytes, &inner)
        } else {
            from_tar_gz(&bytes, &inner)
        }
        .map_err(|e| bad(e.to_string()))?;
        let dir = exe.parent().unwrap_or(Path::new("."));
        remove_stale_stages(dir);
        // From here a signal must not end vx with the staged binary left behind.
        let interrupt = Interrupt::register().map_err(SelfUpdateError::io(
            "cannot handle interrupts while the new vx is checked",
        ))?;
        let stop = interrupt.flag();
        let staged = stage(dir, &binary)?;
        check_version(&staged, &manifest.version, &stop)?;
        if stop.load(Ordering::Relaxed) {
            return Err(SelfUpdateError::Interrupted);
        }
        self_replace::self_replace(&staged).map_err(SelfUpdateError::io(format!(
            "cannot put the new vx in place of {}",
            exe.display()
        )))?;
        Ok(())
    }
}

/// The largest minisign key file read (one is about 150 bytes).
const MAX_KEY_FILE_BYTES: u64 = 64 << 10;

/// A minisign key from `[self_update] keys`: a key line, or the path of a `.pub` file
/// (its last non-empty line is the key).
fn load_key(entry: &str) -> Result<Key, SelfUpdateError> {
    if let Ok(key) = Key::parse(entry) {
        return Ok(key);
    }
    let path = Path::new(entry);
    // A `.pub` file is two short lines; a device or a FIFO is refused unread.
    let text = vx_base::bounded_read::read_to_string(path, MAX_KEY_FILE_BYTES).map_err(|e| {
        SelfUpdateError::Setting(format!(
            "[self_update] keys: {} is neither a minisign key nor a readable file: {e}",
            path.display()
        ))
    })?;
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    Key::parse(line).map_err(|e| SelfUpdateError::BadKey(Box::new(e)))
}

/// The file `inner` of a gzip tar, at most [`MAX_BINARY_BYTES`].
fn from_tar_gz(bytes: &[u8], inner: &str) -> Result<Vec<u8>, UnpackError> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let entries = archive.entries().map_err(UnpackError::NotTarGz)?;
    for entry in entries {
        let entry = entry.map_err(UnpackError::Unreadable)?;
        let path = entry.path().map_err(UnpackError::BadEntry)?;
        if path.to_string_lossy() == inner && entry.header().entry_type().is_file() {
            return read_bounded(entry, inner);
        }
    }
    Err(UnpackError::Missing {
        inner: inner.to_owned(),
    })
}

/// The file `inner` of a zip, at most [`MAX_BINARY_BYTES`].
fn from_zip(bytes: &[u8], inner: &str) -> Result<Vec<u8>, UnpackError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(UnpackError::NotZip)?;
    let entry = archive.by_name(inner).map_err(|_| UnpackError::Missing {
        inner: inner.to_owned(),
    })?;
    read_bounded(entry, inner)
}

fn read_bounded(entry: impl Read, inner: &str) -> Result<Vec<u8>, UnpackError> {
    let mut binary = Vec::new();
    entry
        .take(MAX_BINARY_BYTES + 1)
        .read_to_end(&mut binary)
        .map_err(|source| UnpackError::Read {
            inner: inner.to_owned(),
            source,
        })?;
    if binary.len() as u64 > MAX_BINARY_BYTES {
        return Err(UnpackError::TooLarge {
            inner: inner.to_owned(),
        });
    }
    Ok(binary)
}

/// Why the release archive gives no binary: said after the archive's name.
#[derive(Debug, thiserror::Error)]
enum UnpackError {
    /// Not a gzip tar.
    #[error("is not a tar.gz: {0}")]
    NotTarGz(#[source] std::io::Error),
    /// An entry that cannot be read.
    #[error("is not a readable tar.gz: {0}")]
    Unreadable(#[source] std::io::Error),
    /// An entry whose path cannot be read.
    #[error("has a bad entry: {0}")]
    BadEntry(#[source] std::io::Error),
    /// Not a zip.
    #[error("is not a zip: {0}")]
    NotZip(#[source] zip::result::ZipError),
    /// No binary where the release puts it.
    #[error("holds no {inner}")]
    Missing {
        /// The binary's path in the archive.
        inner: String,
    },
    /// The binary cannot be read.
    #[error("cannot be unpacked ({inner}): {source}")]
    Read {
        /// The binary's path in the archive.
        inner: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A binary past the limit.
    #[error("holds a {inner} over {MAX_BINARY_BYTES} bytes")]
    TooLarge {
        /// The binary's path in the archive.
        inner: String,
    },
}

/// Writes `binary` to a temporary executable file in `dir` (beside the running vx, so
/// the swap is a rename on one file system), closed so that it can run.
fn stage(dir: &Path, binary: &[u8]) -> Result<tempfile::TempPath, SelfUpdateError> {
    let what = format!("cannot write the new vx into {}", dir.display());
    let mut file = tempfile::Builder::new()
        .prefix(STAGE_PREFIX)
        .tempfile_in(dir)
        .map_err(SelfUpdateError::io(what.clone()))?;
    std::io::Write::write_all(&mut file, binary).map_err(SelfUpdateError::io(what.clone()))?;
    vx_base::platform::fs::set_unpacked_mode(file.as_file(), Some(0o755))
        .map_err(SelfUpdateError::io(what.clone()))?;
    file.as_file()
        .sync_all()
        .map_err(SelfUpdateError::io(what))?;
    Ok(file.into_temp_path())
}

/// Removes the staged binaries in `dir` that updates killed with SIGKILL left (older
/// than `STALE_STAGE`: one of a running update is younger). An age rather than a
/// lock: the staged file is closed while it runs (Linux refuses to run a file open for
/// writing), and a lock on another handle would keep Windows from moving it into place.
/// What cannot be removed stays, silently: it is only disk space.
pub(crate) fn remove_stale_stages(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let named = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(STAGE_PREFIX));
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_STAGE);
        if named && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Runs `binary --version` and checks that it reports `expected`; a binary that does
/// not run, fails, hangs past [`VERSION_TIMEOUT`] or reports another version is refused.
/// Once `stop` is set the check is killed: [`SelfUpdateError::Interrupted`]. The check
/// runs as a process tree of its own (a process group; a Job Object on Windows), ended
/// whole when it is over: a binary that leaves a process behind holding its output
/// neither holds the update nor outlives it. On Linux what left the group (`setsid`)
/// is adopted by this process while the check runs, and ended with it, the check timed
/// out or not.
fn check_version(binary: &Path, expected: &str, stop: &AtomicBool) -> Result<(), SelfUpdateError> {
    let mut command = Command::new(binary);
    command
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // What the binary starts and leaves in a session of its own (`setsid`) is adopted
    // here and ended with the rest (issue 66, item 17: it was left running).
    let adopting = vx_base::platform::process::adopt_orphans();
    let result = run_version_check(&mut command, expected, stop, adopting.as_ref());
    if let Some(adopting) = &adopting {
        adopting.end_orphans();
    }
    result
}

/// [`check_version`]'s run of `command`.
fn run_version_check(
    command: &mut Command,
    expected: &str,
    stop: &AtomicBool,
    adopting: Option<&vx_base::platform::process::Adopting>,
) -> Result<(), SelfUpdateError> {
    let bad = |problem: String| SelfUpdateError::NewBinary { problem };
    let (mut child, tree) = match vx_base::platform::process::Tree::spawn(command) {
        Ok((child, tree)) => (child, Some(tree)),
        // A tree of its own cannot always be made (on Windows a job this process runs
        // in may refuse another): the binary alone then, still bounded below.
        Err(_) => (
            vx_base::platform::process::spawn(command)
                .map_err(|e| bad(format!("does not run: {e}")))?,
            None,
        ),
    };
    let end = |child: &mut std::process::Child| match &tree {
        Some(tree) => tree.kill(),
        None => {
            let _ = child.kill();
        }
    };
    let stdout = child.stdout.take();
    let (sent, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(stdout) = stdout {
            let _ = stdout.take(VERSION_OUTPUT_LIMIT).read_to_end(&mut out);
        }
        let _ = sent.send(out);
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if stop.load(Ordering::Relaxed) => {
                end(&mut child);
                let _ = child.wait();
                return Err(SelfUpdateError::Interrupted);
            }
            Ok(None) if started.elapsed() > VERSION_TIMEOUT => {
                end(&mut child);
                let _ = child.wait();
                return Err(bad(format!(
                    "did not answer --version within {}s",
                    VERSION_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                end(&mut child);
                return Err(bad(format!("could not be waited for: {e}")));
            }
        }
    };
    // What it started is ended with it: a process left behind holding the output
    // would hold the read below (one that left the group too, adopted).
    end(&mut child);
    if let Some(adopting) = adopting {
        adopting.end_orphans();
    }
    let left = VERSION_TIMEOUT.saturating_sub(started.elapsed());
    let Ok(out) = output.recv_timeout(left.max(Duration::from_millis(100))) else {
        return Err(bad(
            "left a process of its own holding its output after --version".to_owned(),
        ));
    };
    if !status.success() {
        return Err(bad(format!(
            "failed on --version ({})",
            vx_base::platform::process::describe_status(status)
        )));
    }
    let text = String::from_utf8_lossy(&out);
    match vx_base::build_info::reported_version(&text) {
        Some(reported) if reported == expected => Ok(()),
        reported => Err(bad(format!(
            "reports version {}, not the release's {expected}",
            vx_text::sanitize(&validate::shorten(reported.unwrap_or("(none)")))
        ))),
    }
}

/// The running executable, with links resolved: what an update replaces.
pub(crate) fn current_exe() -> Result<PathBuf, SelfUpdateError> {
    let exe = std::env::current_exe()
        .map_err(SelfUpdateError::io("cannot find the running vx executable"))?;
    Ok(std::fs::canonicalize(&exe).unwrap_or(exe))
}
