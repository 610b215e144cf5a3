#!/usr/bin/env bash
# Measures the CPU the dashboard costs: `vx board watch` (default 30 fps) attached to a
# headless `vx sync` of 64 tools that are all downloading, for 10 seconds, read from
# /proc/PID/stat (utime+stime). Needs tmux and python3; all traffic stays on loopback.
#   scripts/measure-dashboard-cpu.sh [FPS]
set -euo pipefail
cd "$(dirname "$0")/.."
fps=${1:-30}
cargo build --release -q
vx=$PWD/target/release/vx
work=$(mktemp -d)
trap 'tmux -L vx-cpu kill-server 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export VX_BOARD_DIR=$work/boards
mkdir -p "$VX_BOARD_DIR"

# A 16 MiB archive served at 256 KiB/s per download: every tool stays busy > 60 s.
python3 - "$work" <<'PY'
import hashlib, io, os, sys, tarfile
work = sys.argv[1]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
    data = os.urandom(16 << 20)
    info = tarfile.TarInfo("pkg/blob"); info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
open(f"{work}/a.tar.gz", "wb").write(buf.getvalue())
open(f"{work}/sha", "w").write(hashlib.sha256(buf.getvalue()).hexdigest())
PY
python3 - "$work" <<'PY' &
import http.server, os, socketserver, sys, time
work = sys.argv[1]
body = open(f"{work}/a.tar.gz", "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        try:
            for i in range(0, len(body), 16384):
                self.wfile.write(body[i:i+16384]); time.sleep(16384 / (256 << 10))
        except OSError:
            pass
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(f"{work}/port", "w").write(str(s.server_address[1]))
s.serve_forever()
PY
while [ ! -s "$work/port" ]; do sleep 0.1; done
port=$(cat "$work/port"); sha=$(cat "$work/sha")
for i in $(seq -w 0 63); do
  printf '[tools.tool-%s]\nversion = "1.0"\nurl = "http://127.0.0.1:%s/a.tar.gz"\nsha256 = "%s"\n\n' "$i" "$port" "$sha"
done > "$work/vx.toml"
"$vx" sync --headless -j 64 --manifest "$work/vx.toml" --store "$work/store" > "$work/sync.log" 2>&1 &
until ls "$VX_BOARD_DIR" | grep -q vx-board-; do sleep 0.1; done
sleep 3 # let every child start downloading

tmux -L vx-cpu new-session -d -s w -x 160 -y 50 "VX_BOARD_DIR=$VX_BOARD_DIR $vx board watch --fps $fps"
sleep 2
pid=$(pgrep -f "vx board watch" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks); sleep 10; after=$(ticks)
echo "dashboard (vx board watch --fps $fps, 64 downloading tools, 160x50): $(( (after - before) * 1000 / hz )) ms CPU in 10 s = $(awk "BEGIN{printf \"%.2f\", ($after-$before)/$hz/10*100}") % of one core"
