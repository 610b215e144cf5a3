// The TypeScript client and the status bar's text against the real `vx daemon`: every
// call, a real `vx sync` followed from its first progress to its final event as the
// status bar would show it, a daemon killed under a subscription, a socket of another
// user refused, and the socket found where the CLI looks.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { DaemonConnection, DaemonError, Event, PROTOCOL_VERSION, defaultSocket } from "../daemon";
import { terminalEnvironment } from "../environment";
import { SyncTracker, statusView } from "../status";
import { DEADLINE_MS, Workspace, until } from "./harness";

/** The events of a connection, awaited one at a time. */
class Events {
  private readonly queue: Event[] = [];
  private waiter: (() => void) | undefined;
  closed: DaemonError | undefined;

  constructor(conn: DaemonConnection) {
    conn.on("event", (e: Event) => {
      this.queue.push(e);
      this.waiter?.();
    });
    conn.on("close", (err: DaemonError) => {
      this.closed = err;
      this.waiter?.();
    });
  }

  async next(): Promise<Event> {
    const deadline = setTimeout(() => this.waiter?.(), DEADLINE_MS);
    try {
      while (this.queue.length === 0) {
        if (this.closed) {
          throw this.closed;
        }
        await new Promise<void>((r) => (this.waiter = r));
        assert.ok(this.queue.length || this.closed, "no event within the deadline");
      }
      return this.queue.shift()!;
    } finally {
      clearTimeout(deadline);
    }
  }
}

describe("the daemon client", () => {
  const work = new Workspace();
  let vx: DaemonConnection;

  before(async () => {
    work.writeProject(["t0", "t1"], '[env]\nGREETING = "hello from {project}"\n');
    work.run(...work.syncArgs());
    work.startDaemon();
    vx = await DaemonConnection.connect(work.socket);
  });
  after(() => {
    vx?.close();
    work.dispose();
  });

  it("answers every request", async () => {
    const pong = await vx.ping();
    assert.ok(pong.protocol >= PROTOCOL_VERSION, JSON.stringify(pong));
    // `vx 0.1.0 (COMMIT DATE)`: the version is the second word.
    assert.equal(pong.version, work.run("--version").trim().split(/\s+/)[1]);
    assert.equal(pong.cached_runtimes, 2);

    const resolved = await vx.resolve("t0", work.project);
    assert.equal(resolved.executable, path.join(work.tree("t0", "1"), "bin", "t0"));
    assert.equal(resolved.version, "1");
    assert.equal(resolved.env.GREETING, `hello from ${work.project}`);
    assert.deepEqual(resolved.env.PATH.split(":").slice(0, 2), [
      path.join(work.tree("t0", "1"), "bin"),
      path.join(work.tree("t1", "1"), "bin"),
    ]);
    const run = spawnSync(resolved.executable, { env: resolved.env, encoding: "utf8" });
    assert.equal(run.stdout, "t0\n");

    const env = await vx.getEnvironment("t1", work.project);
    assert.deepEqual(env.env, resolved.env);
    assert.deepEqual(env.unset, []);

    assert.deepEqual((await vx.listVersions("t1")).versions, ["1"]);

    const chain = await vx.toolchain(work.project);
    assert.equal(chain.manifest, work.manifest);
    assert.deepEqual(chain.bin_dirs, [path.join(work.tree("t0", "1"), "bin"), path.join(work.tree("t1", "1"), "bin")]);
    assert.deepEqual(chain.missing, []);
    assert.deepEqual(
      chain.environment?.vars.map((v) => [v.name, v.value]),
      [["GREETING", "hello from {project}"]],
    );
    assert.equal(statusView("up", chain, new SyncTracker()).text, "vx: 2 tools");

    await assert.rejects(vx.resolve("nope", work.project), (err: DaemonError) => {
      assert.equal(err.kind, "refused");
      assert.match(err.message, /nope/);
      return true;
    });
    // The connection goes on after an error.
    assert.equal((await vx.ping()).cached_runtimes, 2);
  });

  it("finds the socket where the CLI looks", () => {
    for (const extra of [
      { VX_DAEMON_SOCKET: "/x/y.sock", XDG_RUNTIME_DIR: "/run/user/7" },
      { VX_DAEMON_SOCKET: "rel/d.sock" },
      { XDG_RUNTIME_DIR: "/run/user/7" },
      { XDG_RUNTIME_DIR: "not/absolute", TMPDIR: "/var/tmp" },
      {},
    ]) {
      const env = { ...work.env, ...extra };
      if (!("VX_DAEMON_SOCKET" in extra)) delete env.VX_DAEMON_SOCKET;
      if (!("TMPDIR" in extra)) delete env.TMPDIR;
      const cli = spawnSync(work.vx, ["daemon", "status", "--json"], { env, cwd: process.cwd(), encoding: "utf8" });
      assert.equal(defaultSocket(env), JSON.parse(cli.stdout).socket, JSON.stringify(extra));
    }
  });
});

