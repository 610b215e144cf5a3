//! astral-sh/uv's GitHub releases on the loopback GitHub: a release tagged by its
//! version (`0.13.9`, no `v`) carrying `uv-{TRIPLE}.tar.gz` and a `.sha256` beside
//! each, with GitHub digests.
//!
//! The archive served for linux-x86_64 is made from the real uv of that version: the
//! one its manylinux wheel on PyPI carries (`uv-{V}.data/scripts/uv` and `uvx`, maturin's
//! `bindings = "bin"`), fetched once with `pip download uv=={V} --only-binary=:all:`
//! into `target/runtime-fixtures/`. It is packed as astral-sh/uv packs its own release
//! archives (`.github/workflows/build-release-binaries.yml`, job `linux`, step "Archive
//! binary": `mkdir -p $ARCHIVE_NAME; cp target/$TARGET/release/uv $ARCHIVE_NAME/uv; cp
//! target/$TARGET/release/uvx $ARCHIVE_NAME/uvx; tar czvf $ARCHIVE_FILE $ARCHIVE_NAME;
//! shasum -a 256 $ARCHIVE_FILE > $ARCHIVE_FILE.sha256`, with `ARCHIVE_NAME=uv-$TARGET`):
//! the folder `uv-x86_64-unknown-linux-gnu/` holding `uv` and `uvx`. The other
//! triples' assets are noise, never downloaded.
//!
//! The archive served for windows-x86_64 ([`windows_archive`]) is made from uv's
//! `win_amd64` wheel on PyPI (`uv-{V}.data/scripts/uv.exe`, `uvx.exe`, `uvw.exe`), as
//! the same workflow packs it (job `windows`, step "Archive binary", l.370-374 at
//! 26a9dd4b: `ARCHIVE_FILE=uv-${PLATFORM_TARGET}.zip; 7z a $ARCHIVE_FILE
//! ./target/${PLATFORM_TARGET}/release/uv.exe`, then `uvx.exe` and `uvw.exe`;
//! `sha256sum $ARCHIVE_FILE > $ARCHIVE_FILE.sha256`): the three programs at the zip's
//! root. Built in this process with the `zip` crate, so a Windows test builds it too
//! (`.ci/windows` fetches the wheel on Linux first).

use std::path::PathBuf;

use vx_fixture::github::FixtureRelease;
use vx_fixture::{noise_seeded, sha256_hex};

/// The publisher's repository.
pub const OWNER: &str = "astral-sh";
/// The publisher's repository.
pub const REPO: &str = "uv";
/// The real uv served.
pub const VERSION: &str = "0.13.9";
/// The triple whose archive is the real one.
pub const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// The triples a release carries, beside [`TRIPLE`] (a part of the real list).
const OTHERS: [&str; 4] = [
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
];

/// The real uv's release archive for [`TRIPLE`], built once.
pub fn archive() -> Vec<u8> {
    let name = format!("uv-{VERSION}-{TRIPLE}.tar.gz");
    let path = super::built_once(&name, |out| {
        let wheel = wheel();
        let work = tempfile::tempdir_in(super::fixtures_dir()).unwrap();
        super::run(
            "python3",
            &[
                "-m",
                "zipfile",
                "-e",
                wheel.to_str().unwrap(),
                work.path().join("wheel").to_str().unwrap(),
            ],
            work.path(),
        );
        let folder = work.path().join(format!("uv-{TRIPLE}"));
        std::fs::create_dir(&folder).unwrap();
        for command in ["uv", "uvx"] {
            let from = work
                .path()
                .join(format!("wheel/uv-{VERSION}.data/scripts/{command}"));
            let to = folder.join(command);
            std::fs::copy(&from, &to).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        super::run(
            "tar",
            &["czf", out.to_str().unwrap(), &format!("uv-{TRIPLE}")],
            work.path(),
        );
    });
    std::fs::read(path).unwrap()
}

/// uv's manylinux wheel from PyPI, downloaded once.
fn wheel() -> PathBuf {
    super::pypi::downloaded_wheel(
        &format!("uv=={VERSION}"),
        "manylinux_2_17_x86_64",
        &format!("uv-{VERSION}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
    )
}

/// The triple of the Windows archive.
pub const WINDOWS_TRIPLE: &str = "x86_64-pc-windows-msvc";

/// The real uv's release zip for [`WINDOWS_TRIPLE`], built once.
pub fn windows_archive() -> Vec<u8> {
    let path = super::built_once(&format!("uv-{VERSION}-{WINDOWS_TRIPLE}.zip"), |out| {
        use std::io::{Read, Write};
        let wheel = super::pypi::downloaded_wheel(
            &format!("uv=={VERSION}"),
            "win_amd64",
            &format!("uv-{VERSION}-py3-none-win_amd64.whl"),
        );
        let mut wheel = zip::ZipArchive::new(std::fs::File::open(wheel).unwrap()).unwrap();
        let mut zip = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for program in ["uv.exe", "uvx.exe", "uvw.exe"] {
            let mut bytes = Vec::new();
            wheel
                .by_name(&format!("uv-{VERSION}.data/scripts/{program}"))
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            zip.start_file(program, options).unwrap();
            zip.write_all(&bytes).unwrap();
        }
        zip.finish().unwrap();
    });
    std::fs::read(path).unwrap()
}

/// The release of [`VERSION`] with the real Windows zip ([`windows_archive`]) as
/// `uv-x86_64-pc-windows-msvc.zip`, beside [`release`]'s assets (its linux-x86_64
/// archive noise).
pub fn windows_release() -> FixtureRelease {
    let zip = windows_archive();
    let name = format!("uv-{WINDOWS_TRIPLE}.zip");
    let sums = format!("{}  {name}\n", sha256_hex(&zip));
    release(noise_seeded(32, 699))
        .asset(&name, zip)
        .asset(&format!("{name}.sha256"), sums.into_bytes())
}

/// The asset name for `triple`.
pub fn asset_name(triple: &str) -> String {
    format!("uv-{triple}.tar.gz")
}

/// The release of [`VERSION`] serving `linux` as the linux-x86_64 archive (the real
/// one, or another's bytes), each asset with its digest and its `.sha256` as
/// astral-sh/uv writes it (`shasum -a 256`: `HEX  NAME`).
pub fn release(linux: Vec<u8>) -> FixtureRelease {
    let mut release = FixtureRelease::new(VERSION).published("2025-11-12T00:00:00Z");
    let assets = std::iter::once((TRIPLE, linux)).chain(
        OTHERS
            .iter()
            .enumerate()
            .map(|(i, t)| (*t, noise_seeded(32, 700 + i as u64))),
    );
    for (triple, bytes) in assets {
        let name = asset_name(triple);
        let sums = format!("{}  {name}\n", sha256_hex(&bytes));
        release = release
            .asset(&name, bytes)
            .asset(&format!("{name}.sha256"), sums.into_bytes());
    }
    release
}
