// The status bar while a task run (`vx run`) is live: `task_progress` events as the
// daemon sends them (docs/PROTOCOL.md, protocol 2), read by the same tracker as syncs.

import * as assert from "node:assert/strict";
import { test } from "node:test";

import { Event, TaskProgress } from "../daemon";
import { SyncTracker, statusView } from "../status";

function row(task: string, phase: string, extra: Partial<TaskProgress> = {}): TaskProgress {
  return { task, phase, exit_code: null, elapsed_ms: null, output_bytes: 0, message: "", ...extra };
}

function progress(tasks: TaskProgress[], final = false): Event {
  return { type: "task_progress", board: "b1", label: "/p/vx.toml", state: final ? "finished" : "running", tasks, final };
}

test("a live run shows its tasks, the project's first, and goes when it ends", () => {
  const tracker = new SyncTracker();
  assert.ok(tracker.apply(progress([row("lint", "done", { exit_code: 0 }), row("test", "running"), row("dev", "ready"), row("e2e", "queued")])));
  const view = statusView("up", undefined, tracker);
  assert.equal(view.text, "vx: tasks 1/4, 1 running, 1 ready");
  assert.equal(view.severity, "normal");
  assert.match(view.tooltip, /lint done\ntest running\ndev ready/);
  assert.doesNotMatch(view.tooltip, /e2e/);

  tracker.apply(progress([row("lint", "done"), row("test", "failed", { exit_code: 2, message: "exit status 2" }), row("dev", "cancelled", { message: "test failed" }), row("e2e", "cancelled")]));
  const failed = statusView("up", undefined, tracker);
  assert.equal(failed.text, "vx: task test failed");
  assert.equal(failed.severity, "warning");
  assert.match(failed.tooltip, /test failed \(2\): exit status 2/);

  tracker.apply(progress([], true));
  assert.notEqual(statusView("up", undefined, tracker).text.startsWith("vx: task"), true);
});
