// Benchmark of host calls inside real invocations (runInvocation, the sandbox's own code, on instrumented guests):
// a guest making 1,000 host calls per invocation against the same guest with the call taken out, measured in the
// same run, interleaved, median of samples. Cost per host call = (heavy - baseline) / 1,000, in ns.
// Rows: heliosdb_config_get (key lookup + value write + length write), heliosdb_log (a 16-byte line; the first 100
// are kept, the rest refused by the quota after the same checks), heliosdb_clock_now_ms (the call floor).
// Runs in Node (sync host functions; the JSPI path needs workerd). `--quick` is a smoke run.
//
// Second part, floods (scripts/hostcall-floods.mjs): for every host function and each of its worst-case argument
// kinds (largest success, every cheap refusal), a guest calling it in a loop until `--budget` fuel (default 1e8;
// quick 1e7) runs out, against a plain fuel loop with the same budget in the same run: ns per fuel for each, and
// the ratio. The worst ratio per host function is what docs/limits.md states as the bound fuel puts on wall time.
//
// Node 20 cannot import TypeScript, so src/sandbox and src/wasm are bundled with esbuild into modules/build/.bench/.

import { join } from "node:path";
import wabt from "wabt";
import { FLOOD_CASES, floodWat, installJspiShim, PLAIN_LOOP } from "./hostcall-floods.mjs";
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

  await floods(runInvocation, (wat, maxMemoryPages) =>
    new WebAssembly.Module(instrumentModule(toolkit.parseWat("f.wat", wat).toBinary({}).buffer, { maxMemoryPages })),
  );
}

const budgetArg = process.argv.find((a) => a.startsWith("--budget="));
const FLOOD_BUDGET = budgetArg ? Number(budgetArg.slice(9)) : quick ? 10_000_000 : 100_000_000;
const FLOOD_SAMPLES = quick ? 1 : 5;

async function floods(runInvocation, compile) {
  installJspiShim();
  const payload = new Uint8Array(0);
  const runCase = async (testCase, fuel) => {
    const settings = {
      functionName: "f".repeat(63),
      region: "wnam",
      profile: testCase.profile ?? ["compute"],
      maxMemoryPages: 512,
      config: testCase.config ?? {},
      allowedHosts: [],
    };
    const module = compile(floodWat(testCase), 512);
    const request = { fuel, maxResponseBytes: testCase.maxResponseBytes ?? 1024 };
    const started = performance.now();
    const outcome = await runInvocation(module, payload, request, settings);
    const ms = performance.now() - started;
    if (outcome.ok || outcome.error.code !== "out_of_fuel") throw new Error(`${testCase.fn} ${testCase.label}: expected out_of_fuel, got ${JSON.stringify(outcome.ok ? "ok" : outcome.error)}`);
    return { ms, fuelUsed: outcome.fuelUsed };
  };
  const measure = async (testCase) => {
    await runCase(testCase, Math.min(FLOOD_BUDGET, 1_000_000));
    const samples = [];
    for (let s = 0; s < FLOOD_SAMPLES; s++) {
      const { ms, fuelUsed } = await runCase(testCase, FLOOD_BUDGET);
      samples.push((ms * 1e6) / fuelUsed);
    }
    return median(samples);
  };

  const plainSamples = [await measure(PLAIN_LOOP)];
  const rows = [];
  for (const testCase of FLOOD_CASES) {
    rows.push({ fn: testCase.fn, label: testCase.label, nsPerFuel: await measure(testCase) });
    // The plain loop between every two cases: the machine's speed drifts (other work), its median does not.
    plainSamples.push(await measure(PLAIN_LOOP));
  }
  plainSamples.push(await measure(PLAIN_LOOP));
  const plain = median(plainSamples);

  console.log(`\nhost-call floods (budget ${FLOOD_BUDGET.toExponential(0)} fuel, ${FLOOD_SAMPLES} sample(s), median): plain fuel loop ${plain.toFixed(3)} ns/fuel, ${((plain * 1e9) / 1e9).toFixed(2)} s per 1e9 fuel`);
  const header = ["host call", "arguments", "ns/fuel", "ratio", "s per 1e9 fuel"];
  const table = rows.map((r) => [r.fn, r.label, r.nsPerFuel.toFixed(3), `${(r.nsPerFuel / plain).toFixed(2)}x`, r.nsPerFuel.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const cells of table) console.log(line(cells));
  const worst = {};
  for (const r of rows) if (!(r.fn in worst) || r.nsPerFuel > worst[r.fn].nsPerFuel) worst[r.fn] = r;
  console.log("\nworst case per host function, against the plain loop:");
  for (const r of Object.values(worst)) console.log(`  ${r.fn.padEnd(24)} ${(r.nsPerFuel / plain).toFixed(2)}x  (${r.label})`);
  const overall = Math.max(...rows.map((r) => r.nsPerFuel)) / plain;
  console.log(`  worst overall: ${overall.toFixed(2)}x`);
  console.log(JSON.stringify({ floods: { budget: FLOOD_BUDGET, plainNsPerFuel: plain, worstRatio: overall, rows } }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
