// `vx.path` is the user's, never a workspace's (issue 53, item 21): a cloned
// repository's .vscode/settings.json must not choose the program the extension runs.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { vxPath } from "../settings";

describe("vx.path", () => {
  it("is machine-scoped in the extension's manifest", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    assert.equal(pkg.contributes.configuration.properties["vx.path"].scope, "machine");
  });

  it("ignores a workspace's and a folder's value", () => {
    const inspected = { defaultValue: "", workspaceValue: "/repo/evil", workspaceFolderValue: "./evil" };
    assert.equal(vxPath(inspected), "vx");
    assert.equal(vxPath({ ...inspected, globalValue: "/opt/vx/bin/vx" }), "/opt/vx/bin/vx");
  });

  it("is vx on PATH when the user set none", () => {
    assert.equal(vxPath(undefined), "vx");
    assert.equal(vxPath({ defaultValue: "" }), "vx");
    assert.equal(vxPath({ defaultValue: "", globalValue: "" }), "vx");
  });
});
