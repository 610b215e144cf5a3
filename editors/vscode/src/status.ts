// What the status-bar item says: a pure function of the daemon's state, the project's
// toolchain and the syncs in progress, so that what a person reads is tested without
// an editor (test/status.test.ts) and the extension only copies it to the item.

import * as path from "node:path";

import { LockCheck } from "./check";
import { Event, FINISHED_PHASES, FINISHED_TASK_PHASES, TaskProgress, Toolchain, ToolProgress } from "./daemon";

/** How the item looks: `warning` gets the theme's warning background. */
export interface StatusView {
  text: string;
  tooltip: string;
  severity: "normal" | "warning";
}

/** A sync that ended: how many of its tools ended well. */
export interface SyncResult {
  label: string;
  total: number;
  failed: number;
}

/** A task run (`vx run`) as `task_progress` events tell it. */
export interface TaskRun {
  label: string;
  tasks: TaskProgress[];
}

/** The syncs of the user as `sync_progress` events tell them, by board, and the task
 * runs as `task_progress` events do. */
export class SyncTracker {
  private readonly running = new Map<string, { label: string; tools: ToolProgress[] }>();
  private readonly runs = new Map<string, TaskRun>();
  /** The last sync that ended (its final event), until another starts. */
  lastResult: SyncResult | undefined;

  /** Takes one event; whether the view may have changed. */
  apply(event: Event): boolean {
    if (event.type === "task_progress") {
      if (event.final) {
        this.runs.delete(event.board);
      } else {
        this.runs.set(event.board, { label: event.label, tasks: event.tasks });
      }
      return true;
    }
    if (event.type !== "sync_progress") {
      return false;
    }
    if (event.final) {
      this.running.delete(event.board);
      this.lastResult = {
        label: event.label,
        total: event.tools.length,
        failed: event.tools.filter((t) => t.phase === "failed" || t.phase === "cancelled").length,
      };
    } else {
      if (!this.running.has(event.board)) {
        this.lastResult = undefined;
      }
      this.running.set(event.board, { label: event.label, tools: event.tools });
    }
    return true;
  }

  /** The sync to show: the project's own (its label is the manifest) before others. */
  current(manifest: string | null | undefined): { label: string; tools: ToolProgress[] } | undefined {
    let any: { label: string; tools: ToolProgress[] } | undefined;
    for (const sync of this.running.values()) {
      if (sync.label === manifest) {
        return sync;
      }
      any ??= sync;
    }
    return any;
  }

  /** The task run to show: the project's own before others. */
  currentRun(manifest: string | null | undefined): TaskRun | undefined {
    let any: TaskRun | undefined;
    for (const run of this.runs.values()) {
      if (run.label === manifest) {
        return run;
      }
      any ??= run;
    }
    return any;
  }

  /** Forgets every sync and run (the daemon is gone: no final event will come). */
  clear(): void {
    this.runs.clear();
    this.running.clear();
    this.lastResult = undefined;
  }
}

/** The item for a live task run: how many tasks run (a failed one on the warning
 * background), every started task's phase in the tooltip. */
export function runView(run: TaskRun): StatusView {
  const failed = run.tasks.filter((t) => t.phase === "failed");
  const active = run.tasks.filter((t) => !FINISHED_TASK_PHASES.has(t.phase) && t.phase !== "queued");
  const done = run.tasks.filter((t) => FINISHED_TASK_PHASES.has(t.phase)).length;
  const lines = run.tasks
    .filter((t) => t.phase !== "queued")
    .map((t) => `${t.task} ${t.phase}${t.phase === "failed" && t.exit_code ? ` (${t.exit_code})` : ""}${t.message ? `: ${t.message}` : ""}`);
  const tooltip = `${run.label}\n${lines.join("\n")}\n(\`vx logs TASK\` prints a task's output)`;
  if (failed.length) {
    return { text: `vx: task ${failed[0].task} failed`, tooltip, severity: "warning" };
  }
  const ready = active.filter((t) => t.phase === "ready").length;
  const running = active.length - ready;
  const parts = [running ? `${running} running` : "", ready ? `${ready} ready` : ""].filter(Boolean);
  return {
    text: `vx: tasks ${done}/${run.tasks.length}${parts.length ? ", " + parts.join(", ") : ""}`,
    tooltip,
    severity: "normal",
  };
}

function tools(n: number): string {
  return n === 1 ? "1 tool" : `${n} tools`;
}

/** The item for the daemon's state, the project's toolchain, the syncs and what
 * `vx lock --check` says of the project (none yet: nothing said of the lock). */
export function statusView(
  daemon: "connecting" | "up" | "down",
  toolchain: Toolchain | undefined,
  syncs: SyncTracker,
  lock?: LockCheck,
): StatusView {
  if (daemon === "down") {
    return {
      text: "vx: daemon not running",
      tooltip: "No vx daemon answers; retrying. Run `vx: Restart Daemon` to start one now.",
      severity: "warning",
    };
  }
  const sync = syncs.current(toolchain?.manifest);
  if (sync) {
    const done = sync.tools.filter((t) => FINISHED_PHASES.has(t.phase)).length;
    const active = sync.tools
      .filter((t) => !FINISHED_PHASES.has(t.phase) && t.phase !== "queued")
      .map((t) => `${t.tool} ${t.phase}`);
    return {
      text: `vx: syncing ${done}/${sync.tools.length}`,
      tooltip: `${sync.label}${active.length ? "\n" + active.join("\n") : ""}`,
      severity: "normal",
    };
  }
  const run = syncs.currentRun(toolchain?.manifest);
  if (run) {
    return runView(run);
  }
  const result = syncs.lastResult;
  if (result) {
    return result.failed
      ? {
          text: `vx: sync failed, ${result.failed} of ${tools(result.total)}`,
          tooltip: `${result.label}: see the terminal or \`vx board\``,
          severity: "warning",
        }
      : { text: `vx: synced ${tools(result.total)}`, tooltip: result.label, severity: "normal" };
  }
  if (lock?.state === "invalid") {
    // The daemon cannot read the project either: what it said before is not shown.
    const files = [...new Set(lock.problems.map((p) => path.basename(p.file)))];
    return {
      text: `vx: ${files.join(" and ")} ${files.length === 1 ? "has" : "have"} errors`,
      tooltip: `${lock.problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.column}: ${p.message}`).join("\n")}\nSee the Problems view.`,
      severity: "warning",
    };
  }
  if (daemon === "connecting" || !toolchain) {
    return { text: "vx: …", tooltip: "Asking the vx daemon", severity: "normal" };
  }
  const total = toolchain.bin_dirs.length + toolchain.missing.length;
  const notes: string[] = [];
  const tips: string[] = [];
  if (toolchain.missing.length) {
    notes.push(`${toolchain.missing.length} not installed`);
    tips.push(`Not installed: ${toolchain.missing.map((m) => m.label).join(", ")}\nRun \`vx: Sync\`.`);
  }
  if (lock?.state === "stale") {
    notes.push("lock stale");
    tips.push(`${lock.detail}\n(\`vx: Sync\` or \`vx lock\` updates it.)`);
  }
  if (notes.length) {
    return { text: `vx: ${tools(total)}, ${notes.join(", ")}`, tooltip: tips.join("\n"), severity: "warning" };
  }
  return {
    text: `vx: ${tools(total)}`,
    tooltip: toolchain.manifest ?? "",
    severity: "normal",
  };
}
