#!/usr/bin/env python3
"""Checks the macOS binaries of a release set, on Linux, where none can run.

Usage: scripts/dist/check-macos.py RELEASE_DIR

For each `*-apple-darwin` target of RELEASE_DIR/vx-release.json, the archive's
vx-VERSION-TARGET/vx is checked as a Mac's loader would see it:

  - a 64-bit Mach-O executable (MH_MAGIC_64, MH_EXECUTE) of the target's CPU (ARM64,
    X86_64);
  - its load commands: the dynamic linker /usr/lib/dyld, libraries only from ALLOWED
    (present on macOS 12 and later, in its shared cache), no LC_RPATH and no other
    path at all (an absolute path of the build machine, a framework of an SDK);
  - LC_BUILD_VERSION (LC_VERSION_MIN_MACOSX is allowed on x86_64) for macOS with the
    minos of its CPU (MINOS: 11.0 on arm64, 10.12 on x86_64, what the wheels are tagged
    for; macOS 12, the oldest vx supports, is above both);
  - arm64: an LC_CODE_SIGNATURE (the linker's ad-hoc signature): an arm64 Mac kills an
    unsigned binary before its first instruction;
  - no path of the machine that built it anywhere in its bytes (the home directory,
    CARGO_HOME, the checkout: scripts/dist/build.sh remaps the sources' paths);
  - its size and its archive's, printed, and the archive under MAX_ARCHIVE_BYTES;
  - `VERSION (COMMIT ` of `vx --version` of the set's x86_64 Linux build (the same
    commit's, run here) in its bytes: what `vx --version` prints on a Mac (the date after it is the day each
    build ran, so it is left out).

Then, when llvm-lipo is at hand, the two are joined into a universal binary whose
slices must be the two binaries byte for byte.

The Mach-O is read by llvm-objdump (`--macho --private-headers`, Debian's `llvm`): LLVM's
own reader, which prints every load command as Apple's otool does, rather than a parser
of ours that would share the blind spots of whoever wrote it.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

CPU = {"aarch64-apple-darwin": "ARM64", "x86_64-apple-darwin": "X86_64"}
LIPO_ARCH = {"aarch64-apple-darwin": "arm64", "x86_64-apple-darwin": "x86_64"}
# Libraries every macOS 11+ has (in the dyld shared cache): libSystem (libc, libm,
# pthreads, the kernel's calls), libiconv (the `libc` crate links it on Apple targets)
# and libcharset, which libiconv re-exports (`reexported-libraries` of the libiconv.tbd
# of Apple's SDK that cargo-zigbuild ships) and zig's linker names directly.
ALLOWED = {
    "/usr/lib/libSystem.B.dylib",
    "/usr/lib/libiconv.2.dylib",
    "/usr/lib/libcharset.1.dylib",
}
DYLIB_COMMANDS = {
    "LC_LOAD_DYLIB",
    "LC_LOAD_WEAK_DYLIB",
    "LC_REEXPORT_DYLIB",
    "LC_LAZY_LOAD_DYLIB",
    "LC_LOAD_UPWARD_DYLIB",
}
# What both are linked for (scripts/dist/build.sh: MACOSX_DEPLOYMENT_TARGET), which the
# wheels' tags say (scripts/dist/macos-wheels.sh); macOS 12, the oldest vx supports,
# must be at or above it.
MINOS = {"aarch64": "11.0", "x86_64": "10.12"}
# A debug build's archive (CI) is the larger; a user downloads a release one.
MAX_ARCHIVE_BYTES = 80 << 20


def objdump():
    for name in ["llvm-objdump"] + sorted(glob.glob("/usr/bin/llvm-objdump-*"), reverse=True):
        if shutil.which(name):
            return name
    sys.exit("llvm-objdump is not installed (Debian: apt-get install llvm)")


def lipo():
    for name in ["llvm-lipo"] + sorted(glob.glob("/usr/bin/llvm-lipo-*"), reverse=True):
        if shutil.which(name):
            return name
    return None


def headers(path):
    """The Mach header's fields and the load commands, each a dict of its fields."""
    out = subprocess.run(
        [objdump(), "--macho", "--private-headers", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    header = {}
    commands = []
    for i, line in enumerate(out):
        if line.strip() == "Mach header":
            names = out[i + 1].split()
            values = out[i + 2].split()
            header = dict(zip(names, values))
        elif line.startswith("Load command "):
            commands.append({})
        elif commands and line.strip() and line.strip() != "Section":
            key, _, value = line.strip().partition(" ")
            # The command's own fields come before its sections': keep the first.
            commands[-1].setdefault(key, value.strip())
    return header, commands


def machine_paths():
    """Where this machine keeps what a build reads: the home directory, CARGO_HOME and
    the checkout (this script's), each with its trailing slash."""
    home = os.path.expanduser("~")
    cargo = os.environ.get("CARGO_HOME", os.path.join(home, ".cargo"))
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return {os.path.realpath(p).rstrip("/") + "/" for p in (home, cargo, checkout) if p != "/"}


def version_tuple(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def check(target, binary, archive_size, version_prefix, fail, ok):
    header, commands = headers(binary)
    label = f"{target}: "
    if header.get("magic") == "MH_MAGIC_64" and header.get("filetype") == "EXECUTE":
        ok(label + "a 64-bit Mach-O executable")
    else:
        fail(label + f"not a 64-bit Mach-O executable: {header}")
    if header.get("cputype") == CPU[target]:
        ok(label + f"CPU {CPU[target]}")
    else:
        fail(label + f"CPU {header.get('cputype')}, not {CPU[target]}")

    names = [c.get("cmd") for c in commands]
    dylibs = [c["name"].split(" (offset")[0] for c in commands if c.get("cmd") in DYLIB_COMMANDS]
    dylinker = [c["name"].split(" (offset")[0] for c in commands if c.get("cmd") == "LC_LOAD_DYLINKER"]
    paths = [
        (c.get("cmd"), v.split(" (offset")[0])
        for c in commands
        for k, v in c.items()
        if k in ("name", "path")
    ]
    if dylinker == ["/usr/lib/dyld"]:
        ok(label + "dynamic linker /usr/lib/dyld")
    else:
        fail(label + f"dynamic linker {dylinker}")
    if dylibs and set(dylibs) <= ALLOWED:
        ok(label + "links " + ", ".join(dylibs))
    else:
        fail(label + f"links {dylibs}, allowed are {sorted(ALLOWED)}")
    others = [
        (cmd, p)
        for cmd, p in paths
        if not (cmd in DYLIB_COMMANDS and p in ALLOWED)
        and not (cmd == "LC_LOAD_DYLINKER" and p == "/usr/lib/dyld")
    ]
    if not others and "LC_RPATH" not in names:
        ok(label + "no other path in its load commands (no rpath)")
    else:
        fail(label + f"other paths in its load commands: {others}")

    build = [c for c in commands if c.get("cmd") == "LC_BUILD_VERSION"]
    legacy = [c for c in commands if c.get("cmd") == "LC_VERSION_MIN_MACOSX"]
    if build:
        platform, minos = build[0].get("platform"), build[0].get("minos", "")
    elif legacy:
        platform, minos = "macos", legacy[0].get("version", "")
    else:
        platform, minos = None, ""
    want = MINOS[target.split("-")[0]]
    if platform == "macos" and minos and version_tuple(minos) == version_tuple(want):
        ok(label + f"for macOS {minos} and later")
    else:
        fail(label + f"platform {platform}, minos {minos!r}, not macOS {want}")
    # Apple silicon came with macOS 11: its binaries say so in LC_BUILD_VERSION.
    if target.startswith("aarch64") and not build:
        fail(label + "no LC_BUILD_VERSION (an arm64 binary must have one)")

    if target.startswith("aarch64"):
        if "LC_CODE_SIGNATURE" in names:
            ok(label + "signed (LC_CODE_SIGNATURE): an arm64 Mac runs it")
        else:
            fail(label + "no LC_CODE_SIGNATURE: an arm64 Mac would kill it")

    size = os.path.getsize(binary)
    print(f"     {target}: binary {size / 2**20:.1f} MiB, archive {archive_size / 2**20:.1f} MiB")
    if archive_size <= MAX_ARCHIVE_BYTES:
        ok(label + f"archive under {MAX_ARCHIVE_BYTES >> 20} MiB")
    else:
        fail(label + f"archive of {archive_size} bytes")

    with open(binary, "rb") as f:
        data = f.read()
    found = sorted({p for p in machine_paths() if p.encode() in data})
    if not found:
        ok(label + "names no path of this machine")
    else:
        counts = {p: data.count(p.encode()) for p in found}
        fail(label + f"names paths of this machine: {counts}")
    if version_prefix.encode() in data:
        ok(label + f"`vx --version` would print {version_prefix}…, as the Linux build does")
    else:
        own = sorted(set(re.findall(rb"\d+\.\d+\.\d+[-.0-9A-Za-z]* \([0-9a-z]+ \d{4}-\d\d-\d\d\)", data)))
        fail(
            label
            + f"the Linux build says {version_prefix!r}…, this one {[o.decode() for o in own]}"
            + " (a debug build's commit is refreshed only when build.rs runs again)"
        )


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    release = sys.argv[1]
    manifest = json.load(open(os.path.join(release, "vx-release.json")))
    version = manifest["version"]
    failures = []

    def ok(message):
        print(f"ok   macos: {message}")

    def fail(message):
        print(f"FAIL macos: {message}")
        failures.append(message)

    binaries = {}
    with tempfile.TemporaryDirectory() as tmp:
        linux = "x86_64-unknown-linux-musl"
        if linux not in manifest["targets"]:
            sys.exit(f"the release set has no {linux} build to compare the version with")
        with tarfile.open(os.path.join(release, manifest["targets"][linux]["asset"])) as archive:
            archive.extractall(tmp, filter="data")
        linux_vx = os.path.join(tmp, f"vx-{version}-{linux}", "vx")
        line = subprocess.run([linux_vx, "--version"], check=True, capture_output=True, text=True).stdout
        # "vx 0.1.0 (0f5104f2a1b3 2026-11-24)": the version and commit, not the date.
        prefix = line.strip().removeprefix("vx ").rsplit(" ", 1)[0] + " "
        print(f"     the Linux build says: {line.strip()}")
        for target in sorted(CPU):
            entry = manifest["targets"].get(target)
            if entry is None:
                fail(f"the release set has no {target}")
                continue
            with tarfile.open(os.path.join(release, entry["asset"])) as archive:
                archive.extractall(tmp, filter="data")
            binary = os.path.join(tmp, f"vx-{version}-{target}", "vx")
            if not os.path.isfile(binary):
                fail(f"{entry['asset']} holds no vx-{version}-{target}/vx")
                continue
            binaries[target] = binary
            check(target, binary, entry["size"], prefix, fail, ok)

        tool = lipo()
        if tool and len(binaries) == 2:
            universal = os.path.join(tmp, "vx-universal")
            subprocess.run([tool, "-create", "-output", universal, *binaries.values()], check=True)
            same = True
            for target, binary in binaries.items():
                thin = os.path.join(tmp, f"thin-{target}")
                subprocess.run([tool, universal, "-thin", LIPO_ARCH[target], "-output", thin], check=True)
                same = same and open(thin, "rb").read() == open(binary, "rb").read()
            archs = subprocess.run([tool, "-archs", universal], check=True, capture_output=True, text=True).stdout.split()
            if same and sorted(archs) == ["arm64", "x86_64"]:
                ok(f"universal binary ({tool}): {' '.join(archs)}, {os.path.getsize(universal) / 2**20:.1f} MiB, slices equal to both")
            else:
                fail(f"universal binary: archs {archs}, slices equal: {same}")
        elif not tool:
            print("     (no llvm-lipo: no universal binary made)")

    print(f"== macos: {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
