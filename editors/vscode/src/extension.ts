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

import { DaemonConnection, DaemonError, Event, Toolchain } from "./daemon";
import { terminalEnvironment } from "./environment";
import { SyncTracker, statusView } from "./status";
import { ScriptTaskProvider, TASK_TYPE } from "./tasks";

/** Waits between reconnection attempts: doubled each failure, up to the last. */
const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
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
    vscode.tasks.registerTaskProvider(TASK_TYPE, new ScriptTaskProvider(folder, () => controller.vx())),
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
  readonly syncs = new SyncTracker();
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
  }

  /** The vx executable: the `vx.path` setting, else `vx` on PATH. */
  vx(): string {
    return vscode.workspace.getConfiguration("vx").get<string>("path") || "vx";
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
      await events.subscribe();
      this.daemon = "up";
      this.failures = 0;
      await this.refresh();
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
  }

  runInTerminal(name: string, args: string[]): void {
    const terminal = vscode.window.createTerminal({ name, cwd: this.project, shellPath: this.vx(), shellArgs: args });
    terminal.show();
  }

  async showToolchain(): Promise<void> {
    const chain = this.toolchain;
    if (!chain) {
      void vscode.window.showInformationMessage(statusView(this.daemon, chain, this.syncs).tooltip);
      return;
    }
    const items: vscode.QuickPickItem[] = [
      // A store's layout is <store>/<tool>/<version>/…: the directory names the tool.
      ...chain.bin_dirs.map((dir) => {
        const rel = dir.split(path.sep);
        const at = rel.lastIndexOf("bin");
        return { label: rel[at - 2] ?? dir, description: rel[at - 1], detail: dir };
      }),
      ...chain.missing.map((m) => ({ label: m.label, description: "not installed", detail: m.commands.join(" ") })),
    ];
    await vscode.window.showQuickPick(items, { title: `vx: ${chain.manifest ?? this.project}` });
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
    if (event.type === "config_changed" || event.type === "runtime_installed" || event.type === "runtime_removed") {
      void this.refresh();
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
    const view = statusView(this.daemon, this.toolchain, this.syncs);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor =
      view.severity === "warning" ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  }
}
