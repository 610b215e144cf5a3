//! zstd decoding for the extractor: ruzstd's pure-Rust decoder, over every frame of
//! the input.
//!
//! A `.tar.zst` may hold several frames one after the other (what `zstd -T0` or a
//! concatenation writes) and skippable frames (metadata some tools add); `zstd -d`
//! decodes the frames in turn and skips the skippable ones, and so does [`Frames`].
//! ruzstd's own reader stops after one frame, so this drives its frame decoder.
//!
//! A frame declaring a window above ruzstd's default limit (128 MiB, libzstd's default
//! too) is refused before anything is allocated for it.

use std::io::{self, BufRead, Read};

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// The decoded bytes of every zstd frame read from `R`, one after the other.
pub(super) struct Frames<R> {
    input: R,
    /// Reused from frame to frame (it keeps its window's buffer).
    decoder: FrameDecoder,
    /// A frame's header was read and its last block not yet drained.
    in_frame: bool,
    /// Frames started so far: an input without one is not zstd.
    frames: u64,
}

impl<R: BufRead> Frames<R> {
    /// Decodes `input`; the first frame's header is read by the first `read`.
    pub(super) fn new(input: R) -> Frames<R> {
        Frames {
            input,
            decoder: FrameDecoder::new(),
            in_frame: false,
            frames: 0,
        }
    }

    /// Reads the next frame's header, skipping skippable frames: `false` at the end
    /// of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.input.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.decoder.init(&mut self.input) {
                Ok(()) => {
                    self.frames += 1;
                    return Ok(true);
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped =
                        io::copy(&mut (&mut self.input).take(length.into()), &mut io::sink())?;
                    if skipped < u64::from(length) {
                        return Err(invalid("the input ends inside a skippable frame"));
                    }
                }
                Err(e) => return Err(invalid(e)),
            }
        }
    }
}

impl<R: BufRead> Read for Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.in_frame {
                while self.decoder.can_collect() == 0 && !self.decoder.is_finished() {
                    self.decoder
                        .decode_blocks(&mut self.input, BlockDecodingStrategy::UptoBlocks(1))
                        .map_err(invalid)?;
                }
                let n = self.decoder.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                // This frame is decoded and drained.
                self.in_frame = false;
            }
            if !self.next_frame()? {
                return match self.frames {
                    0 => Err(invalid("no zstd frame in the input")),
                    _ => Ok(0),
                };
            }
            self.in_frame = true;
        }
    }
}

fn invalid(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

#[cfg(test)]
mod tests {
    use ruzstd::encoding::{CompressionLevel, compress_to_vec};

    use super::*;

    fn zstd(data: &[u8]) -> Vec<u8> {
        compress_to_vec(data, CompressionLevel::Fastest)
    }

    fn decode(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Frames::new(bytes).read_to_end(&mut out)?;
        Ok(out)
    }

    /// A skippable frame of `len` bytes.
    fn skippable(len: u32) -> Vec<u8> {
        let mut frame = 0x184D_2A53_u32.to_le_bytes().to_vec();
        frame.extend_from_slice(&len.to_le_bytes());
        frame.extend(std::iter::repeat_n(0xab, len as usize));
        frame
    }

    #[test]
    fn a_large_frame_decodes_whole() {
        let data = crate::install::testutil::noise(3 << 20);
        assert_eq!(decode(&zstd(&data)).unwrap(), data);
    }

    #[test]
    fn concatenated_and_skippable_frames_decode_one_after_the_other() {
        let (a, b) = (b"first half|".repeat(1000), b"second half".repeat(1000));
        let mut packed = skippable(5);
        packed.extend(zstd(&a));
        packed.extend(skippable(0));
        packed.extend(zstd(&b));
        packed.extend(skippable(100));
        assert_eq!(decode(&packed).unwrap(), [a, b].concat());
    }

    /// A tar of `pkg/hello` ("hello from zstd\n" × 64) and `pkg/bin/hi` (a script),
    /// written by the reference `zstd` (1.5, `-19`, with a content checksum) as two
    /// frames, the second starting inside the first file's data: what libzstd writes,
    /// not only what ruzstd's own encoder does, decodes.
    #[test]
    fn what_the_reference_zstd_writes_decodes() {
        let packed = include_bytes!("testdata/two-frames.tar.zst");
        let tar = decode(packed).unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        let mut files = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let mut data = String::new();
            entry.read_to_string(&mut data).unwrap();
            files.push((entry.path().unwrap().display().to_string(), data));
        }
        assert_eq!(
            files,
            [
                ("pkg/hello".to_owned(), "hello from zstd\n".repeat(64)),
                ("pkg/bin/hi".to_owned(), "#!/bin/sh\necho hi\n".to_owned()),
            ]
        );
    }

    #[test]
    fn cut_empty_and_foreign_inputs_are_errors() {
        let packed = zstd(&b"data".repeat(5000));
        assert!(decode(&packed[..packed.len() - 3]).is_err(), "cut");
        assert!(decode(&packed[..2]).is_err(), "cut in the magic");
        assert!(decode(b"").is_err(), "empty");
        let mut trailing = packed.clone();
        trailing.extend_from_slice(b"not zstd");
        assert!(decode(&trailing).is_err(), "trailing garbage");
        let mut cut_skip = packed;
        cut_skip.extend(&skippable(100)[..50]);
        assert!(decode(&cut_skip).is_err(), "cut skippable frame");
    }

    #[test]
    fn a_frame_asking_for_a_huge_window_is_refused_before_allocating_it() {
        // Magic, descriptor (no single segment), window descriptor of 2^41 bytes.
        let header = [0x28, 0xb5, 0x2f, 0xfd, 0x00, (41 - 10) << 3];
        let err = decode(&header).unwrap_err();
        assert!(err.to_string().contains("indow"), "{err}");
    }
}
