// What `vx lock --check` says of a project, for the Problems view and the status bar:
// whether vx.lock matches vx.toml (exit 0), is stale or missing (exit 1), or whether
// vx.toml or vx.lock is wrong (exit 2, the CLI's errors naming the file, line and
// column: `/p/vx.toml:3:9: unknown key …`). The CLI stays the one reader of both
// files; the check reads no network. No vscode import: tested in Node against the
// real CLI (test/check.test.ts).

import { execFile } from "node:child_process";
import * as path from "node:path";

/** One error of vx.toml or vx.lock, at a 1-based line and column (1:1 when the CLI
 * names no place). */
export interface FileProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface LockCheck {
  /** `fresh`: vx.lock matches vx.toml; `stale`: it does not (`missing`: there is
   * none); `invalid`: vx.toml or vx.lock has errors (`problems`); `unknown`: the
   * check could not run (`detail` says why). */
  state: "fresh" | "stale" | "missing" | "invalid" | "unknown";
  /** What the CLI said, for a tooltip. */
  detail: string;
  problems: FileProblem[];
}

/** The longest output read from the check. */
const MAX_OUTPUT = 1024 * 1024;

/** Removes what a terminal would interpret (the CLI sanitizes what it prints from
 * files; this keeps a message a message). */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

/** The errors in the CLI's error output that name `files` (absolute paths): each line
 * `FILE:LINE:COL: message` or `FILE: message`, wherever on the line it starts (after
 * `vx: ` or `error: `); the lines that follow one without naming a file (a hint) are
 * part of its message. */
export function parseProblems(stderr: string, files: string[]): FileProblem[] {
  const problems: FileProblem[] = [];
  let last: FileProblem | undefined;
  for (const raw of plain(stderr).split("\n")) {
    const line = raw.trimEnd();
    if (!line.trim()) {
      continue;
    }
    let found: FileProblem | undefined;
    for (const file of files) {
      const at = line.indexOf(file + ":");
      if (at < 0) {
        continue;
      }
      const rest = line.slice(at + file.length);
      const m = /^:(\d+):(\d+): ?(.*)$/.exec(rest) ?? /^:()()\s*(.*)$/.exec(rest);
      if (m) {
        found = { file, line: Number(m[1]) || 1, column: Number(m[2]) || 1, message: m[3] };
        break;
      }
    }
    if (found) {
      problems.push(found);
      last = found;
    } else if (last) {
      last.message += "\n" + line.trim();
    }
  }
  return problems;
}

/** Runs `vx lock --check` on `manifest` (its vx.lock beside it). */
export function checkLock(vx: string, manifest: string, env?: NodeJS.ProcessEnv): Promise<LockCheck> {
  const files = [manifest, path.join(path.dirname(manifest), "vx.lock")];
  return new Promise((resolve) =>
    execFile(
      vx,
      ["lock", "--check", "--quiet", "--manifest", manifest],
      { cwd: path.dirname(manifest), env, timeout: 30_000, maxBuffer: MAX_OUTPUT },
      (err, stdout, stderr) => {
        const said = plain(`${stdout}${stderr}`).trim();
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        if (code === 0) {
          resolve({ state: "fresh", detail: said, problems: [] });
        } else if (code === 1) {
          resolve({ state: /\bis missing\b/.test(stdout) ? "missing" : "stale", detail: said, problems: [] });
        } else if (code === 2) {
          const problems = parseProblems(stderr, files);
          resolve({
            state: "invalid",
            detail: said,
            // An error that names no file is still vx.toml's to show.
            problems: problems.length ? problems : [{ file: manifest, line: 1, column: 1, message: said }],
          });
        } else {
          resolve({ state: "unknown", detail: said || String(err?.message ?? ""), problems: [] });
        }
      },
    ),
  );
}
