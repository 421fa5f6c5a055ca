// The AssemblyScript CPU-bound kernels in modules/bench/, with the input sizes tests and benchmarks use.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchKernel {
  name: string;
  /** Small input for tests: enough to run every path, cheap enough for `npm test`. */
  testN: number;
  /** Benchmark input: roughly 20–100 ms per call on an uninstrumented module. */
  benchN: number;
}

export const BENCH_KERNELS: readonly BenchKernel[] = [
  { name: "fib", testN: 22, benchN: 33 },
  { name: "sha256", testN: 64 * 1024, benchN: 4 * 1024 * 1024 },
  { name: "sort", testN: 20_000, benchN: 500_000 },
  { name: "nbody", testN: 10_000, benchN: 500_000 },
  { name: "fannkuch", testN: 7, benchN: 9 },
  { name: "strings", testN: 40, benchN: 600 },
];

// Found by walking up rather than by a fixed relative path, so the helper also works when bundled elsewhere (scripts/bench.mjs).
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "modules", "bench"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the repository root (a directory containing modules/bench)");
    dir = parent;
  }
  return dir;
}

/** Path of the kernel's compiled module (built by `npm run build:modules`). */
export function kernelPath(kernel: BenchKernel): string {
  return join(repoRoot(), "modules", "build", "bench", `${kernel.name}.wasm`);
}

export function loadKernel(kernel: BenchKernel): Uint8Array {
  const path = kernelPath(kernel);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:modules\` first`);
  return new Uint8Array(readFileSync(path));
}
