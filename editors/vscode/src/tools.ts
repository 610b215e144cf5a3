// The project's tools as the daemon's `toolchain` answer names them, and a tool's
// versions as its `list_versions` answer gives them, shaped for the quick picks of
// `vx: Show Toolchain` and `vx: Choose Version`. No vscode import: tested in Node
// against the real daemon (test/tools.test.ts).

import * as path from "node:path";

import { Toolchain, Versions } from "./daemon";

/** One tool of the project: installed (its executables' directory) or not. */
export interface ProjectTool {
  name: string;
  /** The version the project uses ("" when the answer does not say). */
  version: string;
  installed: boolean;
  /** Its executables' directory, or (not installed) the commands it would provide. */
  detail: string;
}

/** A store's version directory as its version: `<version>-<key>`, where `<key>` (12 hex
 * digits) names the package the tree came from, or an older vx's `<version>`. */
export function storeVersion(dir: string): string {
  return dir.replace(/-[0-9a-f]{12}$/, "");
}

/** The project's tools, installed ones in PATH order, then the ones missing. A store
 * lays a tool out as `<store>/<tool>/<version>-<key>/…/bin`: the directories above the
 * last `bin` name it. */
export function projectTools(chain: Toolchain): ProjectTool[] {
  const installed = chain.bin_dirs.map((dir) => {
    const parts = dir.split(path.sep);
    const at = parts.lastIndexOf("bin");
    const version = storeVersion(parts[at - 1] ?? "");
    return { name: parts[at - 2] ?? dir, version, installed: true, detail: dir };
  });
  const missing = chain.missing.map((m) => {
    // The label is `name version`.
    const space = m.label.indexOf(" ");
    return {
      name: space < 0 ? m.label : m.label.slice(0, space),
      version: space < 0 ? "" : m.label.slice(space + 1),
      installed: false,
      detail: m.commands.join(" "),
    };
  });
  return [...installed, ...missing];
}

/** One entry of the version pick: a version, or (`version` undefined) the entry that
 * asks for any other constraint. */
export interface VersionChoice {
  label: string;
  description: string;
  version: string | undefined;
}

/** The label of the entry that asks for a version or constraint not listed. */
export const OTHER_VERSION = "Other version or constraint…";

/** The versions of `answer` for `tool`, newest first, the one the project uses and
 * the installed ones said so, then the entry for any other constraint. The daemon
 * lists a tool's installed versions when it has some (oldest first), else the
 * registries' (`source: "registry"`, newest first). */
export function versionChoices(answer: Versions, tool: ProjectTool): VersionChoice[] {
  const installed = answer.source !== "registry";
  const newestFirst = installed ? [...answer.versions].reverse() : answer.versions;
  const choices: VersionChoice[] = newestFirst.map((version) => {
    const notes = [];
    if (version === tool.version) {
      notes.push("current");
    }
    if (installed) {
      notes.push("installed");
    }
    const lts = answer.lts?.[version];
    if (lts) {
      notes.push(`LTS ${lts}`);
    }
    return { label: version, description: notes.join(", "), version };
  });
  choices.push({
    label: OTHER_VERSION,
    description: installed ? "the registries' versions: `vx versions " + tool.name + "`" : "",
    version: undefined,
  });
  return choices;
}

/** Whether `text` can follow `NAME@` in `vx add`: a version or constraint, not blank. */
export function constraintProblem(text: string): string | undefined {
  const t = text.trim();
  if (!t) {
    return "Give a version (1.2.3) or a constraint (1.2, ^1.2, latest)";
  }
  return undefined;
}
