// The extension in code-server's real extension host, against the real `vx daemon`
// (started by the extension itself), on the project .vscode-test.mjs made
// (src/host-test/project.ts). The tests run in order on one project: a sync from the
// extension, the toolchain's quick pick, the terminal environment after a vx.toml edit,
// a sync from a terminal, the tasks, a killed daemon. The status bar is read both from
// the extension (its item) and as a person sees it (the workbench in chromium).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

import type { Controller } from "../extension";
import { Workspace, until } from "../test/harness";
import { quickPick, statusBar } from "./look";
import { gate, waitFor } from "./project";

const work = new Workspace(process.env.VX_TEST_ROOT);

async function controller(): Promise<Controller> {
  const ext = vscode.extensions.getExtension<Controller>("vx.vx");
  assert.ok(ext, "the vx extension is installed");
  const c = await ext.activate();
  assert.ok(c, "the extension is active in a folder with a vx.toml");
  return c;
}

/** Waits until the item reads `text`. */
async function shows(c: Controller, text: string | RegExp): Promise<void> {
  const ok = () => (typeof text === "string" ? c.item.text === text : text.test(c.item.text));
  await until(`the status bar to read ${text} (it reads ${c.item.text})`, ok).catch(() => {
    throw new Error(`the status bar reads ${JSON.stringify(c.item.text)}, not ${text}`);
  });
}

function daemonPid(): number | null {
  const out = spawnSync(work.vx, ["daemon", "status", "--json"], { env: work.env, encoding: "utf8" });
  return JSON.parse(out.stdout).pid;
}

describe("the vx extension in code-server", () => {
  after(() => {
    spawnSync(work.vx, ["daemon", "stop"], { env: work.env });
  });

  it("starts the daemon and shows the tools not installed, on the warning background", async () => {
    const c = await controller();
    await shows(c, "vx: 3 tools, 3 not installed");
    assert.ok(daemonPid(), "the extension started a daemon");
    const seen = await statusBar("vx: 3 tools, 3 not installed", "1-not-installed");
    assert.equal(seen.text, "vx: 3 tools, 3 not installed");
    assert.equal(seen.warning, true);
  });
});
