// Bad input must always surface as a typed WasmError: never a RangeError, TypeError or hang.
import { describe, expect, it } from "vitest";
import { compile, loadFixtures, mulberry32, sectionSpans, type Fixture } from "./fixtures.ts";
import { edgeCases, malformedCases, type MalformedCase } from "./fixtures/malformed/cases.ts";
import { mutate } from "../../test/support/wasm-mutator.ts";
import { roundTripProblem } from "../../test/support/wasm-roundtrip.ts";
import {
  checkFunctionBodies,
  decodeModule,
  inspectModule,
  instrumentModule,
  MalformedModuleError,
  UnsupportedFeatureError,
  WasmError,
} from "./index.ts";

const INSTRUMENT_OPTIONS = { maxMemoryPages: 16 };

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

function attempt<T>(fn: () => T): Attempt<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

function expectCaseError(error: unknown, testCase: MalformedCase, api: string): void {
  const label = `${testCase.name} (${api}) threw ${describeError(error)}`;
  if (testCase.error === "malformed_module") expect(error, label).toBeInstanceOf(MalformedModuleError);
  else if (testCase.error === "unsupported_feature") expect(error, label).toBeInstanceOf(UnsupportedFeatureError);
  else expect(error, label).toBeInstanceOf(WasmError);
  if (error instanceof MalformedModuleError || error instanceof UnsupportedFeatureError) {
    const [from, to] = testCase.offset;
    expect(error.offset, `${label}: offset should lie in [${from}, ${to}]`).toBeGreaterThanOrEqual(from);
    expect(error.offset, `${label}: offset should lie in [${from}, ${to}]`).toBeLessThanOrEqual(to);
  }
}

