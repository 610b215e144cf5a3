// A loopback stand-in for nodejs.org's `dist/`, in its published format: `index.json`
// (every release, newest first: `version` with its `v`, `date`, `files` the builds,
// `lts` a codename or false) and `vV/SHASUMS256.txt` (`<sha256>  <file>` lines). vx
// reaches it through the user config's `url_replacements`, as it would reach a
// company's mirror of nodejs.org; `vx add node@V` locks a version from it without
// downloading an archive (the sums are made up: nothing is installed from here).

import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";

export interface NodeRelease {
  version: string;
  lts: string | false;
}

const BUILDS = ["linux-x64", "linux-arm64", "darwin-arm64", "darwin-x64", "win-x64"];

export class NodeDist {
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  /** Serves `releases` (newest first) on a free loopback port. */
  static async start(releases: NodeRelease[]): Promise<NodeDist> {
    const files = new Map<string, string>();
    files.set(
      "/dist/index.json",
      JSON.stringify(
        releases.map((r) => ({
          version: `v${r.version}`,
          date: "2024-02-14",
          files: ["headers", "linux-arm64", "linux-x64", "osx-arm64-tar", "osx-x64-tar", "src", "win-x64-zip"],
          npm: "10.2.4",
          lts: r.lts,
          security: false,
        })),
      ),
    );
    for (const r of releases) {
      const sums = BUILDS.map((b) => {
        const file = `node-v${r.version}-${b}.${b.startsWith("win") ? "zip" : b.startsWith("darwin") ? "tar.gz" : "tar.xz"}`;
        return `${crypto.createHash("sha256").update(file).digest("hex")}  ${file}\n`;
      }).join("");
      files.set(`/dist/v${r.version}/SHASUMS256.txt`, sums);
    }
    const server = http.createServer((req, res) => {
      const body = files.get(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
      res.writeHead(body === undefined ? 404 : 200, { "content-type": "text/plain" });
      res.end(body ?? "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return new NodeDist(server, `http://127.0.0.1:${port}/dist/`);
  }

  /** The user config (`$XDG_CONFIG_HOME/vx/config.toml`) sending nodejs.org here. */
  writeUserConfig(configHome: string): void {
    fs.mkdirSync(path.join(configHome, "vx"), { recursive: true });
    fs.writeFileSync(
      path.join(configHome, "vx", "config.toml"),
      `[url_replacements]\n"https://nodejs.org/dist/" = "${this.url}"\n`,
    );
  }

  close(): void {
    this.server.close();
  }
}
