// The one property test of every host function in the registry (HOST_MODULES), on a live instance: seeded random (ptr, len, ...) arguments, biased to the
// edges (0, the end of memory, just past it, values that wrap at 2^32, negative i32s) and mixed with valid ones so
// the calls also get past validation. Half the calls go to the database calls (db_query, db_execute). For every call: the host never throws, returns only documented codes, and
// guest memory outside the ranges that call may write is unchanged (on a refusal: nothing changed at all).
// Sync host functions are called through trampolines exported by the guest (so arguments cross the wasm boundary
// as real i32s); async ones (edge_invoke, http_fetch) are called directly, since Node 20 has no JSPI, with a fake
// bridge answering with random outcomes. A module added to the registry fails this test until it has a generator
// here. Seed: HELIOS_PROPERTY_SEED, else random; printed.

import { describe, expect, it } from "vitest";
import { compile, mulberry32, watToBytes } from "../wasm/fixtures.ts";
import { instrumentModule, setFuel } from "../wasm/index.ts";
import { AllocationTracker } from "./allocation-tracker.ts";
import type { DbCallOutcome, EdgeInvokeAsyncOutcome, EdgeInvokeOutcome, HostBridge, HttpFetchOutcome } from "./host-bridge.ts";
import { DB_MESSAGE_STATUSES, MAX_DB_RESULT_BYTES } from "./host-database.ts";
import { createHostContext } from "./host-call.ts";
import { HOST_FUNCTIONS, HOST_MODULES } from "./host-functions.ts";
import { HOST_ERROR_NAMES, HostStatus } from "./host-status.ts";
import { InvalidResponseHeaderError, ResponseTooLargeError } from "./errors.ts";
import { WASI_MODULE } from "./guest-abi.ts";
import { wasiGenerators, WASI_ERRNOS } from "./host-functions.property.wasi.ts";
import { ProcExit } from "./host-wasi.ts";
import { LogCollector } from "./log-collector.ts";
import { OutputCollector } from "./output-collector.ts";
import { SafeMemory } from "./safe-memory.ts";

/** Calls per run; `npm run fuzz` runs longer batches through HELIOS_PROPERTY_CALLS. */
const CALLS = Number(process.env.HELIOS_PROPERTY_CALLS ?? 200_000);
/** Share of the calls that go to the two database calls (at least 100,000 of them a run). */
const DB_SHARE = 0.5;
const INVOCATION_LENGTH = 2_000;
const DATA_START = 1024;
const HEAP_START = 16 * 1024;
const MAX_PAGES = 2;
const WRITE_IOVS = 3072;
const READ_IOVS = 3200;


const syncFunctions = HOST_FUNCTIONS.filter((fn) => !fn.async);
const DB_NAMES = ["heliosdb_db_query", "heliosdb_db_execute"];
const GUEST_WAT = `(module
  ${syncFunctions
    .map((fn, i) => `(import "${fn.module}" "${fn.name}" (func $h${i} (param ${fn.type.params.join(" ")}) (result ${fn.type.results.join(" ")})))`)
    .join("\n  ")}
  (memory (export "memory") 1 ${MAX_PAGES})
  (global $bump (mut i32) (i32.const ${HEAP_START}))
  (func (export "helios_alloc") (param $size i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $bump))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then (return (i32.const 0))))))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (then (return (i32.const 0))))
    (global.set $bump (local.get $end))
    (local.get $p))
  (func (export "helios_dealloc") (param i32 i32))
  (func (export "reset_heap") (global.set $bump (i32.const ${HEAP_START})))
  (func (export "handle") (param i32 i32) (result i64) (i64.const 0))
  ${syncFunctions
    .map(
      (fn, i) =>
        `(func (export "call_${fn.name}") (param ${fn.type.params.join(" ")}) (result ${fn.type.results.join(" ")}) ${fn.type.params
          .map((_, p) => `(local.get ${p})`)
          .join(" ")} (call $h${i}))`,
    )
    .join("\n  ")}
)`;

interface Range {
  start: number;
  end: number;
}

/** Valid arguments the generator mixes in: where each prepared string sits, and its length. */
interface Prepared {
  [name: string]: { ptr: number; len: number };
}

