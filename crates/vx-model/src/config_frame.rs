//! The framed message a `vx sync` parent writes to a `vx install` child on a pipe.
//!
//! Configuration never travels in environment variables or arguments: the parent
//! writes one frame per tool the child is to install (usually one; a batch of small
//! tools when there are more tools than `-j` slots, at most [`MAX_FRAMES`]) and closes
//! its end. Every frame but the last of a batch carries [`FLAG_MORE`], so a single
//! frame is exactly the one framed message of a single tool (flags `0`;
//! docs/SECURITY.md, "The config frame") and the child never reads past the last
//! frame or waits for the pipe to end ([`read_frames`]). Each
//! frame is read with a size cap and every field validated before any work; a bad
//! frame makes the child exit with [`EXIT_BAD_CONFIG`] before touching the store.
//!
//! Wire format (all integers little-endian):
//!
//! | offset | size | field                                   |
//! |-------:|-----:|-----------------------------------------|
//! | 0      | 4    | magic `b"VXCF"`                          |
//! | 4      | 2    | version, `1`                            |
//! | 6      | 2    | flags: `0`, or [`FLAG_MORE`] (`1`)        |
//! | 8      | 4    | payload length `len`, at most 64 KiB     |
//! | 12     | len  | payload: [`InstallConfig`] as JSON       |
//!
//! The way back is the child's exit code and, when it fails, its last stderr line
//! starting with [`reason_prefix`]: the whole reason, which the parent reads from the
//! captured stderr (a board slot's message is capped).

use std::io::{self, Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::spec::ToolSpec;
use vx_base::validate::{self, FieldError};

/// The frame's magic number.
pub const MAGIC: [u8; 4] = *b"VXCF";
/// The only frame version this build reads and writes.
pub const VERSION: u16 = 1;
/// Size of the fixed header before the payload.
pub const HEADER_LEN: usize = 12;
/// Largest payload accepted, checked before anything is allocated.
pub const MAX_PAYLOAD: u32 = 64 * 1024;
/// Exit code of a `vx install` child that received a truncated, oversized or
/// malformed frame (distinct from every install failure code).
pub const EXIT_BAD_CONFIG: i32 = 3;
/// The flag of a frame that another frame follows (every frame of a batch but its
/// last). No other flag is defined: a frame with another bit set is refused.
pub(crate) const FLAG_MORE: u16 = 1;
/// Most frames one child reads: the tools of one batch (`vx sync` sends fewer).
pub const MAX_FRAMES: usize = 32;

/// Everything one child needs to install one tool: what to install (a [`ToolSpec`])
/// plus where to install it and where to report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallConfig {
    /// What to install.
    pub spec: ToolSpec,
    /// The store root (absolute): the tool lands in `<store>/<tool>/<version>`.
    pub store: PathBuf,
    /// Path of the board segment to report into; `None` for standalone installs.
    pub board: Option<PathBuf>,
    /// This tool's slot index in the board.
    pub slot: u32,
    /// Install even when no sha256 is given (the download is then unverified).
    pub allow_unverified: bool,
    /// Fail a download when the server sends nothing for this many seconds; `None`
    /// means the default (30 s). Optional so frames written without it stay valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_timeout_secs: Option<u32>,
    /// Download and hash the archive and check its listing against `bin` and
    /// `strip_components`, but install nothing: how `vx lock` learns another
    /// platform's checksum (`vx_engine::install::install` then leaves only a receipt).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
    /// The project's network settings (`url_replacements`, `mirrors`); the child adds
    /// the environment's and the user config's (`vx_sources::settings::network::load`).
    #[serde(
        default,
        skip_serializing_if = "crate::manifest::network::ProjectNet::is_empty"
    )]
    pub network: crate::manifest::network::ProjectNet,
    /// `--offline` (or `VX_OFFLINE=1`): the download comes from a local source (vx's
    /// blob cache, a `file://` mirror or origin) or not at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    /// Only download: the bytes, checked against the sha256 (which must be given), are
    /// saved as `<save_to>/<sha256>` and nothing is installed (`vx mirror push` and
    /// `vx bundle export` gathering a lock's downloads). An absolute directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_to: Option<PathBuf>,
}

