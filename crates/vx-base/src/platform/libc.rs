//! Which C library this machine's programs use: what decides whether a Linux host is
//! `linux-ARCH` (glibc) or `linux-ARCH-musl`. Read as uv reads it: the dynamic loader
//! that `/bin/sh` asks for (its ELF `PT_INTERP`: `/lib/ld-musl-x86_64.so.1` on
//! Alpine, `/lib64/ld-linux-x86-64.so.2` on Debian), not which loaders are installed
//! (Debian's `musl` package installs `ld-musl` beside glibc's; Alpine's `gcompat`
//! installs an `ld-linux` beside musl's). A static `/bin/sh` (busybox) names none:
//! then a musl loader in `/lib` says musl. `VX_LIBC=musl|glibc` overrides all of it
//! (a container whose `/bin/sh` is not the system's). Read once per process.

use std::io::Read;
use std::sync::OnceLock;

/// A Linux platform's C library.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Libc {
    /// GNU's (`linux-x86_64`): what publishers' plain Linux builds link against.
    Glibc,
    /// musl (`linux-x86_64-musl`): Alpine and other small distributions.
    Musl,
}

impl Libc {
    /// Its name as aqua's `variants` (`key: libc`) and `VX_LIBC` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        }
    }

    /// The libc named `name` (`glibc`, `gnu`, `musl`).
    pub(crate) fn from_name(name: &str) -> Option<Libc> {
        match name {
            "glibc" | "gnu" => Some(Libc::Glibc),
            "musl" => Some(Libc::Musl),
            _ => None,
        }
    }
}

/// The environment variable that overrides the detection.
pub(crate) const OVERRIDE: &str = "VX_LIBC";

/// Most of `/bin/sh` read to find its program headers.
const HEAD: u64 = 64 << 10;

/// What is read of `/bin/sh` first: one page.
const FIRST: u64 = 4 << 10;

/// This machine's C library: `None` off Linux.
pub fn host() -> Option<Libc> {
    static HOST: OnceLock<Option<Libc>> = OnceLock::new();
    *HOST.get_or_init(|| {
        if std::env::consts::OS != "linux" {
            return None;
        }
        if let Some(libc) = std::env::var(OVERRIDE)
            .ok()
            .and_then(|v| Libc::from_name(v.trim()))
        {
            return Some(libc);
        }
        Some(detect())
    })
}

/// The libc `/bin/sh`'s loader names, else what `/lib` holds.
fn detect() -> Libc {
    let interp = std::fs::File::open("/bin/sh").ok().and_then(|mut file| {
        // The program headers and the loader's name sit in the first page of every
        // usual build; a shim asks this at each run, so read more only when needed.
        let mut head = Vec::new();
        (&mut file).take(FIRST).read_to_end(&mut head).ok()?;
        if let Some(found) = interpreter(&head) {
            return Some(found);
        }
        if (head.len() as u64) < FIRST {
            return None;
        }
        file.take(HEAD - FIRST).read_to_end(&mut head).ok()?;
        interpreter(&head)
    });
    match interp {
        Some(path) if path.contains("musl") => Libc::Musl,
        Some(_) => Libc::Glibc,
        None => {
            let musl_loader = std::fs::read_dir("/lib").ok().is_some_and(|dir| {
                dir.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("ld-musl-"))
            });
            if musl_loader { Libc::Musl } else { Libc::Glibc }
        }
    }
}

/// The `PT_INTERP` path of the ELF image whose first bytes are `head`, when they hold
/// it; `None` for anything else (not ELF, static, truncated, out of bounds).
pub(crate) fn interpreter(head: &[u8]) -> Option<String> {
    if head.get(..4)? != b"\x7fELF" {
        return None;
    }
    let wide = match head.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let little = match head.get(5)? {
        1 => true,
        2 => false,
        _ => return None,
    };
    let uint = |at: usize, len: usize| -> Option<u64> {
        let bytes = head.get(at..at.checked_add(len)?)?;
        let mut value = 0u64;
        for i in 0..len {
            let byte = if little { bytes[len - 1 - i] } else { bytes[i] };
            value = (value << 8) | u64::from(byte);
        }
        Some(value)
    };
    let (phoff, phentsize, phnum) = if wide {
        (uint(0x20, 8)?, uint(0x36, 2)?, uint(0x38, 2)?)
    } else {
        (uint(0x1c, 4)?, uint(0x2a, 2)?, uint(0x2c, 2)?)
    };
    const PT_INTERP: u64 = 3;
    for i in 0..phnum {
        let at = usize::try_from(phoff.checked_add(i.checked_mul(phentsize)?)?).ok()?;
        if uint(at, 4)? != PT_INTERP {
            continue;
        }
        let (offset, size) = if wide {
            (uint(at + 8, 8)?, uint(at + 32, 8)?)
        } else {
            (uint(at + 4, 4)?, uint(at + 16, 4)?)
        };
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        let path = head.get(start..end)?;
        let path = path.split(|b| *b == 0).next()?;
        return std::str::from_utf8(path).ok().map(str::to_owned);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian ELF64 image of one `PT_INTERP` header naming `loader`.
    fn elf64(loader: &str) -> Vec<u8> {
        let mut image = vec![0u8; 0x40 + 0x38];
        image[..4].copy_from_slice(b"\x7fELF");
        image[4] = 2;
        image[5] = 1;
        image[0x20..0x28].copy_from_slice(&0x40u64.to_le_bytes());
        image[0x36..0x38].copy_from_slice(&0x38u16.to_le_bytes());
        image[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
        let offset = image.len() as u64;
        image[0x40..0x44].copy_from_slice(&3u32.to_le_bytes());
        image[0x48..0x50].copy_from_slice(&offset.to_le_bytes());
        image[0x60..0x68].copy_from_slice(&(loader.len() as u64 + 1).to_le_bytes());
        image.extend_from_slice(loader.as_bytes());
        image.push(0);
        image
    }

    #[test]
    fn the_loader_is_read_from_the_program_headers() {
        let musl = elf64("/lib/ld-musl-x86_64.so.1");
        assert_eq!(
            interpreter(&musl).as_deref(),
            Some("/lib/ld-musl-x86_64.so.1")
        );
        let gnu = elf64("/lib64/ld-linux-x86-64.so.2");
        assert_eq!(
            interpreter(&gnu).as_deref(),
            Some("/lib64/ld-linux-x86-64.so.2")
        );
    }

    #[test]
    fn anything_else_names_no_loader_and_never_panics() {
        let good = elf64("/lib/ld-musl-x86_64.so.1");
        for cut in 0..good.len() - 1 {
            assert_eq!(interpreter(&good[..cut]), None, "cut at {cut}");
        }
        let mut huge = good.clone();
        huge[0x20..0x28].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(interpreter(&huge), None);
        let mut count = good;
        count[0x38..0x3a].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(
            interpreter(&count),
            Some("/lib/ld-musl-x86_64.so.1".to_owned())
        );
        assert_eq!(interpreter(b"#!/bin/sh\n"), None);
    }

    #[test]
    fn this_machines_shell_names_a_loader() {
        if std::env::consts::OS == "linux" {
            let head = std::fs::read("/bin/sh").unwrap();
            assert!(interpreter(&head).is_some());
        }
    }
}
