#!/usr/bin/env python3
"""Joins the release sets built on several machines into one (the release workflow).

Usage: scripts/dist/join.py OUT_DIR PART_DIR...

Each PART_DIR is what scripts/dist/build.sh wrote on one runner. OUT_DIR gets every
archive, one vx-release.json whose targets are all of theirs (the versions must agree),
sha256.sum, and install.sh / install.ps1 with every archive's sha256 written in (from
scripts/dist/, as build.sh writes them).
"""

import hashlib
import json
import os
import shutil
import sys

DIST = os.path.dirname(os.path.abspath(__file__))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, parts = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    joined = None
    for part in parts:
        with open(os.path.join(part, "vx-release.json")) as f:
            manifest = json.load(f)
        if joined is None:
            joined = {**manifest, "targets": {}}
        elif (manifest["version"], manifest["tag"]) != (joined["version"], joined["tag"]):
            sys.exit(f"{part} is vx {manifest['version']}, not {joined['version']}")
        for target, entry in manifest["targets"].items():
            path = os.path.join(part, entry["asset"])
            data = open(path, "rb").read()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                sys.exit(f"{path} does not match its vx-release.json")
            shutil.copyfile(path, os.path.join(out, entry["asset"]))
            joined["targets"][target] = entry
    with open(os.path.join(out, "vx-release.json"), "w") as f:
        json.dump(joined, f, indent=2)
        f.write("\n")
    targets = sorted(joined["targets"].items())
    with open(os.path.join(out, "sha256.sum"), "w") as f:
        for _, entry in targets:
            f.write(f"{entry['sha256']}  {entry['asset']}\n")
    sums = "\n".join(f"{target} {entry['sha256']}" for target, entry in targets)
    for name in ("install.sh", "install.ps1"):
        text = open(os.path.join(DIST, name)).read()
        text = text.replace("@VX_VERSION@", joined["version"]).replace("@VX_SUMS@", sums)
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    os.chmod(os.path.join(out, "install.sh"), 0o755)


if __name__ == "__main__":
    main()
