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
/**
 * esbuild plugin: each bundled TypeScript file keeps its own import.meta.url (a bundle has only the bundle's), so
 * sources that find their fixtures next to themselves (src/wasm/fixtures.ts, test/support/guest-modules.ts) work.
 */
const ownImportMetaUrl = {
  name: "own-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      return { contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
    });
  },
};

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
    plugins: [ownImportMetaUrl],
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
