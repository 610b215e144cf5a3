// The vx daemon's client in TypeScript: docs/PROTOCOL.md (version 2) over the Unix
// socket, as the Python package implements it too. Node's `net` only, no vscode
// import, so it is tested in plain Node against the real daemon (test/daemon.test.ts).

import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { EventEmitter } from "node:events";

/** The protocol version this client implements. */
export const PROTOCOL_VERSION = 2;

/** The longest line read from the daemon (as the CLI's client allows). */
export const MAX_ANSWER = 64 * 64 * 1024;

/** The event types a client can subscribe to. */
export const EVENT_TYPES = ["runtime_installed", "runtime_removed", "config_changed", "sync_progress", "task_progress"] as const;

/** A tool's phases after which its row no longer changes. */
export const FINISHED_PHASES = new Set(["completed", "cached", "failed", "cancelled"]);

export interface Pong {
  uptime_secs: number;
  cached_runtimes: number;
  /** 0 from a daemon older than the field. */
  protocol: number;
  /** "" from a daemon older than the field. */
  version: string;
}

export interface Resolved {
  executable: string;
  version: string;
  env: Record<string, string>;
  unset: string[];
  package?: string;
}

export interface Environment {
  env: Record<string, string>;
  unset: string[];
}

export interface Versions {
  versions: string[];
  source?: string;
  /** With the registry's versions: each one's long-term-support line (`Iron`). */
  lts?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  /** The template, or null for a variable removed. */
  value: string | null;
  line: number;
  /** A value to take as written, never expanded (a `.env` file's single quotes). */
  literal?: boolean;
}

export interface Toolchain {
  manifest: string | null;
  bin_dirs: string[];
  missing: { label: string; commands: string[] }[];
  /** The project environment; `venv` (`[settings] python_venv`, absolute) only when
   * the project names a virtual environment. */
  environment?: { project: string; vars: EnvVar[]; path: string[]; venv?: string };
  /** Whether the user trusts the project (`vx trust`): when false, `environment`
   * holds only what its tools set. Absent outside a project. */
  trusted?: boolean;
}

export interface ToolProgress {
  tool: string;
  phase: string;
  bytes_done: number;
  bytes_total: number | null;
}

/** A task's row in a `task_progress` event (protocol 2): a running `vx run`'s task. */
export interface TaskProgress {
  task: string;
  /** `queued`, `waiting`, `starting`, `running`, `ready`, then `up_to_date`, `done`,
   * `failed` or `cancelled`. */
  phase: string;
  exit_code: number | null;
  elapsed_ms: number | null;
  output_bytes: number;
  message: string;
}

/** A task's phases after which its row no longer changes. */
export const FINISHED_TASK_PHASES = new Set(["up_to_date", "done", "failed", "cancelled"]);

export type Event =
  | { type: "runtime_installed"; runtime: string; version: string }
  | { type: "runtime_removed"; runtime: string; version: string }
  | { type: "config_changed"; path: string }
  | { type: "sync_progress"; board: string; label: string; tools: ToolProgress[]; final: boolean }
  | { type: "task_progress"; board: string; label: string; state: string; tasks: TaskProgress[]; final: boolean }
  | { type: "lagged"; dropped: number };

const RESPONSE_TYPES = new Set(["resolved", "environment", "versions", "subscribed", "toolchain", "pong", "error"]);

/** Why a call failed: `kind` says what a caller may do about it. */
export class DaemonError extends Error {
  constructor(
    /** `unavailable`: nothing listens; `lost`: the connection ended; `refused`: the
     * daemon answered `error` (the message is its own); `unsafe`: the socket is not
     * this user's; `protocol`: an answer this client cannot read; `timeout`. */
    readonly kind: "unavailable" | "lost" | "refused" | "unsafe" | "protocol" | "timeout",
    message: string,
  ) {
    super(message);
    this.name = "DaemonError";
  }
}

/** The daemon's socket, found as the vx CLI finds it. */
export function defaultSocket(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.VX_DAEMON_SOCKET;
  if (explicit) {
    return path.resolve(explicit);
  }
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) {
    return path.join(runtime, "vx", "daemon.sock");
  }
  const uid = process.getuid ? process.getuid() : 0;
  return path.join(env.TMPDIR || "/tmp", `vx-${uid}`, "daemon.sock");
}

/** Refuses a path that is not a socket of this user (Node cannot ask the kernel who
 * the peer is, so the socket file's owner is what is checked). */
export function checkSocket(socketPath: string): void {
  let info: fs.Stats;
  try {
    info = fs.statSync(socketPath);
  } catch (err) {
    throw new DaemonError("unavailable", `no vx daemon answers at ${socketPath}: ${(err as Error).message}`);
  }
  if (!info.isSocket()) {
    throw new DaemonError("unsafe", `${socketPath} is not a socket`);
  }
  const uid = process.getuid ? process.getuid() : info.uid;
  if (info.uid !== uid) {
    throw new DaemonError(
      "unsafe",
      `${socketPath} belongs to uid ${info.uid}, not to this user (uid ${uid}): refusing to talk to another user's daemon`,
    );
  }
}

