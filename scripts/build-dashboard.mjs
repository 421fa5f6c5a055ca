// Builds the operators' dashboard (dashboard/src, Preact + uPlot) into dashboard/dist/ (not committed), the
// directory wrangler.toml's [assets] serves at `/`: index.html, _headers (the Content-Security-Policy) and one
// minified app.js and app.css. Runs from wrangler.toml's [build] command (so `npm start`, `wrangler dev` and
// `wrangler deploy` rebuild it), from `npm test` and from the vitest config (an [assets] directory must exist before
// the Workers pool starts). Prints the bundle's size.
//
//   node scripts/build-dashboard.mjs [--quiet]

import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DASHBOARD_DIST = join(root, "dashboard", "dist");
const PUBLIC_DIR = join(root, "dashboard", "public");

export async function buildDashboard() {
  await mkdir(DASHBOARD_DIST, { recursive: true });
  const result = await build({
    entryPoints: { app: join(root, "dashboard", "src", "main.tsx") },
    outdir: DASHBOARD_DIST,
    write: false,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    // No source maps and no legal-comment files in the deploy: the bundle is all there is to download.
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    // The typed client and answer types from the server's sources (dashboard/tsconfig.json maps the same name for types).
    alias: { "@helios/api": join(root, "src") },
    logLevel: "warning",
  });
  const files = result.outputFiles.map((f) => [f.path, f.contents]);
  for (const file of await readdir(PUBLIC_DIR)) files.push([join(DASHBOARD_DIST, file), await readFile(join(PUBLIC_DIR, file))]);
  // Every local server serves this directory while others may rebuild it (the e2e tests start several): a file is
  // replaced by a rename, never truncated or deleted, and only when its bytes changed.
  for (const [path, bytes] of files) await replaceIfChanged(path, bytes);
  return bundleSize();
}

async function replaceIfChanged(path, bytes) {
  const current = await readFile(path).catch(() => null);
  if (current !== null && Buffer.compare(current, Buffer.from(bytes)) === 0) return;
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

/** Bytes of what a first view downloads (index.html, app.js, app.css), raw and gzipped. */
export async function bundleSize() {
  let raw = 0;
  let gzip = 0;
  for (const file of ["index.html", "app.js", "app.css"]) {
    const path = join(DASHBOARD_DIST, file);
    raw += (await stat(path)).size;
    gzip += gzipSync(readFileSync(path)).length;
  }
  return { raw, gzip };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = await buildDashboard();
  if (!process.argv.includes("--quiet")) console.log(`build-dashboard: ${size.raw} bytes (${size.gzip} gzipped) in dashboard/dist`);
}
