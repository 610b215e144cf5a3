//! Generated archives and a loopback HTTP server: the built-in content of
//! `vx sync --demo`, shared with the unit and integration tests so both exercise the
//! same bytes.
//!
//! Everything here is for demos and tests: builders panic on I/O errors of in-memory
//! writers (which cannot fail) and [`TestServer::start`] panics if it cannot bind a
//! loopback port ([`TestServer::try_start`] does not).

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::format::ArchiveFormat;

/// `len` incompressible bytes (xorshift64), so archives of them span many reads.
pub fn noise(len: usize) -> Vec<u8> {
    noise_seeded(len, 0)
}

/// `len` incompressible bytes from a xorshift64 stream picked by `seed`, so different
/// files get different contents.
pub fn noise_seeded(len: usize, seed: u64) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d);
    if state == 0 {
        state = 1;
    }
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What the test server answers on a path.
#[derive(Clone)]
pub enum Route {
    /// 200 with a `Content-Length`.
    Ok(Vec<u8>),
    /// 200 with chunked encoding (no length).
    Chunked(Vec<u8>),
    /// An empty response with this status.
    Status(u16),
    /// 200 with a `Content-Length`, the body sent at about `bytes_per_sec`.
    Throttled(Arc<Vec<u8>>, u64),
    /// 302 Found pointing at this location.
    Redirect(String),
    /// An empty response with `status` while `failures` (shared by every request) is
    /// above zero, counting it down; then 200 with the body and a `Content-Length`.
    Flaky {
        /// Failures left.
        failures: Arc<AtomicUsize>,
        /// The status of a failure.
        status: u16,
        /// The body once the failures are used up.
        body: Vec<u8>,
    },
}

impl Route {
    /// [`Route::Flaky`]: `failures` answers with `status`, then `body`.
    pub fn flaky(failures: usize, status: u16, body: Vec<u8>) -> Route {
        Route::Flaky {
            failures: Arc::new(AtomicUsize::new(failures)),
            status,
            body,
        }
    }
}

/// A body reader that paces itself to a byte rate, in chunks of at most 64 KiB (also
/// the GitHub fixture's throttled downloads).
pub(crate) struct Throttled {
    body: Arc<Vec<u8>>,
    pos: usize,
    bytes_per_sec: u64,
}

impl Throttled {
    /// A reader of `body` at about `bytes_per_sec`.
    pub(crate) fn new(body: Arc<Vec<u8>>, bytes_per_sec: u64) -> Throttled {
        Throttled {
            body,
            pos: 0,
            bytes_per_sec,
        }
    }
}

impl Read for Throttled {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.body[self.pos.min(self.body.len())..];
        let n = rest.len().min(buf.len()).min(64 * 1024);
        if n == 0 {
            return Ok(0);
        }
        let nanos = n as u64 * 1_000_000_000 / self.bytes_per_sec.max(1);
        std::thread::sleep(Duration::from_nanos(nanos));
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// A `tiny_http` server bound to 127.0.0.1 and a free port, and the port.
pub(crate) fn bind_loopback() -> std::io::Result<(Arc<tiny_http::Server>, u16)> {
    let server = Arc::new(
        tiny_http::Server::http("127.0.0.1:0").map_err(|e| std::io::Error::other(e.to_string()))?,
    );
    let port = server
        .server_addr()
        .to_ip()
        .map(|addr| addr.port())
        .ok_or_else(|| std::io::Error::other("the server has no IP address"))?;
    Ok((server, port))
}

/// A loopback HTTP server on 127.0.0.1:0, stopped and joined on drop. Unknown paths
/// get 404. Counts the requests it answered.
pub struct TestServer {
    port: u16,
    hits: Arc<AtomicUsize>,
    asked: Arc<Mutex<Vec<Option<String>>>>,
    /// The path (and query) of every request a routed server answered, in order.
    paths: Arc<Mutex<Vec<String>>>,
    stop: Box<dyn Fn() + Send + Sync>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `routes` (path → answer) with `tiny_http`; panics if no loopback port
    /// can be bound.
    pub fn start<P: Into<String>>(routes: impl IntoIterator<Item = (P, Route)>) -> TestServer {
        TestServer::try_start(routes).expect("bind a loopback HTTP server")
    }

