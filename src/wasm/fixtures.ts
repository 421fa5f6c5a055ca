// Test-only loader for the .wat corpora under src/wasm/fixtures/: compiles a fixture with
// wabt, honouring the directives in its leading comment, and caches the bytes per test run.
//
// Directives (comment lines before the module):
//   ;; features: exceptions tail_call ...   wabt feature flags beyond wabt's defaults
//   ;; v8: unsupported                      Node's V8 cannot validate the module (e.g. exnref)
//   ;; debug-names: yes                     also emit a "name" custom section
//   ;; expect: <text>                        (invalid set) what the toolkit's error message must contain
// Modules in the "invalid" set are assembled without wabt's validation: they are invalid on purpose.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import wabtInit from "wabt";

export type FixtureSet = "features" | "hostile" | "fuel" | "invalid";

export interface Fixture {
  set: FixtureSet;
  name: string;
  path: string;
  bytes: Uint8Array;
  features: string[];
  /** False when the module uses a proposal Node's V8 does not implement. */
  v8Supported: boolean;
  /** The `expect:` directive (invalid set): text the toolkit's error must contain. */
  expect?: string;
}

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** wabt's defaults leave these off; everything a fixture may ask for. */
const KNOWN_FEATURES = new Set([
  "exceptions",
  "tail_call",
  "annotations",
  "threads",
  "memory64",
  "multi_memory",
  "gc",
  "function_references",
  "extended_const",
  "relaxed_simd",
  "simd",
  "bulk_memory",
  "reference_types",
  "multi_value",
  "sign_extension",
  "sat_float_to_int",
  "mutable_globals",
]);

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabtPromise: Promise<Wabt> | undefined;
const cache = new Map<string, Promise<Fixture>>();

export function fixtureNames(set: FixtureSet): string[] {
  return readdirSync(join(FIXTURES_DIR, set))
    .filter((file) => file.endsWith(".wat"))
    .map((file) => file.slice(0, -".wat".length))
    .sort();
}

export function loadFixture(set: FixtureSet, name: string): Promise<Fixture> {
  const key = `${set}/${name}`;
  let fixture = cache.get(key);
  if (!fixture) {
    fixture = compileFixture(set, name);
    cache.set(key, fixture);
  }
  return fixture;
}

export function loadFixtures(set: FixtureSet): Promise<Fixture[]> {
  return Promise.all(fixtureNames(set).map((name) => loadFixture(set, name)));
}

/** Compiles WebAssembly text with the given wabt feature flags (for tests that build modules inline). */
export async function watToBytes(
  source: string,
  features: readonly string[] = [],
  options: { canonicalLeb?: boolean; debugNames?: boolean; filename?: string; validate?: boolean } = {},
): Promise<Uint8Array> {
  const wabt = await (wabtPromise ??= wabtInit());
  const flags: Record<string, boolean> = {};
  for (const feature of features) {
    if (!KNOWN_FEATURES.has(feature)) throw new Error(`unknown wabt feature "${feature}"`);
    flags[feature] = true;
  }
  const module = wabt.parseWat(options.filename ?? "inline.wat", source, flags);
  try {
    module.resolveNames();
    // wabt.js validates with the features it is given; its typings omit that parameter.
    if (options.validate ?? true) (module as unknown as { validate(features: Record<string, boolean>): void }).validate(flags);
    return module.toBinary({
      canonicalize_lebs: options.canonicalLeb ?? true,
      write_debug_names: options.debugNames ?? false,
    }).buffer;
  } finally {
    module.destroy();
  }
}

async function compileFixture(set: FixtureSet, name: string): Promise<Fixture> {
  const path = join(FIXTURES_DIR, set, `${name}.wat`);
  const source = readFileSync(path, "utf8");
  const features = directive(source, "features")?.split(/\s+/).filter(Boolean) ?? [];
  const v8Supported = directive(source, "v8") !== "unsupported";
  const debugNames = directive(source, "debug-names") === "yes";
  let bytes: Uint8Array;
  try {
    bytes = await watToBytes(source, features, { filename: `${name}.wat`, debugNames, validate: set !== "invalid" });
  } catch (error) {
    throw new Error(`fixture ${set}/${name}.wat does not assemble: ${(error as Error).message}`);
  }
  return { set, name, path, bytes, features, v8Supported, expect: directive(source, "expect") };
}

function directive(source: string, key: string): string | undefined {
  const match = new RegExp(`^;;\\s*${key}:(.*)$`, "m").exec(source);
  return match?.[1]?.trim();
}

// @cloudflare/workers-types declares WebAssembly.Module abstract (Workers forbid compiling
// at run time); these tests run in Node, where it is an ordinary constructor.
const WasmModule = WebAssembly.Module as unknown as new (bytes: BufferSource) => WebAssembly.Module;

/** Compiles and instantiates bytes synchronously (Node only). */
export function instantiate(bytes: Uint8Array, imports: WebAssembly.Imports = {}): WebAssembly.Instance {
  return new WebAssembly.Instance(compile(bytes), imports);
}

/** Compiles bytes synchronously, throwing V8's CompileError for invalid modules (Node only). */
export function compile(bytes: Uint8Array): WebAssembly.Module {
  return new WasmModule(bytes);
}

export interface SectionSpan {
  id: number;
  /** Offset of the section id byte. */
  start: number;
  /** Offset just past the section's contents. */
  end: number;
}

/** Top-level section layout of a well-formed module (test helper; trusts its input). */
export function sectionSpans(bytes: Uint8Array): SectionSpan[] {
  const spans: SectionSpan[] = [];
  let offset = 8;
  while (offset < bytes.length) {
    const start = offset;
    const id = bytes[offset++]!;
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[offset++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    offset += size;
    spans.push({ id, start, end: offset });
  }
  return spans;
}

/** A custom section with the given name and payload, minimally encoded. */
export function customSection(name: string, payload: Uint8Array | number[] = []): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const content = [...leb128(nameBytes.length), ...nameBytes, ...payload];
  return Uint8Array.from([0, ...leb128(content.length), ...content]);
}

/** Describes where two byte arrays first differ, or returns null when they are equal. */
export function byteDifference(actual: Uint8Array, expected: Uint8Array): string | null {
  const shared = Math.min(actual.length, expected.length);
  for (let i = 0; i < shared; i++) {
    if (actual[i] !== expected[i]) {
      return `first difference at byte ${i}: expected 0x${hex(expected[i]!)}, got 0x${hex(actual[i]!)} (lengths: expected ${expected.length}, got ${actual.length})`;
    }
  }
  if (actual.length !== expected.length) {
    return `identical for ${shared} bytes, then lengths differ: expected ${expected.length}, got ${actual.length}`;
  }
  return null;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function leb128(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** mulberry32: a small, fast PRNG for seeded property and fuzz tests, reproducible from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs fn, expects it to throw an instance of `type`, and returns the error for further checks. */
export function thrown<T extends Error>(fn: () => unknown, type: new (...args: never[]) => T): T {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected ${type.name}, but nothing was thrown`);
}