interface Pending {
  resolve: (answer: Record<string, unknown>) => void;
  reject: (err: DaemonError) => void;
  timer: NodeJS.Timeout;
}

/**
 * One connection to the daemon. Requests are answered in order; events of a
 * subscription arrive as `event` emissions; `close` is emitted once when the
 * connection ends (the daemon stopped or was killed, or `close()`), and every call
 * still waiting is rejected with `lost`.
 */
export class DaemonConnection extends EventEmitter {
  private buffer = "";
  private pending: Pending[] = [];
  private closed = false;

  private constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
    private readonly timeoutMs: number,
  ) {
    super();
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", () => this.end("the daemon closed the connection"));
    socket.on("close", () => this.end("the daemon closed the connection"));
  }

  /** Connects (refusing a socket that is not this user's). */
  static async connect(socketPath = defaultSocket(), timeoutMs = 10_000): Promise<DaemonConnection> {
    checkSocket(socketPath);
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DaemonError("timeout", `connecting to ${socketPath} timed out`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new DaemonConnection(socket, socketPath, timeoutMs));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new DaemonError("unavailable", `no vx daemon answers at ${socketPath}: ${err.message}`));
      });
    });
  }

  /** Sends one request object; its answer, or a rejection (`refused` for an `error` answer). */
  request(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.closed) {
      return Promise.reject(new DaemonError("lost", "the connection to the daemon is closed"));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.end("the daemon did not answer in time", "timeout");
      }, this.timeoutMs);
      this.pending.push({ resolve, reject, timer });
      this.socket.write(JSON.stringify(request) + "\n");
    });
  }

  async ping(): Promise<Pong> {
    const a = await this.expect({ type: "ping" }, "pong");
    return {
      uptime_secs: a.uptime_secs as number,
      cached_runtimes: a.cached_runtimes as number,
      protocol: typeof a.protocol === "number" ? a.protocol : 0,
      version: typeof a.version === "string" ? a.version : "",
    };
  }

  async resolve(runtime: string, cwd: string, version: string | null = null): Promise<Resolved> {
    const a = await this.expect({ type: "resolve", runtime, version, cwd }, "resolved");
    return { unset: [], ...a } as unknown as Resolved;
  }

  async getEnvironment(runtime: string, cwd: string, version: string | null = null): Promise<Environment> {
    const a = await this.expect({ type: "get_environment", runtime, version, cwd }, "environment");
    return { unset: [], ...a } as unknown as Environment;
  }

  async listVersions(runtime: string): Promise<Versions> {
    return (await this.expect({ type: "list_versions", runtime }, "versions")) as unknown as Versions;
  }

  async toolchain(cwd: string): Promise<Toolchain> {
    return (await this.expect({ type: "toolchain", cwd }, "toolchain")) as unknown as Toolchain;
  }

  /** Subscribes this connection to `types` (default: all); events follow as `event`. */
  async subscribe(types: readonly string[] = EVENT_TYPES): Promise<string> {
    const a = await this.expect({ type: "subscribe", event_types: types }, "subscribed");
    return a.subscription_id as string;
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
    this.end("closed");
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async expect(request: Record<string, unknown>, kind: string): Promise<Record<string, unknown>> {
    const answer = await this.request(request);
    if (answer.type === kind) {
      return answer;
    }
    if (answer.type === "error") {
      throw new DaemonError("refused", String(answer.message));
    }
    throw new DaemonError("protocol", `expected a ${kind} answer, got ${String(answer.type)}`);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let at: number;
    while ((at = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 1);
      if (line.trim()) {
        this.onLine(line);
      }
    }
    if (this.buffer.length > MAX_ANSWER) {
      this.end("an over-long line from the daemon", "protocol");
    }
  }

  private onLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.end(`not a JSON line from the daemon: ${line.slice(0, 200)}`, "protocol");
      return;
    }
    if (typeof value !== "object" || value === null || typeof (value as { type?: unknown }).type !== "string") {
      this.end(`not a message from the daemon: ${line.slice(0, 200)}`, "protocol");
      return;
    }
    const message = value as Record<string, unknown>;
    if (RESPONSE_TYPES.has(message.type as string)) {
      const waiting = this.pending.shift();
      if (waiting) {
        clearTimeout(waiting.timer);
        waiting.resolve(message);
      }
      return;
    }
    this.emit("event", message as unknown as Event);
  }

  private end(why: string, kind: DaemonError["kind"] = "lost"): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.socket.destroy();
    for (const waiting of this.pending.splice(0)) {
      clearTimeout(waiting.timer);
      waiting.reject(new DaemonError(kind, why));
    }
    this.emit("close", new DaemonError(kind, why));
  }
}

