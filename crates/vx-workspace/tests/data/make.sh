#!/usr/bin/env bash
# Makes the real workspaces the tests of vx-workspace read (tests/data/<name>/).
#
# The manifests below (package.json, pnpm-workspace.yaml, Cargo.toml, pyproject.toml,
# go.mod, turbo.json) are what a user writes; everything a tool writes (lockfiles, uv's
# and cargo's layout, go.work) is written here by that tool itself, run from its
# registry package:
#   pnpm 9 (`npm i -g pnpm@9`), npm 11, yarn 1 (`npm i -g yarn`), yarn 4 (the npm
#   package @yarnpkg/cli-dist, run with node), bun 1 (`npm i -g bun`), cargo, uv
#   (`pip install uv`), go, and turbo 2.11 (`npm i -g turbo@2.11.11`), whose own answers
#   (`turbo ls --filter … --output=json`, `turbo run … --dry=json`) are kept beside the
#   pnpm workspace as expected/*.json: the tests compare vx-workspace with turbo itself.
#
# Run from anywhere: `bash crates/vx-workspace/tests/data/make.sh`. Needs the network
# only for the registries (is-number and is-odd from npm, for the lockfiles to hold an
# outside package). BERRY names yarn 4's yarn.js (default: /opt/berry/node_modules/…).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
BERRY="${BERRY:-/opt/berry/node_modules/@yarnpkg/cli-dist/bin/yarn.js}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# put NAME: copies $work/NAME into tests/data/NAME, without what installs leave behind.
put() {
  rm -rf "${here:?}/$1"
  mkdir -p "$here/$1"
  (cd "$work/$1" && tar --exclude=node_modules --exclude=.git --exclude=.yarn \
      --exclude='.pnp.*' --exclude=target --exclude=.venv --exclude=.turbo \
      --exclude='*.egg-info' --exclude=__pycache__ -cf - .) | (cd "$here/$1" && tar -xf -)
}

# after NAME FILE CMD: the lockfile FILE of the workspace NAME once CMD (run in a copy
# of it) changed one package's outside dependency and re-locked, kept as NAME/after/FILE.
after() {
  local name="$1" file="$2"; shift 2
  rm -rf "$work/$name-after"; cp -r "$work/$name" "$work/$name-after"
  (cd "$work/$name-after" && eval "$*")
  mkdir -p "$work/$name/after"; cp "$work/$name-after/$file" "$work/$name/after/$file"
}

# pkg DIR JSON: writes DIR/package.json.
pkg() { mkdir -p "$1"; printf '%s\n' "$2" > "$1/package.json"; }

# ---------------------------------------------------------------- pnpm + turbo
mk_pnpm() {
  local d="$work/pnpm"; mkdir -p "$d"; cd "$d"
  pkg . '{
  "name": "acme",
  "private": true,
  "packageManager": "pnpm@9.15.9",
  "scripts": { "build": "turbo run build", "lint": "echo lint root", "format": "echo format" },
  "devDependencies": { "turbo": "2.11.11" }
}'
  cat > pnpm-workspace.yaml <<'YAML'
packages:
  - "apps/*"
  - "packages/*"
  - "!packages/scratch"
