// The scripts of vx.toml's [scripts] as `vx run` lists them, for the task provider
// (tasks.ts); no vscode import, so it is tested in Node against the real CLI.

export interface Script {
  name: string;
  /** Its description, else its command, as `vx run` shows it. */
  detail: string;
}

/** The scripts of `vx run`'s listing: one a line, the name, two spaces or more, then
 * the description or command. */
export function parseScripts(listing: string): Script[] {
  const scripts: Script[] = [];
  for (const line of listing.split("\n")) {
    const m = /^(\S+)(?:\s{2,}(.*))?$/.exec(line.trimEnd());
    if (m) {
      scripts.push({ name: m[1], detail: m[2] ?? "" });
    }
  }
  return scripts;
}
