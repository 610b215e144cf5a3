//! A loopback HTTP server whose answer is generated as it is sent, so a test can serve
//! hundreds of megabytes without holding them in memory or on disk: a head, then a unit
//! repeated up to a total, with or without a `Content-Length`. Every path gets the
//! same answer; the server stops when dropped (a reader that stops reading ends its
//! connection's writes).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What is served.
#[derive(Clone)]
pub struct Body {
    /// The first bytes.
    pub head: Vec<u8>,
    /// Repeated after the head until `total` bytes were sent; `{n}` in it becomes the
    /// repetition's number (0, 1, …), so a million table names can differ.
    pub unit: Vec<u8>,
    /// Bytes in all (the last unit cut there).
    pub total: u64,
    /// Whether the answer announces its length; else it ends when the connection does.
    pub announced: bool,
}

/// The server.
pub struct Stream {
    port: u16,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
}

impl Stream {
    /// Serves `body` on every path.
    pub fn start(body: Body) -> Stream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let (stopping, counting) = (stop.clone(), sent.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (body, stopping, counting) = (body.clone(), stopping.clone(), counting.clone());
                std::thread::spawn(move || serve(stream, &body, &stopping, &counting));
            }
        });
        Stream { port, stop, sent }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Body bytes written to clients so far (what vx was made to read, at most).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads a request's head up to its blank line; `false` when the client went away
/// first. Shared with the trickling server.
pub fn read_request_head(stream: &TcpStream) -> bool {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) if line == "\r\n" => return true,
            Ok(_) => {}
        }
    }
}

fn serve(stream: TcpStream, body: &Body, stop: &AtomicBool, sent: &AtomicU64) {
    if !read_request_head(&stream) {
        return;
    }
    let mut stream = stream;
    let length = if body.announced {
        format!("Content-Length: {}\r\n", body.total)
    } else {
        String::new()
    };
    let head = format!("HTTP/1.1 200 OK\r\n{length}Connection: close\r\n\r\n");
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    // Whole buffers of units, so a large body goes out at memory speed.
    let mut chunk = body.head.clone();
    let mut left = body.total;
    let unit = String::from_utf8_lossy(&body.unit).into_owned();
    let numbered = unit.contains("{n}");
    let mut number = 0u64;
    while left > 0 && !stop.load(Ordering::SeqCst) {
        while chunk.len() < 1 << 16 && !body.unit.is_empty() {
            if numbered {
                chunk.extend_from_slice(unit.replace("{n}", &number.to_string()).as_bytes());
                number += 1;
            } else {
                chunk.extend_from_slice(&body.unit);
            }
        }
        let n = (chunk.len() as u64).min(left) as usize;
        if n == 0 {
            return;
        }
        if stream.write_all(&chunk[..n]).is_err() {
            return;
        }
        sent.fetch_add(n as u64, Ordering::SeqCst);
        left -= n as u64;
        chunk.drain(..n);
    }
}