YAML
  pkg apps/web '{
  "name": "web",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "echo build web", "dev": "echo dev web", "lint": "echo lint web", "test": "echo test web" },
  "dependencies": { "@acme/ui": "workspace:*", "is-number": "7.0.0" }
}'
  pkg apps/docs '{
  "name": "docs",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "echo build docs", "dev": "echo dev docs", "storybook": "echo sb" },
  "dependencies": { "@acme/ui": "workspace:^" },
  "devDependencies": { "@acme/tsconfig": "workspace:*" }
}'
  pkg packages/ui '{
  "name": "@acme/ui",
  "version": "0.2.0",
  "scripts": { "build": "echo build ui", "lint": "echo lint ui", "test": "echo test ui" },
  "dependencies": { "@acme/utils": "workspace:~" },
  "devDependencies": { "@acme/tsconfig": "workspace:*" }
}'
  pkg packages/utils '{
  "name": "@acme/utils",
  "version": "0.1.0",
  "scripts": { "build": "echo build utils", "test": "echo test utils" },
  "dependencies": { "is-odd": "3.0.1" }
}'
  pkg packages/tsconfig '{ "name": "@acme/tsconfig", "version": "0.0.0", "private": true }'
  pkg packages/scratch '{ "name": "scratch", "version": "0.0.0", "scripts": { "build": "echo scratch" } }'
  cat > turbo.json <<'JSON'
{
  "$schema": "https://turborepo.com/schema.json",
  // the remote cache and the TUI are turbo's own: vx says it does not map them
  "ui": "stream",
  "globalDependencies": ["tsconfig.base.json", ".env"],
  "globalEnv": ["CI", "NODE_ENV"],
  "globalPassThroughEnv": ["HOME"],
  "tasks": {
    "build": {
      "dependsOn": ["^build"],
      "inputs": ["$TURBO_DEFAULT$", ".env*", "!README.md"],
      "outputs": ["dist/**", "!dist/cache/**"],
      "env": ["API_URL"],
    },
    "web#build": {
      "dependsOn": ["^build", "@acme/utils#test"],
      "outputs": [".next/**"],
      "env": ["NEXT_PUBLIC_*"]
    },
    "test": { "dependsOn": ["build"], "inputs": ["src/**", "$TURBO_ROOT$/jest.preset.js"], "outputs": [] },
    "lint": { "outputLogs": "errors-only" },
    "dev": { "cache": false, "persistent": true },
    "//#format": { "cache": false }
  }
}
JSON
  printf '{}\n' > tsconfig.base.json
  printf 'node_modules\n.turbo\ndist\n' > .gitignore
  mkdir -p packages/ui
  # A package configuration: `$TURBO_EXTENDS$` appends to the root's list (turbo 2.11
  # needs no future flag for it), `extends: false` drops the root's task for this package.
  cat > packages/ui/turbo.json <<'JSON'
{
  "extends": ["//"],
  "tags": ["internal"],
  "tasks": {
    "build": { "outputs": ["lib/**"], "env": ["$TURBO_EXTENDS$", "UI_ONLY"] },
    "lint": { "inputs": ["src/**/*.tsx"], "dependsOn": ["^lint"] },
    "test": { "extends": false }
  }
}
JSON
  # A task only one package defines.
  cat > apps/docs/turbo.json <<'JSON'
{ "extends": ["//"], "tasks": { "storybook": { "cache": false, "persistent": true } } }
JSON
  pnpm install --silent
  git init -q && git add -A && git -c user.email=t@t -c user.name=t commit -qm init
  mkdir -p expected
  turbo ls --output=json > expected/ls.json
  for f in web 'web...' '...@acme/utils' '@acme/ui^...' '...^@acme/utils' './apps/*' '{./packages/*}' \
           '!docs' 'ui' '@acme/*' '*' '//' '...{./packages/ui}' '.'; do
    safe="$(printf '%s' "$f" | tr '/*.{}!^@[]' 'SAPLRXCTQE')"
    turbo ls --filter="$f" --output=json > "expected/ls-$safe.json" 2>/dev/null || echo error > "expected/ls-$safe.json"
  done
  turbo ls --filter=web --filter='!@acme/ui' --filter='@acme/*' --output=json > expected/ls-union.json
  turbo run build --dry=json > expected/dry-build.json
  turbo run test lint --dry=json > expected/dry-test-lint.json
  turbo run storybook format dev --dry=json > expected/dry-storybook-format-dev.json
  # Filters by change: one commit that changes @acme/utils alone.
  printf 'export const odd = true;\n' > packages/utils/index.js
  git add -A && git -c user.email=t@t -c user.name=t commit -qm 'utils changes'
  for f in '[HEAD^1]' '...[HEAD^1]' '[HEAD^1]...' 'web...[HEAD^1]' 'docs...[HEAD^1]' '...^[HEAD^1]' \
           '{./packages/*}[HEAD^1]' '{./apps/*}[HEAD^1]' '@acme/*...[HEAD^1]'; do
    safe="$(printf '%s' "$f" | tr '/*.{}!^@[]' 'SAPLRXCTQE')"
    turbo ls --filter="$f" --output=json > "expected/ls-$safe.json" 2>/dev/null || echo error > "expected/ls-$safe.json"
  done
  turbo ls --filter='...[HEAD^1]' --filter='!web' --output=json > expected/ls-ref-minus-web.json
  cd - >/dev/null
  after pnpm pnpm-lock.yaml "sed -i 's/\"is-number\": \"7.0.0\"/\"is-number\": \"6.0.0\"/' apps/web/package.json && pnpm install --silent"
  put pnpm
}