const PREPARED_STRINGS: Record<string, Uint8Array> = Object.fromEntries(
  Object.entries({
    key: "greeting",
    unicodeKey: "ü",
    message: "a log line ✓",
    url: "http://allowed.test/echo",
    forbiddenUrl: "http://forbidden.test/",
    badUrl: "not a url",
    method: "POST",
    headers: "x-probe: 1\ncontent-type: text/plain",
    badHeaders: "host: evil.test",
    functionName: "callee",
    region: "weur",
    headerName: "X-Probe",
    headerValue: "text/plain; charset=utf-8",
    crlfValue: "a\r\nset-cookie: x=1",
    reservedName: "x-helios-region",
    sql: "SELECT id, name FROM items WHERE id > ? AND name <> ?",
    params: '[1, "a ✓", null, true, 2.5]',
    badParams: '{"not": "an array"}',
    nestedParams: "[[1], {}]",
    manyParams: JSON.stringify(Array(101).fill(1)),
  }).map(([k, v]) => [k, new TextEncoder().encode(v)]),
);
PREPARED_STRINGS.invalidUtf8 = new Uint8Array([0xc0, 0xaf, 0xed, 0xa0, 0x80]);

function fakeBridge(next: () => number): HostBridge {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const bytes = (max: number) => new Uint8Array(Math.floor(next() * max)).map(() => Math.floor(next() * 256));
  /** A database answer: a result or a message block, an oversized result, or a status alone. */
  const dbOutcome = async (): Promise<DbCallOutcome> => {
    const roll = next();
    const rows = Math.floor(next() * 50);
    if (roll < 0.5) return { status: 0, body: bytes(roll < 0.05 ? 70_000 : 600), rows };
    if (roll < 0.51) return { status: 0, body: new Uint8Array(MAX_DB_RESULT_BYTES + 1), rows };
    if (roll < 0.8) return { status: pick([...DB_MESSAGE_STATUSES]), body: bytes(200), rows: 0 };
    return { status: pick([HostStatus.resultTooLarge, HostStatus.deadlineExceeded, HostStatus.notPermitted]), rows: 0 };
  };
  return {
    async edgeInvoke(request): Promise<EdgeInvokeOutcome> {
      const roll = next();
      if (roll < 0.5) return { status: 0, output: bytes(300), fuelUsed: Math.floor(next() * 1000) };
      if (roll < 0.65) return { status: HostStatus.bufferTooSmall, required: request.maxResponseBytes + 1 + Math.floor(next() * 100), fuelUsed: 10 };
      const status = pick([HostStatus.notFound, HostStatus.callCycle, HostStatus.callDepthExceeded, HostStatus.deadlineExceeded, HostStatus.calleeFailed, HostStatus.tooLarge]);
      return { status, fuelUsed: Math.floor(next() * 100) };
    },
    async edgeInvokeAsync(): Promise<EdgeInvokeAsyncOutcome> {
      const roll = next();
      if (roll < 0.6) return { status: 0, id: `inv_wnam_${Math.floor(next() * 8)}_${"0123456789abcdef".repeat(2)}` };
      return { status: pick([HostStatus.notFound, HostStatus.callCycle, HostStatus.callDepthExceeded, HostStatus.quotaExceeded, HostStatus.calleeFailed, HostStatus.notPermitted]) };
    },
    dbQuery: () => dbOutcome(),
    dbExecute: () => dbOutcome(),
    async httpFetch(): Promise<HttpFetchOutcome> {
      const roll = next();
      if (roll < 0.6) return { status: 0, httpStatus: pick([200, 204, 302, 404, 500]), headers: [["content-type", "text/plain"]], body: bytes(roll < 0.3 ? 0 : 5000) };
      return { status: pick([HostStatus.notPermitted, HostStatus.upstreamFailed, HostStatus.deadlineExceeded, HostStatus.tooLarge]) };
    },
  };
}

