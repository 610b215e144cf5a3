// What the Problems view and the status bar take from the real `vx lock --check`: a
// missing, fresh and stale lock, and vx.toml's and vx.lock's errors at their line and
// column.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";

import { checkLock } from "../check";
import { SyncTracker, statusView } from "../status";
import { Workspace } from "./harness";

describe("the lock check", () => {
  const work = new Workspace();
  after(() => work.dispose());
  const lockFile = path.join(work.project, "vx.lock");
  const check = () => checkLock(work.vx, work.manifest, work.env);

  it("tells a missing, a fresh and a stale lock", async () => {
    work.writeProject(["t0", "t1"]);
    assert.equal((await check()).state, "missing");
    work.run("lock");
    const fresh = await check();
    assert.deepEqual([fresh.state, fresh.problems], ["fresh", []]);
    fs.writeFileSync(work.manifest, fs.readFileSync(work.manifest, "utf8").replace('version = "1"', 'version = "2"'));
    const stale = await check();
    assert.equal(stale.state, "stale");
    assert.match(stale.detail, /stale for t0/);
    const chain = { manifest: work.manifest, bin_dirs: [], missing: [{ label: "t0 2", commands: ["t0"] }, { label: "t1 1", commands: ["t1"] }] };
    const view = statusView("up", chain, new SyncTracker(), stale);
    assert.deepEqual([view.text, view.severity], ["vx: 2 tools, 2 not installed, lock stale", "warning"]);
  });

  it("gives vx.toml's and vx.lock's errors at their line and column", async () => {
    work.writeProject(["t0"]);
    work.run("lock");
    const good = fs.readFileSync(work.manifest, "utf8");
    fs.writeFileSync(work.manifest, good.replace("[tools.t0]\n", '[tools.t0]\nflavour = "x"\n'));
    const bad = await check();
    assert.equal(bad.state, "invalid");
    assert.deepEqual(
      bad.problems.map((p) => [p.file, p.line, p.column]),
      [[work.manifest, 2, 1]],
    );
    assert.match(bad.problems[0].message, /unknown key `flavour` in `\[tools\.t0\]`/);
    assert.equal(statusView("up", undefined, new SyncTracker(), bad).text, "vx: vx.toml has errors");

    fs.writeFileSync(work.manifest, good);
    fs.writeFileSync(lockFile, "version = [\n");
    const badLock = await check();
    assert.deepEqual(
      badLock.problems.map((p) => [p.file, p.line]),
      [[lockFile, 1]],
    );
    assert.equal(statusView("up", undefined, new SyncTracker(), badLock).text, "vx: vx.lock has errors");
  });
});
