#!/usr/bin/env python3
"""Writes a valid vx board with N slots to stdout, following docs/LAYOUT.md only.

Used as a fuzzing seed, and a check that the document is enough for a reader (or
writer) in another language.  Usage: make-board-seed.py N
"""
import struct
import sys

HEADER_SIZE = SLOT_SIZE = 256
PHASES = 9


def header(slots: int) -> bytes:
    label = b"seed/vx.toml"
    out = struct.pack(
        "<8sIIIIIIQQ16sQQII160sQ",
        b"VXBOARD\0", 1, 0x01020304, HEADER_SIZE, SLOT_SIZE, slots, 1, 0,
        1_700_000_000_000, bytes(range(16)), 1 << 1, 0,  # flags: DUMP
        len(label), 0, label, 0,
    )
    assert len(out) == HEADER_SIZE
    return out


def slot(index: int) -> bytes:
    tool = f"tool-{index}".encode()
    version = b"1.0"
    message = "héllo".encode()
    record = struct.pack(
        "<IiQQQQIIQIBBBB32s32s112s",
        index % PHASES, 0, 10 * index, 100, 1, 2, 0, 0, 0, 1,
        len(tool), len(version), len(message), 0, tool, version, message,
    )
    out = struct.pack("<QQ", 2, 0) + record
    assert len(out) == SLOT_SIZE
    return out


def main() -> None:
    slots = int(sys.argv[1])
    sys.stdout.buffer.write(header(slots) + b"".join(slot(i) for i in range(slots)))


if __name__ == "__main__":
    main()
