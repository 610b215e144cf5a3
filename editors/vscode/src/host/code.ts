// A stand-in for the `code` executable that @vscode/test-cli starts (through
// @vscode/test-electron's `runTests`) to run the extension's tests: instead of VS Code
// desktop, which cannot be downloaded here, it runs code-server on loopback (a real
// VS Code server with a real extension host), installs the packaged `vx.vsix` into it,
// and opens the workbench in headless chromium (playwright-core) with the test run in
// the URL's payload, as VS Code's web test runner does. The extension host runs the
// tests; the workbench reports their exit code through `codeAutomationExit`, which
// becomes this process's exit code.
//
// While the tests run, a loopback HTTP server lets them ask what a person sees in the
// browser: `GET /statusbar?expect=TEXT&shot=NAME` waits for the vx status-bar item to
// read TEXT and saves a screenshot, `GET /quickpick?title=T` reads the rows of the open
// quick pick (once its title reads T), `GET /quickpick/choose?title=T&label=L` clicks
// the row labelled L as a person would.
// Its address reaches the extension host as `VX_TEST_BROWSER`.
//
// code-server comes from `CODE_SERVER` (host/test.sh sets it), chromium from `CHROMIUM` (else /usr/bin/chromium); screenshots go to
// `VX_TEST_ARTIFACTS` (else target/editor-host of the repository).

import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Browser, BrowserContext, Page, chromium } from "playwright-core";

/** The whole run's limit: the tests, the server and the browser together. */
const RUN_LIMIT_MS = 10 * 60_000;
/** How long one look at the browser may wait for what it expects. */
const LOOK_LIMIT_MS = 30_000;
const REPO = path.resolve(__dirname, "../../../..");

/** The flags chromium runs with: no sandbox (root in a container), no GPU, and
 * nothing that reaches the network on its own. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function log(message: string): void {
  process.stderr.write(`[editor-host] ${message}\n`);
}

/** code-server's entry (CODE_SERVER, which host/test.sh sets to what
 * scripts/editor-host.sh installed when it is not set). */
export function codeServerPath(): string {
  const entry = process.env.CODE_SERVER;
  if (!entry) {
    throw new Error("CODE_SERVER is not set: run the tests through host/test.sh (npm run test:host)");
  }
  return entry;
}

/** Starts code-server on a free loopback port; resolves with its origin once it listens. */
function startCodeServer(codeServer: string, args: string[], env: NodeJS.ProcessEnv): Promise<[ChildProcess, string]> {
  // code-server's own VS Code server (its lib/vscode), which takes VS Code's server
  // flags (code-server's front refuses --enable-smoke-test-driver).
  const vscodeServer = path.join(path.dirname(codeServer), "..", "..", "lib", "vscode", "out", "server-main.js");
  const child = spawn(process.execPath, [vscodeServer, ...args], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      process.stderr.write(text.replace(/^/gm, "[code-server] "));
      seen += text;
      const m = /Extension host agent listening on (\d+)/.exec(seen);
      if (m) {
        resolve([child, `http://127.0.0.1:${m[1]}`]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`code-server exited (${code}) before listening:\n${seen}`)));
  });
}

/** The vx status-bar item as the page shows it: its text and whether it wears the
 * warning background. */
async function statusBar(page: Page): Promise<{ text: string; warning: boolean } | undefined> {
  const items = page.locator(".statusbar-item", { hasText: /^\s*vx:/ });
  if ((await items.count()) === 0) {
    return undefined;
  }
  const item = items.first();
  const text = (await item.innerText()).trim();
  const classes = (await item.getAttribute("class")) ?? "";
  return { text, warning: /\bwarning-kind\b/.test(classes) };
}

