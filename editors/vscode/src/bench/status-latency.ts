// docs/BENCHMARKS.md ("Daemon"), the editor's figures: from a vx.toml edit to the
// status bar's new text, and from a child's progress record to the status bar, through
// the real daemon, with the extension's own client, status and refresh path (no
// editor: the item is computed as extension.ts computes it).
//
//   npm run compile && node out/bench/status-latency.js [RUNS]    (VX_BIN: the vx binary)
//
// The progress figure: a sync of one tool whose post-install step first writes the
// wall clock (`date +%s%N`) and then waits for a gate. The child publishes its
// `post-install` record just before it starts that step, so the stamp is taken a
// shell's start-up (about a millisecond) after the record; the figure ends when a
// `sync_progress` event makes the status item's tooltip say `t0 post-install`.

import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";

import { DaemonConnection, Event } from "../daemon";
import { SyncTracker, statusView } from "../status";
import { Workspace } from "../test/harness";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The wall clock in nanoseconds (to the millisecond), as `date +%s%N` gives it. */
function wallNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

async function progressToStatus(runs: number): Promise<number[]> {
  const work = new Workspace();
  const samples: number[] = [];
  try {
    const stamp = path.join(work.root, "stamp");
    const gate = path.join(work.root, "gate");
    work.writeProject(["t0"], "", `date +%s%N > '${stamp}'; while [ ! -e '${gate}' ]; do sleep 0.01; done`);
    work.startDaemon();
    const events = await DaemonConnection.connect(work.socket);
    await events.subscribe(["sync_progress"]);
    for (let i = 0; i < runs; i++) {
      fs.rmSync(stamp, { force: true });
      fs.rmSync(gate, { force: true });
      const syncs = new SyncTracker();
      let seen: bigint | undefined;
      let finished: (() => void) | undefined;
      const final = new Promise<void>((resolve) => (finished = resolve));
      const onEvent = (e: Event) => {
        if (e.type !== "sync_progress" || e.label !== work.manifest) return;
        syncs.apply(e);
        if (seen === undefined && statusView("up", undefined, syncs).tooltip.includes("t0 post-install")) {
          seen = wallNs();
          fs.writeFileSync(gate, "");
        }
        if (e.final) finished?.();
      };
      events.on("event", onEvent);
      // A store of its own each run: t0 is installed anew.
      const store = path.join(work.root, `store-${i}`);
      const sync = spawn(work.vx, ["sync", "--headless", "--manifest", work.manifest, "--store", store], {
        env: work.env,
        stdio: "ignore",
      });
      const exited = new Promise((r) => sync.once("exit", r));
      await final;
      await exited;
      events.off("event", onEvent);
      if (seen !== undefined && fs.existsSync(stamp)) {
        samples.push(Number(seen - BigInt(fs.readFileSync(stamp, "utf8").trim())) / 1e6);
      }
    }
    events.close();
  } finally {
    work.dispose();
  }
  return samples;
}

function summary(what: string, samples: number[]): string {
  return `${what}, ${samples.length} runs: median ${median(samples).toFixed(1)} ms, min ${Math.min(...samples).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 21);
  console.log(summary("progress record → status item", await progressToStatus(runs)));
  const work = new Workspace();
  try {
    work.writeProject(["t0"]);
    work.run(...work.syncArgs());
    const base = fs.readFileSync(work.manifest, "utf8");
    const extra = work.toolToml("t1");
    work.startDaemon();
    const requests = await DaemonConnection.connect(work.socket);
    const events = await DaemonConnection.connect(work.socket);
    const syncs = new SyncTracker();
    let text = statusView("up", await requests.toolchain(work.project), syncs).text;
    let changed: (() => void) | undefined;
    events.on("event", async (e: Event) => {
      if (e.type === "config_changed") {
        text = statusView("up", await requests.toolchain(work.project), syncs).text;
        changed?.();
      }
    });
    await events.subscribe(["config_changed"]);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const want = i % 2 === 0 ? "vx: 2 tools, 1 not installed" : "vx: 1 tool";
      const start = process.hrtime.bigint();
      const done = new Promise<void>((resolve) => {
        changed = () => text === want && resolve();
      });
      fs.writeFileSync(work.manifest, i % 2 === 0 ? base + extra : base);
      await done;
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    console.log(summary("vx.toml edit → status text", samples));
    requests.close();
    events.close();
  } finally {
    work.dispose();
  }
}

void main();