# ---------------------------------------------------------------- pnpm + turbo: the root's own
# workspace dependencies. turbo counts the packages the root package.json depends on
# (`@kit/config`, and through it `@kit/base`) as dependencies of every package, for
# `...` in --filter; a package named as the root is (`kit`) is the one `workspace:^`
# links; pnpm links both `npm:` aliases of site's (link-workspace-packages and
# prefer-workspace-packages, as trpc/trpc has them), turbo only the one without a
# range, `"other": "npm:other"`; a filter may select no package at all.
mk_rootdeps() {
  local d="$work/rootdeps"; mkdir -p "$d"; cd "$d"
  pkg . '{
  "name": "kit",
  "private": true,
  "packageManager": "pnpm@9.15.9",
  "scripts": { "build": "turbo run build" },
  "devDependencies": { "@kit/config": "workspace:*" }
}'
  printf 'packages:\n  - "apps/*"\n  - "packages/*"\n' > pnpm-workspace.yaml
  pkg packages/base '{ "name": "@kit/base", "version": "1.0.0", "scripts": { "build": "echo base" } }'
  pkg packages/config '{ "name": "@kit/config", "version": "1.0.0", "scripts": { "build": "echo config" },
  "dependencies": { "@kit/base": "workspace:*" } }'
  pkg packages/lib '{ "name": "kit", "version": "2.0.0", "scripts": { "build": "echo lib" } }'
  pkg packages/types '{ "name": "@kit/types", "version": "1.0.0" }'
  pkg apps/app '{ "name": "app", "version": "1.0.0", "scripts": { "build": "echo app" },
  "dependencies": { "kit": "workspace:^", "@kit/types": "workspace:*" } }'
  pkg apps/other '{ "name": "other", "version": "1.0.0", "scripts": { "build": "echo other" } }'
  pkg packages/site '{ "name": "site", "version": "1.0.0", "scripts": { "build": "echo site" },
  "dependencies": { "other": "npm:other", "@kit/types": "npm:@kit/types@^1.0.0" } }'
  printf 'link-workspace-packages=true\nprefer-workspace-packages=true\n' > .npmrc
  printf '{ "$schema": "https://turborepo.com/schema.json", "tasks": { "build": { "dependsOn": ["^build"] } } }\n' > turbo.json
  printf 'node_modules\n.turbo\n' > .gitignore
  pnpm install --silent --offline
  git init -q && git add -A && git -c user.email=t@t -c user.name=t commit -qm init
  mkdir -p expected
  for f in '...@kit/base' '...@kit/config' '...^@kit/base' '@kit/base...' 'app...' 'app^...' \
           'other...' '...app' '...kit' '...other...' './apps/*' '@kit/types' '...other' 'site...' \
           '...@kit/types'; do
    safe="$(printf '%s' "$f" | tr '/*.{}!^@[]' 'SAPLRXCTQE')"
    turbo ls --filter="$f" --output=json > "expected/ls-$safe.json" 2>/dev/null || echo error > "expected/ls-$safe.json"
    turbo run build --filter="$f" --dry=json > "expected/dry-build-$safe.json" 2>/dev/null || echo error > "expected/dry-build-$safe.json"
  done
  turbo run build --filter='./apps/*' --filter='!app' --filter='!other' --dry=json > expected/dry-build-none.json
  turbo run build --dry=json > expected/dry-build.json
  # A change to a package the root depends on (through @kit/config) changes every package.
  printf 'export const base = 1;\n' > packages/base/index.js
  git add -A && git -c user.email=t@t -c user.name=t commit -qm 'base changes'
  for f in '[HEAD^1]' '{./apps/*}[HEAD^1]' 'other...[HEAD^1]' '...^[HEAD^1]'; do
    safe="$(printf '%s' "$f" | tr '/*.{}!^@[]' 'SAPLRXCTQE')"
    turbo ls --filter="$f" --output=json > "expected/ls-$safe.json" 2>/dev/null || echo error > "expected/ls-$safe.json"
  done
  # --affected since the commit before: every package's build (and the root's), as
  # @kit/base is a dependency of the root's.
  TURBO_SCM_BASE=HEAD^1 turbo run build --affected --dry=json > expected/affected-build-base.json
  # A change to a package the root does not depend on reaches its dependents only
  # (`site`, through its `npm:other` alias).
  printf 'export const other = 1;\n' > apps/other/index.js
  git add -A && git -c user.email=t@t -c user.name=t commit -qm 'other changes'
  TURBO_SCM_BASE=HEAD^1 turbo run build --affected --dry=json > expected/affected-build-other.json
  cd - >/dev/null; put rootdeps
}