impl InstallConfig {
    /// A standalone install of `spec` into `store`: no board (slot 0), a sha256 required,
    /// the default read timeout, no project network settings, online, installed (not
    /// probed, not saved). The one place a config is spelled out field by field;
    /// callers set what differs (`InstallConfig { slot, ..InstallConfig::new(spec, store) }`).
    pub fn new(spec: ToolSpec, store: PathBuf) -> InstallConfig {
        InstallConfig {
            spec,
            store,
            board: None,
            slot: 0,
            allow_unverified: false,
            read_timeout_secs: None,
            probe: false,
            network: Default::default(),
            offline: false,
            save_to: None,
        }
    }

    /// Checks every field (the spec with the manifest's rules, lower-casing the sha256,
    /// and the read timeout).
    pub fn validate(&mut self) -> Result<(), FieldError> {
        self.spec.validate()?;
        if let Some(secs) = self.read_timeout_secs {
            validate::read_timeout(secs)?;
        }
        Ok(())
    }

    fn check_paths(&self) -> Result<(), FrameError> {
        if !self.store.is_absolute() {
            return Err(FrameError::InvalidField(format!(
                "store {:?} is not an absolute path",
                self.store
            )));
        }
        if let Some(board) = &self.board
            && !board.is_absolute()
        {
            return Err(FrameError::InvalidField(format!(
                "board {board:?} is not an absolute path"
            )));
        }
        if let Some(dir) = &self.save_to
            && !dir.is_absolute()
        {
            return Err(FrameError::InvalidField(format!(
                "save_to {dir:?} is not an absolute path"
            )));
        }
        Ok(())
    }
}

/// Why a frame could not be read or written. Every variant is a bad config: the child
/// exits with [`EXIT_BAD_CONFIG`] and this message.
#[derive(Debug, Error)]
pub enum FrameError {
    /// The pipe closed before the 12-byte header was complete.
    #[error("config frame truncated: got {got} of the {HEADER_LEN} header bytes")]
    TruncatedHeader {
        /// Header bytes received.
        got: usize,
    },
    /// The first four bytes are not `VXCF`.
    #[error("config frame has bad magic {0:02x?} (expected \"VXCF\")")]
    BadMagic([u8; 4]),
    /// A frame version this build does not understand.
    #[error("config frame version {0} is not supported (this vx speaks version {VERSION})")]
    UnsupportedVersion(u16),
    /// Flag bits set that no version defines.
    #[error("config frame has unknown flags {0:#06x}")]
    UnknownFlags(u16),
    /// The declared (or, when writing, the actual) payload is over [`MAX_PAYLOAD`].
    #[error("config frame payload of {len} bytes is over the {MAX_PAYLOAD}-byte cap")]
    Oversized {
        /// The payload length.
        len: u64,
    },
    /// The pipe closed before the declared payload was complete.
    #[error("config frame truncated: got {got} of {expected} payload bytes")]
    TruncatedPayload {
        /// Payload bytes received.
        got: usize,
        /// Payload bytes declared in the header.
        expected: usize,
    },
    /// The payload is not a JSON [`InstallConfig`].
    #[error("config frame payload is malformed: {0}")]
    Malformed(#[source] serde_json::Error),
    /// The payload parsed but a field breaks the rules.
    #[error("config frame has an invalid field: {0}")]
    InvalidField(String),
    /// More frames than [`MAX_FRAMES`] before the pipe ended.
    #[error("config pipe carries more than {MAX_FRAMES} frames")]
    TooMany,
    /// Frames of one pipe that cannot belong together: another board, or one slot
    /// twice.
    #[error("config frames do not belong together: {0}")]
    Mixed(String),
    /// Reading or writing the pipe failed.
    #[error("config pipe I/O error: {0}")]
    Io(#[from] io::Error),
}

impl From<FieldError> for FrameError {
    fn from(e: FieldError) -> Self {
        FrameError::InvalidField(e.to_string())
    }
}

impl FrameError {
    /// The process exit code for this error: always [`EXIT_BAD_CONFIG`].
    pub const fn exit_code(&self) -> i32 {
        EXIT_BAD_CONFIG
    }
}

/// Writes `cfg` as one frame. Refuses (before writing anything) a config that is
/// invalid, has non-UTF-8 paths, or whose payload would exceed [`MAX_PAYLOAD`].
pub fn write_frame(w: &mut impl Write, cfg: &InstallConfig) -> Result<(), FrameError> {
    w.write_all(&encode_frame(cfg)?)?;
    w.flush()?;
    Ok(())
}

/// `cfg` as the bytes of one frame, or why it cannot be one (invalid, non-UTF-8
/// paths, or over [`MAX_PAYLOAD`]): lets a parent refuse a config before it starts a
/// child for it.
pub fn encode_frame(cfg: &InstallConfig) -> Result<Vec<u8>, FrameError> {
    let mut checked = cfg.clone();
    checked.validate()?;
    checked.check_paths()?;
    let payload = serde_json::to_vec(&checked).map_err(FrameError::Malformed)?;
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|len| *len <= MAX_PAYLOAD)
        .ok_or(FrameError::Oversized {
            len: payload.len() as u64,
        })?;
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    frame.extend_from_slice(&MAGIC);
    frame.extend_from_slice(&VERSION.to_le_bytes());
    frame.extend_from_slice(&0u16.to_le_bytes());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&payload);
    Ok(frame)
}

