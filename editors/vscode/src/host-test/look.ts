// What a person sees in the workbench, asked of the stand-in `code` (src/host/code.ts)
// that drives headless chromium: its loopback address is VX_TEST_BROWSER.

import * as http from "node:http";

function get<T>(pathAndQuery: string): Promise<T> {
  const base = process.env.VX_TEST_BROWSER;
  if (!base) {
    return Promise.reject(new Error("VX_TEST_BROWSER is not set: not run by host/code"));
  }
  return new Promise((resolve, reject) => {
    http
      .get(base + pathAndQuery, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          const value = JSON.parse(body);
          if (res.statusCode !== 200) {
            reject(new Error(`the browser: ${value.error ?? res.statusCode}`));
          } else {
            resolve(value as T);
          }
        });
      })
      .on("error", reject);
  });
}

export interface StatusBarLook {
  text?: string;
  warning?: boolean;
  screenshot?: string;
}

/** The vx status-bar item as the page shows it, once it reads `expect` (or after the
 * browser's wait); a screenshot named `shot` is kept as a test artifact. */
export function statusBar(expect: string, shot?: string): Promise<StatusBarLook> {
  const q = new URLSearchParams({ expect });
  if (shot) q.set("shot", shot);
  return get(`/statusbar?${q}`);
}

/** The rows of the open quick pick, once its title reads `title` when given:
 * [label, description, detail] each. */
export async function quickPick(title?: string): Promise<string[][]> {
  const q = new URLSearchParams(title === undefined ? {} : { title });
  return (await get<{ rows: string[][] }>(`/quickpick?${q}`)).rows;
}

/** Clicks the row labelled `label` of the quick pick titled `title`; the rows it had. */
export async function choose(title: string, label: string): Promise<string[][]> {
  return (await get<{ rows: string[][] }>(`/quickpick/choose?${new URLSearchParams({ title, label })}`)).rows;
}