# ---------------------------------------------------------------- npm
mk_npm() {
  local d="$work/npm"; mkdir -p "$d"; cd "$d"
  pkg . '{ "name": "npm-mono", "private": true, "workspaces": ["packages/*", "tools/cli"] }'
  pkg packages/a '{ "name": "a", "version": "1.0.0", "scripts": { "build": "echo a" }, "dependencies": { "b": "^1.0.0", "is-number": "^7.0.0" } }'
  pkg packages/b '{ "name": "b", "version": "1.2.0", "scripts": { "build": "echo b" } }'
  pkg packages/c '{ "name": "c", "version": "1.0.0", "optionalDependencies": { "a": "1.0.0" }, "peerDependencies": { "b": "^1.0.0" } }'
  pkg tools/cli '{ "name": "@npm-mono/cli", "version": "0.1.0", "devDependencies": { "c": "*" } }'
  npm install --silent --no-audit --no-fund
  cd - >/dev/null
  after npm package-lock.json "sed -i 's/\"is-number\": \"^7.0.0\"/\"is-number\": \"6.0.0\"/' packages/a/package.json && npm install --silent --no-audit --no-fund"
  put npm
}

# ---------------------------------------------------------------- yarn 1
mk_yarn1() {
  local d="$work/yarn1"; mkdir -p "$d"; cd "$d"
  pkg . '{ "name": "yarn1-mono", "private": true, "workspaces": { "packages": ["packages/*"], "nohoist": ["**/is-number"] } }'
  pkg packages/lib '{ "name": "lib", "version": "2.0.0", "scripts": { "build": "echo lib" }, "dependencies": { "is-number": "7.0.0" } }'
  pkg packages/app '{ "name": "app", "version": "1.0.0", "scripts": { "build": "echo app" }, "dependencies": { "lib": "^2.0.0" } }'
  yarn install --silent --no-progress
  cd - >/dev/null
  after yarn1 yarn.lock "sed -i 's/\"is-number\": \"7.0.0\"/\"is-number\": \"6.0.0\"/' packages/lib/package.json && yarn install --silent --no-progress"
  put yarn1
}

# ---------------------------------------------------------------- yarn 4 (berry)
mk_berry() {
  local d="$work/berry"; mkdir -p "$d"; cd "$d"
  local v; v="$(node "$BERRY" --version)"
  pkg . "{ \"name\": \"berry-mono\", \"private\": true, \"packageManager\": \"yarn@$v\", \"workspaces\": [\"packages/*\"] }"
  pkg packages/lib '{ "name": "@berry/lib", "version": "1.0.0", "scripts": { "build": "echo lib" }, "dependencies": { "is-number": "7.0.0" } }'
  pkg packages/app '{ "name": "@berry/app", "version": "1.0.0", "scripts": { "build": "echo app" }, "dependencies": { "@berry/lib": "workspace:^" } }'
  YARN_ENABLE_TELEMETRY=0 node "$BERRY" install > /dev/null
  cd - >/dev/null
  after berry yarn.lock "sed -i 's/\"is-number\": \"7.0.0\"/\"is-number\": \"6.0.0\"/' packages/lib/package.json && YARN_ENABLE_TELEMETRY=0 node '$BERRY' install > /dev/null"
  put berry
}