/// The frames of one child ([`encode_frame`]'s, at least one) as the bytes of its
/// pipe: each but the last marked [`FLAG_MORE`], so the child knows where the batch
/// ends without waiting for the pipe to close.
pub fn batch<'a>(frames: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut pipe = Vec::new();
    let mut last = None;
    for frame in frames {
        if let Some(start) = last {
            pipe[start + 6..start + 8].copy_from_slice(&FLAG_MORE.to_le_bytes());
        }
        last = Some(pipe.len());
        pipe.extend_from_slice(frame);
    }
    pipe
}

/// Reads exactly one frame (flags `0`: no frame follows) and returns the validated
/// config. Never reads past the frame, and never allocates more than [`MAX_PAYLOAD`]
/// bytes whatever the header says.
pub fn read_frame(r: &mut impl Read) -> Result<InstallConfig, FrameError> {
    match read_flagged(r)? {
        (cfg, 0) => Ok(cfg),
        (_, flags) => Err(FrameError::UnknownFlags(flags)),
    }
}

/// Reads the frames of a child's config pipe: the first, and while a frame carries
/// [`FLAG_MORE`] the next, at most [`MAX_FRAMES`], each as [`read_frame`] reads it, all
/// for the same board and each for another slot (a child is the one writer of each
/// slot it is given). Never reads past the frame without the flag; a pipe that ends
/// where a frame was announced is a truncated frame.
pub fn read_frames(r: &mut impl Read) -> Result<Vec<InstallConfig>, FrameError> {
    let (first, mut flags) = read_flagged(r)?;
    let mut frames = vec![first];
    while flags == FLAG_MORE {
        if frames.len() == MAX_FRAMES {
            return Err(FrameError::TooMany);
        }
        let (cfg, next) = read_flagged(r)?;
        if cfg.board != frames[0].board {
            return Err(FrameError::Mixed(format!(
                "slot {} reports into another board than slot {}",
                cfg.slot, frames[0].slot
            )));
        }
        if frames.iter().any(|other| other.slot == cfg.slot) {
            return Err(FrameError::Mixed(format!("slot {} comes twice", cfg.slot)));
        }
        frames.push(cfg);
        flags = next;
    }
    Ok(frames)
}

