// docs/BENCHMARKS.md ("Daemon"), the editor's figures: from a vx.toml edit to the
// status bar's new text, and from a sync's progress to the text, through the real
// daemon, with the extension's own client, status and refresh path (no editor: the
// text is computed as extension.ts computes it).
//
//   npm run compile && node out/bench/status-latency.js [RUNS]    (VX_BIN: the vx binary)

import * as fs from "node:fs";

import { DaemonConnection, Event } from "../daemon";
import { SyncTracker, statusView } from "../status";
import { Workspace } from "../test/harness";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 21);
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
    console.log(
      `vx.toml edit → status text, ${runs} runs: median ${median(samples).toFixed(1)} ms, min ${Math.min(...samples).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms`,
    );
    requests.close();
    events.close();
  } finally {
    work.dispose();
  }
}

void main();
