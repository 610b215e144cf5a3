//! A loopback HTTP server that answers every request at once with its headers and a
//! `Content-Length`, then trickles the body a byte at a time: fast enough never to trip
//! a read timeout, slow enough never to finish. What a slowloris server does; or
//! ([`Trickle::head`]) trickles the answer's head itself, never ending it.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The server; it stops trickling when dropped.
pub struct Trickle {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Trickle {
    /// Serves `len` bytes of `x` at one byte per `every`, on any path.
    pub fn start(len: usize, every: Duration) -> Trickle {
        Trickle::spawn(Some(len), every)
    }

    /// Sends the head of an answer a byte per `every` (at most 300 of them), never
    /// finishing it, on any path.
    #[allow(dead_code)]
    pub fn head(every: Duration) -> Trickle {
        Trickle::spawn(None, every)
    }

    /// `len` bytes of body after a whole head, or (`None`) a head that never ends.
    fn spawn(len: Option<usize>, every: Duration) -> Trickle {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let stopping = stopping.clone();
                std::thread::spawn(move || serve(stream, len, every, &stopping));
            }
        });
        Trickle { port, stop }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Trickle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(stream: TcpStream, len: Option<usize>, every: Duration, stop: &AtomicBool) {
    if !super::stream::read_request_head(&stream) {
        return;
    }
    let mut stream = stream;
    let head = match len {
        Some(len) => {
            format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
        }
        None => "HTTP/1.1 200 OK\r\nX-Slow: ".to_owned(),
    };
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    for _ in 0..len.unwrap_or(300) {
        if stop.load(Ordering::SeqCst) || stream.write_all(b"x").is_err() {
            return;
        }
        std::thread::sleep(every);
    }
}
