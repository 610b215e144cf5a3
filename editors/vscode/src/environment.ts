// What integrated terminals get from the project: the tools' directories and
// `[settings] path` before PATH, and `[env]` expanded as vx applies it everywhere
// (vx-model's project_env, `Changes::of`): `{project}` the project directory, `${VAR}`
// (and `${VAR:-w}`, `${VAR-w}`, `${VAR:+w}`, `${VAR+w}`) the value an entry above gave
// VAR, else the editor's own environment's; a variable set to false is removed. The project's virtual environment
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

/** What a `${…}` holds (vx's `environment::Reference`): a variable name, then
 * optionally `-`/`:-` (the word when unset / unset or empty) or `+`/`:+` (the word
 * when set / set and not empty). */
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+])([\s\S]*))?$/;

/** `template` expanded as vx's `project_env::expand`: `{project}` the project
 * directory, `${VAR}` the value `lookup` gives (empty when unset) and the word forms
 * of {@link REFERENCE}; an unclosed `${`, or one that is not a reference, kept as
 * written. */
export function expand(template: string, project: string, lookup: (name: string) => string | undefined): string {
  const word = (text: string) => text.split("{project}").join(project);
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
      const reference = REFERENCE.exec(inner);
      if (!reference || reference[1].length > 128) {
        out += "${" + inner + "}";
      } else {
        const [, name, colon, op, text] = reference;
        const value = lookup(name);
        const given = value !== undefined && (colon !== ":" || value !== "");
        if (op === undefined) {
          out += value ?? "";
        } else if (op === "-") {
          out += given ? value : word(text);
        } else if (given) {
          out += word(text);
        }
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
  // A template sees the entries above it (one removed: unset), then the editor's
  // environment; a name given twice: its last entry wins.
  const seen = new Map<string, string | undefined>();
  const lookup = (name: string) => (seen.has(name) ? seen.get(name) : env[name]);
  for (const v of declared?.vars ?? []) {
    result.unset = result.unset.filter((n) => n !== v.name);
    delete result.set[v.name];
    if (v.value === null) {
      result.unset.push(v.name);
      seen.set(v.name, undefined);
    } else {
      const value = v.literal ? v.value : expand(v.value, declared!.project, lookup);
      result.set[v.name] = value;
      seen.set(v.name, value);
    }
  }
  return result;
}
