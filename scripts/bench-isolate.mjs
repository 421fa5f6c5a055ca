// Isolate start: what the sandbox code costs every new guest isolate. In one workerd (Miniflare) with a Worker
// Loader binding, each sample asks the loader for a fresh key (a new isolate: parse and run the sandbox bundle,
// compile a tiny guest) and calls warm(); a warm key measures the same round trip without a start. Two bundles
// alternate in the same run: the sandbox bundle as built, and the same bundle plus the whole wasm toolkit (what
// every isolate carried before the sandbox imported only the fuel protocol), so the ratio shows what that costs.
// Client-side times, p50 and p90 over the samples; `--quick` is a smoke run. Numbers are informational.

import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { bundleSandbox, sandboxBuildOptions } from "./build-sandbox.mjs";

const quick = process.argv.includes("--quick");
const SAMPLES = quick ? 5 : 60;

// The smallest valid module: an isolate start with almost no guest compilation, so the sandbox code dominates.
const EMPTY_GUEST = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

const WORKER = `
const SETTINGS = { functionName: "bench", region: "local", profile: [], maxMemoryPages: 1, config: {}, allowedHosts: [] };
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const code = env.BUNDLES[url.searchParams.get("bundle")];
    const stub = env.LOADER.get(url.searchParams.get("key"), () => ({
      compatibilityDate: "2026-04-26",
      mainModule: "sandbox.js",
      modules: { "sandbox.js": code, "guest.wasm": { wasm: new Uint8Array(env.GUEST).buffer } },
      globalOutbound: null,
      env: { SETTINGS },
    }));
    await stub.getEntrypoint().warm();
    return new Response("ok");
  },
};`;

async function bundles() {
  const sandbox = await bundleSandbox();
  const withToolkit = await build(
    sandboxBuildOptions({
      contents: `import "./src/wasm/index.ts";\nexport { default } from "./src/sandbox/isolate-entry.ts";`,
      sourcefile: "isolate-entry-with-toolkit.ts",
    }),
  );
  return { sandbox: sandbox.code, "sandbox+toolkit": withToolkit.outputFiles[0].text };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function timed(mf, bundle, key) {
  const started = performance.now();
  const response = await mf.dispatchFetch(`http://bench/?bundle=${encodeURIComponent(bundle)}&key=${key}`);
  const text = await response.text();
  if (text !== "ok") throw new Error(`isolate start failed (${bundle}): ${text.slice(0, 300)}`);
  return performance.now() - started;
}

const code = await bundles();
const mf = new Miniflare({
  modules: true,
  script: WORKER,
  compatibilityDate: "2026-04-26",
  workerLoaders: { LOADER: {} },
  bindings: { BUNDLES: code, GUEST: EMPTY_GUEST },
});
try {
  const names = Object.keys(code);
  const fresh = Object.fromEntries(names.map((n) => [n, []]));
  const warm = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) await timed(mf, name, `${name}-warm`);
  for (let i = 0; i < SAMPLES; i++) {
    for (const name of names) {
      fresh[name].push(await timed(mf, name, `${name}-${i}`));
      warm[name].push(await timed(mf, name, `${name}-warm`));
    }
  }
  console.log(`Isolate start (fresh loader key + warm(), ${SAMPLES} samples each, alternating; client-side ms)`);
  console.log("bundle".padEnd(18), "bytes".padStart(8), "fresh p50".padStart(10), "fresh p90".padStart(10), "warm p50".padStart(9), "start p50".padStart(10));
  const startOf = {};
  for (const name of names) {
    startOf[name] = percentile(fresh[name], 0.5) - percentile(warm[name], 0.5);
    console.log(
      name.padEnd(18),
      String(code[name].length).padStart(8),
      percentile(fresh[name], 0.5).toFixed(2).padStart(10),
      percentile(fresh[name], 0.9).toFixed(2).padStart(10),
      percentile(warm[name], 0.5).toFixed(2).padStart(9),
      startOf[name].toFixed(2).padStart(10),
    );
  }
  console.log(`\nstart p50 ratio sandbox / sandbox+toolkit: ${(startOf.sandbox / startOf["sandbox+toolkit"]).toFixed(2)}`);
  console.log(`bundle size ratio: ${(code.sandbox.length / code["sandbox+toolkit"].length).toFixed(2)}`);
} finally {
  await mf.dispose();
}
