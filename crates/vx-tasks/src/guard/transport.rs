//! Frames over the Unix stream socket between `vx run` and its guard, with file
//! descriptors beside them (`SCM_RIGHTS`, through rustix's safe `sendmsg`/`recvmsg`:
//! rustix is already the platform layer's dependency, so nothing more is built, and
//! the descriptors received come back as `OwnedFd`s, closed if unused).
//!
//! The descriptors ride on the first bytes of their frame: the kernel hands them to the
//! `recvmsg` that reads those bytes (Linux ends a read at a message that carries
//! descriptors), so the receiver queues them in order and a request takes its own from
//! the front once its frame is whole ([`super::protocol::Inbox`]).

use std::io::{self, IoSlice, IoSliceMut, Write};
use std::mem::MaybeUninit;
use std::os::fd::BorrowedFd;
use std::os::unix::net::UnixStream;

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags,
};

use super::protocol::{Inbox, STDIO};

/// The most descriptors one read takes: room for several spawn requests' worth, though
/// Linux hands over one message's at a time.
const MAX_FDS: usize = 4 * STDIO;

/// Sends one whole frame, `fds` beside its first bytes. Callers that share the stream
/// between threads hold a lock around it, so frames do not interleave.
pub fn send(stream: &UnixStream, frame: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    if fds.is_empty() {
        return (&*stream).write_all(frame);
    }
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(STDIO))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if fds.len() > STDIO || !control.push(SendAncillaryMessage::ScmRights(fds)) {
        return Err(io::Error::other("too many descriptors for one frame"));
    }
    let sent = loop {
        match rustix::net::sendmsg(
            stream,
            &[IoSlice::new(frame)],
            &mut control,
            SendFlags::empty(),
        ) {
            Err(rustix::io::Errno::INTR) => continue,
            other => break other?,
        }
    };
    (&*stream).write_all(&frame[sent..])
}

/// Reads what has come (blocking until something has) into `inbox`: bytes and
/// descriptors. Returns the number of bytes read, 0 at the end of the stream.
pub fn receive(stream: &UnixStream, inbox: &mut Inbox) -> io::Result<usize> {
    let mut buf = [0u8; 16 * 1024];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    // Received descriptors close on exec at once where the system can say so; elsewhere
    // just after (the guard is single-threaded: nothing starts in between).
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    let flags = RecvFlags::CMSG_CLOEXEC;
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    let flags = RecvFlags::empty();
    let msg = loop {
        match rustix::net::recvmsg(
            stream,
            &mut [IoSliceMut::new(&mut buf)],
            &mut control,
            flags,
        ) {
            Err(rustix::io::Errno::INTR) => continue,
            other => break other?,
        }
    };
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(fds) = message {
            for fd in fds {
                #[cfg(not(any(
                    target_os = "linux",
                    target_os = "android",
                    target_os = "freebsd"
                )))]
                rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::CLOEXEC)?;
                inbox.fds.push_back(fd);
            }
        }
    }
    if msg.flags.contains(ReturnFlags::CTRUNC) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "more descriptors came than one read takes",
        ));
    }
    inbox.bytes.extend_from_slice(&buf[..msg.bytes]);
    Ok(msg.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::fd::AsFd;

    #[test]
    fn descriptors_travel_with_their_frame() {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut reader, writer) = std::io::pipe().unwrap();
        let null = std::fs::File::open("/dev/null").unwrap();
        send(&a, b"plain", &[]).unwrap();
        send(&a, b"with", &[null.as_fd(), writer.as_fd(), null.as_fd()]).unwrap();
        drop(writer);
        let mut inbox = Inbox::default();
        while inbox.bytes.len() < 9 {
            assert!(receive(&b, &mut inbox).unwrap() > 0);
        }
        assert_eq!(inbox.bytes, b"plainwith");
        assert_eq!(inbox.fds.len(), 3);
        // The pipe's write end came across: writing to it reaches our reader.
        let passed = std::fs::File::from(inbox.fds.remove(1).unwrap());
        (&passed).write_all(b"through").unwrap();
        drop(passed);
        inbox.fds.clear();
        let mut got = String::new();
        reader.read_to_string(&mut got).unwrap();
        assert_eq!(got, "through");
        drop(a);
        assert_eq!(receive(&b, &mut Inbox::default()).unwrap(), 0);
    }
}
