// vx.toml's [scripts] as VS Code tasks (type `vx`): each runs `vx run NAME` in the
// project, with its toolchain and [env], as on the command line. The scripts are the
// ones `vx run` lists, so the CLI stays the one reader of vx.toml.

import { execFile } from "node:child_process";
import * as vscode from "vscode";

import { parseScripts } from "./scripts";

/** The task type in tasks.json: `{ "type": "vx", "script": "NAME" }`. */
export const TASK_TYPE = "vx";

export class ScriptTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly folder: vscode.WorkspaceFolder,
    private readonly vx: () => string,
  ) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const listing = await new Promise<string>((resolve) =>
      execFile(this.vx(), ["run"], { cwd: this.folder.uri.fsPath, timeout: 30_000 }, (err, stdout) =>
        resolve(err ? "" : stdout),
      ),
    );
    return parseScripts(listing).map((s) => {
      const task = this.task(s.name);
      task.detail = s.detail;
      return task;
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const script = task.definition.script;
    return typeof script === "string" ? this.task(script, task.definition) : undefined;
  }

  private task(name: string, definition: vscode.TaskDefinition = { type: TASK_TYPE, script: name }): vscode.Task {
    return new vscode.Task(
      definition,
      this.folder,
      name,
      "vx",
      new vscode.ProcessExecution(this.vx(), ["run", name], { cwd: this.folder.uri.fsPath }),
    );
  }
}