# ---------------------------------------------------------------- bun
mk_bun() {
  local d="$work/bun"; mkdir -p "$d"; cd "$d"
  pkg . '{ "name": "bun-mono", "private": true, "workspaces": ["packages/*"] }'
  pkg packages/core '{ "name": "core", "version": "1.0.0", "scripts": { "build": "echo core" }, "dependencies": { "is-odd": "3.0.1" } }'
  pkg packages/server '{ "name": "server", "version": "1.0.0", "scripts": { "build": "echo server" }, "dependencies": { "core": "workspace:*" } }'
  bun install --silent
  cd - >/dev/null
  after bun bun.lock "sed -i 's/\"is-odd\": \"3.0.1\"/\"is-odd\": \"3.0.0\"/' packages/core/package.json && bun install --silent"
  put bun
}

# ---------------------------------------------------------------- cargo
mk_cargo() {
  local d="$work/cargo"; mkdir -p "$d"; cd "$d"
  cargo new -q --lib --vcs none crates/core
  cargo new -q --lib --vcs none crates/util
  cargo new -q --lib --vcs none crates/app
  cargo new -q --lib --vcs none crates/experimental
  cargo new -q --bin --vcs none tools/cli
  cat > Cargo.toml <<'TOML'
[workspace]
members = ["crates/*", "tools/cli"]
exclude = ["crates/experimental"]
resolver = "2"

[workspace.package]
version = "0.3.0"

[workspace.dependencies]
core = { path = "crates/core", version = "0.3" }
TOML
  sed -i 's/^version = .*/version.workspace = true/' crates/core/Cargo.toml
  cat >> crates/app/Cargo.toml <<'TOML'
core.workspace = true

[target.'cfg(unix)'.dependencies]
util = { path = "../util" }
TOML
  printf 'itoa = "=1.0.10"\n' >> crates/util/Cargo.toml
  cat >> tools/cli/Cargo.toml <<'TOML'
app = { path = "../../crates/app" }

[build-dependencies]
util = { path = "../../crates/util" }
TOML
  cargo generate-lockfile -q
  cd - >/dev/null
  after cargo Cargo.lock "sed -i 's/=1.0.10/=1.0.11/' crates/util/Cargo.toml && cargo generate-lockfile -q"
  put cargo
}

