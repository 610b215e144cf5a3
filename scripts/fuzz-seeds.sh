#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets beyond the registry (fuzz/seeds/TARGET/),
# from real files: a vx.toml, the vx.lock and __VX_STATE the real `vx` writes for it
# (a file:// tool, nothing fetched from the network), a user config, each import
# format, aqua templates and expressions, daemon requests and a config frame header;
# the .env, publisher index and language registry seeds come from
# scripts/fuzz-seeds-publishers.sh (which needs no vx binary).
# The seeds are committed; run this again when a format changes.
#   scripts/fuzz-seeds.sh            (needs target/debug/vx: cargo build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
vx=$root/target/debug/vx
seeds=$root/fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{manifest,lock,user_config,import,template,daemon_request,config_frame,hook_state,tasks}
"$root/scripts/fuzz-seeds-publishers.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A tool served from a file:// URL, locked and installed by the real vx.
mkdir -p "$work/pkg/tool-1" "$work/home"
printf '#!/bin/sh\necho tool\n' > "$work/pkg/tool-1/tool"
chmod 755 "$work/pkg/tool-1/tool"
tar -czf "$work/tool.tar.gz" -C "$work/pkg" tool-1
sum=$(sha256sum "$work/tool.tar.gz" | cut -d' ' -f1)
mkdir -p "$work/project"
cat > "$work/project/vx.toml" <<TOML
[settings]
platforms = ["linux-x86_64", "macos-aarch64"]

[env]
GREETING = "hello {{ env.USER }}"

[tools.tool]
version = "1"
url = "file://$work/tool.tar.gz"
sha256 = "$sum"
strip_components = 1
bin = ["tool"]
TOML
export HOME=$work/home XDG_DATA_HOME=$work/home/data XDG_CACHE_HOME=$work/home/cache \
  XDG_CONFIG_HOME=$work/home/config VX_BOARD_DIR=$work/boards
mkdir -p "$VX_BOARD_DIR"
(cd "$work/project" && "$vx" sync --headless >/dev/null)
cp "$work/project/vx.toml" "$seeds/manifest/seed-url-tool"
cp "$work/project/vx.lock" "$seeds/lock/seed-url-tool"
(cd "$work/project" && "$vx" hook-env --shell bash) \
  | sed -n "s/^export __VX_STATE='\(.*\)'$/\1/p" > "$seeds/hook_state/seed-applied"
printf '[settings]\nregistries = [{ name = "corp", path = "registry.yaml" }]\nurl_replacements = { "https://github.com/" = "https://mirror.corp/github/" }\nmirrors = ["https://cache.corp/vx/{sha256}"]\n\n[tools]\nripgrep = "14"\njq = "1.7"\n' \
  > "$seeds/manifest/seed-registry-tools"
cat > "$seeds/user_config/seed-all" <<'TOML'
mirrors = ["oci://registry.corp/vx", "file:///srv/vx"]

[http]
ca_certificates = ["/etc/ssl/corp.pem"]
proxy = "http://proxy.corp:3128"

[http.headers."artifacts.corp"]
Authorization = "Bearer ${ARTIFACTS_TOKEN}"

[github]
token_command = "gh auth token"

[registry]
standard_ref = "v4.554.0"

