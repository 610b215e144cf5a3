// The quick picks' content from the real daemon: the project's tools from `toolchain`,
// and a tool's versions from `list_versions` as `vx: Choose Version` offers them.

import assert from "node:assert/strict";
import * as path from "node:path";
import { after, describe, it } from "node:test";

import { DaemonConnection } from "../daemon";
import { OTHER_VERSION, constraintProblem, projectTools, versionChoices } from "../tools";
import { Workspace } from "./harness";

describe("the quick picks' tools and versions", () => {
  const work = new Workspace();
  after(() => work.dispose());

  it("are the toolchain's, and the installed versions newest first, the project's marked", async () => {
    work.writeProject(["t0", "t1"]);
    work.run(...work.syncArgs());
    // A second version of t0 in the store, as another project would have installed it.
    const archive = path.join(work.root, "archives", "t0.tar.gz");
    const sha = /sha256 = "([0-9a-f]{64})"/.exec(work.toolToml("t0"))![1];
    work.run("install", "t0@1.10", "--url", `file://${archive}`, "--sha256", sha, "--strip-components", "1", "--store", work.store);
    work.writeProject(["t0", "t1", "t2"]);
    work.startDaemon();
    const vx = await DaemonConnection.connect(work.socket);
    try {
      const tools = projectTools(await vx.toolchain(work.project));
      assert.deepEqual(
        tools.map((t) => [t.name, t.version, t.installed]),
        [
          ["t0", "1", true],
          ["t1", "1", true],
          ["t2", "1", false],
        ],
      );
      const choices = versionChoices(await vx.listVersions("t0"), tools[0]);
      assert.deepEqual(
        choices.map((c) => [c.label, c.description, c.version]),
        [
          ["1.10", "installed", "1.10"],
          ["1", "current, installed", "1"],
          [OTHER_VERSION, "the registries' versions: `vx versions t0`", undefined],
        ],
      );
      // A runtime not installed: the publisher's versions, its LTS lines said.
      const node = { name: "node", version: "20.11.1", installed: false, detail: "" };
      assert.deepEqual(
        versionChoices(
          { versions: ["22.12.0", "21.7.3", "20.11.1"], source: "registry", lts: { "22.12.0": "Jod", "20.11.1": "Iron" } },
          node,
        ).map((c) => [c.label, c.description]),
        [
          ["22.12.0", "LTS Jod"],
          ["21.7.3", ""],
          ["20.11.1", "current, LTS Iron"],
          [OTHER_VERSION, ""],
        ],
      );
      assert.ok(constraintProblem("  "));
      assert.equal(constraintProblem(">=1.2, <2"), undefined);
    } finally {
      vx.close();
    }
  });
});
