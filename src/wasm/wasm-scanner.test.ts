// The WebAssembly scanner (modules/scanner, wasm-scanner.ts) is only an accelerator: with it, every module instruments
// to exactly the bytes, and fails with exactly the error, it does with the TypeScript scanner alone. Differential over
// the real-world modules, the bench kernels, every fixture set, the malformed corpus and mutated fixtures, in both
// fuel modes.
import { afterAll, describe, expect, it } from "vitest";
import { BENCH_KERNELS, loadKernel } from "../../test/support/bench-kernels.ts";
import { realWorldModules } from "../../test/support/real-world.ts";
import { INTERESTING_BYTES, mutate } from "../../test/support/wasm-mutator.ts";
import { compiledWasmScanner } from "../../test/support/wasm-scanner.ts";
import { type FixtureSet, loadFixtures, mulberry32, sectionSpans } from "./fixtures.ts";
import { edgeCases, malformedCases } from "./fixtures/malformed/cases.ts";
import { inspectModule, instrumentModuleWithStats, useWasmScanner, wasmScannerStats } from "./index.ts";

const accelerator = compiledWasmScanner();
afterAll(() => useWasmScanner(accelerator));

interface Subject {
  name: string;
  bytes: Uint8Array;
}

/** What instrumenting (both fuel modes) and inspecting give, as text: the output's bytes or the error thrown. */
function outcome(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (const cacheFuelInLocals of [true, false]) {
    parts.push(attempt(() => {
      const { bytes: out, stats } = instrumentModuleWithStats(bytes, { maxMemoryPages: 65536, cacheFuelInLocals });
      return `${Buffer.from(out).toString("base64")} ${JSON.stringify(stats)}`;
    }));
  }
  parts.push(attempt(() => JSON.stringify(inspectModule(bytes))));
  return parts.join("\n");
}

function attempt(fn: () => string): string {
  try {
    return `ok ${fn()}`;
  } catch (error) {
    const e = error as Error & { offset?: number; code?: string };
    return `threw ${e.constructor.name} ${e.code ?? ""} ${e.message} at ${e.offset ?? "-"}`;
  }
}

interface Comparison {
  differences: string[];
  /** Function scans the accelerator finished, and those it left to the TypeScript scanner. */
  scanned: number;
  fellBack: number;
}

function compare(subjects: Subject[]): Comparison {
  const differences: string[] = [];
  let scanned = 0;
  let fellBack = 0;
  for (const subject of subjects) {
    useWasmScanner(null);
    const reference = outcome(subject.bytes);
    useWasmScanner(accelerator);
    const before = wasmScannerStats();
    const accelerated = outcome(subject.bytes);
    const after = wasmScannerStats();
    scanned += after.scanned - before.scanned;
    fellBack += after.fellBack - before.fellBack;
    if (accelerated !== reference) {
      differences.push(`${subject.name}:\n  reference   ${reference.slice(0, 300)}\n  accelerated ${accelerated.slice(0, 300)}`);
    }
  }
  return { differences, scanned, fellBack };
}

async function fixtures(...sets: FixtureSet[]): Promise<Subject[]> {
  const all = await Promise.all(sets.map((set) => loadFixtures(set)));
  return all.flat().map((f) => ({ name: `${f.set}/${f.name}`, bytes: f.bytes }));
}

describe("the WebAssembly scanner gives exactly what the TypeScript scanner gives", () => {
  it("real-world modules and bench kernels: identical output, every function scanned in WebAssembly", () => {
    const subjects = [
      ...realWorldModules().map((m) => ({ name: m.name, bytes: m.bytes })),
      ...BENCH_KERNELS.map((k) => ({ name: `bench/${k.name}`, bytes: loadKernel(k) })),
    ];
    const result = compare(subjects);
    expect(result.differences).toEqual([]);
    // The common path is the accelerator's: only bodies that call a function paid at the call (prepaid.ts,
    // PAID_AT_CALL: fib's, a few of quickjs's) are left to the TypeScript scanner, which charges before those calls.
    expect(result.scanned).toBeGreaterThan(5000);
    expect(result.fellBack).toBeGreaterThan(0);
    expect(result.fellBack).toBeLessThan(result.scanned / 100);
  });

  it("every fixture set (features, fuel, hostile, invalid): identical output or identical error", async () => {
    const result = compare(await fixtures("features", "fuel", "hostile", "invalid"));
    expect(result.differences).toEqual([]);
    // Both paths run: most bodies in WebAssembly, the exception-handling and SIMD ones (at least) in TypeScript.
    expect(result.scanned).toBeGreaterThan(100);
    expect(result.fellBack).toBeGreaterThan(10);
  });

  it("the malformed corpus and its well-formed edge cases: identical errors and output", () => {
    const subjects = [...malformedCases(), ...edgeCases()].map((c) => ({ name: c.name, bytes: c.bytes }));
    const result = compare(subjects);
    expect(result.differences).toEqual([]);
    expect(result.fellBack).toBeGreaterThan(0);
  });

  it("mutated fixtures and modules (anywhere, and bytes replaced inside the code section): identical errors and output", async () => {
    const seed = process.env.WASM_FUZZ_SEED ? Number(process.env.WASM_FUZZ_SEED) : (Math.random() * 2 ** 32) >>> 0;
    console.info(`wasm-scanner differential seed ${seed} (reproduce with WASM_FUZZ_SEED=${seed})`);
    const random = mulberry32(seed);
    const corpus = [...(await fixtures("features", "fuel", "hostile")), ...BENCH_KERNELS.map((k) => ({ name: `bench/${k.name}`, bytes: loadKernel(k) }))];
    const subjects: Subject[] = [];
    for (let i = 0; i < 3000; i++) {
      const source = corpus[Math.floor(random() * corpus.length)]!;
      const { bytes, steps } = mutate(source.bytes, random);
      subjects.push({ name: `seed ${seed} #${i} ${source.name} [${steps.join("; ")}]`, bytes });
    }
    // Sizes kept: the bodies still decode, and the scanners meet broken instructions, indices and nesting.
    for (let i = 0; i < 3000; i++) {
      const source = corpus[Math.floor(random() * corpus.length)]!;
      const code = sectionSpans(source.bytes).find((span) => span.id === 10);
      if (code === undefined) continue;
      const bytes = source.bytes.slice();
      const steps: string[] = [];
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const at = code.start + Math.floor(random() * (code.end - code.start));
        bytes[at] = random() < 0.5 ? INTERESTING_BYTES[Math.floor(random() * INTERESTING_BYTES.length)]! : Math.floor(random() * 256);
        steps.push(`set ${at} = 0x${bytes[at]!.toString(16)}`);
      }
      subjects.push({ name: `seed ${seed} code #${i} ${source.name} [${steps.join("; ")}]`, bytes });
    }
    const result = compare(subjects);
    console.info(`wasm-scanner differential: ${subjects.length} mutants, ${result.scanned} scans in WebAssembly, ${result.fellBack} fell back`);
    expect(result.differences).toEqual([]);
    // Mutations reach function bodies in both scanners, or this proves little.
    expect(result.scanned).toBeGreaterThan(5000);
    expect(result.fellBack).toBeGreaterThan(500);
  });
});
