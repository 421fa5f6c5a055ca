// Fuel is a pure function of module, input and budget: identical across runs and across V8's
// compilers. Child processes pin the tier (Liftoff only / TurboFan only / eager tier-up) and
// run the same instrumented modules; their results must match the in-process run exactly.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiate, loadFixture, type FixtureSet } from "./fixtures.ts";
import { FUEL_EXPORT, instrumentModule } from "./index.ts";

const run = promisify(execFile);

interface Scenario {
  set: FixtureSet;
  fixture: string;
  args: number[];
  budget: bigint;
}

const SCENARIOS: Scenario[] = [
  { set: "fuel", fixture: "recursion", args: [20], budget: 1_000_000_000n },
  { set: "fuel", fixture: "nested_loops", args: [300], budget: 1_000_000_000n },
  { set: "fuel", fixture: "memory_fill_copy", args: [65536, 30000], budget: 1_000_000_000n },
  { set: "fuel", fixture: "br_table_loop", args: [50_000], budget: 1_000_000_000n },
  // Out-of-fuel runs: where the guest stops, and how far it overshot, must not vary either.
  { set: "hostile", fixture: "loop_br_if", args: [0], budget: 1_000_000n },
  { set: "hostile", fixture: "call_tree", args: [], budget: 1_000_000n },
  { set: "hostile", fixture: "mutual_recursion", args: [1], budget: 1_000_000n },
  { set: "fuel", fixture: "recursion", args: [25], budget: 12_345n },
];

/** Per scenario, three consecutive calls on one instance (later calls may run tiered-up code). */
type Outcome = { value?: string; trap?: string; left: string }[];

// Plain JS so a bare `node` can run it: the fuel protocol is just the exported i64 global.
const CHILD_SCRIPT = `
const fs = require("fs");
const scenarios = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const outcomes = scenarios.map(({ file, args, budget }) => {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)));
  const fuel = instance.exports[${JSON.stringify(FUEL_EXPORT)}];
  const calls = [];
  for (let call = 0; call < 3; call++) {
    fuel.value = BigInt(budget);
    let outcome;
    try { outcome = { value: String(instance.exports.run(...args)) }; }
    catch (error) { outcome = { trap: String(error && error.message) }; }
    calls.push({ ...outcome, left: String(fuel.value) });
  }
  return calls;
});
process.stdout.write(JSON.stringify(outcomes));
`;

const TIERS: Record<string, string[]> = {
  "Liftoff only": ["--liftoff", "--no-wasm-tier-up"],
  "TurboFan only": ["--no-liftoff"],
  "eager tier-up": ["--liftoff", "--wasm-tier-up", "--wasm-dynamic-tiering", "--wasm-tiering-budget=100"],
};

let workDir: string;
let manifest: string;
let inProcess: Outcome[];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "helios-determinism-"));
  const entries = [];
  inProcess = [];
  for (const [index, scenario] of SCENARIOS.entries()) {
    const { bytes } = await loadFixture(scenario.set, scenario.fixture);
    const instrumented = instrumentModule(bytes, { maxMemoryPages: 16 });
    const file = join(workDir, `${index}-${scenario.fixture}.wasm`);
    writeFileSync(file, instrumented);
    entries.push({ file, args: scenario.args, budget: String(scenario.budget) });
    inProcess.push(runInProcess(instrumented, scenario));
  }
  manifest = join(workDir, "scenarios.json");
  writeFileSync(manifest, JSON.stringify(entries));
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function runInProcess(instrumented: Uint8Array, scenario: Scenario): Outcome {
  const instance = instantiate(instrumented);
  const fuel = instance.exports[FUEL_EXPORT] as WebAssembly.Global;
  const calls: Outcome = [];
  for (let call = 0; call < 3; call++) {
    fuel.value = scenario.budget;
    let outcome: { value?: string; trap?: string };
    try {
      outcome = { value: String((instance.exports.run as (...a: number[]) => unknown)(...scenario.args)) };
    } catch (error) {
      outcome = { trap: String((error as Error).message) };
    }
    calls.push({ ...outcome, left: String(fuel.value) });
  }
  return calls;
}

function label(index: number): string {
  const s = SCENARIOS[index]!;
  return `${s.set}/${s.fixture}(${s.args.join(", ")}) budget ${s.budget}`;
}

describe("fuel determinism", () => {
  it("repeated calls in one process use identical fuel", () => {
    inProcess.forEach((calls, index) => {
      expect(new Set(calls.map((c) => JSON.stringify(c))).size, label(index)).toBe(1);
    });
  });

  it("the out-of-fuel scenarios do run out, the others do not", () => {
    inProcess.forEach((calls, index) => {
      const exhausted = SCENARIOS[index]!.budget < 1_000_000_000n;
      expect(BigInt(calls[0]!.left) < 0n, label(index)).toBe(exhausted);
    });
  });

  it.each(Object.entries(TIERS))("%s gives the same results and fuel as the default tiering", async (_, flags) => {
    const { stdout } = await run(process.execPath, [...flags, "-e", CHILD_SCRIPT, manifest], {
      timeout: 50_000,
      maxBuffer: 1 << 20,
    });
    const outcomes = JSON.parse(stdout) as Outcome[];
    outcomes.forEach((calls, index) => {
      expect(calls, `${label(index)} under ${flags.join(" ")}`).toEqual(inProcess[index]);
    });
  });
});
