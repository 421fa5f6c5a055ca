// Benchmarks of the WebAssembly toolkit, measured in one process against baselines from the same run:
//   1. metering overhead: instrumented vs original time of CPU-bound kernels (AssemblyScript bench
//      modules and real-world workloads), interleaved, median of repetitions;
//   2. instrumentation speed of instrumentModule on large real-world modules, warm (median of
//      repeated runs in this process) and fresh (the first module a new Node process instruments,
//      as a deploy does: child processes spawned by this script, median over the children);
//   3. code growth of instrumented real-world modules.
// Targets (issue "metering"): over the CPU suite (kernels plus hash-wasm, brotli, quickjs)
// geomean <= 1.05 and no kernel above 1.15; code growth <= 1.15 on every real-world module;
// >= 100 MB/s warm and >= 30 MB/s fresh on a module of 1 MB or more.
// Prints a table and a JSON summary. Targets are reported, not enforced: the exit code is non-zero
// only when something is broken (an error, or an instrumented module computing a different result).
// `--quick` is a smoke variant for CI: same inputs, fewer repetitions. While iterating on the
// instrumenter, `--only=<regex>` times only the kernels whose name matches (the CPU-suite figures
// then cover those alone) and `--overhead` skips the instrumentation-speed and growth part.
//
// Node 20 cannot import TypeScript, so the toolkit and the test helpers are bundled with esbuild
// (a dependency of wrangler and vitest) into modules/build/.bench/ and imported from there.

import { spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { importTypeScript, median, repoRoot } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const overheadOnly = process.argv.includes("--overhead");
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const only = onlyArg === undefined ? null : new RegExp(onlyArg.slice("--only=".length));
const selected = (name) => only === null || only.test(name);

const TARGETS = {
  overheadGeomean: 1.05,
  overheadWorstKernel: 1.15,
  instrumentMBps: 100,
  freshInstrumentMBps: 30,
  codeGrowth: 1.15,
};
/** Modules the speed targets apply to: 1 MB or more. */
const LARGE_MODULE_BYTES = 1_000_000;
/** The CPU suite the overhead targets are defined over; every real-world module is in it today. */
const CPU_SUITE_REAL_WORLD = /^(hash-wasm\/|brotli-wasm$|quickjs$)/;
const SETTINGS = quick
  ? { warmupSamples: 1, samples: 3, sampleMs: 15, instrumentRuns: 3, freshChildren: 1 }
  : { warmupSamples: 3, samples: 11, sampleMs: 60, instrumentRuns: 9, freshChildren: 5 };
const BUDGET = 1n << 60n;
const MAX_MEMORY_PAGES = 65536;

function loadToolkit() {
  return importTypeScript("toolkit", [
        `export * as wasm from "./src/wasm/index.ts";`,
        `export * from "./test/support/bench-kernels.ts";`,
        `export * from "./test/support/real-world.ts";`,
        `export * from "./test/support/wasm-scanner.ts";`,
      ], { external: true });
}

const geomean = (values) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);

/** Instantiates bytes the way the host does: instrumented instances get fuel and run their start function. */
function instantiator(toolkit, bytes, instrumented, instances) {
  const module = new WebAssembly.Module(bytes);
  return (imports) => {
    const instance = new WebAssembly.Instance(module, imports);
    if (instrumented) {
      toolkit.setFuel(instance, BUDGET);
      const start = instance.exports[toolkit.START_EXPORT];
      if (typeof start === "function") start();
    }
    instances.push(instance);
    return instance;
  };
}

/**
 * Times `original` against `metered` (each a function doing one pass of the same work). A sample
 * repeats a pass `repeat` times, chosen so a sample lasts about SETTINGS.sampleMs; samples of the
 * two alternate, and which goes first alternates too, so drift and tier-up hit both alike.
 */
function compare(original, metered, refuel) {
  const time = (fn, repeat) => {
    const started = performance.now();
    for (let i = 0; i < repeat; i++) fn();
    return performance.now() - started;
  };
  const probe = time(original, 1);
  const repeat = Math.max(1, Math.round(SETTINGS.sampleMs / Math.max(probe, 0.01)));
  const originalMs = [];
  const meteredMs = [];
  for (let i = 0; i < SETTINGS.warmupSamples + SETTINGS.samples; i++) {
    refuel();
    const pair = i % 2 === 0
      ? [time(original, repeat), time(metered, repeat)]
      : [time(metered, repeat), time(original, repeat)].reverse();
    if (i < SETTINGS.warmupSamples) continue;
    originalMs.push(pair[0] / repeat);
    meteredMs.push(pair[1] / repeat);
  }
  // The ratio is the median of per-pair ratios: the two halves of a pair run back to back, so load
  // from other processes mostly cancels out, where a ratio of medians would mix different moments.
  const ratio = median(meteredMs.map((ms, i) => ms / originalMs[i]));
  return { originalMs: median(originalMs), meteredMs: median(meteredMs), ratio };
}

