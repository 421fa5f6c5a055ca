// Real-world WebAssembly modules taken from installed npm packages, each with a workload that runs through the module.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { QuickJSEmscriptenModule } from "@jitl/quickjs-ffi-types";

/**
 * Instantiates the module under test with the given imports. The caller decides which bytes
 * (original or instrumented) and prepares the instance (fuel, start function) before returning it.
 */
export type Instantiate = (imports: WebAssembly.Imports) => WebAssembly.Instance;

/** One pass of a fixed workload; returns a value that identifies the result exactly. */
export type Workload = () => string;

export interface RealWorldModule {
  name: string;
  bytes: Uint8Array;
  /** Instantiates the module once and returns a workload that can be run repeatedly on that instance. */
  prepare(instantiate: Instantiate): Promise<Workload>;
  /** Instantiates the module and runs the workload once. */
  run(instantiate: Instantiate): Promise<string>;
}

const require = createRequire(import.meta.url);

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** xorshift32 bytes: incompressible, identical on every run. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Words drawn from a small vocabulary: compresses like prose, identical on every run. */
export function pseudoText(length: number, seed: number): Uint8Array {
  const words = ["edge", "region", "module", "fuel", "memory", "isolate", "deploy", "invoke", "quota", "the", "a", "of",
    "WebAssembly", "metering", "deterministic", "function", "runtime", "sandbox", "limit", "trap", "\n"];
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  let i = 0;
  while (i < length) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const word = words[(x >>> 16) % words.length] + " ";
    for (let j = 0; j < word.length && i < length; j++) out[i++] = word.charCodeAt(j);
  }
  return out;
}

function defineModule(name: string, bytes: Uint8Array, prepare: (instantiate: Instantiate) => Promise<Workload>): RealWorldModule {
  return { name, bytes, prepare, run: async (instantiate) => (await prepare(instantiate))() };
}

// ---------------------------------------------------------------------------------------------
// hash-wasm: hand-written wasm without imports, inlined as base64 in the package's UMD bundle.

function hashWasmBinaries(): Map<string, Uint8Array> {
  const bundle = readFileSync(join(dirname(require.resolve("hash-wasm")), "index.umd.min.js"), "utf8");
  const binaries = new Map<string, Uint8Array>();
  for (const match of bundle.matchAll(/name:"(\w+)",data:"([A-Za-z0-9+/=]+)"/g)) {
    binaries.set(match[1], new Uint8Array(Buffer.from(match[2], "base64")));
  }
  return binaries;
}

interface HashWasmExports {
  memory: WebAssembly.Memory;
  Hash_GetBuffer(): number;
  Hash_Init(param: number): void;
  Hash_Update(length: number): void;
  Hash_Final(param: number): void;
  Hash_SetMemorySize(size: number): void;
  Hash_Calculate(length: number, initParam: number, finalParam: number): void;
}

// hash-wasm's own glue never passes more than this through the I/O buffer at once.
const HASH_WASM_CHUNK = 16 * 1024;

/** Streams `input` through Init/Update/Final, exactly as hash-wasm's `createXXX().update().digest()` does. */
function streamingHash(input: Uint8Array, initParam: number, finalParam: number, digestLength: number) {
  return async (instantiate: Instantiate): Promise<Workload> => {
    const exports = instantiate({}).exports as unknown as HashWasmExports;
    return () => {
      const offset = exports.Hash_GetBuffer();
      exports.Hash_Init(initParam);
      for (let read = 0; read < input.length; read += HASH_WASM_CHUNK) {
        const chunk = input.subarray(read, read + HASH_WASM_CHUNK);
        new Uint8Array(exports.memory.buffer, offset, chunk.length).set(chunk);
        exports.Hash_Update(chunk.length);
      }
      exports.Hash_Final(finalParam);
      return toHex(new Uint8Array(exports.memory.buffer, offset, digestLength));
    };
  };
}

const ARGON2_MEMORY_KIB = 2048;
const ARGON2_ITERATIONS = 2;

