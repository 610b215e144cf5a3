// The real `vx daemon` of the build under test ($VX_BIN, default target/debug/vx of
// this repository) on a workspace of its own: a project of file:// tools, a store, a
// board directory and a socket no other test or user shares.

import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The longest any one wait may take. */
export const DEADLINE_MS = 60_000;

export const REPO = path.resolve(__dirname, "../../../..");

export function vxBin(): string {
  const bin = process.env.VX_BIN || path.join(REPO, "target/debug/vx");
  fs.accessSync(bin, fs.constants.X_OK);
  return bin;
}

export class Workspace {
  readonly root: string;
  readonly project: string;
  readonly store: string;
  readonly socket: string;
  readonly manifest: string;
  readonly vx = vxBin();
  readonly env: NodeJS.ProcessEnv;

  /** A new workspace, or (`root`) one made earlier by another process: the extension
   * host's tests take over the one the test runner's configuration made. */
  constructor(root?: string) {
    this.root = root ?? fs.mkdtempSync(path.join(os.tmpdir(), "vx-vscode-"));
    this.project = path.join(this.root, "project");
    this.store = path.join(this.root, "store");
    this.socket = path.join(this.root, "d", "daemon.sock");
    this.manifest = path.join(this.project, "vx.toml");
    if (!root) {
      fs.mkdirSync(this.project);
      fs.mkdirSync(path.join(this.root, "boards"));
      fs.mkdirSync(path.join(this.root, "archives"));
    }
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith("VX_") && !k.startsWith("XDG_") && k !== "GITHUB_TOKEN" && k !== "GH_TOKEN") {
        env[k] = v;
      }
    }
    Object.assign(env, {
      HOME: path.join(this.root, "home"),
      XDG_DATA_HOME: path.join(this.root, "data"),
      XDG_CONFIG_HOME: path.join(this.root, "config"),
      VX_CACHE_DIR: path.join(this.root, "cache"),
      VX_BOARD_DIR: path.join(this.root, "boards"),
      VX_DAEMON_SOCKET: this.socket,
    });
    this.env = env;
  }

  /** The store's tree of `tool` at `version` (`store`: another store than the
   * workspace's): `<store>/<tool>/<version>-<key>`, `<key>` (12 hex digits) naming the
   * package it came from. */
  tree(tool: string, version: string, store: string = this.store): string {
    const dir = path.join(store, tool);
    const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp("^" + escaped + "-[0-9a-f]{12}$");
    const found = fs.readdirSync(dir).filter((name) => pattern.test(name));
    if (found.length !== 1) {
      throw new Error(`${tool} ${version} in ${dir}: ${JSON.stringify(found)}`);
    }
    return path.join(dir, found[0]);
  }

  /** `[tools.NAME]` of a file:// archive holding `bin/NAME`, version 1. */
  toolToml(name: string, postInstall?: string): string {
    // Made once per name: tar and gzip record times, so an archive made again a second
    // later has another sha256, and the project would name a tool its store lacks.
    const archive = path.join(this.root, "archives", `${name}.tar.gz`);
    if (!fs.existsSync(archive)) {
      const dir = path.join(this.root, "archives", name);
      fs.mkdirSync(path.join(dir, "pkg", "bin"), { recursive: true });
      fs.writeFileSync(path.join(dir, "pkg", "bin", name), `#!/bin/sh\necho ${name}\n`, { mode: 0o755 });
      execFileSync("tar", ["-czf", archive, "-C", dir, "pkg"]);
    }
    const sha = crypto.createHash("sha256").update(fs.readFileSync(archive)).digest("hex");
    let table = `[tools.${name}]\nversion = "1"\nurl = "file://${archive}"\nsha256 = "${sha}"\nstrip_components = 1\n`;
    if (postInstall !== undefined) {
      table += `post_install = ${JSON.stringify(postInstall)}\n`;
    }
    return table + "\n";
  }

  /** Writes the project's vx.toml and trusts it (`vx trust`), as its user would: the
   * daemon answers a project's own [env] for editors to apply only once it is trusted. */
  writeProject(names: string[], extra = "", postInstall?: string): void {
    fs.writeFileSync(this.manifest, names.map((n) => this.toolToml(n, postInstall)).join("") + extra);
    this.run("trust", this.manifest);
  }

  run(...args: string[]): string {
    const out = spawnSync(this.vx, args, { env: this.env, cwd: this.project, encoding: "utf8", timeout: DEADLINE_MS });
    if (out.status !== 0) {
      throw new Error(`vx ${args.join(" ")} exited ${out.status}: ${out.stderr}`);
    }
    return out.stdout;
  }

  syncArgs(): string[] {
    return ["sync", "--headless", "--manifest", this.manifest, "--store", this.store];
  }

  startDaemon(): void {
    this.run("daemon", "start", "--store", this.store);
  }

  status(): { running: boolean; pid: number | null; socket: string } {
    const out = spawnSync(this.vx, ["daemon", "status", "--json"], { env: this.env, encoding: "utf8" });
    return JSON.parse(out.stdout);
  }

  /** Stops the daemon (killing it if it does not stop) and removes the workspace. */
  dispose(): void {
    const status = this.status();
    if (status.running) {
      spawnSync(this.vx, ["daemon", "stop"], { env: this.env });
      if (this.status().running && status.pid) {
        process.kill(status.pid, "SIGKILL");
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Resolves when `condition` holds, looking again every 10 ms;
 * rejects at the deadline. */
export async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
