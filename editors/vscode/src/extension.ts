// The vx extension: in a workspace with a vx.toml, it follows the vx daemon (started
// with `vx daemon start` when none answers) and shows the project's toolchain and any
// sync's progress in the status bar, gives integrated terminals the project's PATH and
// [env], offers commands, and [scripts] as tasks. Everything it shows comes from daemon.ts, status.ts and
// environment.ts, which are tested against the real daemon; this file wires them to
// the editor.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

import { LockCheck, checkLock } from "./check";
import { DaemonConnection, DaemonError, Event, Resolved, Toolchain } from "./daemon";
import { terminalEnvironment } from "./environment";
import { vxPath } from "./settings";
import { OFFERED_TOOLS, interpreterSettings } from "./interpreters";
import { SyncTracker, statusView } from "./status";
import { ScriptTaskProvider, TASK_TYPE } from "./tasks";
import { OTHER_VERSION, VersionChoice, constraintProblem, projectTools, versionChoices } from "./tools";

/** Waits between reconnection attempts: doubled each failure, up to the last. */
const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/** How long the registries may take to list a tool's versions. */
const LIST_VERSIONS_MS = 60_000;
/** How long a sync's result stays in the status bar. */
const RESULT_MS = 5_000;

export function activate(context: vscode.ExtensionContext): Controller | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => fs.existsSync(path.join(f.uri.fsPath, "vx.toml")));
  if (!folder) {
    return undefined;
  }
  const controller = new Controller(context, folder.uri.fsPath);
  context.subscriptions.push(
    controller,
    vscode.commands.registerCommand("vx.sync", () => controller.runInTerminal("vx sync", ["sync"])),
    vscode.commands.registerCommand("vx.openDashboard", () =>
      controller.runInTerminal("vx dashboard", ["board", "watch"]),
    ),
    vscode.commands.registerCommand("vx.showToolchain", () => controller.showToolchain()),
    vscode.commands.registerCommand("vx.restartDaemon", () => controller.restartDaemon()),
    vscode.commands.registerCommand("vx.chooseVersion", () => controller.chooseVersion()),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new ScriptTaskProvider(folder, () => controller.vx())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("vx.configureLanguageExtensions")) {
        void controller.offerInterpreters();
      }
    }),
  );
  void controller.connect();
  return controller;
}

export function deactivate(): void {}