/// One frame and its flags (`0` or [`FLAG_MORE`]; any other bit is refused).
fn read_flagged(r: &mut impl Read) -> Result<(InstallConfig, u16), FrameError> {
    let mut header = [0u8; HEADER_LEN];
    let got = read_full(r, &mut header)?;
    if got < HEADER_LEN {
        return Err(FrameError::TruncatedHeader { got });
    }
    let magic: [u8; 4] = [header[0], header[1], header[2], header[3]];
    if magic != MAGIC {
        return Err(FrameError::BadMagic(magic));
    }
    let version = u16::from_le_bytes([header[4], header[5]]);
    if version != VERSION {
        return Err(FrameError::UnsupportedVersion(version));
    }
    let flags = u16::from_le_bytes([header[6], header[7]]);
    if flags & !FLAG_MORE != 0 {
        return Err(FrameError::UnknownFlags(flags));
    }
    let len = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
    if len > MAX_PAYLOAD {
        return Err(FrameError::Oversized {
            len: u64::from(len),
        });
    }
    let expected = len as usize;
    let mut payload = vec![0u8; expected];
    let got = read_full(r, &mut payload)?;
    if got < expected {
        return Err(FrameError::TruncatedPayload { got, expected });
    }
    let mut cfg: InstallConfig = serde_json::from_slice(&payload).map_err(FrameError::Malformed)?;
    cfg.validate()?;
    cfg.check_paths()?;
    Ok((cfg, flags))
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// How a failed child's reason line starts: `vx install: TOOL VERSION: ` (the child
/// writes it, the parent finds it: `vx_sync::report::reasons`).
pub fn reason_prefix(tool: &str, version: &str) -> String {
    format!("vx install: {tool} {version}: ")
}

/// How a child's stderr line starts when it tells of a retry (a mirror that failed, the
/// next source tried): the parent reports each such line when it settles the child.
pub fn retry_prefix(tool: &str, version: &str) -> String {
    format!("vx retry: {tool} {version}: ")
}

/// How a child's stderr line starts when it tells of a notice (the install went on
/// another way than the lock planned, such as pip for uv): the parent reports each
/// such line when it settles the child, and keeps it for the summary.
pub fn notice_prefix(tool: &str, version: &str) -> String {
    format!("vx notice: {tool} {version}: ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeMap;
    use vx_base::format::ArchiveFormat;

    /// `path` (written Unix-style, from `/`) as an absolute path here: on Windows on
    /// drive `C:`.
    fn abs(path: &str) -> PathBuf {
        if cfg!(windows) {
            PathBuf::from(format!("C:{path}"))
        } else {
            PathBuf::from(path)
        }
    }

    fn sample() -> InstallConfig {
        let mut options = BTreeMap::new();
        options.insert("components".to_owned(), json!(["spectre"]));
        let spec = ToolSpec {
            sha256: Some("ab".repeat(32)),
            format: Some(ArchiveFormat::Zip),
            strip_components: 1,
            post_install: Some("./setup.sh".into()),
            options,
            ..ToolSpec::new("msvc", "14.42", "https://example.org/msvc-14.42.zip")
        };
        InstallConfig {
            board: Some(abs("/dev/shm/vx-board-1234")),
            slot: 7,
            ..InstallConfig::new(spec, abs("/home/u/.vx/store"))
        }
    }

    fn frame_of(cfg: &InstallConfig) -> Vec<u8> {
        let mut buf = Vec::new();
        write_frame(&mut buf, cfg).unwrap();
        buf
    }

    fn raw_frame(version: u16, flags: u16, payload: &[u8]) -> Vec<u8> {
        let mut buf = MAGIC.to_vec();
        buf.extend_from_slice(&version.to_le_bytes());
        buf.extend_from_slice(&flags.to_le_bytes());
        buf.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        buf.extend_from_slice(payload);
        buf
    }

    #[test]
    fn round_trip_and_header_layout() {
        let cfg = sample();
        let bytes = frame_of(&cfg);
        assert_eq!(&bytes[..4], b"VXCF");
        assert_eq!(&bytes[4..6], &[1, 0]);
        assert_eq!(&bytes[6..8], &[0, 0]);
        let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        assert_eq!(bytes.len(), HEADER_LEN + len);
        assert_eq!(read_frame(&mut bytes.as_slice()).unwrap(), cfg);
    }

    /// The frames of `cfgs` as one child's pipe.
    fn pipe_of(cfgs: &[InstallConfig]) -> Vec<u8> {
        let frames: Vec<Vec<u8>> = cfgs.iter().map(frame_of).collect();
        batch(frames.iter().map(Vec::as_slice))
    }

    /// A reader that yields `bytes` and then fails the test: a read past the last frame
    /// (a child waiting for a pipe its parent keeps open) would hang.
    struct ThenNothing<'a>(&'a [u8]);
    impl Read for ThenNothing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            assert!(!self.0.is_empty(), "read past the last frame");
            self.0.read(buf)
        }
    }

    #[test]
    fn a_batch_is_frames_each_announcing_the_next() {
        let first = sample();
        let second = InstallConfig {
            slot: 8,
            ..sample()
        };
        let pipe = pipe_of(&[first.clone(), second.clone()]);
        assert_eq!(&pipe[6..8], &FLAG_MORE.to_le_bytes());
        assert_eq!(
            read_frames(&mut ThenNothing(&pipe)).unwrap(),
            vec![first.clone(), second]
        );
        // One frame alone, flags 0 (the one framed message of a single tool), is a batch of one,
        // read without waiting for the pipe to end.
        let one = frame_of(&first);
        assert_eq!(pipe_of(std::slice::from_ref(&first)), one);
        assert_eq!(read_frames(&mut ThenNothing(&one)).unwrap(), vec![first]);
    }

    #[test]
    fn a_batch_that_is_empty_cut_mixed_or_too_long_is_refused() {
        let err = read_frames(&mut [].as_slice()).unwrap_err();
        assert!(
            matches!(err, FrameError::TruncatedHeader { got: 0 }),
            "{err}"
        );
        // The pipe ends before or inside the frame the first announced.
        let second = InstallConfig {
            slot: 8,
            ..sample()
        };
        let whole = pipe_of(&[sample(), second.clone()]);
        let second_len = frame_of(&second).len();
        for cut in [0, 1, HEADER_LEN, second_len - 1] {
            let pipe = &whole[..whole.len() - second_len + cut];
            let err = read_frames(&mut &pipe[..]).unwrap_err();
            assert!(
                matches!(
                    err,
                    FrameError::TruncatedHeader { .. } | FrameError::TruncatedPayload { .. }
                ),
                "cut at {cut}: {err}"
            );
        }
        // One slot twice: two writers of one slot.
        let pipe = pipe_of(&[sample(), sample()]);
        let err = read_frames(&mut pipe.as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::Mixed(_)), "{err}");
        assert_eq!(err.exit_code(), EXIT_BAD_CONFIG);
        // Another board.
        let pipe = pipe_of(&[
            sample(),
            InstallConfig {
                slot: 8,
                board: Some(abs("/dev/shm/vx-board-5678")),
                ..sample()
            },
        ]);
        let err = read_frames(&mut pipe.as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::Mixed(_)), "{err}");
        // More than the cap.
        let cfgs: Vec<InstallConfig> = (0..=MAX_FRAMES as u32)
            .map(|slot| InstallConfig { slot, ..sample() })
            .collect();
        let err = read_frames(&mut pipe_of(&cfgs).as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::TooMany), "{err}");
        let pipe = pipe_of(&cfgs[..MAX_FRAMES]);
        assert_eq!(read_frames(&mut pipe.as_slice()).unwrap().len(), MAX_FRAMES);
    }

    #[test]
    fn the_read_timeout_is_optional_and_checked() {
        // A frame written without the field (as before it existed) still reads.
        let mut value = serde_json::to_value(sample()).unwrap();
        value.as_object_mut().unwrap().remove("read_timeout_secs");
        let payload = serde_json::to_vec(&value).unwrap();
        assert!(!String::from_utf8_lossy(&payload).contains("read_timeout"));
        let cfg = read_frame(&mut raw_frame(VERSION, 0, &payload).as_slice()).unwrap();
        assert_eq!(cfg.read_timeout_secs, None);

        let mut with = sample();
        with.read_timeout_secs = Some(5);
        assert_eq!(read_frame(&mut frame_of(&with).as_slice()).unwrap(), with);

        value["read_timeout_secs"] = json!(0);
        let payload = serde_json::to_vec(&value).unwrap();
        let err = read_frame(&mut raw_frame(VERSION, 0, &payload).as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::InvalidField(_)), "{err}");
        assert!(err.to_string().contains("read timeout 0 s"), "{err}");
    }

    #[test]
    fn reads_exactly_one_frame_and_leaves_the_rest() {
        let mut bytes = frame_of(&sample());
        bytes.extend_from_slice(b"trailing");
        let mut reader = bytes.as_slice();
        read_frame(&mut reader).unwrap();
        assert_eq!(reader, b"trailing");
    }

    #[test]
    fn truncated_frames_are_typed() {
        let bytes = frame_of(&sample());
        for cut in [0, 1, 11] {
            let err = read_frame(&mut &bytes[..cut]).unwrap_err();
            assert!(
                matches!(err, FrameError::TruncatedHeader { got } if got == cut),
                "{cut}: {err}"
            );
        }
        let err = read_frame(&mut &bytes[..bytes.len() - 1]).unwrap_err();
        assert!(
            matches!(err, FrameError::TruncatedPayload { got, expected } if got + 1 == expected),
            "{err}"
        );
        assert!(err.to_string().contains("truncated"));
    }

    #[test]
    fn bad_headers_are_typed() {
        let mut bytes = frame_of(&sample());
        bytes[0] = b'X';
        assert!(matches!(
            read_frame(&mut bytes.as_slice()),
            Err(FrameError::BadMagic(_))
        ));
        let err = read_frame(&mut raw_frame(2, 0, b"{}").as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::UnsupportedVersion(2)), "{err}");
        let err = read_frame(&mut raw_frame(1, 2, b"{}").as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::UnknownFlags(2)), "{err}");
        assert_eq!(err.exit_code(), EXIT_BAD_CONFIG);
        let err = read_frames(&mut raw_frame(1, 3, b"{}").as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::UnknownFlags(3)), "{err}");
        // One frame that announces another is not one frame.
        let announced = batch([frame_of(&sample()).as_slice(), &frame_of(&sample())]);
        let err = read_frame(&mut announced.as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::UnknownFlags(FLAG_MORE)), "{err}");
    }

    /// A reader that panics if more than the header is read, proving the cap is
    /// checked before the payload is allocated or read.
    struct HeaderOnly(Vec<u8>, usize);
    impl Read for HeaderOnly {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            assert!(
                self.1 < HEADER_LEN,
                "read past the header of an oversized frame"
            );
            let n = buf.len().min(HEADER_LEN - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }

    #[test]
    fn oversized_frames_are_refused_before_allocation() {
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&1u16.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&u32::MAX.to_le_bytes());
        let err = read_frame(&mut HeaderOnly(header, 0)).unwrap_err();
        assert!(
            matches!(err, FrameError::Oversized { len } if len == u64::from(u32::MAX)),
            "{err}"
        );

        let exactly_over = raw_frame(1, 0, &vec![b' '; MAX_PAYLOAD as usize + 1]);
        assert!(matches!(
            read_frame(&mut exactly_over.as_slice()),
            Err(FrameError::Oversized { .. })
        ));

        let mut cfg = sample();
        cfg.store = abs(&format!("/{}", "s".repeat(MAX_PAYLOAD as usize)));
        let mut out = Vec::new();
        assert!(matches!(
            write_frame(&mut out, &cfg),
            Err(FrameError::Oversized { .. })
        ));
        assert!(out.is_empty(), "nothing written for a refused frame");
    }

    #[test]
    fn malformed_payloads_are_typed() {
        for payload in [&b"not json"[..], b"{}", b"[]", b"{\"tool\":1}", b"\xff\xfe"] {
            let err = read_frame(&mut raw_frame(1, 0, payload).as_slice()).unwrap_err();
            assert!(
                matches!(err, FrameError::Malformed(_)),
                "{payload:?}: {err}"
            );
        }
        let mut value = serde_json::to_value(sample()).unwrap();
        value["surprise"] = json!(1);
        let payload = serde_json::to_vec(&value).unwrap();
        let err = read_frame(&mut raw_frame(1, 0, &payload).as_slice()).unwrap_err();
        assert!(
            matches!(err, FrameError::Malformed(_)),
            "unknown field: {err}"
        );
    }

    #[test]
    fn invalid_fields_are_refused_on_read_and_on_write() {
        type Breaker = fn(&mut InstallConfig);
        let breakers: [(&str, Breaker); 9] = [
            ("tool name", |c| c.spec.name = "../etc".into()),
            ("long tool name", |c| c.spec.name = "n".repeat(33)),
            ("version", |c| c.spec.version = "1/2".into()),
            ("sha256", |c| c.spec.sha256 = Some("xyz".into())),
            ("url", |c| c.spec.url = "ftp://x.org/a".into()),
            ("strip", |c| c.spec.strip_components = 1000),
            ("command", |c| c.spec.post_install = Some(String::new())),
            ("store", |c| c.store = "relative/store".into()),
            ("board", |c| c.board = Some("relative".into())),
        ];
        for (what, breaker) in breakers {
            let mut cfg = sample();
            breaker(&mut cfg);
            let payload = serde_json::to_vec(&cfg).unwrap();
            let err = read_frame(&mut raw_frame(1, 0, &payload).as_slice()).unwrap_err();
            assert!(matches!(err, FrameError::InvalidField(_)), "{what}: {err}");
            assert!(write_frame(&mut Vec::new(), &cfg).is_err(), "{what}");
        }
    }

    #[test]
    fn sha256_is_normalised_on_read() {
        let mut cfg = sample();
        cfg.spec.sha256 = Some("AB".repeat(32));
        let payload = serde_json::to_vec(&cfg).unwrap();
        let back = read_frame(&mut raw_frame(1, 0, &payload).as_slice()).unwrap();
        assert_eq!(back.spec.sha256, Some("ab".repeat(32)));
    }

    fn arb_config() -> impl Strategy<Value = InstallConfig> {
        (
            "[a-z0-9][a-z0-9._-]{0,31}",
            "[0-9][0-9a-z.+-]{0,23}",
            "https://[a-z]{1,10}\\.org/[a-z0-9/._-]{0,40}",
            proptest::option::of("[0-9a-f]{64}"),
            proptest::option::of(proptest::sample::select(
                vx_base::format::ALL_FORMATS.to_vec(),
            )),
            0u32..=64,
            proptest::option::of("[ -~]{1,60}"),
            proptest::collection::btree_map("\\PC{0,8}", "\\PC{0,16}", 0..4),
            "/[a-z/]{0,30}",
            proptest::option::of("/[a-z/]{0,30}"),
            any::<u32>(),
            any::<bool>(),
        )
            .prop_map(
                |(
                    tool,
                    version,
                    url,
                    sha256,
                    format,
                    strip,
                    post,
                    opts,
                    store,
                    board,
                    slot,
                    au,
                )| {
                    let spec = ToolSpec {
                        sha256,
                        format,
                        strip_components: strip,
                        post_install: post.filter(|c| !c.trim().is_empty()),
                        options: opts.into_iter().map(|(k, v)| (k, json!(v))).collect(),
                        ..ToolSpec::new(tool, version, url)
                    };
                    InstallConfig {
                        board: board.as_deref().map(abs),
                        slot,
                        allow_unverified: au,
                        ..InstallConfig::new(spec, abs(&store))
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = read_frame(&mut bytes.as_slice());
        }

        #[test]
        fn arbitrary_payloads_behind_a_good_header_never_panic(
            payload in proptest::collection::vec(any::<u8>(), 0..512)
        ) {
            let _ = read_frame(&mut raw_frame(1, 0, &payload).as_slice());
        }

        #[test]
        fn configs_round_trip(cfg in arb_config()) {
            let bytes = frame_of(&cfg);
            prop_assert_eq!(read_frame(&mut bytes.as_slice()).unwrap(), cfg);
        }

        #[test]
        fn every_truncation_of_a_good_frame_is_an_error(cut in 0usize..400) {
            let bytes = frame_of(&sample());
            let cut = cut.min(bytes.len() - 1);
            prop_assert!(read_frame(&mut &bytes[..cut]).is_err());
        }
    }
}
