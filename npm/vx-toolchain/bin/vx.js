#!/usr/bin/env node
// The `vx` command of the npm package vx-toolchain: runs the binary of this platform's
// package, @vx-toolchain/cli-PLATFORM-ARCH, an optional dependency npm installs only
// where it fits (no postinstall download). Exit codes pass through; a signal that ends
// vx ends this process with the same signal; SIGTERM and SIGHUP sent to this process
// are passed on (SIGINT from a terminal reaches vx itself, in the same process group).
"use strict";

const { spawn } = require("child_process");
const { version } = require("../package.json");

const platform = `${process.platform}-${process.arch}`;
const supported = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"];
const pkg = `@vx-toolchain/cli-${platform}`;
const exe = process.platform === "win32" ? "vx.exe" : "vx";

function fail(message) {
  process.stderr.write(`vx-toolchain: ${message}\n`);
  process.exit(1);
}

if (!supported.includes(platform)) {
  fail(`no vx binary is published for ${platform} (there are: ${supported.join(", ")})`);
}

let binary;
try {
  binary = require.resolve(`${pkg}/bin/${exe}`);
} catch {
  fail(
    `the package ${pkg} holding vx for this platform is not installed: it is an optional ` +
      `dependency, left out by --omit=optional or --no-optional. Install it with ` +
      `\`npm install ${pkg}@${version}\`, or reinstall vx-toolchain without that option.`,
  );
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: false });
process.on("SIGINT", () => {});
for (const signal of ["SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (err) => fail(`cannot run ${binary}: ${err.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