/** The extension's state for one project. Exported (returned by `activate`) for tests. */
export class Controller implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  daemon: "connecting" | "up" | "down" = "connecting";
  toolchain: Toolchain | undefined;
  /** What `vx lock --check` last said of the project. */
  lock: LockCheck | undefined;
  readonly syncs = new SyncTracker();
  readonly diagnostics = vscode.languages.createDiagnosticCollection("vx");
  private readonly watcher: vscode.FileSystemWatcher;
  private checking: Promise<void> | undefined;
  private checkAgain = false;
  private requests: DaemonConnection | undefined;
  private events: DaemonConnection | undefined;
  private failures = 0;
  private startedDaemon = false;
  private retry: NodeJS.Timeout | undefined;
  private resultTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly project: string,
  ) {
    this.item.command = "vx.showToolchain";
    this.item.name = "vx";
    this.render();
    this.item.show();
    // vx.toml and vx.lock checked whenever they change, the daemon up or not (it
    // follows only a project it could read).
    this.watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(project), "{vx.toml,vx.lock}"),
    );
    for (const on of [this.watcher.onDidChange, this.watcher.onDidCreate, this.watcher.onDidDelete]) {
      on(() => void this.check());
    }
    void this.check();
  }

  /** The project's vx.toml. */
  get manifest(): string {
    return this.toolchain?.manifest ?? path.join(this.project, "vx.toml");
  }

  /** Runs `vx lock --check` (one at a time; a change meanwhile checks again after),
   * and shows its errors as diagnostics and its verdict in the status bar. */
  check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.checkAgain = false;
        const lock = await checkLock(this.vx(), this.manifest);
        if (this.disposed) {
          return;
        }
        this.lock = lock;
        this.showProblems(lock);
        this.render();
      } while (this.checkAgain);
    })().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private showProblems(lock: LockCheck): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of lock.problems) {
      const at = new vscode.Position(p.line - 1, p.column - 1);
      const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), p.message, vscode.DiagnosticSeverity.Error);
      d.source = "vx";
      byFile.set(p.file, [...(byFile.get(p.file) ?? []), d]);
    }
    for (const [file, list] of byFile) {
      this.diagnostics.set(vscode.Uri.file(file), list);
    }
  }

  /** The vx executable: the user's `vx.path` setting, else `vx` on PATH; never a
   * workspace's (settings.ts). */
  vx(): string {
    return vxPath(vscode.workspace.getConfiguration("vx").inspect<string>("path"));
  }

  /** Connects both connections (requests, events); on failure starts the daemon once
   * and then retries with back-off, the status bar saying so, without error popups. */
  async connect(): Promise<void> {
    if (this.disposed) {
      return;
    }
    clearTimeout(this.retry);
    let requests: DaemonConnection | undefined;
    let events: DaemonConnection | undefined;
    try {
      requests = await DaemonConnection.connect();
      events = await DaemonConnection.connect();
      this.requests = requests;
      this.events = events;
      events.on("event", (e: Event) => this.onEvent(e));
      // Only the current connections' end counts (onLost closes both).
      const lost = () => {
        if (this.requests === requests) {
          this.onLost();
        }
      };
      requests.once("close", lost);
      events.once("close", lost);
      // Every type (`[]`): a daemon of any protocol accepts it, and one of protocol 2
      // adds `task_progress`; naming it would be refused by an older daemon.
      await events.subscribe([]);
      this.daemon = "up";
      this.failures = 0;
      await this.refresh();
      void this.check();
    } catch (err) {
      this.requests = undefined;
      this.events = undefined;
      requests?.close();
      events?.close();
      if (err instanceof DaemonError && err.kind === "unavailable" && !this.startedDaemon) {
        this.startedDaemon = true;
        if (await this.startDaemon()) {
          return this.connect();
        }
      }
      this.onLost();
    }
  }

  /** Asks the daemon for the toolchain again, and updates the status and terminals. */
  async refresh(): Promise<void> {
    if (!this.requests) {
      return;
    }
    try {
      this.toolchain = await this.requests.toolchain(this.project);
      const env = terminalEnvironment(this.toolchain, process.env);
      const collection = this.context.environmentVariableCollection;
      collection.clear();
      if (env.pathPrepend.length) {
        collection.prepend("PATH", env.pathPrepend.join(path.delimiter) + path.delimiter);
      }
      for (const [name, value] of Object.entries(env.set)) {
        collection.replace(name, value);
      }
      for (const name of env.unset) {
        collection.replace(name, "");
      }
    } catch {
      // A lost connection is handled by its close event; an error answer leaves the
      // last toolchain shown.
    }
    this.render();
    void this.offerInterpreters();
  }

  /** With `vx.configureLanguageExtensions` on: the interpreters of the project's
   * python, go and java (interpreters.ts) written into the workspace's settings where
   * they differ. A setting no installed extension registers is left alone (VS Code
   * refuses to write it), as is one of a tool that is not installed. */
  async offerInterpreters(): Promise<void> {
    const folder = vscode.Uri.file(this.project);
    const requests = this.requests;
    const chain = this.toolchain;
    if (!requests || !chain || !vscode.workspace.getConfiguration("vx", folder).get<boolean>("configureLanguageExtensions")) {
      return;
    }
    const resolved = new Map<string, Resolved>();
    for (const tool of projectTools(chain)) {
      if (tool.installed && OFFERED_TOOLS.includes(tool.name) && !resolved.has(tool.name)) {
        try {
          resolved.set(tool.name, await requests.resolve(tool.name, this.project));
        } catch {
          // Not resolvable now (the daemon says why elsewhere): nothing offered.
        }
      }
    }
    const config = vscode.workspace.getConfiguration(undefined, folder);
    for (const [setting, value] of interpreterSettings(resolved)) {
      if (config.inspect(setting)?.workspaceValue === value) {
        continue;
      }
      try {
        await config.update(setting, value, vscode.ConfigurationTarget.Workspace);
      } catch {
        // No installed extension registers the setting: its language is not in use.
      }
    }
  }

  runInTerminal(name: string, args: string[]): void {
    const terminal = vscode.window.createTerminal({ name, cwd: this.project, shellPath: this.vx(), shellArgs: args });
    terminal.show();
  }

  async showToolchain(): Promise<void> {
    const chain = this.toolchain;
    if (!chain) {
      void vscode.window.showInformationMessage(statusView(this.daemon, chain, this.syncs, this.lock).tooltip);
      return;
    }
    const items: vscode.QuickPickItem[] = projectTools(chain).map((t) => ({
      label: t.name,
      description: t.installed ? t.version : "not installed",
      detail: t.detail,
    }));
    await vscode.window.showQuickPick(items, { title: `vx: ${chain.manifest ?? this.project}` });
  }

  /** `vx: Choose Version`: a tool of the project, then one of its versions from the
   * daemon (or any constraint typed), written by `vx add TOOL@VERSION`, which keeps
   * vx.toml's comments and locks the choice; the status bar follows through the
   * daemon's config_changed. */
  async chooseVersion(): Promise<void> {
    const chain = this.toolchain;
    if (!chain || this.daemon !== "up") {
      void vscode.window.showWarningMessage(statusView(this.daemon, chain, this.syncs, this.lock).tooltip);
      return;
    }
    const tools = projectTools(chain);
    const picked = await vscode.window.showQuickPick(
      tools.map((t) => ({ label: t.name, description: t.version, detail: t.installed ? undefined : "not installed", tool: t })),
      { title: "vx: Choose Version", placeHolder: "The tool whose version to choose" },
    );
    if (!picked) {
      return;
    }
    const tool = picked.tool;
    // A tool not installed has its versions from the registries, which may take the
    // network's time: on a connection of its own, so the status bar's stays free.
    let choices: VersionChoice[];
    try {
      const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `vx: ${tool.name}'s versions` },
        async () => {
          const conn = await DaemonConnection.connect(undefined, LIST_VERSIONS_MS);
          try {
            return await conn.listVersions(tool.name);
          } finally {
            conn.close();
          }
        },
      );
      choices = versionChoices(answer, tool);
    } catch (err) {
      void vscode.window.showErrorMessage(`vx: the versions of ${tool.name}: ${(err as Error).message}`);
      return;
    }
    const choice = await vscode.window.showQuickPick(choices, {
      title: `vx: Choose Version of ${tool.name}`,
      placeHolder: tool.version ? `Now ${tool.version}` : undefined,
    });
    if (!choice) {
      return;
    }
    const version =
      choice.version ??
      (await vscode.window.showInputBox({
        title: `vx: Choose Version of ${tool.name}`,
        prompt: `${OTHER_VERSION.replace("…", "")}: an exact version (1.2.3) or a constraint (1.2, ^1.2, latest)`,
        validateInput: constraintProblem,
      }));
    if (!version) {
      return;
    }
    const spec = `${tool.name}@${version.trim()}`;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `vx add ${spec}` },
      () =>
        new Promise<void>((resolve) =>
          execFile(
            this.vx(),
            ["add", spec, "--quiet", "--manifest", chain.manifest ?? path.join(this.project, "vx.toml")],
            { cwd: this.project, timeout: 300_000, maxBuffer: 1024 * 1024 },
            (err, _stdout, stderr) => {
              if (err) {
                const said = stderr.trim().split("\n").slice(-5).join("\n") || err.message;
                void vscode.window.showErrorMessage(`vx add ${spec} failed: ${said}`);
              }
              resolve();
            },
          ),
        ),
    );
  }

  async restartDaemon(): Promise<void> {
    const [requests, events] = [this.requests, this.events];
    this.requests = undefined;
    this.events = undefined;
    requests?.close();
    events?.close();
    await new Promise<void>((r) => execFile(this.vx(), ["daemon", "stop"], () => r()));
    await this.startDaemon();
    this.failures = 0;
    await this.connect();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retry);
    clearTimeout(this.resultTimer);
    this.requests?.close();
    this.events?.close();
    this.item.dispose();
    this.watcher.dispose();
    this.diagnostics.dispose();
  }

  private startDaemon(): Promise<boolean> {
    return new Promise((resolve) =>
      execFile(this.vx(), ["daemon", "start"], { cwd: this.project }, (err) => resolve(!err)),
    );
  }

  private onEvent(event: Event): void {
    if (this.syncs.apply(event)) {
      if (event.type === "sync_progress" && event.final) {
        clearTimeout(this.resultTimer);
        this.resultTimer = setTimeout(() => {
          this.syncs.lastResult = undefined;
          this.render();
        }, RESULT_MS);
      }
      this.render();
      return;
    }
    // `lagged`: events were dropped, whatever they said is asked again.
    const lagged = event.type === "lagged";
    if (lagged || event.type === "config_changed" || event.type === "runtime_installed" || event.type === "runtime_removed") {
      void this.refresh();
    }
    // The lock's verdict changes with vx.toml and vx.lock only (the file watcher sees
    // them too; checks that overlap are run once more, not in parallel).
    if (lagged || event.type === "config_changed") {
      void this.check();
    }
  }

  private onLost(): void {
    const [requests, events] = [this.requests, this.events];
    this.requests = undefined;
    this.events = undefined;
    requests?.close();
    events?.close();
    this.daemon = "down";
    this.syncs.clear();
    this.render();
    if (!this.disposed) {
      const wait = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
      this.failures++;
      clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.connect(), wait);
    }
  }

  private render(): void {
    const view = statusView(this.daemon, this.toolchain, this.syncs, this.lock);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor =
      view.severity === "warning" ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  }
}