[url_replacements]
"https://github.com/" = "https://artifacts.corp/github/"
"regex:^https://([^/]+)\\.s3\\.amazonaws\\.com/(.*)" = "https://s3-proxy.corp/$1/$2"
TOML
# Import formats: the first byte chooses the format (0 .tool-versions, 1 mise.toml,
# 2 aqua.yaml, 3 .nvmrc, 4 .node-version, 5 .python-version).
printf '\000nodejs 20.11.0\npython 3.12.1 3.11.7\n# comment\nterraform ref:v1.9.0\n' > "$seeds/import/seed-tool-versions"
printf '\001[tools]\nnode = "20"\npython = ["3.12", "3.11"]\n"aqua:cli/cli" = "latest"\n\n[env]\nX = "1"\n' > "$seeds/import/seed-mise"
printf '\002registries:\n  - type: standard\n    ref: v4.155.0\npackages:\n  - name: cli/cli@v2.40.0\n  - name: junegunn/fzf\n    version: 0.46.0\n  - import: aqua/*.yaml\n' > "$seeds/import/seed-aqua"
printf '\003lts/iron\n' > "$seeds/import/seed-nvmrc"
printf '\004v20.11.0\n' > "$seeds/import/seed-node-version"
printf '\0053.12.1\n3.11\n' > "$seeds/import/seed-python-version"
# aqua templates and version_constraint expressions.
printf '%s' '{{.Version}}/tool_{{.OS}}_{{.Arch}}{{if eq .GOOS "windows"}}.exe{{end}}.{{.Format}}' > "$seeds/template/seed-asset"
printf '%s' '{{trimV .Version}}-{{title .OS}}-{{.Vars.name | upper}}' > "$seeds/template/seed-functions"
printf '%s' 'semver(">= 1.2.0") && Version != "v1.3.0"' > "$seeds/template/seed-expr"
printf '%s' 'semverWithVersion("< 2", trimPrefix(Version, "jq-")) || Version startsWith "v0."' > "$seeds/template/seed-expr-functions"
# Daemon request lines.
printf '%s' '{"type":"resolve","runtime":"node","version":"20","cwd":"/tmp"}' > "$seeds/daemon_request/seed-resolve"
printf '%s' '{"type":"toolchain","cwd":"/tmp/project","store":"/tmp/store"}' > "$seeds/daemon_request/seed-toolchain"
printf '%s' '{"type":"subscribe","event_types":["sync_progress"]}' > "$seeds/daemon_request/seed-subscribe"
printf '%s' '{"type":"ping"}' > "$seeds/daemon_request/seed-ping"
# A config frame: magic, version 1, reserved, the payload's length, a JSON payload.
payload='{"spec":{"name":"tool","version":"1","url":"https://example.com/t.tar.gz","sha256":null,"format":null,"strip_components":0,"bin":null,"post_install":null,"options":{}},"store":"/tmp/store","board":"/tmp/board","slot":0}'
{
  printf 'VXCF\001\000\000\000'
  python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<I', len(sys.argv[1])))" "$payload"
  printf '%s' "$payload"
} > "$seeds/config_frame/seed-frame"
# Tasks: the first byte chooses the form (0 a vx.toml, 1 a .vx/tasks file's #VX header).
{ printf '\000'; cat <<'VXEOF'
[tasks]
t0 = "true"
t1 = { run = "true", depends = ["t0"] }
t2 = { run = "true", depends = ["t1"] }
t3 = { run = "true", depends = ["t2"] }
t4 = { run = "true", depends = ["t3"] }
t5 = { run = "true", depends = ["t4"] }
t6 = { run = "true", depends = ["t5"] }
t7 = { run = "true", depends = ["t6"] }
t8 = { run = "true", depends = ["t7"] }
t9 = { run = "true", depends = ["t8"] }
t10 = { run = "true", depends = ["t9"] }
t11 = { run = "true", depends = ["t10"] }
t12 = { run = "true", depends = ["t11"] }
t13 = { run = "true", depends = ["t12"] }
t14 = { run = "true", depends = ["t13"] }
t15 = { run = "true", depends = ["t14"] }
t16 = { run = "true", depends = ["t15"] }
t17 = { run = "true", depends = ["t16"] }
t18 = { run = "true", depends = ["t17"] }
t19 = { run = "true", depends = ["t18"] }
t20 = { run = "true", depends = ["t19"] }
t21 = { run = "true", depends = ["t20"] }
t22 = { run = "true", depends = ["t21"] }
t23 = { run = "true", depends = ["t22"] }
t24 = { run = "true", depends = ["t23"] }
t25 = { run = "true", depends = ["t24"] }
t26 = { run = "true", depends = ["t25"] }
t27 = { run = "true", depends = ["t26"] }
t28 = { run = "true", depends = ["t27"] }
t29 = { run = "true", depends = ["t28"] }
t30 = { run = "true", depends = ["t29"] }
t31 = { run = "true", depends = ["t30"] }
t32 = { run = "true", depends = ["t31"] }
t33 = { run = "true", depends = ["t32"] }
t34 = { run = "true", depends = ["t33"] }
t35 = { run = "true", depends = ["t34"] }
t36 = { run = "true", depends = ["t35"] }
t37 = { run = "true", depends = ["t36"] }
t38 = { run = "true", depends = ["t37"] }
t39 = { run = "true", depends = ["t38"] }
VXEOF
} > "$seeds/tasks/seed-chain"
{ printf '\001'; cat <<'VXEOF'
#!/bin/sh
#VX description = "Migrate the database"
#VX depends = ["build"]
#VX args = [{ name = "target", default = "dev" }]
exec migrate --to "$VX_ARG_TARGET"
VXEOF
} > "$seeds/tasks/seed-file-task"
{ printf '\000'; cat <<'VXEOF'
[tasks]
lint = { depends = ["lint:*"] }
"lint:rust" = "cargo clippy -- -D warnings"
"lint:sh" = "shellcheck scripts/*.sh"
build = { run = "cargo build --release", sources = ["src/**/*.rs", "Cargo.lock"], outputs = ["target/release/app"] }
test = { run = ["cargo test", "cargo test --doc"], depends = ["build"], env = { RUST_LOG = "warn" } }
ci = { depends = ["lint", "test"], depends_post = ["report"] }
report = { run = "scripts/report.sh", hide = true }
greet = { run = "echo {{greeting}}, {{name}}", args = [
  { name = "name", default = "world", help = "who" },
  { name = "greeting", option = true, default = "hello" },
  { name = "loud", flag = true },
] }
api = { run = "cargo run -p api", service = true, ready = { port = 8080, timeout = "60s" } }
web = { run = "npm run dev", dir = "web", service = true, ready = { log = "ready in \\d+ ms" } }
dev = { depends = ["api", "web"], alias = "d", wait_for = ["build"] }
deploy = { run = "scripts/deploy.sh {args}", confirm = "Deploy to production?" }
VXEOF
} > "$seeds/tasks/seed-guide"
{ printf '\000'; cat <<'VXEOF'
[scripts]
fmt = "cargo fmt"
check = { run = "cargo check", depends = ["fmt"], description = "check it" }
VXEOF
} > "$seeds/tasks/seed-scripts"
ls -R "$seeds" | head -60
