// The scripts the task provider offers, read from the real `vx run` listing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Workspace } from "./harness";
import { parseScripts } from "../scripts";

describe("the tasks' scripts", () => {
  it("are the ones `vx run` lists, with their descriptions or commands", () => {
    const work = new Workspace();
    try {
      work.writeProject([], '[scripts]\nhello = "echo hi"\nbuild = { run = "make all", description = "Build it" }\n');
      assert.deepEqual(parseScripts(work.run("run")), [
        { name: "hello", detail: "echo hi" },
        { name: "build", detail: "Build it" },
      ]);
    } finally {
      work.dispose();
    }
  });
});