/**
 * The memory-hard core of Argon2id (hash-wasm's argon2 module): fills ARGON2_MEMORY_KIB one-KiB
 * blocks over ARGON2_ITERATIONS passes and returns the final block. The two seed blocks, which the
 * library derives with BLAKE2b, are generated here instead so the workload needs only this module.
 */
function argon2Core() {
  return async (instantiate: Instantiate): Promise<Workload> => {
    const exports = instantiate({}).exports as unknown as HashWasmExports;
    // The first Hash_GetBuffer call places the I/O buffer; hash-wasm's glue always makes it before sizing memory.
    const offset = exports.Hash_GetBuffer();
    const seedBlocks = pseudoRandomBytes(2 * 1024, 0xa2a2);
    const parameters = new DataView(new ArrayBuffer(24));
    [1, 32, ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, 0x13, 2].forEach((value, i) => parameters.setInt32(i * 4, value, true));
    return () => {
      const size = ARGON2_MEMORY_KIB * 1024 + 1024;
      exports.Hash_SetMemorySize(size);
      const view = new Uint8Array(exports.memory.buffer, offset, size);
      view.fill(0);
      view.set(seedBlocks, 0);
      view.set(new Uint8Array(parameters.buffer), ARGON2_MEMORY_KIB * 1024);
      exports.Hash_Calculate(0, ARGON2_MEMORY_KIB, 0);
      return sha256Hex(new Uint8Array(exports.memory.buffer, offset, 1024));
    };
  };
}

// ---------------------------------------------------------------------------------------------
// brotli-wasm: Rust compiled with wasm-bindgen. The package's glue binds one module-level instance,
// so the handful of imports it needs are provided here, mirroring the generated glue.

interface BrotliExports {
  memory: WebAssembly.Memory;
  compress(retptr: number, ptr: number, len: number, options: number): void;
  decompress(retptr: number, ptr: number, len: number): void;
  __wbindgen_malloc(size: number): number;
  __wbindgen_realloc(ptr: number, oldSize: number, newSize: number): number;
  __wbindgen_free(ptr: number, size: number): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
}

class BrotliBindings {
  private exports!: BrotliExports;
  // wasm-bindgen's object table: reserved slots for undefined, null, true, false, then a free list.
  private readonly heap: unknown[] = [...new Array(32).fill(undefined), undefined, null, true, false];
  private heapNext = this.heap.length;
  private stackPointer = 32;
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
  private readonly encoder = new TextEncoder();

  readonly imports: WebAssembly.Imports = {
    __wbindgen_placeholder__: {
      __wbindgen_is_undefined: (idx: number) => this.heap[idx] === undefined,
      __wbindgen_is_object: (idx: number) => typeof this.heap[idx] === "object" && this.heap[idx] !== null,
      __wbindgen_string_new: (ptr: number, len: number) => this.addObject(this.readString(ptr, len)),
      __wbindgen_error_new: (ptr: number, len: number) => this.addObject(new Error(this.readString(ptr, len))),
      __wbindgen_json_serialize: (retptr: number, idx: number) => {
        this.writeStringResult(retptr, JSON.stringify(this.heap[idx] === undefined ? null : this.heap[idx]));
      },
      __wbg_new_693216e109162396: () => this.addObject(new Error()),
      __wbg_stack_0ddaca5d1abfb52f: (retptr: number, idx: number) => {
        this.writeStringResult(retptr, String((this.heap[idx] as Error).stack));
      },
      __wbg_error_09919627ac0992f5: (ptr: number, len: number) => {
        try {
          console.error(this.readString(ptr, len));
        } finally {
          this.exports.__wbindgen_free(ptr, len);
        }
      },
      __wbindgen_object_drop_ref: (idx: number) => this.dropObject(idx),
      __wbindgen_throw: (ptr: number, len: number) => {
        throw new Error(this.readString(ptr, len));
      },
    },
  };

  bind(instance: WebAssembly.Instance): void {
    this.exports = instance.exports as unknown as BrotliExports;
  }

