// The settings through which the language extensions take an interpreter, from the
// project's tools as the daemon resolves them: the Python extension's
// `python.defaultInterpreterPath` (the executable), the Go extension's `go.goroot` and
// the Java extension's `java.jdt.ls.java.home` (the install's root: GOROOT, JAVA_HOME).
// No vscode import: tested in Node against the real daemon
// (test/interpreters.test.ts).

import * as path from "node:path";

import { Resolved } from "./daemon";

/** A language's setting and how it is read from its tool resolved. */
interface Offer {
  tool: string;
  setting: string;
  value: (r: Resolved) => string;
}

/** An install's root: the directory above its executable's `bin`. */
function root(r: Resolved): string {
  return path.dirname(path.dirname(r.executable));
}

export const OFFERS: readonly Offer[] = [
  { tool: "python", setting: "python.defaultInterpreterPath", value: (r) => r.executable },
  // A runtime's own variable when vx sets one, else where its `bin` is.
  { tool: "go", setting: "go.goroot", value: (r) => r.env.GOROOT || root(r) },
  { tool: "java", setting: "java.jdt.ls.java.home", value: (r) => r.env.JAVA_HOME || root(r) },
];

/** The tools whose interpreter is offered. */
export const OFFERED_TOOLS: readonly string[] = OFFERS.map((o) => o.tool);

/** Each setting to write (`setting` → value) for the tools resolved (`tool` →
 * answer); a tool the project lacks has no setting. */
export function interpreterSettings(resolved: ReadonlyMap<string, Resolved>): Map<string, string> {
  const settings = new Map<string, string>();
  for (const offer of OFFERS) {
    const r = resolved.get(offer.tool);
    if (r) {
      settings.set(offer.setting, offer.value(r));
    }
  }
  return settings;
}
