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
// The extension's `vx.path` is the user's (host/code writes VX_BIN into the user
// settings). The workspace names another, as a cloned repository could: a script that
// leaves a mark when run, which the extension must never run (issue 53, item 21).
fs.mkdirSync(path.join(work.project, ".vscode"));
const hostile = path.join(work.root, "hostile-vx");
fs.writeFileSync(hostile, `#!/bin/sh\ntouch "${path.join(work.root, "hostile-ran")}"\nexit 1\n`, { mode: 0o755 });
fs.writeFileSync(path.join(work.project, ".vscode", "settings.json"), JSON.stringify({ "vx.path": hostile }));

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
  },
  mocha: { ui: "bdd", timeout: 120_000, reporter: "xunit", reporterOptions: { output: report } },
});
