// What integrated terminals get from the project: the tools' directories and
// `[settings] path` before PATH, and `[env]` expanded against the editor's own
// environment, as vx applies them everywhere (src/project_env in vx): `{project}` the
// project directory, `${VAR}` and `${VAR:-default}` from the inherited environment; a
// variable set to false is removed. The project's virtual environment
// (`[settings] python_venv`) is activated as its `activate` script does and as vx does
// (src/project_env/venv.rs): `VIRTUAL_ENV` set to it, before `[env]` (whose entries
// win), and its `bin` (`Scripts` on Windows) first on PATH, before the tools'
// directories. Tested against the daemon's own expansion.

import * as path from "node:path";

import { Toolchain } from "./daemon";

/** The variable naming the active virtual environment (`activate` sets it; pip,
 * poetry and uv read it). */
export const VIRTUAL_ENV = "VIRTUAL_ENV";

/** The directory of a virtual environment's executables: `Scripts` on Windows, else
 * `bin` (vx's `project_env::venv::bin_dir`). */
export function venvBin(venv: string, platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? path.win32.join(venv, "Scripts") : path.posix.join(venv, "bin");
}

export interface TerminalEnvironment {
  /** Directories to put before PATH, in order. */
  pathPrepend: string[];
  /** Variables to set. */
  set: Record<string, string>;
  /** Variables to remove. */
  unset: string[];
}

/** The index of the `}` closing a `${` whose inside starts `text`, nested braces
 * (`${A:-{project}/d}`) counted; -1 when there is none. */
function closingBrace(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "{") {
      depth++;
    } else if (text[i] === "}") {
      if (depth === 0) {
        return i;
      }
      depth--;
    }
  }
  return -1;
}

/** `template` expanded as vx's `project_env::expand`: `{project}` the project
 * directory, `${VAR}` the inherited value (empty when unset), `${VAR:-default}` the
 * inherited value unless unset or empty; an unclosed `${` kept as written. */
export function expand(template: string, project: string, env: NodeJS.ProcessEnv): string {
  let out = "";
  let rest = template;
  for (;;) {
    const v = rest.indexOf("${");
    const p = rest.indexOf("{project}");
    if (v >= 0 && (p < 0 || v < p)) {
      out += rest.slice(0, v);
      const after = rest.slice(v + 2);
      const end = closingBrace(after);
      if (end < 0) {
        return out + rest.slice(v);
      }
      const inner = after.slice(0, end);
      const split = inner.indexOf(":-");
      if (split >= 0) {
        const value = env[inner.slice(0, split)];
        out += value ? value : inner.slice(split + 2).split("{project}").join(project);
      } else {
        out += env[inner] ?? "";
      }
      rest = after.slice(end + 1);
    } else if (p >= 0) {
      out += rest.slice(0, p) + project;
      rest = rest.slice(p + "{project}".length);
    } else {
      return out + rest;
    }
  }
}

/** The terminal environment of `toolchain` (none outside a project). */
export function terminalEnvironment(
  toolchain: Toolchain,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): TerminalEnvironment {
  const declared = toolchain.environment;
  const venv = declared?.venv;
  const result: TerminalEnvironment = {
    pathPrepend: [...(venv ? [venvBin(venv, platform)] : []), ...toolchain.bin_dirs, ...(declared?.path ?? [])],
    set: venv ? { [VIRTUAL_ENV]: venv } : {},
    unset: [],
  };
  // Templates see the inherited environment only, never another [env] entry; a name
  // given twice: its last entry wins.
  for (const v of declared?.vars ?? []) {
    result.unset = result.unset.filter((n) => n !== v.name);
    delete result.set[v.name];
    if (v.value === null) {
      result.unset.push(v.name);
    } else {
      result.set[v.name] = v.literal ? v.value : expand(v.value, declared!.project, env);
    }
  }
  return result;
}