/** Answers the tests' questions about the browser (see the file's comment). */
function lookServer(page: Page, artifacts: string): http.Server {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      if (url.pathname === "/statusbar") {
        const expect = url.searchParams.get("expect");
        const deadline = Date.now() + LOOK_LIMIT_MS;
        let seen = await statusBar(page);
        while (expect !== null && seen?.text !== expect && Date.now() < deadline) {
          await page.waitForTimeout(50);
          seen = await statusBar(page);
        }
        const shot = url.searchParams.get("shot");
        let screenshot: string | undefined;
        if (shot) {
          screenshot = path.join(artifacts, `${shot.replace(/[^A-Za-z0-9_-]/g, "_")}.png`);
          await page.screenshot({ path: screenshot });
        }
        answer(200, { ...seen, screenshot });
      } else if (url.pathname === "/quickpick" || url.pathname === "/quickpick/choose") {
        const widget = page.locator(".quick-input-widget");
        const title = url.searchParams.get("title");
        if (title !== null) {
          await widget.locator(".quick-input-title", { hasText: title }).first().waitFor({ timeout: LOOK_LIMIT_MS });
        }
        const rows = widget.locator(".monaco-list-row");
        await rows.first().waitFor({ timeout: LOOK_LIMIT_MS });
        const labels: string[][] = [];
        for (let i = 0; i < (await rows.count()); i++) {
          const row = rows.nth(i);
          labels.push(
            await Promise.all(
              [".label-name", ".label-description", ".quick-input-list-label-meta"].map(async (part) => {
                const el = row.locator(part);
                return (await el.count()) ? (await el.first().innerText()).trim() : "";
              }),
            ),
          );
        }
        const label = url.searchParams.get("label");
        if (url.pathname === "/quickpick/choose") {
          const at = labels.findIndex((r) => r[0] === label);
          if (at < 0) {
            answer(404, { error: `no row labelled ${label} in ${JSON.stringify(labels)}` });
            return;
          }
          await rows.nth(at).click();
        }
        answer(200, { rows: labels });
      } else {
        answer(404, { error: `no ${url.pathname}` });
      }
    } catch (err) {
      // What the page showed instead, kept beside the other screenshots.
      const shot = path.join(artifacts, `failed${url.pathname.replace(/[^A-Za-z0-9_-]/g, "-")}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      answer(500, { error: `${String(err)} (the page: ${shot})` });
    }
  });
}

/** Prints the results mocha wrote (xunit, `VX_TEST_REPORT`) as a person reads them,
 * ending with the `N passed, N failed` line; whether any test ran. */
export function printResults(report: string | undefined): boolean {
  if (!report || !fs.existsSync(report)) {
    log(`no test results at ${report ?? "(VX_TEST_REPORT unset)"}`);
    return false;
  }
  const xml = fs.readFileSync(report, "utf8");
  const unescape = (t: string) =>
    t
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  let passed = 0;
  let failed = 0;
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = unescape(/\bname="([^"]*)"/.exec(m[1])?.[1] ?? "?");
    const time = /\btime="([^"]*)"/.exec(m[1])?.[1] ?? "?";
    const failure = m[3] && /<failure\b[^>]*>([\s\S]*?)<\/failure>/.exec(m[3]);
    if (failure) {
      failed++;
      process.stdout.write(`  ✖ ${name} (${time} s)\n${unescape(failure[1]).replace(/^/gm, "      ")}\n`);
    } else if (m[3] && /<skipped/.test(m[3])) {
      process.stdout.write(`  - ${name} (skipped)\n`);
    } else {
      passed++;
      process.stdout.write(`  ✔ ${name} (${time} s)\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return passed + failed > 0;
}

async function main(args: string[]): Promise<number> {
  const testsPath = option(args, "extensionTestsPath");
  const devPath = option(args, "extensionDevelopmentPath");
  const userData = option(args, "user-data-dir") ?? fs.mkdtempSync(path.join(os.tmpdir(), "vx-host-user-"));
  const extensions = option(args, "extensions-dir") ?? fs.mkdtempSync(path.join(os.tmpdir(), "vx-host-ext-"));
  const folder = args.filter((a) => !a.startsWith("--")).pop();
  if (!testsPath || !devPath || !folder) {
    log(`usage: code --extensionTestsPath=P --extensionDevelopmentPath=P FOLDER (got ${args.join(" ")})`);
    return 2;
  }
  const codeServer = codeServerPath();
  const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
  const artifacts = process.env.VX_TEST_ARTIFACTS || path.join(REPO, "target", "editor-host");
  fs.mkdirSync(artifacts, { recursive: true });
  // A fresh profile each run: nothing of an earlier run is remembered.
  fs.rmSync(userData, { recursive: true, force: true });
  fs.rmSync(extensions, { recursive: true, force: true });
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.writeFileSync(
    path.join(userData, "User", "settings.json"),
    JSON.stringify({
      "workbench.startupEditor": "none",
      "security.workspace.trust.enabled": false,
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      // The extension's `vx.path` (a machine setting: the user's, never the
      // workspace's): the server may give the extension host a PATH of its own (the
      // login shell's), so the setting names this build's vx.
      ...(process.env.VX_BIN ? { "vx.path": process.env.VX_BIN } : {}),
    }),
  );
  // code-server's window is a remote one: a machine setting is read from the server's
  // machine settings, beside the user's.
  if (process.env.VX_BIN) {
    fs.mkdirSync(path.join(userData, "Machine"), { recursive: true });
    fs.writeFileSync(path.join(userData, "Machine", "settings.json"), JSON.stringify({ "vx.path": process.env.VX_BIN }));
  }

  // The extension as a user gets it: the packaged .vsix, installed by code-server.
  const vsix = path.join(devPath, "vx.vsix");
  const serverArgs = ["--user-data-dir", userData, "--extensions-dir", extensions];
  // And the test's other extensions (VX_TEST_EXTENSIONS, ':'-separated .vsix files).
  const others = (process.env.VX_TEST_EXTENSIONS ?? "").split(path.delimiter).filter(Boolean);
  execFileSync(codeServer, [...serverArgs, ...[vsix, ...others].flatMap((v) => ["--install-extension", v])], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const pkg = JSON.parse(fs.readFileSync(path.join(devPath, "package.json"), "utf8"));
  const installed = path.join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  fs.accessSync(path.join(installed, "out", "extension.js"));

  const started = Date.now();
  const look = { url: "" };
  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let browser: Browser | null | undefined;
  let lookout: http.Server | undefined;
  try {
    // The look server's address must be in code-server's environment (the extension
    // host inherits it), so it listens before code-server starts and gets its page later.
    let page: Page | undefined;
    const pageReady = new Promise<Page>((resolve) => {
      lookout = http.createServer((req, res) => {
        if (!page) {
          res.writeHead(503).end();
          return;
        }
        lookServer(page, artifacts).emit("request", req, res);
      });
      lookout.listen(0, "127.0.0.1", () => {
        const address = lookout!.address() as { port: number };
        look.url = `http://127.0.0.1:${address.port}`;
        resolve(undefined as unknown as Page);
      });
    });
    await pageReady;

    const env: NodeJS.ProcessEnv = { ...process.env, VX_TEST_BROWSER: look.url };
    delete env.ELECTRON_RUN_AS_NODE;
    let origin: string;
    [server, origin] = await startCodeServer(
      codeServer,
      [
        ...serverArgs,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--without-connection-token",
        "--accept-server-license-terms",
        "--server-data-dir",
        path.join(userData, "server"),
        "--telemetry-level",
        "off",
        "--disable-workspace-trust",
        // A built workbench reads the test run from the URL's payload only with this.
        "--enable-smoke-test-driver",
      ],
      env,
    );
    log(`code-server at ${origin} (${Date.now() - started} ms)`);

    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "vx-host-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 800 },
    });
    browser = context.browser();
    page = context.pages()[0] ?? (await context.newPage());
    const exited = new Promise<number>((resolve) => {
      void page!.exposeFunction("codeAutomationExit", (code: number) => resolve(code));
    });
    page.on("console", (m) => {
      if (m.type() === "error" || process.env.VX_TEST_BROWSER_LOG) {
        log(`browser console (${m.type()}): ${m.text()}`);
      }
    });
    const authority = new URL(origin).host;
    const remote = (p: string) => `vscode-remote://${authority}${p}`;
    const payload = [
      ["extensionDevelopmentPath", remote(installed)],
      ["extensionTestsPath", remote(testsPath)],
    ];
    await page.goto(`${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    log(`workbench opened at ${page.url()} (${Date.now() - started} ms)`);
    const limit = new Promise<number>((resolve) =>
      setTimeout(() => {
        log(`the tests did not end within ${RUN_LIMIT_MS / 1000} s`);
        resolve(1);
      }, RUN_LIMIT_MS).unref(),
    );
    const code = await Promise.race([exited, limit]);
    log(`tests ended with ${code} (${Date.now() - started} ms)`);
    if (!printResults(process.env.VX_TEST_REPORT) && code === 0) {
      log("no test ran");
      return 1;
    }
    fs.rmSync(profile, { recursive: true, force: true });
    return code;
  } finally {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    lookout?.close();
    if (server?.pid && server.exitCode === null) {
      // code-server and its extension host: the whole process group.
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    log(`failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
