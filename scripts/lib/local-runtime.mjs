// The local runtime: this repo's wrangler.toml served by Miniflare directly, with no dev proxy in the request path.
//
// Why not `wrangler dev` / `unstable_startWorker`: its dev server puts a proxy Worker (a second Miniflare instance)
// in front of the user Worker, which costs about 3x in throughput and is where an oversized chunked body used to
// leave the next request waiting 100 s. Why not a hand-written Miniflare config: it would drift from wrangler.toml.
// So the options come from wrangler itself: `unstable_readConfig` reads wrangler.toml (and .dev.vars), and
// `unstable_getMiniflareWorkerOptions` turns it into Miniflare worker options (vars, R2 buckets, Durable Objects with
// their SQLite flags, the Worker Loader binding) exactly as vitest-pool-workers does. We add only what wrangler dev
// adds on top: the `[build]` command, an esbuild bundle of `main` with wrangler's own settings, persistence under
// `<persistTo>/v3` (the layout `wrangler dev --persist-to` uses, so existing state keeps working), and bindings
// the caller injects (the token, operator settings).
//
// Requests reach workerd's own HTTP server (Miniflare's entry socket), so what a client sees at the HTTP level is
// what workerd does (see docs/limits.md, "HTTP edge").

import { spawnSync } from "node:child_process";
import { watch as watchFiles } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// wrangler, miniflare and esbuild are imported when the runtime starts, not with this module: loading wrangler
// takes seconds, and a taken port must be reported before that (assertPortFree).

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** How long workerd may take to start listening before the start counts as failed. */
const READY_TIMEOUT_MS = 60_000;

/** A taken port, found before workerd is started: workerd itself would only log the failure. */
export class PortInUseError extends Error {
  constructor(ip, port) {
    super(`port ${port} on ${ip} is already in use: stop what is listening there, or start on another port with --port <n> (npm start -- --port ${port + 1})`);
    this.name = "PortInUseError";
  }
}

/** Resolves if ip:port can be listened on now, rejects with PortInUseError if not. */
export function assertPortFree(ip, port) {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", (error) => fail(error.code === "EADDRINUSE" || error.code === "EACCES" ? new PortInUseError(ip, port) : error));
    probe.listen({ host: ip, port, exclusive: true }, () => probe.close(() => ok()));
  });
}

/** Runs wrangler.toml's `[build]` command, as wrangler dev does before bundling. */
function runBuildCommand(config) {
  const command = config.build?.command;
  if (!command) return;
  const result = spawnSync(command, { cwd: config.build.cwd ?? repoRoot, shell: true, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`the build command "${command}" failed`);
}

/**
 * Bundles `main` the way wrangler does for workerd (esm, its conditions, target and loaders; cloudflare:* external).
 * A `.wasm` import stays an import of a module beside the bundle, a CompiledWasm module as wrangler's default rules
 * make it (src/runtime/wasm-scanner.ts imports the function scanner's accelerator so): returned in `wasm`.
 */
async function bundle(config) {
  const { build } = await import("esbuild");
  const { readFileSync } = await import("node:fs");
  const { basename } = await import("node:path");
  const entry = resolve(dirname(config.configPath), config.main);
  const wasm = new Map();
  const compiledWasm = {
    name: "compiled-wasm",
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, (args) => {
        const file = resolve(args.resolveDir, args.path);
        const name = `./${basename(file)}`;
        wasm.set(name, file);
        return { path: name, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    keepNames: config.keep_names ?? true,
    minify: config.minify ?? false,
    sourcemap: "inline",
    external: ["cloudflare:*", "__STATIC_CONTENT_MANIFEST"],
    loader: { ".js": "jsx", ".mjs": "jsx", ".cjs": "jsx" },
    define: { "process.env.NODE_ENV": '"development"', ...config.define },
    plugins: [compiledWasm],
    logLevel: "warning",
  });
  return {
    path: join(dirname(entry), "__helios_bundle.js"),
    contents: result.outputFiles[0].text,
    wasm: [...wasm].map(([name, file]) => ({ type: "CompiledWasm", path: join(dirname(entry), name), contents: readFileSync(file) })),
  };
}

const LOG_LEVELS = { none: 0, error: 1, warn: 2, info: 3, debug: 4 }; // miniflare's LogLevel values

/** Waits until workerd listens (bounded), disposing of it on failure; a taken port becomes PortInUseError. */
async function listen(miniflare, ip, port) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`workerd did not start listening on ${ip}:${port} within ${READY_TIMEOUT_MS / 1000}s`)), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([miniflare.ready, timeout]);
    return miniflare;
  } catch (error) {
    await miniflare.dispose().catch(() => undefined);
    throw /address already in use/i.test(String(error?.message)) ? new PortInUseError(ip, port) : error;
  } finally {
    clearTimeout(timer);
  }
}