    /// Serves `routes` (path → answer) with `tiny_http` on 127.0.0.1 and a free port.
    pub fn try_start<P: Into<String>>(
        routes: impl IntoIterator<Item = (P, Route)>,
    ) -> std::io::Result<TestServer> {
        let routes: HashMap<String, Route> =
            routes.into_iter().map(|(p, r)| (p.into(), r)).collect();
        let (server, port) = bind_loopback()?;
        let hits = Arc::new(AtomicUsize::new(0));
        let paths: Arc<Mutex<Vec<String>>> = Arc::default();
        let (srv, count, log) = (server.clone(), hits.clone(), paths.clone());
        let thread = std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                count.fetch_add(1, Ordering::SeqCst);
                log.lock().unwrap().push(request.url().to_owned());
                let route = routes.get(request.url()).cloned();
                // Respond on its own thread so a client that stops reading (a
                // cancelled download) cannot stall the accept loop.
                std::thread::spawn(move || {
                    let _ = match route {
                        Some(Route::Ok(body)) => request.respond(
                            // tiny_http switches to chunked encoding above a threshold;
                            // keep the Content-Length this route promises.
                            tiny_http::Response::from_data(body).with_chunked_threshold(usize::MAX),
                        ),
                        Some(Route::Chunked(body)) => request.respond(
                            tiny_http::Response::new(
                                200.into(),
                                vec![],
                                Cursor::new(body),
                                None,
                                None,
                            )
                            .with_chunked_threshold(0),
                        ),
                        Some(Route::Status(code)) => {
                            request.respond(tiny_http::Response::empty(code))
                        }
                        Some(Route::Throttled(body, bytes_per_sec)) => {
                            let len = body.len();
                            let reader = Throttled::new(body, bytes_per_sec);
                            request.respond(
                                tiny_http::Response::new(
                                    200.into(),
                                    vec![],
                                    reader,
                                    Some(len),
                                    None,
                                )
                                .with_chunked_threshold(usize::MAX),
                            )
                        }
                        Some(Route::Flaky {
                            failures,
                            status,
                            body,
                        }) => {
                            let failing = failures
                                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                                    n.checked_sub(1)
                                })
                                .is_ok();
                            if failing {
                                request.respond(tiny_http::Response::empty(status))
                            } else {
                                request.respond(
                                    tiny_http::Response::from_data(body)
                                        .with_chunked_threshold(usize::MAX),
                                )
                            }
                        }
                        Some(Route::Redirect(location)) => request.respond(
                            tiny_http::Response::empty(302).with_header(
                                tiny_http::Header::from_bytes("Location", location.as_bytes())
                                    .expect("a valid Location header"),
                            ),
                        ),
                        None => request.respond(tiny_http::Response::empty(404)),
                    };
                });
            }
        });
        Ok(TestServer {
            port,
            hits,
            asked: Arc::default(),
            paths,
            stop: Box::new(move || server.unblock()),
            thread: Some(thread),
        })
    }

    /// A raw server on 127.0.0.1: reads each request's head, counts it, keeps its
    /// `Range` header ([`TestServer::ranges`]) and hands the connection, the head and
    /// the request's number (from 0) to `answer`. What `answer` keeps open stays open
    /// until the server is dropped.
    fn raw(mut answer: impl FnMut(TcpStream, &str, usize) + Send + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (count, log) = (hits.clone(), asked.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(head) = read_request_head(&mut stream) else {
                    // The stop connection from drop (or a broken client): done.
                    return;
                };
                let n = count.fetch_add(1, Ordering::SeqCst);
                let range = request_header(&head, "range").map(str::to_owned);
                log.lock().unwrap().push(range);
                answer(stream, &head, n);
            }
        });
        TestServer {
            port,
            hits,
            asked,
            paths: Arc::default(),
            // Connect and close at once: the accept loop reads no request and exits.
            stop: Box::new(move || drop(TcpStream::connect(("127.0.0.1", port)))),
            thread: Some(thread),
        }
    }

    /// A raw server that answers each request with `Content-Length: announced` but
    /// sends only `sent` bytes before closing the connection.
    pub fn dropping_after(announced: usize, sent: usize) -> TestServer {
        TestServer::raw(move |mut stream, _, _| {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&vec![b'x'; sent]);
            let _ = stream.flush();
            // Dropping the stream closes the connection mid-body.
        })
    }

    /// A raw server that answers every request with headers announcing
    /// `Content-Length: announced` and then sends nothing, holding the connection open
    /// until the server is dropped (a stalled server).
    pub fn stalling(announced: usize) -> TestServer {
        let mut held = Vec::new();
        TestServer::raw(move |mut stream, _, _| {
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\n\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.flush();
            held.push(stream);
        })
    }

    /// A raw server for `body` that serves byte ranges (`Accept-Ranges: bytes`, a strong
    /// `ETag`, `Range` + `If-Range` answered with 206) when `ranges` is true, and plain
    /// 200s otherwise. The n-th response is cut, the connection closed, once the body
    /// reaches offset `cuts[n]` (responses past the list are whole). Every request's
    /// `Range` header is kept ([`TestServer::ranges`]).
    pub fn resumable(body: Vec<u8>, cuts: Vec<usize>, ranges: bool) -> TestServer {
        const ETAG: &str = "\"v1\"";
        TestServer::raw(move |mut stream, head, n| {
            let len = body.len();
            let start = request_header(head, "range")
                .filter(|_| ranges && request_header(head, "if-range") == Some(ETAG))
                .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok())
                .filter(|start: &usize| *start < len);
            let mut reply = match start {
                Some(start) => format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{len}\r\nContent-Length: {}\r\n",
                    len - 1,
                    len - start
                ),
                None => format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n"),
            };
            if ranges {
                reply.push_str(&format!("Accept-Ranges: bytes\r\nETag: {ETAG}\r\n"));
            }
            reply.push_str("Connection: close\r\n\r\n");
            let start = start.unwrap_or(0);
            let end = cuts.get(n).copied().unwrap_or(len).clamp(start, len);
            let _ = stream.write_all(reply.as_bytes());
            let _ = stream.write_all(&body[start..end]);
            let _ = stream.flush();
        })
    }

    /// A raw server that answers with `body` whole (a `Content-Length`), but sends
    /// only its first `at` bytes until `gate` receives a message or its sender is
    /// dropped; then the rest. Tests see what a client does with part of a download.
    pub fn gated(body: Vec<u8>, at: usize, gate: std::sync::mpsc::Receiver<()>) -> TestServer {
        TestServer::raw(move |mut stream, _, _| {
            let at = at.min(body.len());
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body[..at]);
            let _ = stream.flush();
            let _ = gate.recv();
            let _ = stream.write_all(&body[at..]);
            let _ = stream.flush();
        })
    }

    /// The `Range` header of each request so far (raw servers: [`TestServer::resumable`],
    /// [`TestServer::dropping_after`], [`TestServer::stalling`]; others keep none).
    pub fn ranges(&self) -> Vec<Option<String>> {
        self.asked.lock().unwrap().clone()
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The paths asked of a routed server ([`TestServer::start`]) so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }

    /// Requests answered so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        (self.stop)();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads an HTTP request head; `None` if the peer closed before sending one.