describe("the status bar during a real sync", () => {
  const work = new Workspace();
  after(() => work.dispose());

  it("shows the tools missing, the sync's progress, its result, then the tools", async () => {
    const gate = path.join(work.root, "gate");
    work.writeProject(["a", "b", "c"], "", `while [ ! -e '${gate}' ]; do sleep 0.01; done`);
    work.startDaemon();
    const vx = await DaemonConnection.connect(work.socket);
    const events = await DaemonConnection.connect(work.socket);
    try {
      const syncs = new SyncTracker();
      const before = statusView("up", await vx.toolchain(work.project), syncs);
      assert.deepEqual([before.text, before.severity], ["vx: 3 tools, 3 not installed", "warning"]);

      const queue = new Events(events);
      await events.subscribe(["sync_progress"]);
      const sync = spawn(work.vx, work.syncArgs(), { env: work.env, stdio: "ignore" });
      const exited = new Promise<number | null>((r) => sync.on("exit", r));
      const seen: string[] = [];
      let final = false;
      while (!final) {
        const event = await queue.next();
        if (event.type !== "sync_progress" || event.label !== work.manifest) continue;
        syncs.apply(event);
        const view = statusView("up", undefined, syncs);
        seen.push(view.text);
        if (event.tools.some((t) => t.phase === "post-install")) {
          fs.writeFileSync(gate, "");
        }
        final = event.final;
      }
      assert.equal(await exited, 0);
      assert.ok(seen.includes("vx: syncing 0/3"), seen.join(" | "));
      assert.equal(seen[seen.length - 1], "vx: synced 3 tools", seen.join(" | "));
      syncs.clear();
      assert.equal(statusView("up", await vx.toolchain(work.project), syncs).text, "vx: 3 tools");
    } finally {
      fs.writeFileSync(gate, "");
      vx.close();
      events.close();
    }
  });
});

describe("a daemon that goes away", () => {
  const work = new Workspace();
  after(() => work.dispose());

  it("ends a subscription and fails waiting calls with `lost`, and the status says so", async () => {
    work.writeProject(["t0"]);
    work.startDaemon();
    const conn = await DaemonConnection.connect(work.socket);
    await conn.subscribe();
    const queue = new Events(conn);
    const pid = work.status().pid!;
    process.kill(pid, "SIGKILL");
    await assert.rejects(queue.next(), (err: DaemonError) => err.kind === "lost");
    await assert.rejects(conn.ping(), (err: DaemonError) => err.kind === "lost");
    await until("the killed daemon to exit", () => !work.status().running);
    await assert.rejects(DaemonConnection.connect(work.socket), (err: DaemonError) => err.kind === "unavailable");
    assert.equal(statusView("down", undefined, new SyncTracker()).text, "vx: daemon not running");
  });
});

