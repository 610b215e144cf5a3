// The project the extension-host tests open: three file:// tools whose post-install
// waits for a gate file, so a test sees a sync while it runs and ends it when it has
// looked; a script for the tasks. Made by .vscode-test.mjs before code-server starts
// (the extension activates on the folder's vx.toml), and read back by the tests.

import * as path from "node:path";

import { Workspace } from "../test/harness";

/** The file whose existence lets the tools' post-install (named `gate`) finish. */
export function gate(work: Workspace, name: string): string {
  return path.join(work.root, `gate-${name}`);
}

/** The file where each tool's post-install appends the wall clock (ns) as it starts. */
export function stamps(work: Workspace, name: string): string {
  return path.join(work.root, `stamps-${name}`);
}

/** `sh` that notes when it started (`stamps`), then waits for the gate, as a
 * post_install command. */
export function waitFor(work: Workspace, name: string): string {
  return `date +%s%N >> '${stamps(work, name)}'; while [ ! -e '${gate(work, name)}' ]; do sleep 0.01; done`;
}

export function projectFor(work: Workspace): void {
  work.writeProject(["a", "b", "c"], '[scripts]\nhello = "echo hello from the task > hello.txt"\n\n', waitFor(work, "first"));
}
