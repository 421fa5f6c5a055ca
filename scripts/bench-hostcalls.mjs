// Benchmark of host calls inside real invocations (runInvocation, the sandbox's own code, on instrumented guests):
// a guest making 1,000 host calls per invocation against the same guest with the call taken out, measured in the
// same run, interleaved, median of samples. Cost per host call = (heavy - baseline) / 1,000, in ns.
// Rows: heliosdb_config_get (key lookup + value write + length write), heliosdb_log (a 16-byte line; the first 100
// are kept, the rest refused by the quota after the same checks), heliosdb_clock_now_ms (the call floor).
// Runs in Node (sync host functions; the JSPI path needs workerd). `--quick` is a smoke run.
//
// Node 20 cannot import TypeScript, so src/sandbox and src/wasm are bundled with esbuild into modules/build/.bench/.

import { join } from "node:path";
import wabt from "wabt";
import { importTypeScript, median, repoRoot } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const SETTINGS = quick ? { samples: 3, invocations: 30 } : { samples: 11, invocations: 200 };
const CALLS = 1000;

function loadSandbox() {
  return importTypeScript("hostcalls", [`export { runInvocation } from "./src/sandbox/invocation.ts";`, `export { instrumentModule } from "./src/wasm/index.ts";`]);
}

const IMPORTS = `
  (import "heliosdb" "heliosdb_config_get" (func $config (param i32 i32 i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_log" (func $log (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_clock_now_ms" (func $clock (result i64)))`;

/** A guest whose handler runs `CALLS` iterations of `body`, summing what it returns into a global. */
function guestWat(body) {
  return `(module ${IMPORTS}
    (memory (export "memory") 1)
    (data (i32.const 100) "greeting")
    (data (i32.const 200) "a log line 12345")
    (global $bump (mut i32) (i32.const 8192))
    (global $sink (mut i64) (i64.const 0))
    (func (export "helios_alloc") (param $size i32) (result i32)
      (local $p i32) (local.set $p (global.get $bump))
      (global.set $bump (i32.add (local.get $p) (local.get $size))) (local.get $p))
    (func (export "handle") (param i32 i32) (result i64)
      (local $i i32)
      (loop $again
        (global.set $sink (i64.add (global.get $sink) ${body}))
        (br_if $again (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${CALLS}))))
      (i64.const 0)))`;
}

const ROWS = [
  { name: "heliosdb_config_get", body: "(i64.extend_i32_s (call $config (i32.const 100) (i32.const 8) (i32.const 400) (i32.const 64) (i32.const 500)))" },
  { name: "heliosdb_log", body: "(i64.extend_i32_s (call $log (i32.const 1) (i32.const 200) (i32.const 16)))" },
  { name: "heliosdb_clock_now_ms", body: "(call $clock)" },
];
// The same loop with the call replaced by a constant: what the host call adds is the difference.
const BASELINE = "(i64.extend_i32_s (i32.load (i32.const 500)))";


async function main() {
  const { runInvocation, instrumentModule } = await loadSandbox();
  const toolkit = await wabt();
  const compile = (wat) => new WebAssembly.Module(instrumentModule(toolkit.parseWat("g.wat", wat).toBinary({}).buffer, { maxMemoryPages: 1 }));
  const settings = { functionName: "bench", region: "wnam", profile: ["compute"], maxMemoryPages: 1, config: { greeting: "hello there" }, allowedHosts: [] };
  const request = { fuel: 100_000_000, maxResponseBytes: 1024 };
  const payload = new Uint8Array(0);

  const invokeMs = async (module) => {
    const started = performance.now();
    for (let i = 0; i < SETTINGS.invocations; i++) {
      const outcome = await runInvocation(module, payload, request, settings);
      if (!outcome.ok) throw new Error(`bench guest failed: ${outcome.error.code} ${outcome.error.message}`);
    }
    return (performance.now() - started) / SETTINGS.invocations;
  };

  const baseline = compile(guestWat(BASELINE));
  const results = [];
  for (const row of ROWS) {
    const heavy = compile(guestWat(row.body));
    const fuel = (await runInvocation(heavy, payload, request, settings)).fuelUsed - (await runInvocation(baseline, payload, request, settings)).fuelUsed;
    for (let i = 0; i < 2; i++) await invokeMs(heavy), await invokeMs(baseline);
    const heavySamples = [];
    const baseSamples = [];
    for (let s = 0; s < SETTINGS.samples; s++) {
      heavySamples.push(await invokeMs(heavy));
      baseSamples.push(await invokeMs(baseline));
    }
    const heavyMs = median(heavySamples);
    const baseMs = median(baseSamples);
    results.push({ name: row.name, heavyUs: heavyMs * 1000, baselineUs: baseMs * 1000, nsPerCall: ((heavyMs - baseMs) * 1e6) / CALLS, fuelPerCall: fuel / CALLS });
  }

  console.log(`bench-hostcalls (${quick ? "quick" : "full"}: ${SETTINGS.samples} samples x ${SETTINGS.invocations} invocations, median; ${CALLS} calls per invocation)`);
  const header = ["host call", "µs/invocation", "baseline µs", "ratio", "ns per call", "fuel per call"];
  const table = results.map((r) => [r.name, r.heavyUs.toFixed(1), r.baselineUs.toFixed(1), `${(r.heavyUs / r.baselineUs).toFixed(2)}x`, r.nsPerCall.toFixed(1), r.fuelPerCall.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const cells of table) console.log(line(cells));
  console.log(JSON.stringify({ hostcalls: results }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
