//! xz decoding for the extractor: liblzma's multi-threaded decoder, over every
//! concatenated stream of the input.
//!
//! The multi-threaded decoder spreads an archive of several blocks (what `xz -T0`
//! writes) over the cores and decodes a single-block archive in one thread, as the
//! plain decoder would. Unlike the plain decoder it takes no flag to read
//! concatenated streams, so [`Streams`] starts a new decoder when one stream ends and
//! more input follows (after the stream padding of NUL bytes), as `xz -d` does.

use std::io::{self, BufRead, Read};

use liblzma::bufread::XzDecoder;
use liblzma::stream::{MtStreamBuilder, Stream};

/// Memory the decoder may use before it refuses the archive; `xz -9` archives need
/// about 65 MiB.
const MEMLIMIT_STOP: u64 = 512 << 20;
/// Memory the decoder may use for threading; above it, it decodes in one thread.
const MEMLIMIT_THREADING: u64 = 256 << 20;
/// Most decoder threads: more only help archives with that many blocks in flight.
const MAX_THREADS: usize = 8;

/// The decoded bytes of every xz stream read from `R`, one after the other.
pub(super) struct Streams<R> {
    /// The stream being decoded; `None` once the input is used up.
    decoder: Option<XzDecoder<R>>,
}

impl<R: BufRead> Streams<R> {
    /// Decodes `reader`; fails only when liblzma cannot set up a decoder.
    pub(super) fn new(reader: R) -> io::Result<Streams<R>> {
        Ok(Streams {
            decoder: Some(XzDecoder::new_stream(reader, new_decoder()?)),
        })
    }
}

/// A multi-threaded xz stream decoder with this module's limits.
fn new_decoder() -> io::Result<Stream> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS);
    MtStreamBuilder::new()
        .threads(threads as u32)
        .memlimit_threading(MEMLIMIT_THREADING)
        .memlimit_stop(MEMLIMIT_STOP)
        .decoder()
        .map_err(io::Error::other)
}

impl<R: BufRead> Read for Streams<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // This stream ended (the decoder reports a premature end as an error).
            let Some(decoder) = self.decoder.take() else {
                return Ok(0);
            };
            let mut reader = decoder.into_inner();
            loop {
                let rest = reader.fill_buf()?;
                if rest.is_empty() {
                    return Ok(0);
                }
                let padding = rest.iter().take_while(|&&b| b == 0).count();
                if padding == 0 {
                    break;
                }
                reader.consume(padding);
            }
            self.decoder = Some(XzDecoder::new_stream(reader, new_decoder()?));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn xz(data: &[u8], threads: u32, block: u64) -> Vec<u8> {
        let stream = MtStreamBuilder::new()
            .threads(threads)
            .block_size(block)
            .preset(1)
            .encoder()
            .unwrap();
        let mut enc = liblzma::write::XzEncoder::new_stream(Vec::new(), stream);
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn decode(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Streams::new(bytes)?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn a_multi_block_archive_decodes_whole() {
        let data = crate::install::testutil::noise(3 << 20);
        let packed = xz(&data, 2, 256 << 10);
        assert_eq!(decode(&packed).unwrap(), data);
    }

    #[test]
    fn concatenated_streams_and_their_padding_decode_one_after_the_other() {
        let (a, b) = (b"first half|".repeat(1000), b"second half".repeat(1000));
        let mut packed = xz(&a, 1, 0);
        packed.extend_from_slice(&[0; 8]);
        packed.extend(xz(&b, 1, 0));
        assert_eq!(decode(&packed).unwrap(), [a, b].concat());
    }

    #[test]
    fn a_cut_stream_and_trailing_garbage_are_errors() {
        let packed = xz(&b"data".repeat(5000), 1, 0);
        assert!(decode(&packed[..packed.len() - 10]).is_err());
        let mut trailing = packed.clone();
        trailing.extend_from_slice(b"not xz");
        assert!(decode(&trailing).is_err());
    }
}
