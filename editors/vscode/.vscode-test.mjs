// @vscode/test-cli's configuration (`npm run test:host`): the extension's tests
// (out/host-test/) in code-server's extension host, through the stand-in `code` of
// host/code, on a project of file:// tools made here with its own HOME, data
// directory and daemon socket (out/test/harness.js), and `vx` (VX_BIN, else the
// repository's target/debug/vx) first on PATH as the extension finds it.
import { defineConfig } from "@vscode/test-cli";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const require = createRequire(import.meta.url);
const { Workspace } = require("./out/test/harness.js");
const { projectFor } = require("./out/host-test/project.js");

const work = new Workspace();
// Where the extension host's mocha writes its results (xunit), which host/code prints.
const artifacts = process.env.VX_TEST_ARTIFACTS || path.resolve("../../target/editor-host");
fs.mkdirSync(artifacts, { recursive: true });
const report = path.join(artifacts, "results.xml");
fs.rmSync(report, { force: true });
fs.rmSync(path.join(artifacts, "figures.txt"), { force: true });
projectFor(work);
const bin = path.join(work.root, "bin");
fs.mkdirSync(bin);
fs.symlinkSync(work.vx, path.join(bin, "vx"));
// The extension's `vx.path`, in the user's settings (host/code writes them): VS Code's
// server may give the extension host a PATH of its own (the login shell's), so the
// setting names this build's vx.
const userSettings = { "vx.path": work.vx };
// And a cloned repository's own `vx.path` (issue 53, item 21): a program that leaves a
// mark when run; the extension must run neither it nor anything a workspace names.
const decoy = path.join(work.root, "decoy", "vx");
fs.mkdirSync(path.dirname(decoy));
fs.writeFileSync(decoy, '#!/bin/sh\ntouch "$0.ran"\nexit 1\n', { mode: 0o755 });
fs.mkdirSync(path.join(work.project, ".vscode"));
fs.writeFileSync(path.join(work.project, ".vscode", "settings.json"), JSON.stringify({ "vx.path": decoy }));

export default defineConfig({
  files: "out/host-test/**/*.test.js",
  workspaceFolder: work.project,
  useInstallation: { fromPath: path.resolve("host/code") },
  env: {
    ...work.env,
    PATH: `${bin}${path.delimiter}${work.env.PATH}`,
    VX_BIN: work.vx,
    VX_TEST_ROOT: work.root,
    VX_TEST_ARTIFACTS: artifacts,
    VX_TEST_REPORT: report,
    VX_TEST_USER_SETTINGS: JSON.stringify(userSettings),
    VX_TEST_DECOY: decoy,
  },
  mocha: { ui: "bdd", timeout: 120_000, reporter: "xunit", reporterOptions: { output: report } },
});
