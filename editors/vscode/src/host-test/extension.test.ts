// The extension in code-server's real extension host, against the real `vx daemon`
// (started by the extension itself), on the project .vscode-test.mjs made
// (src/host-test/project.ts). The tests run in order on one project: the user's
// vx.path run, never the one the workspace's settings name, a sync from the
// extension, the toolchain's quick pick, the terminal environment after a vx.toml
// edit, a sync from a terminal, [scripts] as tasks, a killed daemon, a version chosen
// in `vx: Choose Version`, vx.toml's and vx.lock's errors as problems, a stale lock,
// the interpreters offered to the language extensions.
// The status bar and the quick picks are read both from the extension (its item) and
// as a person sees them (in chromium).

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

import type { Controller } from "../extension";
import { Workspace, until } from "../test/harness";
import { choose, quickPick, statusBar } from "./look";
import { NodeDist } from "./nodejs";
import { gate, stamps, waitFor } from "./project";

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

/** Records a measured figure (target/editor-host/figures.txt, docs/BENCHMARKS.md). */
function figure(what: string, ms: number): void {
  const dir = process.env.VX_TEST_ARTIFACTS;
  if (dir) {
    fs.appendFileSync(path.join(dir, "figures.txt"), `${what}: ${ms} ms\n`);
  }
}

/** `vx ARGS` in the project, without blocking this process: the loopback servers
 * the tests start here must answer it. */
function vx(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(work.vx, args, { env: work.env, cwd: work.project, timeout: 60_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`vx ${args.join(" ")}: ${err.message}\n${stderr}`)) : resolve(),
    ),
  );
}

function daemonPid(): number | null {
  const out = spawnSync(work.vx, ["daemon", "status", "--json"], { env: work.env, encoding: "utf8" });
  return JSON.parse(out.stdout).pid;
}

