// The extension's settings that must come from the user, never from a workspace.
// `vx.path` names the executable the extension runs on activation (the daemon, `vx run`,
// the lock check): a cloned repository's `.vscode/settings.json` must not choose it
// (issue 53, item 21). package.json declares it `"scope": "machine"`, so VS Code keeps
// it out of workspace and folder settings; this reads it so that a workspace or folder
// value is ignored even where an editor does not honour that scope.

/** What `WorkspaceConfiguration.inspect` answers for a setting (the levels read here). */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The vx executable: the user's (or the machine's) `vx.path`, else `vx` on PATH;
 * a workspace's or folder's value never counts. */
export function vxPath(inspected: Inspected<string> | undefined): string {
  return inspected?.globalValue || inspected?.defaultValue || "vx";
}