/** Host options every local server shares: the runtime and the benchmark's bare Worker are served the same way. */
function hostOptions(ip, port, logLevel) {
  const level = LOG_LEVELS[logLevel ?? "info"] ?? LOG_LEVELS.info;
  return {
    host: ip,
    port,
    // No cf.json download on start (it fails offline and prints a stack trace); Miniflare's placeholder is used.
    cf: false,
    logLevel: level,
    // Miniflare's entry Worker logs each request at info level; to do so it copies every answer (a new Response from
    // the old one, its headers included) even when the level then drops the line (miniflare's entry.worker.js,
    // maybeLogRequest). Below info there is nothing to log, so it is not asked to.
    logRequests: level >= LOG_LEVELS.info,
  };
}

/**
 * A Worker with no app code (answers a POST with its body), served exactly as the runtime is: the honest
 * baseline of the HTTP benchmark, measuring what workerd and Miniflare's entry cost on their own.
 */
export async function startBareWorker({ port, ip = "127.0.0.1", logLevel = "warn" }) {
  await assertPortFree(ip, port);
  const [{ Log, Miniflare }, { unstable_readConfig }] = await Promise.all([import("miniflare"), import("wrangler")]);
  const config = unstable_readConfig({ config: join(repoRoot, "wrangler.toml") });
  const { logLevel: level, ...host } = hostOptions(ip, port, logLevel);
  const script = `export default { async fetch(request) {
    return new Response(await request.arrayBuffer(), { headers: { "content-type": "application/octet-stream" } });
  } };`;
  const miniflare = await listen(
    new Miniflare({ ...host, log: new Log(level), modules: true, script, compatibilityDate: config.compatibility_date }),
    ip,
    port,
  );
  const url = await miniflare.ready;
  return { url: url.href.replace(/\/$/, ""), dispose: () => miniflare.dispose() };
}

/**
 * Starts the runtime; resolves once workerd listens.
 * @param {{ port: number, ip?: string, persistTo: string, bindings?: Record<string, string>, logLevel?: string,
 *           watch?: boolean, configPath?: string, main?: string, onReload?: () => void }} options
 * `main`: another Worker entry (absolute path) instead of wrangler.toml's, with the same bindings (benchmarks use
 * one that re-exports the runtime with a bench-only subclass).
 * @returns {Promise<{ url: string, dispose(): Promise<void> }>}
 */
export async function startLocalRuntime(options) {
  const ip = options.ip ?? "127.0.0.1";
  const configPath = options.configPath ?? join(repoRoot, "wrangler.toml");
  await assertPortFree(ip, options.port);
  const [{ Log, Miniflare }, { unstable_getMiniflareWorkerOptions, unstable_readConfig }] = await Promise.all([import("miniflare"), import("wrangler")]);

  const config = unstable_readConfig({ config: configPath });
  const miniflareOptions = async () => {
    runBuildCommand(config);
    const { workerOptions, externalWorkers } = unstable_getMiniflareWorkerOptions(config);
    const { modulesRules: _rules, ...rest } = workerOptions; // one bundled module: no rules to apply
    const module = await bundle(options.main === undefined ? config : { ...config, main: options.main });
    const { logLevel: level, ...host } = hostOptions(ip, options.port, options.logLevel);
    return {
      ...host,
      log: new Log(level),
      defaultPersistRoot: join(options.persistTo, "v3"),
      workers: [
        {
          name: config.name,
          ...rest,
          modules: [{ type: "ESModule", path: module.path, contents: module.contents }, ...module.wasm],
          bindings: { ...rest.bindings, ...options.bindings },
        },
        ...externalWorkers,
      ],
    };
  };

  const miniflare = await listen(new Miniflare(await miniflareOptions()), ip, options.port);
  const url = await miniflare.ready;

  // Watch mode: rebuild and swap the Worker in place when the source changes (wrangler dev's default too).
  let watchers = [];
  if (options.watch) {
    let pending = null;
    // The Worker's sources and the dashboard's (built into the Worker by the [build] command).
    watchers = [join(repoRoot, "src"), join(repoRoot, "dashboard", "src")].map((dir) => watchFiles(dir, { recursive: true }, (_event, file) => {
      if (file === null || String(file).includes("generated") || /\.test\.ts$/.test(String(file))) return;
      clearTimeout(pending);
      pending = setTimeout(async () => {
        try {
          await miniflare.setOptions(await miniflareOptions());
          options.onReload?.();
        } catch (error) {
          console.error(`reload failed: ${error.message}`);
        }
      }, 200);
    }));
  }

  return {
    url: url.href.replace(/\/$/, ""),
    miniflare,
    dispose: async () => {
      for (const watcher of watchers) watcher.close();
      await miniflare.dispose();
    },
  };
}