/// Reads a request's head (up to the blank line); `None` when the connection closes
/// first.
fn read_request_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// The value of header `name` in a request head.
fn request_header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// One entry of a test archive. Names are written raw, so hostile ones are possible.
#[derive(Clone, Debug)]
pub enum Item {
    /// A regular file with contents and mode.
    File(&'static str, Vec<u8>, u32),
    /// A directory.
    Dir(&'static str),
    /// A symbolic link `name -> target`.
    Symlink(&'static str, &'static str),
    /// A hard link `name -> target` (tar only).
    HardLink(&'static str, &'static str),
    /// A character device (tar only).
    CharDevice(&'static str),
    /// A fifo (tar only).
    Fifo(&'static str),
}

/// An uncompressed tar with `items`, headers written byte by byte.
pub fn tar_bytes(items: &[Item]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for item in items {
        let mut header = tar::Header::new_gnu();
        let (name, link, kind, data, mode): (&str, Option<&str>, tar::EntryType, &[u8], u32) =
            match item {
                Item::File(n, d, m) => (n, None, tar::EntryType::Regular, d, *m),
                Item::Dir(n) => (n, None, tar::EntryType::Directory, &[], 0o755),
                Item::Symlink(n, t) => (n, Some(t), tar::EntryType::Symlink, &[], 0o777),
                Item::HardLink(n, t) => (n, Some(t), tar::EntryType::Link, &[], 0o644),
                Item::CharDevice(n) => (n, None, tar::EntryType::Char, &[], 0o644),
                Item::Fifo(n) => (n, None, tar::EntryType::Fifo, &[], 0o644),
            };
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(link) = link {
            gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_mtime(0);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// `items` as a `.tar.gz`.
pub fn tar_gz(items: &[Item]) -> Vec<u8> {
    tar_gz_level(items, 6)
}

/// `items` as a `.tar.gz` at compression `level` (0–9; 1 is fastest).
pub fn tar_gz_level(items: &[Item], level: u32) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    enc.write_all(&tar_bytes(items)).unwrap();
    enc.finish().unwrap()
}

/// `items` as a `.tar.xz`.
pub fn tar_xz(items: &[Item]) -> Vec<u8> {
    tar_xz_level(items, 6)
}

/// `items` as a `.tar.xz` at preset `level` (0–9; 0 is fastest).
pub fn tar_xz_level(items: &[Item], level: u32) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), level);
    enc.write_all(&tar_bytes(items)).unwrap();
    enc.finish().unwrap()
}

/// `items` as a `.tar.bz2`.
pub fn tar_bz2(items: &[Item]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(&tar_bytes(items)).unwrap();
    enc.finish().unwrap()
}

/// `items` as a `.tar.zst` (one frame, ruzstd's fastest level).
pub fn tar_zst(items: &[Item]) -> Vec<u8> {
    use ruzstd::encoding::{CompressionLevel, compress_to_vec};
    compress_to_vec(tar_bytes(items).as_slice(), CompressionLevel::Fastest)
}

/// `items` as an archive of `format`, at each compressor's default level (fastest for
/// bzip2 and zstd). Panics for [`ArchiveFormat::Raw`], which is no archive.
pub fn archive_bytes(format: ArchiveFormat, items: &[Item]) -> Vec<u8> {
    match format {
        ArchiveFormat::TarGz => tar_gz(items),
        ArchiveFormat::TarXz => tar_xz(items),
        ArchiveFormat::TarBz2 => tar_bz2(items),
        ArchiveFormat::TarZst => tar_zst(items),
        ArchiveFormat::Tar => tar_bytes(items),
        ArchiveFormat::Zip => zip_bytes(items),
        ArchiveFormat::Raw => panic!("a bare executable is no archive"),
    }
}

/// `items` as a deflated `.zip` (hard links, devices and fifos are not representable).
pub fn zip_bytes(items: &[Item]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for item in items {
        match item {
            Item::File(n, d, m) => {
                zip.start_file(*n, deflated.unix_permissions(*m)).unwrap();
                zip.write_all(d).unwrap();
            }
            Item::Dir(n) => zip.add_directory(*n, deflated).unwrap(),
            Item::Symlink(n, t) => zip.add_symlink(*n, *t, deflated).unwrap(),
            other => panic!("{other:?} cannot be written to a zip"),
        }
    }
    zip.finish().unwrap().into_inner()
}

/// What a directory tree holds, for exact comparisons: relative path (`/`-separated
/// on every platform) → `file:<data>`, `dir`, or `link:<target>`; mode bits for files
/// as `file(755):…` (`file(-):…` on Windows, which has none).
pub fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel: Vec<String> = path
                .strip_prefix(root)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let rel = rel.join("/");
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, format!("link:{}", target.display()));
            } else if meta.is_dir() {
                out.insert(rel, "dir".to_owned());
                walk(root, &path, out);
            } else {
                let data = std::fs::read(&path).unwrap();
                let mode = crate::platform::fs::mode_bits(&meta)
                    .map_or_else(|| "-".to_owned(), |mode| format!("{mode:o}"));
                out.insert(
                    rel,
                    format!("file({mode}):{}", String::from_utf8_lossy(&data)),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut out);
    }
    out
}
