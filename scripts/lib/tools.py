"""The tools of the tool benchmarks (scripts/bench-tools.sh, scripts/ab-tools.sh):
`python3 tools.py WORK WORKLOAD...` writes WORK/www/NAME.tar.gz and WORK/WORKLOAD.list
("name file sha256" a line) for each WORKLOAD: `tiny` (100 tools of a two-line script
and a README, every archive distinct) or `large` (4 tools of 50 MiB of random bytes, so
packing saves nothing)."""
import gzip
import hashlib
import io
import os
import sys
import tarfile


def tar_of(top, files):
    """An uncompressed tar of `files` ({path: bytes}) under `top/`, what is under `bin/`
    executable (also scripts/bench-sync.py's archives)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(data)
            info.mode = 0o755 if path.startswith("bin/") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def archive(work, name, files):
    body = gzip.compress(tar_of(name, files), compresslevel=6, mtime=0)
    with open(f"{work}/www/{name}.tar.gz", "wb") as f:
        f.write(body)
    return f"{name} {name}.tar.gz {hashlib.sha256(body).hexdigest()}\n"


def tiny(work):
    return [
        archive(work, f"tiny{i}", {
            f"bin/tiny{i}": f"#!/bin/sh\necho tiny {i}\n".encode(),
            "README": f"tiny tool {i}\n".encode(),
        })
        for i in range(100)
    ]


def large(work):
    return [
        archive(work, f"large{i}", {
            f"bin/large{i}": b"#!/bin/sh\necho large\n",
            "lib/blob": os.urandom(50 << 20),
        })
        for i in range(4)
    ]


def main():
    work = sys.argv[1]
    os.makedirs(f"{work}/www", exist_ok=True)
    for load in sys.argv[2:]:
        lines = {"tiny": tiny, "large": large}[load](work)
        with open(f"{work}/{load}.list", "w") as out:
            out.writelines(lines)


if __name__ == "__main__":
    main()
