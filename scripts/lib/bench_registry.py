"""The language registries of the benchmarks (scripts/bench-lang.sh, scripts/bench-team.sh)
on one loopback server: `python3 bench_registry.py PORT CACHE WWW`.

- npm at the root, as registry.npmjs.org: `/NAME` (CACHE/npm/NAME.json, `/` as `+`),
  `/NAME/VERSION`, `/@SCOPE/NAME/-/NAME-VERSION.tgz` (CACHE/npm/NAME-VERSION.tgz);
- PyPI: a PEP 503 simple index `/simple/PROJECT/` over CACHE/files (each link with its
  `#sha256=`), the files under `/files/`, and `/pypi/PROJECT/json` (mise's version list);
- static files of WWW under `/www/`;
- astral-sh/uv's release UV_RELEASE (asset WWW/gh/UV_ASSET) on a loopback GitHub
  Enterprise Server under `/gh/` (API under `/gh/api/v3`).
"""
import hashlib, http.server, json, os, re, sys, urllib.parse
cache, www = sys.argv[2], sys.argv[3]
files = os.path.join(cache, "files")
def norm(n): return re.sub(r"[-_.]+", "-", n).lower()
def project_of(f): return norm(f.split("-")[0])
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, body, kind="application/octet-stream", code=200):
        self.send_response(code); self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body))); self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def do_HEAD(self): self.do_GET()
    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?")[0])
        try:
            if path.startswith("/gh/"):
                return self.github(path[3:])
            if path.startswith("/www/"):
                return self.send(open(os.path.join(www, path[5:]), "rb").read())
            if path.startswith("/files/"):
                return self.send(open(os.path.join(files, os.path.basename(path)), "rb").read())
            if path.startswith("/simple/"):
                want = norm(path.strip("/").split("/")[1])
                links = "".join(
                    '<a href="/files/%s#sha256=%s">%s</a>\n' % (f, hashlib.sha256(open(os.path.join(files, f), "rb").read()).hexdigest(), f)
                    for f in sorted(os.listdir(files)) if project_of(f) == want)
                if not links: raise KeyError(want)
                return self.send(("<!DOCTYPE html><html><body>\n%s</body></html>\n" % links).encode(), "text/html")
            if path.startswith("/pypi/"):
                want = norm(path.split("/")[2])
                releases = {}
                for f in os.listdir(files):
                    if project_of(f) == want: releases.setdefault(f.split("-")[1], []).append({"filename": f})
                if not releases: raise KeyError(want)
                return self.send(json.dumps({"info": {"name": want}, "releases": releases}).encode(), "application/json")
            parts = path.strip("/").split("/")
            n = 2 if parts[0].startswith("@") else 1
            name, rest = "/".join(parts[:n]), parts[n:]
            doc_path = os.path.join(cache, "npm", name.replace("/", "+") + ".json")
            if not rest:
                return self.send(open(doc_path, "rb").read(), "application/json")
            if rest[0] == "-":
                return self.send(open(os.path.join(cache, "npm", rest[1]), "rb").read())
            doc = json.load(open(doc_path))
            return self.send(json.dumps(doc["versions"][rest[0]]).encode(), "application/json")
        except (OSError, KeyError, IndexError):
            if os.environ.get("BENCH_LANG_LOG"): print("404", self.path, file=sys.stderr)
            return self.send(b"not found", code=404)
    def github(self, path):
        # astral-sh/uv's release on a loopback GitHub (GHES layout: API under /api/v3).
        tag, asset = os.environ["UV_RELEASE"], os.environ["UV_ASSET"]
        data = open(os.path.join(www, "gh", asset), "rb").read()
        base = "http://%s/gh" % self.headers["Host"]
        if path.startswith("/api/v3/repos/astral-sh/uv/tags"):
            return self.send(json.dumps([{"name": tag}]).encode(), "application/json")
        if path == "/api/v3/repos/astral-sh/uv/releases/tags/" + tag:
            doc = {"tag_name": tag, "draft": False, "prerelease": False,
                   "published_at": "2025-11-12T00:00:00Z",
                   "assets": [{"name": asset, "size": len(data),
                               "browser_download_url": "%s/astral-sh/uv/releases/download/%s/%s" % (base, tag, asset),
                               "digest": "sha256:" + hashlib.sha256(data).hexdigest()}]}
            return self.send(json.dumps(doc).encode(), "application/json")
        if path == "/astral-sh/uv/releases/download/%s/%s" % (tag, asset):
            return self.send(data)
        raise KeyError(path)
    def handle(self):
        try: super().handle()
        except (BrokenPipeError, ConnectionResetError): pass
class Server(http.server.ThreadingHTTPServer):
    # A backlog of 256: the default 5 drops connections when uv asks for a dozen index
    # pages at once, and each dropped SYN costs its client a second (a whole second of
    # every cold install measured before this, on both sides).
    request_queue_size = 256
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