  compress(input: Uint8Array, options: { quality: number }): Uint8Array {
    const retptr = this.exports.__wbindgen_add_to_stack_pointer(-16);
    try {
      const ptr = this.passBytes(input);
      this.exports.compress(retptr, ptr, input.length, this.borrowObject(options));
      return this.takeResult(retptr);
    } finally {
      this.exports.__wbindgen_add_to_stack_pointer(16);
      this.heap[this.stackPointer++] = undefined;
    }
  }

  decompress(input: Uint8Array): Uint8Array {
    const retptr = this.exports.__wbindgen_add_to_stack_pointer(-16);
    try {
      const ptr = this.passBytes(input);
      this.exports.decompress(retptr, ptr, input.length);
      return this.takeResult(retptr);
    } finally {
      this.exports.__wbindgen_add_to_stack_pointer(16);
    }
  }

  private takeResult(retptr: number): Uint8Array {
    const [ptr, len, error, failed] = new Int32Array(this.exports.memory.buffer, retptr, 4);
    if (failed) throw this.takeObject(error);
    const out = new Uint8Array(this.exports.memory.buffer, ptr, len).slice();
    this.exports.__wbindgen_free(ptr, len);
    return out;
  }

  private passBytes(bytes: Uint8Array): number {
    const ptr = this.exports.__wbindgen_malloc(bytes.length);
    new Uint8Array(this.exports.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  private readString(ptr: number, len: number): string {
    return this.decoder.decode(new Uint8Array(this.exports.memory.buffer, ptr, len));
  }

  private writeStringResult(retptr: number, value: string): void {
    const encoded = this.encoder.encode(value);
    const ptr = this.passBytes(encoded);
    const words = new Int32Array(this.exports.memory.buffer, retptr, 2);
    words[0] = ptr;
    words[1] = encoded.length;
  }

  private addObject(value: unknown): number {
    if (this.heapNext === this.heap.length) this.heap.push(this.heap.length + 1);
    const idx = this.heapNext;
    this.heapNext = this.heap[idx] as number;
    this.heap[idx] = value;
    return idx;
  }

  private borrowObject(value: unknown): number {
    if (this.stackPointer === 1) throw new Error("out of js stack");
    this.heap[--this.stackPointer] = value;
    return this.stackPointer;
  }

  private dropObject(idx: number): void {
    if (idx < 36) return;
    this.heap[idx] = this.heapNext;
    this.heapNext = idx;
  }

  private takeObject(idx: number): unknown {
    const value = this.heap[idx];
    this.dropObject(idx);
    return value;
  }
}

const BROTLI_QUALITY = 9;

/** Compresses 256 KiB of text at quality 9 and checks the round trip; returns size and digest of the stream. */
function brotliRoundTrip(input: Uint8Array) {
  return async (instantiate: Instantiate): Promise<Workload> => {
    const bindings = new BrotliBindings();
    bindings.bind(instantiate(bindings.imports));
    return () => {
      const compressed = bindings.compress(input, { quality: BROTLI_QUALITY });
      const restored = bindings.decompress(compressed);
      if (sha256Hex(restored) !== sha256Hex(input)) throw new Error("brotli round trip changed the data");
      return `${compressed.length}:${sha256Hex(compressed)}`;
    };
  };
}

// ---------------------------------------------------------------------------------------------
// QuickJS: C compiled with emscripten. The package's own glue loads the module; its instantiateWasm
// hook hands it our instance, and the package's FFI class drives the raw exports.

// Exercises the interpreter, the object model, the GC, JSON, RegExp and sorting with a JS comparator.
const QUICKJS_PROGRAM = `(() => {
  const primes = [];
  const sieve = new Uint8Array(30000);
  for (let i = 2; i < sieve.length; i++) {
    if (sieve[i]) continue;
    primes.push(i);
    for (let j = i * i; j < sieve.length; j += i) sieve[j] = 1;
  }
  let seed = 7;
  const records = [];
  for (let i = 0; i < 3000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    records.push({ id: i, score: seed % 1000, tag: "t" + (seed % 17).toString(16) });
  }
  records.sort((a, b) => a.score - b.score || a.id - b.id);
  const round = JSON.parse(JSON.stringify(records));
  const tagged = round.filter((r) => /^t[0-9a]$/.test(r.tag)).map((r) => r.tag.toUpperCase()).join("");
  const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
  const digest = round.reduce((h, r) => (Math.imul(h, 31) + r.score * 7 + r.id) | 0, 17);
  return [primes.length, primes[primes.length - 1], digest, tagged.length, tagged.slice(0, 24), fib(20), Math.sqrt(2).toFixed(12)].join(",");
})()`;

interface QuickJSLoader {
  (options: { instantiateWasm: (imports: WebAssembly.Imports, onSuccess: (instance: WebAssembly.Instance) => void) => WebAssembly.Exports }): Promise<QuickJSEmscriptenModule>;
}

function quickjsEval() {
  return async (instantiate: Instantiate): Promise<Workload> => {
    const { default: loadModule } = (await import("@jitl/quickjs-wasmfile-release-sync/emscripten-module")) as unknown as { default: QuickJSLoader };
    const { QuickJSFFI } = await import("@jitl/quickjs-wasmfile-release-sync/ffi");
    const module = await loadModule({
      instantiateWasm: (imports, onSuccess) => {
        const instance = instantiate(imports);
        onSuccess(instance);
        return instance.exports;
      },
    });
    const ffi = new QuickJSFFI(module);
    const runtime = ffi.QTS_NewRuntime();
    const context = ffi.QTS_NewContext(runtime, 0 as never);
    const codeLength = module.lengthBytesUTF8(QUICKJS_PROGRAM);
    const code = module._malloc(codeLength + 1);
    module.stringToUTF8(QUICKJS_PROGRAM, code as never, codeLength + 1);
    return () => {
      const result = ffi.QTS_Eval(context, code as never, codeLength, "workload.js", 0 as never, 0 as never);
      const error = ffi.QTS_ResolveException(context, result);
      const subject = error || result;
      const text = ffi.QTS_GetString(context, subject);
      const value = module.UTF8ToString(text as never);
      ffi.QTS_FreeCString(context, text);
      ffi.QTS_FreeValuePointer(context, result);
      if (error) {
        ffi.QTS_FreeValuePointer(context, error);
        throw new Error(`quickjs workload threw: ${value}`);
      }
      return value;
    };
  };
}

// ---------------------------------------------------------------------------------------------

let cached: RealWorldModule[] | undefined;

/** The real-world modules, loaded once per process. */
export function realWorldModules(): RealWorldModule[] {
  if (cached) return cached;
  const hashes = hashWasmBinaries();
  const hashInput = pseudoRandomBytes(1 << 20, 0x5eed);
  const binary = (name: string): Uint8Array => {
    const bytes = hashes.get(name);
    if (!bytes) throw new Error(`hash-wasm bundle has no "${name}" module`);
    return bytes;
  };
  const brotliBytes = new Uint8Array(readFileSync(join(dirname(require.resolve("brotli-wasm")), "pkg.node", "brotli_wasm_bg.wasm")));
  const quickjsBytes = new Uint8Array(readFileSync(join(dirname(require.resolve("@jitl/quickjs-wasmfile-release-sync")), "emscripten-module.wasm")));
  cached = [
    defineModule("hash-wasm/sha256", binary("sha256"), streamingHash(hashInput, 256, 0, 32)),
    defineModule("hash-wasm/blake3", binary("blake3"), streamingHash(hashInput, 0, 32, 32)),
    defineModule("hash-wasm/argon2", binary("argon2"), argon2Core()),
    defineModule("brotli-wasm", brotliBytes, brotliRoundTrip(pseudoText(256 * 1024, 0xb0b))),
    defineModule("quickjs", quickjsBytes, quickjsEval()),
  ];
  return cached;
}
