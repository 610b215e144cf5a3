//! What the tests' registries written on raw sockets share (`tests/it/hostile_push.rs`,
//! `tests/it/interrupted.rs`): reading one request's head, and an accepting registry's
//! answers. Raw sockets let a registry misbehave as no server library would (answer
//! nothing, read an upload slowly, stop reading it).

use std::io::BufRead;
use std::sync::Mutex;

/// Reads one request's head from `reader`: its method, its path and its
/// `Content-Length` (0 when it names none); the request line is recorded in `seen` as
/// `METHOD PATH`. `None` when the connection closed first.
pub fn read_head(
    reader: &mut impl BufRead,
    seen: &Mutex<Vec<String>>,
) -> Option<(String, String, u64)> {
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return None;
    }
    let mut length = 0u64;
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {
                if let Some((key, value)) = line.split_once(':')
                    && key.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
    }
    let mut words = first.split(' ');
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    seen.lock().unwrap().push(format!("{method} {path}"));
    Some((method.to_owned(), path.to_owned(), length))
}

/// An accepting registry's answer to `method` on `path` (status line and headers of an
/// empty answer): no blob is there yet (HEAD 404), an upload starts at `PATHu1` (POST
/// 202), anything put is created (201).
pub fn accepting(method: &str, path: &str) -> String {
    match method {
        "HEAD" => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n".to_owned(),
        "POST" => format!("HTTP/1.1 202 Accepted\r\nLocation: {path}u1\r\nContent-Length: 0\r\n"),
        _ => "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n".to_owned(),
    }
}
