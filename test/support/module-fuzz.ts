// One case of the module fuzzer (npm run fuzz, scripts/fuzz.mjs): a mutated module through the deploy pipeline's
// checks in Node, in deployFunction's order (src/services/deploy-service.ts): decode (inspectModule), V8 validation,
// the module policy for the widest profile, the guest ABI check, instrumentation with the deploy's caps, and
// WebAssembly.validate on the output; plus decode -> encode (wasm-roundtrip.ts) and, on some cases, determinism.
//
// A case fails when: anything but a typed WasmError escapes (a crash); a module V8 accepts is refused as malformed;
// the output of a valid module is invalid (an invalid output from a valid input); the toolkit turns an invalid
// module into a valid one; two instrumentations differ; or decode -> encode changes the module. Each case has its
// own seed (caseSeed(runSeed, index)), so one failing case replays alone.

import { parseManifest } from "../../src/api/manifest.ts";
import { MAX_MODULE_BYTES, modulePolicyViolations, STRUCTURAL_LIMITS } from "../../src/services/module-policy.ts";
import { CAPABILITY_PROFILE_NAMES, checkGuestAbi } from "../../src/runtime/index.ts";
import { loadFixtures, mulberry32 } from "../../src/wasm/fixtures.ts";
import { decodeModule, inspectModule, instrumentModule, MalformedModuleError, WasmError } from "../../src/wasm/index.ts";
import { mutate } from "./wasm-mutator.ts";
import { roundTripProblem } from "./wasm-roundtrip.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface CorpusEntry {
  name: string;
  bytes: Uint8Array;
}

export type CaseOutcome = "refused" | "deployed";

export interface CaseResult {
  outcome: CaseOutcome;
  /** V8 accepts the mutated module. */
  v8Valid: boolean;
  /** Why the case failed; null when it behaved. */
  problem: string | null;
  source: string;
  steps: string[];
  /** The mutated module, hex, only when the case failed. */
  input?: string;
}

/** The fixtures every wasm test uses, and the built example guests (real SDK output) next to them. */
export async function loadCorpus(repoRoot: string): Promise<CorpusEntry[]> {
  const fixtures = [...(await loadFixtures("features")), ...(await loadFixtures("fuel")), ...(await loadFixtures("hostile"))];
  const corpus: CorpusEntry[] = fixtures.filter((f) => f.v8Supported).map((f) => ({ name: `${f.set}/${f.name}`, bytes: f.bytes }));
  const examples = join(repoRoot, "modules", "build", "examples");
  for (const file of readdirSync(examples).filter((f) => f.endsWith(".wasm")).sort()) {
    corpus.push({ name: `examples/${file}`, bytes: new Uint8Array(readFileSync(join(examples, file))) });
  }
  return corpus;
}

/** A 32-bit seed for case `index` of a run: independent of how cases are spread over workers. */
export function caseSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The deploy manifest with every capability: the policy that lets the most through. */
const MANIFEST = parseManifest({ sha256: "0".repeat(64), profile: [...CAPABILITY_PROFILE_NAMES], database: "fuzz" }, ["wnam"]);
const INSTRUMENT_OPTIONS = { maxMemoryPages: MANIFEST.limits.maxMemoryPages, maxTableElements: STRUCTURAL_LIMITS.maxTableElements };

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

function attempt<T>(fn: () => T): Attempt<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

const describe = (error: unknown) => (error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error));
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Runs case `index` of run `runSeed` over `corpus`. */
export function runCase(corpus: readonly CorpusEntry[], runSeed: number, index: number): CaseResult {
  const random = mulberry32(caseSeed(runSeed, index));
  const source = corpus[Math.floor(random() * corpus.length)]!;
  const { bytes, steps } = mutate(source.bytes, random);
  const checkDeterminism = random() < 0.125;
  const v8Valid = WebAssembly.validate(bytes);
  const result = (outcome: CaseOutcome, problem: string | null): CaseResult =>
    problem === null
      ? { outcome, v8Valid, problem, source: source.name, steps }
      : { outcome, v8Valid, problem, source: source.name, steps, input: Buffer.from(bytes).toString("hex") };
  const crash = (stage: string, error: unknown) => result("refused", `${stage} threw ${describe(error)}`);

  const decoded = attempt(() => decodeModule(bytes));
  if (!decoded.ok && !(decoded.error instanceof WasmError)) return crash("decodeModule", decoded.error);
  if (decoded.ok) {
    const problem = attempt(() => roundTripProblem(bytes));
    if (!problem.ok) return crash("encodeModule", problem.error);
    if (problem.value !== null) return result("refused", `decode -> encode: ${problem.value}`);
  }

  // The deploy's checks: size cap, structure (the deploy decodes once and checks the bodies as it instruments, or
  // before a refusal: inspectModule's answer either way), V8, policy, ABI, instrument, validate the output.
  let refused = bytes.byteLength > MAX_MODULE_BYTES;
  const inspected = attempt(() => inspectModule(bytes));
  if (!inspected.ok) {
    if (!(inspected.error instanceof WasmError)) return crash("inspectModule", inspected.error);
    if (v8Valid && inspected.error instanceof MalformedModuleError) return result("refused", `inspectModule refused a module V8 accepts: ${describe(inspected.error)}`);
    refused = true;
  }
  if (!v8Valid) refused = true;
  if (!refused && inspected.ok) {
    const policy = attempt(() => modulePolicyViolations(inspected.value, MANIFEST));
    if (!policy.ok) return crash("modulePolicyViolations", policy.error);
    const abi = attempt(() => checkGuestAbi(decodeModule(bytes)));
    if (!abi.ok) return crash("checkGuestAbi", abi.error);
    if (policy.value.length > 0 || abi.value.length > 0) refused = true;
  }

  // The instrumenter runs on every input, refused or not: the toolkit must hold up on its own.
  const instrumented = attempt(() => instrumentModule(bytes, INSTRUMENT_OPTIONS));
  if (!instrumented.ok) {
    if (!(instrumented.error instanceof WasmError)) return crash("instrumentModule", instrumented.error);
    if (v8Valid && instrumented.error instanceof MalformedModuleError) {
      return result("refused", `instrumentModule refused a module V8 accepts: ${describe(instrumented.error)}`);
    }
    return result("refused", null);
  }
  const outputValid = WebAssembly.validate(instrumented.value);
  if (v8Valid && !outputValid) return result("refused", "the instrumented output of a valid module does not validate");
  if (!v8Valid && outputValid) return result("refused", "instrumentModule turned an invalid module into a valid one");
  if (checkDeterminism) {
    // The second time from a decoding made beforehand, as a deploy instruments: it must change nothing.
    const again = attempt(() => instrumentModule(bytes, { ...INSTRUMENT_OPTIONS, decoded: decodeModule(bytes) }));
    if (!again.ok || !same(again.value, instrumented.value)) return result("refused", "instrumenting the same module twice (once from its decoding) gave different bytes");
  }
  return result(refused ? "refused" : "deployed", null);
}
