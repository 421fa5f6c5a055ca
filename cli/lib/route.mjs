// Routes on the command line: `3` (all traffic to version 3) or `3:90,2:10` (a split in percent), as the deployment
// API's bodies `{ "version": 3 }` and `{ "versions": [{ "version": 3, "percent": 90 }, ...] }`.

import { UsageError } from "./errors.mjs";

/**
 * @param {string} raw @param {string} command
 * @returns {{ version: number } | { versions: { version: number, percent: number }[] }}
 */
export function parseRoute(raw, command) {
  const single = /^v?(\d+)$/.exec(raw.trim());
  if (single) return { version: Number(single[1]) };
  const versions = raw.split(",").map((part) => {
    const share = /^v?(\d+):(\d+(?:\.\d+)?)%?$/.exec(part.trim());
    if (!share) throw new UsageError(`${JSON.stringify(raw)} is not a route: give a version (3) or a split (3:90,2:10)`, command);
    return { version: Number(share[1]), percent: Number(share[2]) };
  });
  return { versions };
}

/** `v3` or `v3 90% · v2 10%`. @param {{ version: number, percent: number }[] | undefined | null} route */
export function routeText(route) {
  if (!route || route.length === 0) return "-";
  if (route.length === 1) return `v${route[0].version}`;
  return route.map((s) => `v${s.version} ${s.percent}%`).join(" · ");
}