describe("the vx extension in code-server", () => {
  /** nodejs.org's stand-in, once a test needs node's versions. */
  let dist: NodeDist | undefined;
  // The daemon stopped (killed if it does not stop) and the project's directory removed.
  after(() => {
    dist?.close();
    work.dispose();
  });

  it("starts the daemon and shows the tools not installed, on the warning background", async () => {
    const c = await controller();
    await shows(c, "vx: 3 tools, 3 not installed");
    assert.ok(daemonPid(), "the extension started a daemon");
    const seen = await statusBar("vx: 3 tools, 3 not installed", "1-not-installed");
    assert.equal(seen.text, "vx: 3 tools, 3 not installed");
    assert.equal(seen.warning, true);
  });

  it("runs the user's vx.path, never the one of the workspace's .vscode/settings.json", async () => {
    // Issue 53, item 21: the workspace (trusted here) names a decoy that marks its run.
    const c = await controller();
    const decoy = process.env.VX_TEST_DECOY!;
    const config = vscode.workspace.getConfiguration("vx");
    assert.equal(c.vx(), process.env.VX_BIN);
    assert.equal(config.inspect<string>("path")?.workspaceValue, undefined, "VS Code keeps a machine setting out of the workspace");
    assert.notEqual(config.get<string>("path"), decoy);
    // Activation has run vx (the daemon started, the lock checked): never the decoy.
    assert.equal(fs.existsSync(`${decoy}.ran`), false, "the workspace's vx.path was run");
  });

  it("follows `vx: Sync` live: the sync's progress, its result, then the tools", async () => {
    const c = await controller();
    await vscode.commands.executeCommand("vx.sync");
    // The tools' post-install waits for the gate: the sync is seen while it runs.
    await shows(c, "vx: syncing 0/3");
    // The first post-install record (its child's stamp is taken a shell's start-up
    // after it) to the status item's tooltip, polled every 10 ms.
    await until("a post-install in the status item", () => String(c.item.tooltip).includes(" post-install"));
    const seen = BigInt(Date.now()) * 1_000_000n;
    // The record is published as vx starts the child; its shell writes the stamp once
    // it is up, which a loaded machine can delay past the record's arrival.
    await until("the first post-install's stamp", () => fs.existsSync(stamps(work, "first")) && fs.statSync(stamps(work, "first")).size > 0);
    const first = fs.readFileSync(stamps(work, "first"), "utf8").trim().split("\n").map(BigInt).reduce((a, b) => (a < b ? a : b));
    figure("a child's post-install record to the status item", Math.round(Number(seen - first) / 1e6));
    const during = await statusBar("vx: syncing 0/3", "2-syncing");
    assert.equal(during.text, "vx: syncing 0/3");
    fs.writeFileSync(gate(work, "first"), "");
    await shows(c, "vx: synced 3 tools");
    await shows(c, "vx: 3 tools");
    const after = await statusBar("vx: 3 tools", "3-synced");
    assert.deepEqual([after.text, after.warning], ["vx: 3 tools", false]);
  });

  it("lists the toolchain in `vx: Show Toolchain`'s quick pick", async () => {
    void vscode.commands.executeCommand("vx.showToolchain");
    try {
      const rows = await quickPick();
      assert.deepEqual(
        rows.map((r) => r.slice(0, 2)),
        [
          ["a", "1"],
          ["b", "1"],
          ["c", "1"],
        ],
      );
    } finally {
      await vscode.commands.executeCommand("workbench.action.closeQuickOpen");
    }
  });

  it("gives a new terminal the project's tools and the [env] of an edited vx.toml", async () => {
    const c = await controller();
    fs.appendFileSync(work.manifest, '[env]\nGREETING = "hello from {project}"\n');
    await until("the daemon's config_changed to reach the extension", () =>
      Boolean(c.toolchain?.environment?.vars.some((v) => v.name === "GREETING")),
    );
    const out = path.join(work.root, "terminal.txt");
    const terminal = vscode.window.createTerminal({
      name: "env check",
      cwd: work.project,
      shellPath: "/bin/sh",
      shellArgs: ["-c", `{ echo "$GREETING"; command -v a; } > '${out}.tmp' && mv '${out}.tmp' '${out}'`],
    });
    try {
      await until("the terminal's command to write its file", () => fs.existsSync(out));
      const [greeting, a] = fs.readFileSync(out, "utf8").trim().split("\n");
      assert.equal(greeting, `hello from ${work.project}`);
      assert.match(a, /\/vx\/store\/a\/1-[0-9a-f]{12}\/bin\/a$/);
    } finally {
      terminal.dispose();
    }
  });

  it("follows a `vx sync` started in a terminal", async () => {
    const c = await controller();
    const table = work.toolToml("d", waitFor(work, "second"));
    // The new tool before [env] (appended last): a table of its own.
    const text = fs.readFileSync(work.manifest, "utf8");
    const edited = Date.now();
    fs.writeFileSync(work.manifest, table + text);
    // vx.lock does not have d yet: the sync will lock it.
    await shows(c, "vx: 4 tools, 1 not installed, lock stale");
    figure("vx.toml edited to the status bar's new text", Date.now() - edited);
    const terminal = vscode.window.createTerminal({ name: "sync", cwd: work.project, shellPath: "/bin/sh", shellArgs: ["-c", `'${work.vx}' sync --headless`] });
    try {
      await shows(c, /^vx: syncing [0-3]\/4$/);
      fs.writeFileSync(gate(work, "second"), "");
      await shows(c, "vx: synced 4 tools");
      await shows(c, "vx: 4 tools");
    } finally {
      terminal.dispose();
    }
  });

  it("offers [scripts] as tasks that run through `vx run`", async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: "vx" });
    assert.deepEqual(
      tasks.map((t) => [t.name, t.detail]),
      [["hello", "echo hello from the task > hello.txt"]],
    );
    const out = path.join(work.project, "hello.txt");
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === "hello") {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    await vscode.tasks.executeTask(tasks[0]);
    assert.equal(await ended, 0);
    assert.equal(fs.readFileSync(out, "utf8"), "hello from the task\n");
  });

  it("says so when the daemon is killed, and `vx: Restart Daemon` brings it back", async () => {
    const c = await controller();
    const pid = daemonPid();
    assert.ok(pid);
    process.kill(pid, "SIGKILL");
    await shows(c, "vx: daemon not running");
    const seen = await statusBar("vx: daemon not running", "4-daemon-killed");
    assert.deepEqual([seen.text, seen.warning], ["vx: daemon not running", true]);
    await vscode.commands.executeCommand("vx.restartDaemon");
    await shows(c, "vx: 4 tools");
    assert.notEqual(daemonPid(), pid);
  });

  it("writes the version picked in `vx: Choose Version` through `vx add`, vx.toml's comments kept", async () => {
    const c = await controller();
    dist = await NodeDist.start([
      { version: "22.1.0", lts: false },
      { version: "20.11.1", lts: "Iron" },
    ]);
    dist.writeUserConfig(work.env.XDG_CONFIG_HOME!);
    fs.writeFileSync(work.manifest, "# The project's tools: keep this line\n" + fs.readFileSync(work.manifest, "utf8"));
    await vx("add", "node@22");
    await shows(c, "vx: 5 tools, 1 not installed");
    const chosen = vscode.commands.executeCommand("vx.chooseVersion");
    const tools = await choose("vx: Choose Version", "node");
    assert.deepEqual(
      tools.map((r) => r.slice(0, 2)),
      // PATH order (d was written first), then the tools not installed.
      [["d", "1"], ["a", "1"], ["b", "1"], ["c", "1"], ["node", "22.1.0"]],
    );
    // The daemon's list_versions: the registry's, newest first (node is not installed),
    // its LTS lines marked.
    const versions = await choose("vx: Choose Version of node", "20.11.1");
    assert.deepEqual(
      versions.map((r) => r.slice(0, 2)),
      [["22.1.0", "current"], ["20.11.1", "LTS Iron"], ["Other version or constraint…", ""]],
    );
    await chosen;
    const text = fs.readFileSync(work.manifest, "utf8");
    assert.match(text, /^node = "20\.11\.1"$/m);
    assert.match(text, /^# The project's tools: keep this line$/m);
    // The daemon's config_changed: the status bar names the version chosen.
    await until("the status bar to name node 20.11.1", () => String(c.item.tooltip).includes("node 20.11.1"));
    assert.equal(c.item.text, "vx: 5 tools, 1 not installed");
  });

  it("shows vx.toml's and vx.lock's errors in Problems at their line and column, cleared when fixed", async () => {
    const c = await controller();
    const manifest = vscode.Uri.file(work.manifest);
    const good = fs.readFileSync(work.manifest, "utf8");
    const lines = good.split("\n");
    const at = lines.indexOf("[tools.b]") + 1;
    lines.splice(at, 0, '  colour = "blue"');
    fs.writeFileSync(work.manifest, lines.join("\n"));
    // The problem of the whole file: one read while the write was under way (truncated,
    // half written) may have shown another first.
    const colour = (d: vscode.Diagnostic) => /unknown key `colour` in `\[tools\.b\]`/.test(d.message);
    await until("vx.toml's problem", () => vscode.languages.getDiagnostics(manifest).some(colour));
    const problem = vscode.languages.getDiagnostics(manifest).find(colour)!;
    assert.deepEqual([problem.range.start.line, problem.range.start.character], [at, 2]);
    assert.match(problem.message, /unknown key `colour` in `\[tools\.b\]`/);
    assert.deepEqual([problem.source, problem.severity], ["vx", vscode.DiagnosticSeverity.Error]);
    await shows(c, "vx: vx.toml has errors");
    const seen = await statusBar("vx: vx.toml has errors", "5-manifest-errors");
    assert.deepEqual([seen.text, seen.warning], ["vx: vx.toml has errors", true]);
    fs.writeFileSync(work.manifest, good);
    await until("vx.toml's problem to clear", () => vscode.languages.getDiagnostics(manifest).length === 0);
    await shows(c, "vx: 5 tools, 1 not installed");

    const lockFile = path.join(work.project, "vx.lock");
    const lock = vscode.Uri.file(lockFile);
    const locked = fs.readFileSync(lockFile, "utf8");
    fs.writeFileSync(lockFile, locked + "\n[tools.broken\n");
    const unclosed = (d: vscode.Diagnostic) => /unclosed table/.test(d.message);
    await until("vx.lock's problem", () => vscode.languages.getDiagnostics(lock).some(unclosed));
    const lockProblem = vscode.languages.getDiagnostics(lock).find(unclosed)!;
    assert.equal(lockProblem.range.start.line, locked.split("\n").length);
    await shows(c, "vx: vx.lock has errors");
    fs.writeFileSync(lockFile, locked);
    await until("vx.lock's problem to clear", () => vscode.languages.getDiagnostics(lock).length === 0);
    await shows(c, "vx: 5 tools, 1 not installed");
  });

  it("warns when vx.lock does not match vx.toml, until it is locked again", async () => {
    const c = await controller();
    const text = fs.readFileSync(work.manifest, "utf8");
    // Edited by hand, not through vx: the lock still pins 20.11.1.
    fs.writeFileSync(work.manifest, text.replace('node = "20.11.1"', 'node = "22"'));
    await shows(c, "vx: 5 tools, 1 not installed, lock stale");
    const seen = await statusBar("vx: 5 tools, 1 not installed, lock stale", "6-lock-stale");
    assert.deepEqual([seen.text, seen.warning], ["vx: 5 tools, 1 not installed, lock stale", true]);
    await vx("lock");
    await shows(c, "vx: 5 tools, 1 not installed");
  });

  it("offers the project's python, go and java to the language extensions when asked to", async () => {
    const c = await controller();
    await vx("remove", "node");
    const tables = ["python", "go", "java"].map((t) => work.toolToml(t)).join("");
    fs.writeFileSync(work.manifest, tables + fs.readFileSync(work.manifest, "utf8"));
    await vx("sync", "--headless");
    await shows(c, "vx: 7 tools");
    const settingsFile = path.join(work.project, ".vscode", "settings.json");
    // Off by default: the workspace's settings name vx alone.
    await c.offerInterpreters();
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(settingsFile, "utf8"))), ["vx.path"]);

    await vscode.workspace.getConfiguration("vx").update("configureLanguageExtensions", true, vscode.ConfigurationTarget.Workspace);
    const store = path.join(work.env.XDG_DATA_HOME!, "vx", "store");
    const want = {
      "python.defaultInterpreterPath": path.join(work.tree("python", "1", store), "bin", "python"),
      "go.goroot": work.tree("go", "1", store),
      "java.jdt.ls.java.home": work.tree("java", "1", store),
    };
    const written = () => {
      let settings: Record<string, unknown> = {};
      try {
        settings = JSON.parse(fs.readFileSync(settingsFile, "utf8"));
      } catch {
        // Read while VS Code writes it: the next look reads it whole.
      }
      return Object.fromEntries(Object.keys(want).map((k) => [k, settings[k]]));
    };
    await until("the interpreters in .vscode/settings.json", () => JSON.stringify(written()) === JSON.stringify(want)).catch(
      () => assert.deepEqual(written(), want),
    );
    // What the language extensions read, once VS Code has read the file again.
    for (const [setting, value] of Object.entries(want)) {
      await until(`${setting} to read ${value}`, () => vscode.workspace.getConfiguration().get(setting) === value);
    }
  });
});