describe("a socket of another user", { skip: process.getuid?.() !== 0 && "needs root" }, () => {
  it("is refused before connecting", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vx-vscode-other-"));
    const socket = path.join(dir, "daemon.sock");
    let connections = 0;
    const server = net.createServer(() => connections++);
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      fs.chownSync(socket, 65534, 65534);
      await assert.rejects(DaemonConnection.connect(socket), (err: DaemonError) => {
        assert.equal(err.kind, "unsafe");
        assert.match(err.message, /uid 65534/);
        return true;
      });
      assert.equal(connections, 0);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the terminal environment", () => {
  const work = new Workspace();
  after(() => work.dispose());

  it("is the one the daemon gives a tool of the project", async () => {
    work.writeProject(
      ["t0"],
      '[settings]\npath = ["scripts"]\nenv_file = ".env"\n\n[env]\nA = "{project}/x"\nB = "${HOME}/y"\nC = "${NOPE:-{project}/d}"\nD = false\nE = "${A}"\nF = "${A:+{project}/alt}"\nG = "${D-unset}"\nH = "${NOPE+no}"\n',
    );
    // A .env file's single quotes keep a value as written; its double quotes expand.
    fs.writeFileSync(path.join(work.project, ".env"), "L='${HOME}/lit'\nM=\"${HOME}/exp\"\n");
    work.run(...work.syncArgs());
    work.startDaemon();
    const vx = await DaemonConnection.connect(work.socket);
    try {
      const chain = await vx.toolchain(work.project);
      // The daemon expands against its own environment: the one it was started with.
      const mine = terminalEnvironment(chain, work.env);
      const daemons = await vx.getEnvironment("t0", work.project);
      assert.deepEqual(mine.pathPrepend, [path.join(work.tree("t0", "1"), "bin"), path.join(work.project, "scripts")]);
      assert.ok(daemons.env.PATH.startsWith(mine.pathPrepend.join(":") + ":"), daemons.env.PATH);
      const { PATH: _, ...vars } = daemons.env;
      assert.deepEqual(mine.set, vars);
      assert.deepEqual(mine.unset, daemons.unset);
      assert.deepEqual(mine.set, {
        A: `${work.project}/x`,
        B: `${work.env.HOME}/y`,
        C: `${work.project}/d`,
        // An entry's template sees the entries above it (D removed: unset), as vx does.
        E: `${work.project}/x`,
        F: `${work.project}/alt`,
        G: "unset",
        H: "",
        L: "${HOME}/lit",
        M: `${work.env.HOME}/exp`,
      });
    } finally {
      vx.close();
    }
  });

  it("activates the project's virtual environment as the daemon does", async () => {
    // A project of its own (with its own daemon); an existing venv (its pyvenv.cfg,
    // PEP 405) is taken as it is: vx makes none.
    const work = new Workspace();
    let vx: DaemonConnection | undefined;
    try {
      work.writeProject(["t0"], '[settings]\npython_venv = ".venv"\npath = ["scripts"]\n');
      const venv = path.join(work.project, ".venv");
      fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
      fs.writeFileSync(path.join(venv, "pyvenv.cfg"), "home = /usr/bin\n");
      work.run(...work.syncArgs());
      work.startDaemon();
      vx = await DaemonConnection.connect(work.socket);
      const chain = await vx.toolchain(work.project);
      assert.equal(chain.environment?.venv, venv);
      const mine = terminalEnvironment(chain, work.env);
      const daemons = await vx.getEnvironment("t0", work.project);
      // Its bin first, before the tools' directories and [settings] path.
      assert.deepEqual(mine.pathPrepend, [
        path.join(venv, "bin"),
        path.join(work.tree("t0", "1"), "bin"),
        path.join(work.project, "scripts"),
      ]);
      assert.ok(daemons.env.PATH.startsWith(mine.pathPrepend.join(":") + ":"), daemons.env.PATH);
      assert.equal(mine.set.VIRTUAL_ENV, venv);
      assert.equal(daemons.env.VIRTUAL_ENV, venv);
    } finally {
      vx?.close();
      work.dispose();
    }
  });

  it("lets [env] override VIRTUAL_ENV, and uses Scripts on Windows", () => {
    const chain = {
      manifest: "C:\\p\\vx.toml",
      bin_dirs: ["C:\\store\\python\\3.12"],
      missing: [],
      environment: {
        project: "C:\\p",
        vars: [{ name: "VIRTUAL_ENV", value: "{project}/other", line: 3 }],
        path: [],
        venv: "C:\\p\\.venv",
      },
    };
    const env = terminalEnvironment(chain, {}, "win32");
    assert.deepEqual(env.pathPrepend, ["C:\\p\\.venv\\Scripts", "C:\\store\\python\\3.12"]);
    assert.deepEqual(env.set, { VIRTUAL_ENV: "C:\\p/other" });
    const none = terminalEnvironment({ ...chain, environment: { ...chain.environment, venv: undefined, vars: [] } }, {});
    assert.deepEqual(none.set, {});
    assert.deepEqual(none.pathPrepend, ["C:\\store\\python\\3.12"]);
  });
});