describe("host functions: property test", () => {
  it(`${CALLS.toLocaleString("en-US")} random calls: never throw, only documented codes, no write outside the target`, async () => {
    const seed = Number(process.env.HELIOS_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 32));
    console.log(`host function property test seed: ${seed} (rerun with HELIOS_PROPERTY_SEED=${seed})`);
    const next = mulberry32(seed);
    const int = (n: number) => Math.floor(next() * n);

    const module = compile(instrumentModule(await watToBytes(GUEST_WAT), { maxMemoryPages: MAX_PAGES }));
    const settings = {
      functionName: "prop-test",
      region: "wnam",
      profile: ["network", "invoke", "database", "wasi"],
      maxMemoryPages: MAX_PAGES,
      config: { greeting: "hello", ü: "ÿ".repeat(300), empty: "" },
      allowedHosts: ["allowed.test"],
    };
    const http = { method: "PUT", path: "/a/b%20c", query: "x=1", headers: [["x-probe", "1"], ["content-type", "text/plain"]] as [string, string][] };
    const context = createHostContext(settings, { fuel: 2 ** 53, maxResponseBytes: 64 * 1024, http }, fakeBridge(next));
    context.body = new TextEncoder().encode("the request body ".repeat(20));
    // Which functions read the request head: only those of host modules that declare it may (the parent leaves the
    // head out for every other guest: HostModule.readsRequestHead).
    let calling = "";
    const headReaders = new Set<string>();
    Object.defineProperty(context, "http", { get: () => (headReaders.add(calling), http) });
    const implementations = new Map(HOST_FUNCTIONS.map((fn) => [fn.name, fn.create(context, fn.price)]));
    const imports: Record<string, Record<string, unknown>> = {};
    for (const fn of syncFunctions) (imports[fn.module] ??= {})[fn.name] = implementations.get(fn.name);
    const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
    const exports = instance.exports as Record<string, Function> & { memory: WebAssembly.Memory };
    setFuel(instance, 1n << 60n);

    // Every block the guest's allocator hands out during a call may be written by that call.
    let allocatedInCall: Range[] = [];
    const guestAlloc = exports.helios_alloc as (size: number) => number;
    context.instance = instance;
    context.memory = new SafeMemory(exports.memory, { maxReadBytes: 8 << 20, maxWriteBytes: 8 << 20 });
    context.tracker = new AllocationTracker(exports.memory, {
      alloc: (size) => {
        const ptr = guestAlloc(size);
        allocatedInCall.push({ start: ptr >>> 0, end: (ptr >>> 0) + size });
        return ptr;
      },
      dealloc: (ptr, size) => void (exports.helios_dealloc as Function)(ptr, size),
    });

    const prepared: Prepared = {};
    const writePrepared = () => {
      const bytes = new Uint8Array(exports.memory.buffer);
      let at = DATA_START;
      for (const [name, value] of Object.entries(PREPARED_STRINGS)) {
        bytes.set(value, at);
        prepared[name] = { ptr: at, len: value.byteLength };
        at += value.byteLength + 7;
      }
      // Valid iovec arrays for fd_write (over the prepared text) and fd_read (over scratch space).
      const view = new DataView(exports.memory.buffer);
      for (let i = 0; i < 3; i++) {
        view.setUint32(WRITE_IOVS + i * 8, prepared.message.ptr, true);
        view.setUint32(WRITE_IOVS + i * 8 + 4, i === 1 ? 0 : prepared.message.len, true);
        view.setUint32(READ_IOVS + i * 8, HEAP_START / 2 + 7000 + i * 40, true);
        view.setUint32(READ_IOVS + i * 8 + 4, 1 + i * 16, true);
      }
    };
    const liveBlocks: Range[] = [];
    const startInvocation = () => {
      context.tracker!.finish();
      liveBlocks.length = 0;
      (exports.reset_heap as Function)();
      context.states.clear();
      context.logs = new LogCollector();
      context.output = new OutputCollector(64 * 1024);
      context.response = null;
      context.failure = null;
      context.exitCode = null;
      writePrepared();
    };
    startInvocation();

    const size = () => exports.memory.buffer.byteLength;
    const edge = (): number => {
      const n = size();
      return [0, 1, 3, 4, 8, 15, 16, 64, 4096, n - 1, n, n + 1, n - 4, n - 16, 0x7fffffff, -1, -16, -0x80000000, 0xfffffff0 | 0, 65536][int(20)];
    };
    const pointer = (): number => {
      const roll = next();
      if (roll < 0.35) return edge();
      if (roll < 0.5) return (next() * 2 ** 32) | 0;
      return int(size() + 8);
    };
    const length = (): number => {
      const roll = next();
      if (roll < 0.35) return edge();
      if (roll < 0.45) return (next() * 2 ** 32) | 0;
      return int(roll < 0.9 ? 64 : 70_000);
    };
    /** A (ptr, len) pair: valid prepared data a third of the time, else random edges. */
    const pair = (...names: string[]): [number, number] => {
      if (next() < 0.4) {
        const p = prepared[names[int(names.length)]];
        return [p.ptr, p.len];
      }
      return [pointer(), length()];
    };
    const valid = (name: string): [number, number] => [prepared[name].ptr, prepared[name].len];
    /** An output buffer: inside memory most of the time, so successful writes happen too. */
    const outBuffer = (): [number, number, number] => {
      if (next() < 0.6) {
        const start = HEAP_START / 2 + int(4096);
        return [start, int(600), HEAP_START / 2 + 5000 + int(100)];
      }
      return [pointer(), length(), pointer()];
    };
    const block = (): [number, number] => {
      if (liveBlocks.length > 0 && next() < 0.5) {
        const b = liveBlocks[int(liveBlocks.length)];
        return next() < 0.8 ? [b.start, b.end - b.start] : [b.start, b.end - b.start + 1];
      }
      return [pointer(), length()];
    };

    type Call = { name: string; args: number[]; targets: (args: number[], before: Uint8Array) => Range[] };
    const u = (v: number) => v >>> 0;
    const at = (ptr: number, len: number): Range => ({ start: u(ptr), end: u(ptr) + u(len) });
    const generators: Record<string, () => Call> = {
      heliosdb_log: () => ({ name: "heliosdb_log", args: [int(6) - 1, ...pair("message", "invalidUtf8")], targets: () => [] }),
      heliosdb_output: () => ({ name: "heliosdb_output", args: pair("message"), targets: () => [] }),
      heliosdb_config_get: () => ({
        name: "heliosdb_config_get",
        args: [...pair("key", "unicodeKey", "invalidUtf8", "message"), ...outBuffer()],
        targets: (a) => [at(a[2], a[3]), at(a[4], 4)],
      }),
      heliosdb_function_name: () => ({ name: "heliosdb_function_name", args: outBuffer(), targets: (a) => [at(a[0], a[1]), at(a[2], 4)] }),
      heliosdb_region_name: () => ({ name: "heliosdb_region_name", args: outBuffer(), targets: (a) => [at(a[0], a[1]), at(a[2], 4)] }),
      heliosdb_request_method: () => ({ name: "heliosdb_request_method", args: outBuffer(), targets: (a) => [at(a[0], a[1]), at(a[2], 4)] }),
      heliosdb_request_path: () => ({ name: "heliosdb_request_path", args: outBuffer(), targets: (a) => [at(a[0], a[1]), at(a[2], 4)] }),
      heliosdb_request_query: () => ({ name: "heliosdb_request_query", args: outBuffer(), targets: (a) => [at(a[0], a[1]), at(a[2], 4)] }),
      heliosdb_request_headers: () => ({ name: "heliosdb_request_headers", args: outBuffer(), targets: (a) => [at(a[0], a[1]), at(a[2], 4)] }),
      heliosdb_request_body: () => ({ name: "heliosdb_request_body", args: outBuffer(), targets: (a) => [at(a[0], a[1]), at(a[2], 4)] }),
      heliosdb_request_header: () => ({
        name: "heliosdb_request_header",
        args: [...pair("headerName", "key", "invalidUtf8"), ...outBuffer()],
        targets: (a) => [at(a[2], a[3]), at(a[4], 4)],
      }),
      heliosdb_response_status: () => ({
        name: "heliosdb_response_status",
        args: [[200, 201, 404, 599, 199, 600, 0, -1][int(8)]],
        targets: () => [],
      }),
      heliosdb_response_header: () => ({
        name: "heliosdb_response_header",
        args:
          next() < 0.3
            ? [...valid("headerName"), ...valid("headerValue")]
            : [...pair("headerName", "reservedName", "invalidUtf8", "message"), ...pair("headerValue", "crlfValue", "message")],
        targets: () => [],
      }),
      heliosdb_clock_now_ms: () => ({ name: "heliosdb_clock_now_ms", args: [], targets: () => [] }),
      heliosdb_random_bytes: () => ({ name: "heliosdb_random_bytes", args: [pointer(), length()], targets: (a) => [at(a[0], a[1])] }),
      heliosdb_alloc: () => ({ name: "heliosdb_alloc", args: [next() < 0.7 ? int(2000) : length()], targets: () => [] }),
      heliosdb_dealloc: () => ({ name: "heliosdb_dealloc", args: block(), targets: () => [] }),
      heliosdb_edge_invoke: () => ({
        name: "heliosdb_edge_invoke",
        // Half the calls are a whole valid call (name, no region or a valid one, payload, a buffer large enough for
        // the fake callee's answer): five independently random arguments alone get past validation about once in
        // 200 calls, too rarely for a short run to reach the success path it must cover.
        args:
          next() < 0.5
            ? [...valid("functionName"), ...(next() < 0.5 ? [0, 0] : valid("region")), ...valid("message"), HEAP_START / 2 + int(4096), 300 + int(300), HEAP_START / 2 + 5000 + int(100)]
            : [...pair("functionName", "invalidUtf8", "url"), ...(next() < 0.5 ? [0, 0] : pair("region", "badUrl")), ...pair("message"), ...outBuffer()],
        targets: (a) => [at(a[6], a[7]), at(a[8], 4)],
      }),
      heliosdb_edge_invoke_async: () => ({
        name: "heliosdb_edge_invoke_async",
        args: next() < 0.5 ? [
          ...valid("functionName"),
          ...(next() < 0.5 ? [0, 0] : valid("region")),
          ...valid("message"),
          1 + int(1_000_000),
          HEAP_START / 2 + int(4096), 40 + int(60), HEAP_START / 2 + 5000 + int(100),
        ] : [
          ...pair("functionName", "invalidUtf8", "url"),
          ...(next() < 0.5 ? [0, 0] : pair("region", "badUrl")),
          ...pair("message"),
          // A fuel grant: a plausible one most of the time, else 0, the largest u32 or a random i32.
          next() < 0.7 ? 1 + int(1_000_000) : [0, -1, (next() * 2 ** 32) | 0][int(3)],
          ...(next() < 0.6 ? [HEAP_START / 2 + int(4096), 40 + int(60), HEAP_START / 2 + 5000 + int(100)] : outBuffer()),
        ],
        targets: (a) => [at(a[7], a[8]), at(a[9], 4)],
      }),
      heliosdb_http_fetch: () => ({
        name: "heliosdb_http_fetch",
        // As for edge_invoke, half the calls are a whole valid call (an allowed URL, valid or absent parts).
        args: next() < 0.5 ? [
          ...(next() < 0.5 ? [0, 0] : valid("method")),
          ...valid("url"),
          ...(next() < 0.5 ? [0, 0] : valid("headers")),
          ...(next() < 0.7 ? [0, 0] : valid("message")),
          HEAP_START / 2 + 6000 + int(64),
        ] : [
          ...(next() < 0.5 ? [0, 0] : pair("method", "message")),
          ...pair("url", "forbiddenUrl", "badUrl", "invalidUtf8"),
          ...(next() < 0.5 ? [0, 0] : pair("headers", "badHeaders")),
          ...(next() < 0.7 ? [0, 0] : pair("message")),
          next() < 0.6 ? HEAP_START / 2 + 6000 + int(64) : pointer(),
        ],
        targets: (a) => [at(a[8], 16)],
      }),
    };
    const dbCall = (name: string) => (): Call => ({
      name,
      args: [
        ...pair("sql", "message", "invalidUtf8"),
        ...(next() < 0.3 ? [0, 0] : pair("params", "badParams", "nestedParams", "manyParams", "invalidUtf8")),
        ...(next() < 0.7 ? [HEAP_START / 2 + 7000 + int(32), HEAP_START / 2 + 7100 + int(32)] : [pointer(), pointer()]),
      ],
      targets: (a) => [at(a[4], 4), at(a[5], 4)],
    });
    generators.heliosdb_db_query = dbCall("heliosdb_db_query");
    generators.heliosdb_db_execute = dbCall("heliosdb_db_execute");
    Object.assign(
      generators,
      wasiGenerators({
        next,
        int,
        pointer,
        length,
        context,
        writeIovs: { ptr: WRITE_IOVS, count: 3 },
        readIovs: { ptr: READ_IOVS, count: 3 },
        scratch: () => HEAP_START / 2 + int(4096),
      }),
    );
    const names = Object.keys(generators);
    expect(new Set(names)).toEqual(new Set(HOST_FUNCTIONS.map((fn) => fn.name)));
    expect(new Set(HOST_FUNCTIONS.map((fn) => fn.name)).size, "host function names are unique across import modules").toBe(HOST_FUNCTIONS.length);

    const counts = new Map<string, Map<string, number>>();
    const problems: string[] = [];
    let shadow: Uint8Array | null = null;
    for (let i = 0; i < CALLS && problems.length < 5; i++) {
      if (i % INVOCATION_LENGTH === 0) {
        startInvocation();
        shadow = null;
      }
      if (next() < 0.0005 && size() < MAX_PAGES * 65536) exports.memory.grow(1);
      // A shadow copy of memory as it was before this call, kept in step by copying only what calls may write (a
      // full copy per call would be most of the test's run time); remade whenever the harness itself writes.
      if (shadow === null || shadow.length !== size()) shadow = new Uint8Array(exports.memory.buffer).slice();
      const call = generators[next() < DB_SHARE ? DB_NAMES[int(DB_NAMES.length)] : names[int(names.length)]]();
      const before = shadow;
      allocatedInCall = [];
      calling = call.name;
      let result: unknown;
      try {
        const fn = syncFunctions.find((f) => f.name === call.name);
        // i64 parameters cross the boundary as BigInts.
        const args = fn ? call.args.map((a, p) => (fn.type.params[p] === "i64" ? BigInt(a) : a)) : call.args;
        result = fn ? (exports[`call_${call.name}`] as Function)(...args) : await implementations.get(call.name)!(...call.args);
      } catch (error) {
        // A bad response status or header ends the invocation (docs/abi.md): a documented outcome, memory untouched.
        // So does proc_exit, and stdout past the cap or with a bad CGI header.
        const ends =
          (error instanceof InvalidResponseHeaderError && (call.name.startsWith("heliosdb_response_") || call.name === "fd_write")) ||
          (error instanceof ResponseTooLargeError && call.name === "fd_write") ||
          (error instanceof ProcExit && call.name === "proc_exit");
        if (ends) {
          const byName = counts.get(call.name) ?? new Map<string, number>();
          byName.set("failsInvocation", (byName.get("failsInvocation") ?? 0) + 1);
          counts.set(call.name, byName);
          const changed = changedOutside(before, new Uint8Array(exports.memory.buffer), []);
          if (changed !== null) problems.push(`call ${i}: ${call.name} failed the invocation but changed byte ${changed}`);
          startInvocation();
          shadow = null;
          continue;
        }
        problems.push(`call ${i}: ${call.name}(${call.args.join(", ")}) threw ${String(error)}`);
        break;
      }

      const wasi = HOST_FUNCTIONS.find((f) => f.name === call.name)!.module === WASI_MODULE;
      const code = typeof result === "bigint" ? 0 : Number(result);
      const allowedResult =
        call.name === "heliosdb_clock_now_ms"
          ? typeof result === "bigint" && result > 0n
          : code === 0 ||
            HOST_ERROR_NAMES.has(code) ||
            (call.name === "heliosdb_alloc" && code > 0) ||
            (call.name === "heliosdb_http_fetch" && code >= 100 && code <= 599);
      if (wasi && !WASI_ERRNOS.has(code)) problems.push(`call ${i}: ${call.name}(${call.args.join(", ")}) answered ${code}, not an errno`);
      if (!wasi && !allowedResult) problems.push(`call ${i}: ${call.name}(${call.args.join(", ")}) returned ${String(result)}`);
      const byName = counts.get(call.name) ?? new Map<string, number>();
      const label = wasi ? (code === 0 ? "ok" : `errno ${code}`) : code < 0 ? HOST_ERROR_NAMES.get(code)! : "ok";
      byName.set(label, (byName.get(label) ?? 0) + 1);
      counts.set(call.name, byName);

      if (call.name === "heliosdb_alloc" && code > 0) liveBlocks.push({ start: code, end: code + u(call.args[0]) });
      if (call.name === "heliosdb_dealloc" && code === 0) {
        const index = liveBlocks.findIndex((b) => b.start === u(call.args[0]));
        if (index >= 0) liveBlocks.splice(index, 1);
      }
      const dbBlock = call.name.startsWith("heliosdb_db_") && (code === 0 || DB_MESSAGE_STATUSES.has(code)) && allocatedInCall.length > 0;
      if (dbBlock) {
        const view = new DataView(exports.memory.buffer);
        liveBlocks.push({ start: view.getUint32(u(call.args[4]), true), end: view.getUint32(u(call.args[4]), true) + view.getUint32(u(call.args[5]), true) });
      }
      if (call.name === "heliosdb_http_fetch" && code > 0) {
        // The guest would free the response blocks; keep them live so later frees find them.
        const view = new DataView(exports.memory.buffer);
        const record = u(call.args[8]);
        for (const offset of [0, 8]) {
          const ptr = view.getUint32(record + offset, true);
          const len = view.getUint32(record + offset + 4, true);
          if (len > 0) liveBlocks.push({ start: ptr, end: ptr + len });
        }
      }

      const after = new Uint8Array(exports.memory.buffer);
      let targets: Range[];
      if (wasi) targets = code === 0 ? call.targets(call.args, before) : [];
      else if (code >= 0 || typeof result === "bigint" || dbBlock) targets = [...call.targets(call.args, before), ...allocatedInCall];
      else if (code === HostStatus.bufferTooSmall) targets = call.targets(call.args, before).slice(-1);
      else targets = [];
      const changed = changedOutside(before, after, targets);
      if (after.length !== before.length) shadow = null;
      else for (const t of targets) if (t.start < after.length) before.set(after.subarray(t.start, Math.min(t.end, after.length)), t.start);
      if (changed !== null) {
        problems.push(`call ${i}: ${call.name}(${call.args.join(", ")}) -> ${String(result)} changed byte ${changed} outside ${JSON.stringify(targets)}`);
      }
    }
    expect(problems).toEqual([]);
    const dbCalls = DB_NAMES.reduce((sum, name) => sum + [...(counts.get(name)?.values() ?? [])].reduce((a, b) => a + b, 0), 0);
    expect(dbCalls).toBeGreaterThanOrEqual(Math.floor(CALLS * DB_SHARE));

    // The run reached past validation into every function's success path, and its refusals.
    // Calls that only ever answer one way (an errno, or ending the guest) are exempt from the success check.
    const alwaysRefused = new Set(["fd_prestat_get", "fd_seek", "proc_exit"]);
    const neverRefused = new Set(["heliosdb_clock_now_ms", "sched_yield"]);
    for (const name of names) {
      const labels = counts.get(name)!;
      expect(labels, `${name} was never called`).toBeDefined();
      const unsupported = HOST_FUNCTIONS.find((f) => f.name === name)!.hostModule === "wasi-unsupported";
      if (!alwaysRefused.has(name) && !unsupported) expect(labels.get("ok") ?? 0, `${name} never succeeded`).toBeGreaterThan(0);
      if (!neverRefused.has(name) && !unsupported && !alwaysRefused.has(name)) expect(labels.size, `${name} was never refused`).toBeGreaterThan(1);
    }

    // The request head was read only by functions of modules that say they read it, and each such module's
    // functions did read it (the flag is not set for nothing).
    const moduleOf = (name: string) => HOST_MODULES.find((m) => m.name === HOST_FUNCTIONS.find((f) => f.name === name)!.hostModule)!;
    for (const reader of headReaders) expect(moduleOf(reader).readsRequestHead, `${reader} read the request head`).toBe(true);
    for (const m of HOST_MODULES.filter((m) => m.readsRequestHead)) {
      expect([...headReaders].some((reader) => moduleOf(reader) === m), `no function of ${m.name} read the request head`).toBe(true);
    }
  }, 300_000);
});

/** The first changed byte outside `targets` (the memory may have grown), or null. */
function changedOutside(before: Uint8Array, after: Uint8Array, targets: Range[]): number | null {
  const sorted = targets.filter((t) => t.end > t.start).sort((a, b) => a.start - b.start);
  let from = 0;
  const check = (start: number, end: number): number | null => {
    const a = before.subarray(Math.min(start, before.length), Math.min(end, before.length));
    const b = after.subarray(Math.min(start, after.length), Math.min(end, before.length));
    if (Buffer.compare(a, b) === 0) {
      // Bytes the call grew into must be zero, as a fresh page is.
      for (let i = Math.max(start, before.length); i < Math.min(end, after.length); i++) if (after[i] !== 0) return i;
      return null;
    }
    for (let i = start; i < end; i++) if (before[i] !== after[i]) return i;
    return start;
  };
  for (const target of sorted) {
    if (target.start > from) {
      const changed = check(from, target.start);
      if (changed !== null) return changed;
    }
    from = Math.max(from, target.end);
  }
  return check(from, Math.max(before.length, after.length));
}
