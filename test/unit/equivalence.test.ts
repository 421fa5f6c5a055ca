// Instrumented modules must compute exactly what the originals compute, while burning fuel.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getFuel, instrumentModule, setFuel, START_EXPORT } from "../../src/wasm/index.ts";
import { BENCH_KERNELS, loadKernel } from "../support/bench-kernels.ts";
import { pseudoRandomBytes, realWorldModules, type Instantiate } from "../support/real-world.ts";

// @cloudflare/workers-types, global in this project, declares Module abstract (Workers forbid compiling at
// run time); Node constructs it fine.
const CompileModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
const BUDGET = 1n << 60n;
const MAX_MEMORY_PAGES = 65536;

interface Instantiator {
  instantiate: Instantiate;
  instances: WebAssembly.Instance[];
}

/** Instantiates `bytes`; instrumented instances get the budget and run their start function, as the host does. */
function instantiator(bytes: Uint8Array, instrumented: boolean): Instantiator {
  const module = new CompileModule(bytes);
  const instances: WebAssembly.Instance[] = [];
  const instantiate: Instantiate = (imports) => {
    const instance = new WebAssembly.Instance(module, imports);
    if (instrumented) {
      setFuel(instance, BUDGET);
      const start = instance.exports[START_EXPORT];
      if (typeof start === "function") start();
    }
    instances.push(instance);
    return instance;
  };
  return { instantiate, instances };
}

function instrument(bytes: Uint8Array, cacheFuelInLocals = true): Uint8Array {
  const instrumented = instrumentModule(bytes, { maxMemoryPages: MAX_MEMORY_PAGES, cacheFuelInLocals });
  expect(WebAssembly.validate(instrumented)).toBe(true);
  return instrumented;
}

function runKernel(instance: WebAssembly.Instance, n: number): number {
  return (instance.exports.run as (n: number) => number)(n);
}

// The same xorshift32 stream modules/bench/sha256.ts hashes, as little-endian words.
function sha256KernelInput(n: number): Uint8Array {
  const words = new Uint32Array(n >>> 2);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return new Uint8Array(words.buffer);
}

describe("AssemblyScript bench kernels", () => {
  it("compute the reference answers uninstrumented", () => {
    const fib = loadKernel(BENCH_KERNELS.find((k) => k.name === "fib")!);
    expect(runKernel(instantiator(fib, false).instantiate({}), 22)).toBe(17711);
    const sha = loadKernel(BENCH_KERNELS.find((k) => k.name === "sha256")!);
    const expected = createHash("sha256").update(sha256KernelInput(4096)).digest().readInt32BE(0);
    expect(runKernel(instantiator(sha, false).instantiate({}), 4096)).toBe(expected);
  });

  for (const kernel of BENCH_KERNELS) {
    it(`${kernel.name}: same result instrumented, deterministic fuel`, () => {
      const original = loadKernel(kernel);
      const instrumented = instrument(original);
      const expected = runKernel(instantiator(original, false).instantiate({}), kernel.testN);

      const fuelUsed: bigint[] = [];
      for (let round = 0; round < 2; round++) {
        const instance = instantiator(instrumented, true).instantiate({});
        const before = getFuel(instance);
        expect(runKernel(instance, kernel.testN)).toBe(expected);
        fuelUsed.push(before - getFuel(instance));
      }
      expect(fuelUsed[0]).toBeGreaterThan(0n);
      expect(fuelUsed[1]).toBe(fuelUsed[0]);

      // The two charging strategies are interchangeable: fuel in a local or only in the global.
      const uncached = instantiator(instrument(original, false), true).instantiate({});
      const before = getFuel(uncached);
      expect(runKernel(uncached, kernel.testN)).toBe(expected);
      expect(before - getFuel(uncached)).toBe(fuelUsed[0]);
    });
  }
});

describe("real-world modules", () => {
  it("hash-wasm/sha256 agrees with node:crypto uninstrumented", async () => {
    const sha = realWorldModules().find((m) => m.name === "hash-wasm/sha256")!;
    const expected = createHash("sha256").update(pseudoRandomBytes(1 << 20, 0x5eed)).digest("hex");
    expect(await sha.run(instantiator(sha.bytes, false).instantiate)).toBe(expected);
  });

  for (const subject of realWorldModules()) {
    it(`${subject.name}: same result instrumented, workload burns fuel`, async () => {
      const expected = await subject.run(instantiator(subject.bytes, false).instantiate);

      const metered = instantiator(instrument(subject.bytes), true);
      const workload = await subject.prepare(metered.instantiate);
      expect(metered.instances).toHaveLength(1);
      const before = getFuel(metered.instances[0]);
      expect(workload()).toBe(expected);
      const used = before - getFuel(metered.instances[0]);
      expect(used).toBeGreaterThan(0n);

      // Same fuel whether functions cache it in a local or charge the global directly.
      const uncached = instantiator(instrument(subject.bytes, false), true);
      const uncachedWorkload = await subject.prepare(uncached.instantiate);
      const uncachedBefore = getFuel(uncached.instances[0]);
      expect(uncachedWorkload()).toBe(expected);
      expect(uncachedBefore - getFuel(uncached.instances[0])).toBe(used);
    });
  }
});