function measureKernels(toolkit, failures) {
  const { wasm } = toolkit;
  const rows = [];
  for (const kernel of toolkit.BENCH_KERNELS) {
    if (!selected(kernel.name)) continue;
    const bytes = toolkit.loadKernel(kernel);
    const instrumentedBytes = wasm.instrumentModule(bytes, { maxMemoryPages: MAX_MEMORY_PAGES });
    const instances = [];
    const original = instantiator(wasm, bytes, false, instances)({});
    const metered = instantiator(wasm, instrumentedBytes, true, instances)({});
    const runOriginal = () => original.exports.run(kernel.benchN);
    const runMetered = () => metered.exports.run(kernel.benchN);

    wasm.setFuel(metered, BUDGET);
    const expected = runOriginal();
    const actual = runMetered();
    const fuel = BUDGET - wasm.getFuel(metered);
    if (!Object.is(expected, actual)) failures.push(`${kernel.name}: original returned ${expected}, instrumented ${actual}`);

    const result = compare(runOriginal, runMetered, () => wasm.setFuel(metered, BUDGET));
    rows.push({ name: kernel.name, kind: "assemblyscript", ...result, fuelPerCall: fuel.toString() });
  }
  return rows;
}

async function measureRealWorld(toolkit, failures) {
  const { wasm } = toolkit;
  const rows = [];
  for (const subject of toolkit.realWorldModules()) {
    if (!selected(subject.name)) continue;
    const instrumentedBytes = wasm.instrumentModule(subject.bytes, { maxMemoryPages: MAX_MEMORY_PAGES });
    const meteredInstances = [];
    const runOriginal = await subject.prepare(instantiator(wasm, subject.bytes, false, []));
    const runMetered = await subject.prepare(instantiator(wasm, instrumentedBytes, true, meteredInstances));
    const [metered] = meteredInstances;

    const expected = runOriginal();
    wasm.setFuel(metered, BUDGET);
    const actual = runMetered();
    const fuel = BUDGET - wasm.getFuel(metered);
    if (expected !== actual) failures.push(`${subject.name}: original returned ${expected}, instrumented ${actual}`);

    const result = compare(runOriginal, runMetered, () => wasm.setFuel(metered, BUDGET));
    rows.push({ name: subject.name, kind: "real-world", ...result, fuelPerCall: fuel.toString() });
  }
  return rows;
}

