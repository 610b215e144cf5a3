#!/usr/bin/env python3
"""A loopback npm registry for scripts/dist/test-npm.sh: serves the package tarballs of
a directory as npm's registry API does, and nothing else (no uplinks).

Usage: npm-registry.py TARBALL_DIR PORT_FILE

Listens on 127.0.0.1 and a free port, written to PORT_FILE once it listens.
`GET /NAME` (a scoped name as `@scope%2fname` or `@scope/name`) answers the packument:
`{"name", "dist-tags": {"latest"}, "versions": {V: package.json + "dist": {"tarball",
"shasum", "integrity"}}}` built from each `package/package.json` inside the tarballs;
`GET /-/tarballs/FILE` the tarball; anything else 404 (a package not published).
"""

import base64
import hashlib
import http.server
import json
import os
import sys
import tarfile
import urllib.parse


def packages(directory, base):
    """name -> packument, from every .tgz of `directory`."""
    found = {}
    for file in sorted(os.listdir(directory)):
        if not file.endswith(".tgz"):
            continue
        path = os.path.join(directory, file)
        data = open(path, "rb").read()
        with tarfile.open(path, "r:gz") as tar:
            manifest = json.load(tar.extractfile("package/package.json"))
        name, version = manifest["name"], manifest["version"]
        manifest["dist"] = {
            "tarball": f"{base}/-/tarballs/{file}",
            "shasum": hashlib.sha1(data).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
        }
        entry = found.setdefault(name, {"name": name, "dist-tags": {}, "versions": {}})
        entry["versions"][version] = manifest
        entry["dist-tags"]["latest"] = version
    return found


def main():
    directory, port_file = sys.argv[1:]

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, body, kind="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = urllib.parse.unquote(self.path.split("?")[0])
            if path.startswith("/-/tarballs/"):
                file = os.path.join(directory, os.path.basename(path))
                if os.path.isfile(file):
                    return self.send(200, open(file, "rb").read(), "application/octet-stream")
            else:
                name = path.lstrip("/")
                known = packages(directory, f"http://127.0.0.1:{self.server.server_port}")
                if name in known:
                    return self.send(200, json.dumps(known[name]).encode())
            self.send(404, b'{"error":"not found"}')

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_port))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