describe("malformed and unsupported modules", () => {
  const cases = malformedCases();

  it("the corpus is rejected by V8 too, except proposals V8 runs but the toolkit does not", () => {
    const acceptedByV8 = cases.filter((c) => WebAssembly.validate(c.bytes)).map((c) => c.name);
    expect(acceptedByV8).toEqual(["atomic opcode (threads)", "shared memory flag", "imported shared memory"]);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, testCase) => {
    const inspected = attempt(() => inspectModule(testCase.bytes));
    // inspectModule may leave function bodies to the instrumenter; if it does look, it must agree.
    if (!(testCase.inBody && inspected.ok)) {
      expect(inspected.ok, `${testCase.name}: inspectModule accepted it`).toBe(false);
      if (!inspected.ok) expectCaseError(inspected.error, testCase, "inspectModule");
    }
    const instrumented = attempt(() => instrumentModule(testCase.bytes, INSTRUMENT_OPTIONS));
    expect(instrumented.ok, `${testCase.name}: instrumentModule accepted it`).toBe(false);
    if (!instrumented.ok) expectCaseError(instrumented.error, testCase, "instrumentModule");
    const decoded = attempt(() => decodeModule(testCase.bytes));
    if (!decoded.ok) expect(decoded.error, `${testCase.name} (decodeModule)`).toBeInstanceOf(WasmError);
    else {
      // A deploy decodes once, then instruments from that decoding or, refusing the module for something else, checks
      // its bodies first: both refuse what the instrumenter refuses, with its error.
      const fromDecoding = attempt(() => instrumentModule(testCase.bytes, { ...INSTRUMENT_OPTIONS, decoded: decoded.value }));
      expect(fromDecoding.ok, `${testCase.name}: instrumentModule accepted its decoding`).toBe(false);
      if (!fromDecoding.ok) expectCaseError(fromDecoding.error, testCase, "instrumentModule from its decoding");
      const bodies = attempt(() => checkFunctionBodies(testCase.bytes, decoded.value));
      expect(bodies.ok, `${testCase.name}: checkFunctionBodies accepted it`).toBe(false);
      if (!bodies.ok) expectCaseError(bodies.error, testCase, "checkFunctionBodies");
    }
  });

  it.each(edgeCases().map((c) => [c.name, c] as const))("accepts the well-formed edge case: %s", (_, edge) => {
    expect(() => inspectModule(edge.bytes)).not.toThrow();
    const instrumented = instrumentModule(edge.bytes, INSTRUMENT_OPTIONS);
    expect(WebAssembly.validate(instrumented)).toBe(true);
  });

  it("every truncation inside a section of every fixture is a MalformedModuleError", async () => {
    const fixtures = await loadFixtures("features");
    const failures: string[] = [];
    for (const fixture of fixtures) {
      for (const span of sectionSpans(fixture.bytes)) {
        // Cuts at section boundaries can leave a valid module; cuts inside a section cannot.
        for (let cut = span.start + 1; cut < span.end; cut++) {
          const truncated = fixture.bytes.subarray(0, cut);
          const apis: [string, () => unknown][] = [
            ["inspectModule", () => inspectModule(truncated)],
            ["instrumentModule", () => instrumentModule(truncated, INSTRUMENT_OPTIONS)],
          ];
          for (const [api, fn] of apis) {
            const result = attempt(fn);
            const error = result.ok ? undefined : result.error;
            const plausible =
              error instanceof MalformedModuleError && error.offset >= span.start && error.offset <= cut;
            if (!plausible && failures.length < 10) {
              failures.push(
                `${fixture.name}.wat cut at ${cut} (section ${span.id} at ${span.start}): ${api} ${
                  result.ok ? "returned" : `threw ${describeError(error)}`
                }`,
              );
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

// --- mutation fuzzing --------------------------------------------------------------------

const MUTATIONS = 10_000;

function compileError(bytes: Uint8Array): string {
  try {
    compile(bytes);
    return "(compiles, yet WebAssembly.validate said no)";
  } catch (error) {
    return describeError(error);
  }
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

describe("mutation fuzz", () => {
  it(`${MUTATIONS} mutated fixtures: typed errors only, and valid input instruments to valid output`, async () => {
    const seed = process.env.WASM_FUZZ_SEED ? Number(process.env.WASM_FUZZ_SEED) : (Math.random() * 2 ** 32) >>> 0;
    console.info(`mutation fuzz seed ${seed} (reproduce with WASM_FUZZ_SEED=${seed})`);
    const random = mulberry32(seed);
    const corpus: Fixture[] = [
      ...(await loadFixtures("features")),
      ...(await loadFixtures("fuel")),
      ...(await loadFixtures("hostile")),
    ];
    const failures: string[] = [];
    const tally = { rejected: 0, validInputs: 0, instrumented: 0 };

    for (let i = 0; i < MUTATIONS && failures.length < 5; i++) {
      const source = corpus[Math.floor(random() * corpus.length)]!;
      const { bytes, steps } = mutate(source.bytes, random);
      const context = () => `seed ${seed} #${i} ${source.set}/${source.name} [${steps.join("; ")}] input ${toHex(bytes)}`;
      const fail = (message: string) => failures.push(`${message}\n    ${context()}`);

      const v8Valid = WebAssembly.validate(bytes);
      if (v8Valid) tally.validInputs++;

      const inspected = attempt(() => inspectModule(bytes));
      if (!inspected.ok) {
        tally.rejected++;
        if (!(inspected.error instanceof WasmError)) fail(`inspectModule threw ${describeError(inspected.error)}`);
        else if (v8Valid && inspected.error instanceof MalformedModuleError)
          fail(`inspectModule rejected a module V8 accepts: ${describeError(inspected.error)}`);
        else if (inspected.error instanceof MalformedModuleError && !(inspected.error.offset >= 0 && inspected.error.offset <= bytes.length))
          fail(`inspectModule reported offset ${inspected.error.offset} outside the input`);
      }

      const instrumented = attempt(() => instrumentModule(bytes, INSTRUMENT_OPTIONS));
      if (!instrumented.ok) {
        if (!(instrumented.error instanceof WasmError)) fail(`instrumentModule threw ${describeError(instrumented.error)}`);
        else if (v8Valid && instrumented.error instanceof MalformedModuleError)
          fail(`instrumentModule rejected a module V8 accepts: ${describeError(instrumented.error)}`);
      } else {
        tally.instrumented++;
        if (v8Valid && !WebAssembly.validate(instrumented.value)) {
          fail(`instrumented output does not validate: ${compileError(instrumented.value)}`);
        }
      }

      const decoded = attempt(() => decodeModule(bytes));
      if (!decoded.ok) {
        if (!(decoded.error instanceof WasmError)) fail(`decodeModule threw ${describeError(decoded.error)}`);
      } else {
        // Byte for byte where the input is in the encoder's form; otherwise the same module with LEB padding
        // dropped (see wasm-roundtrip.ts for why that, not byte identity, is the encoder's contract).
        const problem = attempt(() => roundTripProblem(bytes));
        if (!problem.ok) fail(`encodeModule threw on a module decodeModule accepted: ${describeError(problem.error)}`);
        else if (problem.value !== null) fail(`decode -> encode: ${problem.value}`);
      }
    }

    console.info(
      `mutation fuzz: ${tally.rejected} rejected by inspectModule, ${tally.validInputs} still valid for V8, ${tally.instrumented} instrumented`,
    );
    expect(failures, failures.join("\n")).toEqual([]);
    // The mutator must keep producing both kinds of input, or the checks above prove little.
    expect(tally.rejected).toBeGreaterThan(MUTATIONS / 10);
    expect(tally.validInputs).toBeGreaterThan(MUTATIONS / 100);
  });
});