function measureInstrumentation(toolkit) {
  const { wasm } = toolkit;
  const rows = [];
  for (const subject of toolkit.realWorldModules()) {
    const instrumented = wasm.instrumentModule(subject.bytes, { maxMemoryPages: MAX_MEMORY_PAGES });
    const before = wasm.inspectModule(subject.bytes);
    const after = wasm.inspectModule(instrumented);
    const row = {
      name: subject.name,
      bytes: subject.bytes.length,
      instrumentedBytes: instrumented.length,
      growth: instrumented.length / subject.bytes.length,
      codeGrowth: after.codeSize / before.codeSize,
      valid: WebAssembly.validate(instrumented),
    };
    // Speed is measured on the large modules only: small ones finish in the timer's noise.
    if (subject.bytes.length >= 256 * 1024) {
      const runs = [];
      for (let i = 0; i < 2 + SETTINGS.instrumentRuns; i++) {
        const started = performance.now();
        wasm.instrumentModule(subject.bytes, { maxMemoryPages: MAX_MEMORY_PAGES });
        if (i >= 2) runs.push(performance.now() - started);
      }
      row.instrumentMs = median(runs);
      row.instrumentMBps = subject.bytes.length / 1e6 / (row.instrumentMs / 1000);
    }
    if (subject.bytes.length >= LARGE_MODULE_BYTES) {
      // Alternating with the baseline: the function scanner in TypeScript only, without its WebAssembly accelerator.
      const fresh = [];
      const freshTs = [];
      for (let i = 0; i < SETTINGS.freshChildren; i++) {
        fresh.push(instrumentInFreshProcess(subject.name, true));
        freshTs.push(instrumentInFreshProcess(subject.name, false));
      }
      row.freshInstrumentMs = median(fresh.map((f) => f.ms));
      row.freshTsScannerMs = median(freshTs.map((f) => f.ms));
      // The main thread's own CPU time (Linux): what the figure would be with a core free for V8's background
      // compiler, and much steadier than the wall clock when other work shares the machine.
      if (fresh.every((f) => f.mainThreadCpuMs !== undefined)) row.freshMainThreadCpuMs = median(fresh.map((f) => f.mainThreadCpuMs));
      row.freshInstrumentMBps = subject.bytes.length / 1e6 / (row.freshInstrumentMs / 1000);
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Spawns a new Node process that loads the toolkit bundle built by this run and instruments one
 * module once: the first instrumentModule call of the process, cold JIT and all, as at a deploy.
 * Only that call is timed (not the bundle import or reading the module).
 */
function instrumentInFreshProcess(name, wasmScanner) {
  const args = [fileURLToPath(import.meta.url), "--fresh-child", name, ...(wasmScanner ? [] : ["--ts-scanner"])];
  const child = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`fresh-process instrumentation of ${name} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").pop());
}

async function freshChild(name) {
  const { pathToFileURL } = await import("node:url");
  const toolkit = await import(pathToFileURL(join(repoRoot, "modules", "build", ".bench", "toolkit.mjs")).href);
  const subject = toolkit.realWorldModules().find((m) => m.name === name);
  // As the Worker does, the accelerator's module is compiled before any deploy (there: by workerd, at startup);
  // instantiating it is part of the timed call.
  if (!process.argv.includes("--ts-scanner")) toolkit.useBuiltWasmScanner();
  const { existsSync, readFileSync } = await import("node:fs");
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const cpuMs = () => (existsSync(schedstat) ? Number(readFileSync(schedstat, "utf8").split(" ")[0]) / 1e6 : undefined);
  const cpuBefore = cpuMs();
  const started = performance.now();
  toolkit.wasm.instrumentModule(subject.bytes, { maxMemoryPages: MAX_MEMORY_PAGES });
  const ms = performance.now() - started;
  const cpuAfter = cpuMs();
  console.log(JSON.stringify({ ms, mainThreadCpuMs: cpuBefore === undefined ? undefined : cpuAfter - cpuBefore }));
}

const fmt = (value, digits = 2) => (value === undefined ? "" : value.toFixed(digits));
const mark = (ok) => (ok ? "ok" : "MISSED");

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function reportInstrumentation(toolkit, failures) {
  const modules = measureInstrumentation(toolkit);
  for (const row of modules) if (!row.valid) failures.push(`${row.name}: instrumented module does not validate`);
  const speeds = modules.filter((row) => row.instrumentMBps !== undefined);

  console.log("\nInstrumentation speed and code growth (real-world modules)");
  console.log(table(
    ["module", "bytes", "instrumented", "growth", "code growth", "warm ms", "warm MB/s", "fresh ms", "fresh MB/s", "fresh main-thread CPU ms",
      "fresh ms, TS scanner", "fresh speed-up"],
    modules.map((r) => [r.name, r.bytes, r.instrumentedBytes, fmt(r.growth, 3), fmt(r.codeGrowth, 3), fmt(r.instrumentMs, 1), fmt(r.instrumentMBps, 1),
      fmt(r.freshInstrumentMs, 1), fmt(r.freshInstrumentMBps, 1), fmt(r.freshMainThreadCpuMs, 1), fmt(r.freshTsScannerMs, 1),
      r.freshTsScannerMs === undefined ? "" : fmt(r.freshTsScannerMs / r.freshInstrumentMs, 2)]),
  ));
  const large = modules.filter((row) => row.freshInstrumentMBps !== undefined);
  const slowest = (large.length > 0 ? large : speeds).reduce((a, b) => (b.instrumentMBps < a.instrumentMBps ? b : a));
  const slowestFresh = large.reduce((a, b) => (b.freshInstrumentMBps < a.freshInstrumentMBps ? b : a), large[0]);
  const largestGrowth = modules.reduce((a, b) => (b.growth > a.growth ? b : a));
  const largestCodeGrowth = modules.reduce((a, b) => (b.codeGrowth > a.codeGrowth ? b : a));
  console.log(`instrumentation of modules >= 1 MB: warm ${slowest.name} ${fmt(slowest.instrumentMBps, 1)} MB/s (target >= ${TARGETS.instrumentMBps}: ${mark(slowest.instrumentMBps >= TARGETS.instrumentMBps)}); ` +
    `fresh process ${slowestFresh?.name} ${fmt(slowestFresh?.freshInstrumentMBps, 1)} MB/s (target >= ${TARGETS.freshInstrumentMBps}: ${mark(slowestFresh?.freshInstrumentMBps >= TARGETS.freshInstrumentMBps)})`);
  console.log(`largest code growth ${largestCodeGrowth.name} ${fmt(largestCodeGrowth.codeGrowth, 3)} (target <= ${TARGETS.codeGrowth}: ${mark(largestCodeGrowth.codeGrowth <= TARGETS.codeGrowth)}); ` +
    `largest file growth ${largestGrowth.name} ${fmt(largestGrowth.growth, 3)} (target <= ${TARGETS.codeGrowth}: ${mark(largestGrowth.growth <= TARGETS.codeGrowth)})`);
  return {
    slowestMBps: slowest.instrumentMBps,
    meetsTarget: slowest.instrumentMBps >= TARGETS.instrumentMBps,
    slowestFreshMBps: slowestFresh?.freshInstrumentMBps,
    slowestFreshMainThreadCpuMs: slowestFresh?.freshMainThreadCpuMs,
    freshMeetsTarget: slowestFresh?.freshInstrumentMBps >= TARGETS.freshInstrumentMBps,
    largestGrowth: largestGrowth.growth,
    largestCodeGrowth: largestCodeGrowth.codeGrowth,
    growthMeetsTarget: largestGrowth.growth <= TARGETS.codeGrowth && largestCodeGrowth.codeGrowth <= TARGETS.codeGrowth,
    modules,
  };
}

async function main() {
  const started = performance.now();
  const toolkit = await loadToolkit();
  // The function scanner runs in WebAssembly (src/wasm/wasm-scanner.ts), as in the Worker.
  toolkit.useBuiltWasmScanner();
  const failures = [];

  const overhead = [...measureKernels(toolkit, failures), ...(await measureRealWorld(toolkit, failures))];
  const suite = overhead.filter((row) => row.kind === "assemblyscript" || CPU_SUITE_REAL_WORLD.test(row.name));
  const overheadGeomean = geomean(suite.map((row) => row.ratio));
  const worst = suite.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  console.log(`\nMetering overhead (${quick ? "quick" : "full"}: median of ${SETTINGS.samples} interleaved samples after ${SETTINGS.warmupSamples} warm-up)`);
  console.log(table(
    ["kernel", "kind", "original ms", "metered ms", "ratio", "fuel/call"],
    overhead.map((r) => [r.name, r.kind, fmt(r.originalMs), fmt(r.meteredMs), fmt(r.ratio, 3), r.fuelPerCall]),
  ));
  console.log(`CPU suite (${suite.length} kernels): geomean ${fmt(overheadGeomean, 3)} (target <= ${TARGETS.overheadGeomean}: ${mark(overheadGeomean <= TARGETS.overheadGeomean)}); ` +
    `worst ${worst.name} ${fmt(worst.ratio, 3)} (target <= ${TARGETS.overheadWorstKernel}: ${mark(worst.ratio <= TARGETS.overheadWorstKernel)})`);

  const instrumentation = overheadOnly ? null : reportInstrumentation(toolkit, failures);

  const [load] = loadavg();
  const busy = load > availableParallelism();
  if (busy) console.log(`\nwarning: load average ${load.toFixed(1)} exceeds ${availableParallelism()} cores; timings are unreliable`);

  const summary = {
    mode: quick ? "quick" : "full",
    node: process.version,
    loadAverage: Number(load.toFixed(2)),
    cores: availableParallelism(),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    targets: TARGETS,
    overhead: {
      geomean: overheadGeomean,
      worst: { name: worst.name, ratio: worst.ratio },
      meetsTargets: overheadGeomean <= TARGETS.overheadGeomean && worst.ratio <= TARGETS.overheadWorstKernel,
      kernels: overhead,
    },
    instrumentation,
    failures,
  };
  console.log("\nJSON summary");
  console.log(JSON.stringify(summary, null, 2));
  if (failures.length > 0) {
    console.error(`\nbench: ${failures.length} failure(s):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
}

const freshAt = process.argv.indexOf("--fresh-child");
(freshAt >= 0 ? freshChild(process.argv[freshAt + 1]) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
