// `npm run fuzz`: fuzzing that keeps running, for a given time or count.
//   1. Modules: mutated modules (test/support/wasm-mutator.ts over the wasm fixtures and the built examples) through
//      the deploy pipeline's checks in Node (test/support/module-fuzz.ts: decode, inspect, V8 validation, policy,
//      guest ABI, instrument, validate the output, decode -> encode), in worker threads watched for hangs.
//   2. Host calls: random calls on live instances of every host function in the registry, by the host-function
//      property test (src/sandbox/host-functions.property.test.ts) run in batches, each with its own seed.
// Both run at the same time. Every failure prints how to replay it alone. Exit code 1 on any crash, hang or
// invalid output.
//
//   node scripts/fuzz.mjs [--seconds 60] [--modules N] [--host-calls N] [--seed S] [--workers 1]
//   node scripts/fuzz.mjs --replay <runSeed>:<index>       # one module case, with its input and verdict
//
// With --modules or --host-calls the run is by count (the other count defaults to 0); otherwise by time (default
// 60 s, both kinds). A nightly-size run: --modules 1000000 --host-calls 1000000 (see docs/limits.md, "Fuzzing").

import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { importTypeScript, repoRoot } from "./lib/bench-support.mjs";

/** A module case that makes no progress this long is a hang (the slowest legitimate case takes well under 1 s). */
const MODULE_HANG_MS = 30_000;
/** Host calls per property-test run; each run has its own seed. */
const HOST_BATCH = 250_000;
/** Fewest calls per run: the property test also checks every function reached its success path, which needs volume. */
const MIN_HOST_BATCH = 20_000;
/** A host-call batch may take this long per 100,000 calls before it counts as hung. */
const HOST_HANG_MS_PER_100K = 120_000;