# ---------------------------------------------------------------- uv
mk_uv() {
  local d="$work/uv"; mkdir -p "$d"; cd "$d"
  uv init -q --author-from none --no-workspace --vcs none --name uv-mono .
  cat >> pyproject.toml <<'TOML'

[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/legacy"]
TOML
  uv init -q --author-from none --lib --vcs none packages/lib-b
  uv init -q --author-from none --lib --vcs none packages/lib-a
  uv init -q --author-from none --lib --vcs none --no-workspace packages/legacy
  (cd packages/lib-a && uv add -q --frozen lib-b)
  (cd packages/lib-b && uv add -q --frozen 'six==1.16.0')
  uv add -q --frozen lib-a
  uv lock -q
  cd - >/dev/null
  after uv uv.lock "cd packages/lib-b && uv add -q 'six==1.17.0'"
  put uv
}

# ---------------------------------------------------------------- go
mk_go() {
  local d="$work/go"; mkdir -p "$d"/{app,lib,tools}; cd "$d"
  (cd lib && go mod init example.com/lib >/dev/null 2>&1)
  (cd tools && go mod init example.com/tools >/dev/null 2>&1)
  (cd app && go mod init example.com/app >/dev/null 2>&1 \
     && go mod edit -require=example.com/lib@v0.0.0 -replace=example.com/lib=../lib)
  printf 'package lib\n' > lib/lib.go
  printf 'package tools\n' > tools/tools.go
  printf 'package main\n\nimport _ "example.com/lib"\n\nfunc main() {}\n' > app/main.go
  go work init ./app ./lib
  go work use ./tools
  cd - >/dev/null; put go
}

# ------------------------------------------- package tasks: each package's own vx.toml
# The three workspaces of tests/it/monorepo_packages.rs: every manifest a tool writes is
# written by that tool (cargo 1.95 `cargo new`/`cargo add --path`/`cargo
# generate-lockfile`, uv 0.13 `uv init`/`uv add`/`uv lock`, pnpm 9.15 `pnpm install`);
# the vx.toml and mise.toml files beside them are what a user writes. Each task leaves
# a trace: the package's name appended to the root's `order` (the order they ran in)
# and `pwd` in its own output (the directory it ran in).

# pkg_tasks DIR NAME: a vx.toml in DIR whose `test` waits for `^test` and its own lint.
pkg_tasks() {
  cat > "$1/vx.toml" <<TOML
[tasks.lint]
run = "echo $2-lint >> \$ROOT_ORDER"

[tasks.test]
depends = ["^test", "lint"]
run = "echo $2 >> \$ROOT_ORDER && pwd > tested.txt"
sources = ["src/**", "*.toml"]
outputs = ["tested.txt"]
TOML
}

mk_cargo_tasks() {
  local d="$work/cargo_tasks"; mkdir -p "$d"; cd "$d"
  cat > Cargo.toml <<'TOML'
[workspace]
members = ["crates/*"]
resolver = "2"
TOML
  cargo new -q --lib --vcs none crates/core
  cargo new -q --lib --vcs none crates/util
  cargo new -q --lib --vcs none crates/app
  (cd crates/util && cargo add -q --offline --path ../core)
  (cd crates/app && cargo add -q --offline --path ../util)
  cargo generate-lockfile -q --offline
  cat > vx.toml <<'TOML'
[env]
ROOT_ORDER = "{project}/order"

[tasks.fmt]
run = "echo fmt >> order"
TOML
  pkg_tasks crates/core core; pkg_tasks crates/util util; pkg_tasks crates/app app
  cd - >/dev/null; put cargo_tasks
}

mk_uv_tasks() {
  local d="$work/uv_tasks"; mkdir -p "$d"; cd "$d"
  uv init -q --author-from none --no-workspace --vcs none --name uv-tasks .
  printf '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n' >> pyproject.toml
  uv init -q --author-from none --lib --vcs none packages/lib-b
  uv init -q --author-from none --lib --vcs none packages/lib-a
  (cd packages/lib-a && uv add -q --frozen lib-b)
  uv lock -q --offline
  printf '[env]\nROOT_ORDER = "{project}/order"\n' > vx.toml
  pkg_tasks packages/lib-b lib-b
  # lib-a's tasks are mise's, read in place.
  cat > packages/lib-a/mise.toml <<'TOML'
[tasks.test]
depends = ["^test"]
run = "echo lib-a >> $ROOT_ORDER && pwd > tested.txt"
sources = ["src/**"]
outputs = ["tested.txt"]
TOML
  cd - >/dev/null; put uv_tasks
}

mk_pnpm_tasks() {
  local d="$work/pnpm_tasks"; mkdir -p "$d"; cd "$d"
  pkg . '{ "name": "tasks", "private": true, "packageManager": "pnpm@9.15.9" }'
  printf 'packages:\n  - "packages/*"\n' > pnpm-workspace.yaml
  pkg packages/ui '{ "name": "@acme/ui", "version": "1.0.0",
  "scripts": { "build": "echo ui >> ../../order && pwd > built.txt" } }'
  pkg packages/web '{ "name": "web", "version": "1.0.0",
  "dependencies": { "@acme/ui": "workspace:*" },
  "scripts": { "build": "echo web-script >> ../../order", "lint": "echo web-lint >> ../../order" } }'
  pnpm install -s --offline
  # web's own vx.toml: its `build` wins over its package.json script.
  cat > packages/web/vx.toml <<'TOML'
[tasks.build]
depends = ["^build", "lint"]
run = "echo web >> ../../order && pwd > built.txt"
sources = ["src/**", "vx.toml"]
outputs = ["built.txt"]
TOML
  mkdir -p packages/web/src; echo 'web one' > packages/web/src/web.txt
  cd - >/dev/null; put pnpm_tasks
}

for m in ${@:-pnpm rootdeps npm yarn1 berry bun cargo uv go cargo_tasks uv_tasks pnpm_tasks}; do
  echo "making $m" >&2
  "mk_$m"
done
