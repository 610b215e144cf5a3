# shellcheck shell=bash
# Sourced by the distribution tests (test-installers.sh, test-npm.sh, test-pip.sh): a
# work directory removed at exit with the background server the script records in
# `server_pid` (killed first), and the pass/fail counters each prints its checks with.
# `checks_begin LABEL` starts them (LABEL prefixes each line: "npm: "); the script ends
# with `[ "$failures" = 0 ]`.

checks_begin() {
  label=${1:-}
  work=$(mktemp -d)
  server_pid=''
  failures=0
  trap 'checks_cleanup' EXIT
}

checks_cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}

pass() { echo "ok   $label$*"; }
fail() { echo "FAIL $label$*"; failures=$((failures + 1)); }