function option(flag) {
  const i = process.argv.indexOf(flag);
  return i === -1 ? undefined : process.argv[i + 1];
}
const number = (flag, fallback) => {
  const value = option(flag);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a non-negative number, not ${value}`);
  return n;
};

async function loadModuleFuzz() {
  await importTypeScript("module-fuzz", [`export * from "./test/support/module-fuzz.ts";`], { external: true });
  return join(repoRoot, "modules", "build", ".bench", "module-fuzz.mjs");
}

async function replay(spec) {
  const [seedText, indexText] = spec.split(":");
  const bundle = await loadModuleFuzz();
  const { loadCorpus, runCase } = await import(pathToFileURL(bundle).href);
  const result = runCase(await loadCorpus(repoRoot), Number(seedText), Number(indexText));
  console.log(JSON.stringify({ ...result, input: result.input }, null, 2));
  process.exit(result.problem === null ? 0 : 1);
}

function fuzzModules({ runSeed, limit, deadline, workers, bundle, onFailure }) {
  const current = new SharedArrayBuffer(4 * workers);
  const positions = new Int32Array(current);
  const tallies = Array.from({ length: workers }, () => ({ cases: 0, refused: 0, deployed: 0, v8Valid: 0 }));
  let hangs = 0;
  const startedAt = Date.now();
  const runs = Array.from({ length: workers }, (_, slot) => {
    const worker = new Worker(join(repoRoot, "scripts", "lib", "fuzz-worker.mjs"), {
      workerData: { bundle, repoRoot, runSeed, first: slot, stride: workers, limit, deadline, slot, current },
    });
    let lastProgress = Date.now();
    let lastIndex = -1;
    return new Promise((resolve) => {
      const watchdog = setInterval(() => {
        const index = Atomics.load(positions, slot);
        if (index !== lastIndex) {
          lastIndex = index;
          lastProgress = Date.now();
        } else if (Date.now() - lastProgress > MODULE_HANG_MS) {
          hangs++;
          onFailure(`module case ${runSeed}:${index} made no progress for ${MODULE_HANG_MS / 1000}s (a hang); replay: npm run fuzz -- --replay ${runSeed}:${index}`);
          clearInterval(watchdog);
          void worker.terminate();
        }
      }, 1000);
      worker.on("message", (message) => {
        lastProgress = Date.now();
        if (message.type === "progress" || message.type === "done") tallies[slot] = message.tally;
        if (message.type === "failure") {
          const { index, result } = message;
          onFailure(`module case ${runSeed}:${index} (${result.source} [${result.steps.join("; ")}]): ${result.problem}\n` +
            `    replay: npm run fuzz -- --replay ${runSeed}:${index}\n    input ${result.input}`);
        }
      });
      worker.on("error", (error) => onFailure(`module worker ${slot} crashed: ${error.stack ?? error}`));
      worker.on("exit", () => {
        clearInterval(watchdog);
        resolve((Date.now() - startedAt) / 1000);
      });
    });
  });
  return {
    /** Resolves with the module phase's wall time in seconds. */
    done: Promise.all(runs).then((times) => Math.max(...times)),
    tally: () =>
      tallies.reduce(
        (sum, t) => ({ cases: sum.cases + t.cases, refused: sum.refused + t.refused, deployed: sum.deployed + t.deployed, v8Valid: sum.v8Valid + t.v8Valid }),
        { cases: 0, refused: 0, deployed: 0, v8Valid: 0 },
      ),
    hangs: () => hangs,
  };
}

/** One property-test run of `calls` host calls with `seed`; resolves with its verdict. */
function hostBatch(seed, calls) {
  return new Promise((resolve) => {
    const timeoutMs = Math.max(60_000, (calls / 100_000) * HOST_HANG_MS_PER_100K);
    const child = spawn(
      process.execPath,
      [join(repoRoot, "node_modules", "vitest", "vitest.mjs"), "run", "--project", "unit", "src/sandbox/host-functions.property.test.ts",
        `--testTimeout=${timeoutMs}`, "--reporter=dot"],
      { cwd: repoRoot, env: { ...process.env, HELIOS_PROPERTY_SEED: String(seed), HELIOS_PROPERTY_CALLS: String(calls) }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ ok: false, hang: true, output });
    }, timeoutMs + 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, hang: false, output });
    });
  });
}

async function fuzzHostCalls({ runSeed, limit, deadline, onFailure }) {
  const tally = { calls: 0, batches: 0, hangs: 0, seconds: 0 };
  let batch = 0;
  // Calls per second of a whole batch (vitest's start included); measured after the first, which is small.
  let rate = 3_000;
  while (tally.calls < limit && Date.now() < deadline) {
    const remainingMs = deadline - Date.now();
    const fits = Number.isFinite(remainingMs) ? Math.floor((remainingMs / 1000) * rate) : HOST_BATCH;
    if (fits < MIN_HOST_BATCH && tally.batches > 0) break;
    // A timed run starts with a small batch to learn the machine's rate, so it ends near its deadline.
    const first = Number.isFinite(remainingMs) && tally.batches === 0 ? MIN_HOST_BATCH : HOST_BATCH;
    const calls = Math.max(MIN_HOST_BATCH, Math.min(first, limit - tally.calls, fits));
    const seed = (runSeed + Math.imul(++batch, 0x9e3779b1)) >>> 0;
    const started = Date.now();
    const verdict = await hostBatch(seed, calls);
    const seconds = (Date.now() - started) / 1000;
    tally.batches++;
    tally.seconds += seconds;
    if (verdict.hang) tally.hangs++;
    if (!verdict.ok) {
      const tail = verdict.output.split("\n").filter((l) => /Error|expected|seed|problem|✗|×/.test(l)).slice(0, 12).join("\n");
      onFailure(`host-call batch seed ${seed} (${calls} calls) ${verdict.hang ? "hung" : "failed"}:\n${tail}\n` +
        `    replay: HELIOS_PROPERTY_SEED=${seed} HELIOS_PROPERTY_CALLS=${calls} npx vitest run src/sandbox/host-functions.property.test.ts`);
    } else {
      tally.calls += calls;
      rate = calls / seconds;
    }
  }
  return tally;
}

async function main() {
  const replaySpec = option("--replay");
  if (replaySpec) return replay(replaySpec);

  const byCount = option("--modules") !== undefined || option("--host-calls") !== undefined;
  const seconds = number("--seconds", byCount ? Infinity : 60);
  const moduleLimit = number("--modules", byCount ? 0 : Infinity);
  const hostLimit = number("--host-calls", byCount ? 0 : Infinity);
  const workers = Math.max(1, Math.floor(number("--workers", Math.max(1, Math.min(2, availableParallelism() - 1)))));
  const runSeed = option("--seed") !== undefined ? Number(option("--seed")) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  console.log(`fuzz: run seed ${runSeed} (repeat with --seed ${runSeed}); ${byCount ? `modules ${moduleLimit}, host calls ${hostLimit}` : `${seconds}s`}; ${workers} module worker(s)`);

  const failures = [];
  const onFailure = (message) => {
    failures.push(message);
    console.log(`FAIL ${message}`);
  };
  const bundle = await loadModuleFuzz();
  const modules = moduleLimit > 0 ? fuzzModules({ runSeed, limit: moduleLimit, deadline, workers, bundle, onFailure }) : null;
  const progress = setInterval(() => {
    if (modules) console.log(`fuzz: ${modules.tally().cases} modules so far (${((Date.now() - started) / 1000).toFixed(0)}s)`);
  }, 30_000);
  const [hostTally, moduleSeconds] = await Promise.all([
    hostLimit > 0 ? fuzzHostCalls({ runSeed, limit: hostLimit, deadline, onFailure }) : { calls: 0, batches: 0, hangs: 0, seconds: 0 },
    modules?.done ?? 0,
  ]);
  clearInterval(progress);

  const elapsed = (Date.now() - started) / 1000;
  const moduleTally = modules?.tally() ?? { cases: 0, refused: 0, deployed: 0, v8Valid: 0 };
  const summary = {
    runSeed,
    seconds: Number(elapsed.toFixed(1)),
    modules: { ...moduleTally, seconds: Number(moduleSeconds.toFixed(1)), perSecond: Math.round(moduleTally.cases / (moduleSeconds || 1)), hangs: modules?.hangs() ?? 0 },
    hostCalls: { ...hostTally, seconds: Number(hostTally.seconds.toFixed(1)), perSecond: Math.round(hostTally.calls / (hostTally.seconds || 1)) },
    failures: failures.length,
  };
  console.log(`\nfuzz: ${moduleTally.cases} modules (${moduleTally.v8Valid} valid for V8, ${moduleTally.deployed} would deploy, ${moduleTally.refused} refused), ` +
    `${hostTally.calls} host calls in ${hostTally.batches} batches, ${elapsed.toFixed(1)}s; ${failures.length} failure(s)`);
  console.log(JSON.stringify(summary, null, 2));
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(`fuzz failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
