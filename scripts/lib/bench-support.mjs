// What the benchmark scripts share: importing TypeScript sources under Node 20, and the median.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Node 20 cannot import TypeScript, so `lines` (export statements with paths relative to the repo
 * root) are bundled with esbuild (a dependency of wrangler and vitest) into
 * modules/build/.bench/<name>.mjs and imported from there.
 */
export async function importTypeScript(name, lines, { external = false, define = undefined } = {}) {
  const { build } = await import("esbuild");
  const outfile = join(repoRoot, "modules", "build", ".bench", `${name}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    stdin: { contents: lines.join("\n"), resolveDir: repoRoot, sourcefile: `${name}-entry.ts`, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    ...(external ? { packages: "external" } : {}),
    ...(define ? { define } : {}),
    outfile,
    logLevel: "warning",
  });
  return import(pathToFileURL(outfile).href);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
