#!/usr/bin/env python3
"""The figures issue 76 judges the library's shape by, for a revision (default: the
working tree): `pub` items, the average qualified path in code (`crate::…`, `super::…`,
`vx_…::…`, comments left out), functions over 100 and 150 lines, files over 1,000
lines. `python3 scripts/crates/measure.py [REV]`.
"""

import re
import subprocess
import sys

REV = sys.argv[1] if len(sys.argv) > 1 else None
PATH = re.compile(r"(?<![\w:])(crate|super|vx(?:_[a-z]+)?)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
PUB = re.compile(r"^\s*pub (fn|struct|enum|const|static|type|trait|mod|use|unsafe fn|async fn)\b")
FN = re.compile(r"^(\s*)(pub(\([a-z]+\))?\s+)?(const\s+)?(async\s+)?fn\s+(\w+)")


def files():
    cmd = ["git", "ls-files", "src", "crates"]
    if REV:
        cmd = ["git", "ls-tree", "-r", "--name-only", REV, "src", "crates"]
    names = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
    for name in names:
        if not name.endswith(".rs"):
            continue
        if REV:
            text = subprocess.run(
                ["git", "show", f"{REV}:{name}"], capture_output=True, text=True, check=True
            ).stdout
        else:
            text = open(name, encoding="utf-8").read()
        yield name, text


def main():
    pubs = paths = path_chars = 0
    long_fns, big_files = [], []
    for name, text in files():
        lines = text.split("\n")
        if len(lines) > 1000:
            big_files.append((len(lines), name))
        for i, line in enumerate(lines):
            if line.strip().startswith("//"):
                continue
            pubs += bool(PUB.match(line))
            for m in PATH.finditer(line):
                paths += 1
                path_chars += len(m.group(0))
            m = FN.match(line)
            if m:
                end = m.group(1) + "}"
                for j in range(i + 1, len(lines)):
                    if lines[j] == end:
                        if j - i + 1 > 100:
                            long_fns.append((j - i + 1, name, m.group(6)))
                        break
    print(f"revision: {REV or 'working tree'}")
    print(f"pub items: {pubs}")
    print(f"qualified paths: {paths}, average {path_chars / max(paths, 1):.1f} characters")
    print(f"functions over 100 lines: {len(long_fns)}; over 150: {sum(n > 150 for n, *_ in long_fns)}")
    for n, name, fn in sorted(long_fns, reverse=True)[:5]:
        print(f"  {n} {name} {fn}")
    print(f"files over 1,000 lines: {len(big_files)}")
    for n, name in sorted(big_files, reverse=True):
        print(f"  {n} {name}")


if __name__ == "__main__":
    main()
