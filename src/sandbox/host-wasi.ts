// WASI preview1 for HTTP handlers (docs/abi.md "WASI preview1"), granted by the `wasi` profile: args, environ
// (config plus CGI variables), the standard streams (stdin = request body, stdout = response with an optional CGI
// header block, stderr = logs), proc_exit, a coarse clock, random bytes and sched_yield. Every pointer and iovec
// goes through SafeMemory (wasi-memory.ts); every call is charged fuel before it works; a refusal is an errno, never
// an exception (out of fuel, proc_exit and a failure that ends the invocation excepted). The rest of preview1
// answers an errno (host-wasi-unsupported.ts).

import { chargeHostCall, chargeHostCallRest, type HostContext, STANDARD_PRICE } from "./host-call.ts";
import { defineHostState, type HostFunctionDefinition, type HostFunctionImplementation, type HostModule, hostState } from "./host-module.ts";
import { WASI_MODULE } from "./guest-abi.ts";
import {
  CLOCK_MONOTONIC,
  CLOCK_PROCESS_CPUTIME,
  CLOCK_REALTIME,
  CLOCK_THREAD_CPUTIME,
  Errno,
  FDSTAT_BYTES,
  FILETYPE_UNKNOWN,
  MAX_WASI_ENVIRON_BYTES,
  MAX_WASI_RANDOM_BYTES,
  RIGHT_FD_READ,
  RIGHT_FD_WRITE,
  RIGHT_POLL_FD_READWRITE,
  STDERR,
  STDIN,
  STDOUT,
} from "./wasi-abi.ts";
import { encodeStringList, errnoOf, gather, readIovecs, scatter, writeStringList } from "./wasi-memory.ts";
import { isOpenStream, readStdin, STDIO_STATE, stdinRemaining, stdioOf, writeStderr, writeStdout } from "./wasi-stdio.ts";

const I32 = "i32" as const;
const I64 = "i64" as const;

/** Thrown by proc_exit to unwind the guest; the exit code is on the context (the runner reads it there). */
export class ProcExit extends Error {
  constructor(readonly exitCode: number) {
    super(`proc_exit(${exitCode})`);
    this.name = "ProcExit";
  }
}

/** The CGI variables (RFC 3875) a WASI guest finds in its environment besides its config. */
export function cgiVariables(context: HostContext): Map<string, string> {
  const { method, path, query, headers } = context.http;
  const vars = new Map<string, string>([
    ["GATEWAY_INTERFACE", "CGI/1.1"],
    ["SERVER_PROTOCOL", "HTTP/1.1"],
    ["REQUEST_METHOD", method],
    ["PATH_INFO", path],
    ["QUERY_STRING", query],
    ["CONTENT_LENGTH", String(context.body.byteLength)],
    ["CONTENT_TYPE", ""],
  ]);
  for (const [name, value] of headers) {
    if (name === "content-type") vars.set("CONTENT_TYPE", value);
    if (name === "content-type" || name === "content-length") continue;
    const key = `HTTP_${name.toUpperCase().replace(/-/g, "_")}`;
    vars.set(key, vars.has(key) ? `${vars.get(key)}, ${value}` : value);
  }
  return vars;
}

/** argv and environ, encoded once per invocation on first use. `tooBig` when the environment passes its cap. */
interface ProcessStrings {
  args: ReturnType<typeof encodeStringList>;
  environ: ReturnType<typeof encodeStringList>;
}

export const PROCESS_STATE = defineHostState<ProcessStrings>("wasi-process", (context) => {
  // Config first, CGI variables over it: a config key named like a CGI variable cannot fake the request. A value
  // with a NUL cannot be a C string and is left out.
  const env = new Map(Object.entries(context.settings.config).filter(([, v]) => !v.includes("\0")));
  for (const [key, value] of cgiVariables(context)) env.set(key, value);
  return {
    args: encodeStringList([context.settings.functionName]),
    environ: encodeStringList([...env].map(([k, v]) => `${k}=${v}`)),
  };
});

/** A WASI function: charged its base price, then `body`; whatever the body refuses becomes its errno. */
function wasi(name: string, params: ("i32" | "i64")[], body: (context: HostContext, ...args: any[]) => number): HostFunctionDefinition {
  return {
    name,
    grantedBy: "wasi",
    type: { params, results: [I32] },
    async: false,
    price: STANDARD_PRICE,
    parentCalls: [],
    create: (context, price): HostFunctionImplementation =>
      (...args) => {
        chargeHostCall(context, price);
        try {
          return body(context, ...args);
        } catch (error) {
          return errnoOf(error);
        }
      },
  };
}

function sizes(context: HostContext, countPtr: number, bytesPtr: number, list: ProcessStrings["args"]): number {
  if (list.bytes > MAX_WASI_ENVIRON_BYTES) return Errno.tooBig;
  const memory = context.memory!;
  if (memory.rangeStatus(countPtr, 4) !== 0 || memory.rangeStatus(bytesPtr, 4) !== 0) return Errno.fault;
  memory.writeU32(countPtr, list.encoded.length);
  memory.writeU32(bytesPtr, list.bytes);
  return Errno.success;
}

function strings(context: HostContext, ptrsPtr: number, bufPtr: number, list: ProcessStrings["args"]): number {
  if (list.bytes > MAX_WASI_ENVIRON_BYTES) return Errno.tooBig;
  chargeHostCallRest(context, STANDARD_PRICE, list.bytes);
  writeStringList(context.memory!, ptrsPtr, bufPtr, list.encoded, list.bytes);
  return Errno.success;
}

const args = (context: HostContext) => hostState(context, PROCESS_STATE).args;
const environ = (context: HostContext) => hostState(context, PROCESS_STATE).environ;

export const ARGS_SIZES_GET = wasi("args_sizes_get", [I32, I32], (c, a, b) => sizes(c, a, b, args(c)));
export const ARGS_GET = wasi("args_get", [I32, I32], (c, a, b) => strings(c, a, b, args(c)));
export const ENVIRON_SIZES_GET = wasi("environ_sizes_get", [I32, I32], (c, a, b) => sizes(c, a, b, environ(c)));
export const ENVIRON_GET = wasi("environ_get", [I32, I32], (c, a, b) => strings(c, a, b, environ(c)));

/** fd_write(fd, iovs, iovsLen, nwrittenPtr): stdout is the response, stderr the logs. Everything checked first. */
export const FD_WRITE = wasi("fd_write", [I32, I32, I32, I32], (context, fd, iovs, iovsLen, nwrittenPtr) => {
  if ((fd !== STDOUT && fd !== STDERR) || !isOpenStream(context, fd)) return Errno.badf;
  const memory = context.memory!;
  if (memory.rangeStatus(nwrittenPtr, 4) !== 0) return Errno.fault;
  const iovecs = readIovecs(memory, iovs, iovsLen);
  if (typeof iovecs === "number") return iovecs;
  chargeHostCallRest(context, STANDARD_PRICE, iovecs.total);
  const bytes = gather(memory, iovecs);
  if (fd === STDOUT) writeStdout(context, bytes);
  else writeStderr(context, bytes);
  memory.writeU32(nwrittenPtr, iovecs.total);
  return Errno.success;
});

/** fd_read(fd, iovs, iovsLen, nreadPtr): stdin reads the request body, in order; 0 bytes at its end. */
export const FD_READ = wasi("fd_read", [I32, I32, I32, I32], (context, fd, iovs, iovsLen, nreadPtr) => {
  if (fd !== STDIN || !isOpenStream(context, fd)) return Errno.badf;
  const memory = context.memory!;
  if (memory.rangeStatus(nreadPtr, 4) !== 0) return Errno.fault;
  const iovecs = readIovecs(memory, iovs, iovsLen);
  if (typeof iovecs === "number") return iovecs;
  const n = Math.min(iovecs.total, stdinRemaining(context));
  chargeHostCallRest(context, STANDARD_PRICE, n);
  const read = scatter(memory, iovecs, readStdin(context, n));
  memory.writeU32(nreadPtr, read);
  return Errno.success;
});

/** fd_fdstat_get(fd, ptr): the standard streams are of unknown type (not a terminal), readable or writable. */
export const FD_FDSTAT_GET = wasi("fd_fdstat_get", [I32, I32], (context, fd, ptr) => {
  if (!isOpenStream(context, fd)) return Errno.badf;
  const memory = context.memory!;
  if (memory.rangeStatus(ptr, FDSTAT_BYTES) !== 0) return Errno.fault;
  const at = ptr >>> 0;
  memory.writeBytes(at, new Uint8Array(FDSTAT_BYTES));
  memory.writeU8(at, FILETYPE_UNKNOWN);
  memory.writeU64(at + 8, (fd === STDIN ? RIGHT_FD_READ : RIGHT_FD_WRITE) | RIGHT_POLL_FD_READWRITE);
  return Errno.success;
});

/** fd_prestat_get(fd, ptr): there are no preopened directories, so every fd is EBADF (libc stops looking at 3). */
export const FD_PRESTAT_GET = wasi("fd_prestat_get", [I32, I32], () => Errno.badf);

/** fd_close(fd): closes a standard stream for the rest of the invocation. */
export const FD_CLOSE = wasi("fd_close", [I32], (context, fd) => {
  if (!isOpenStream(context, fd)) return Errno.badf;
  stdioOf(context).closed[fd as 0 | 1 | 2] = true;
  return Errno.success;
});

/** fd_seek(fd, offset, whence, newOffsetPtr): the standard streams are pipes: ESPIPE. */
export const FD_SEEK = wasi("fd_seek", [I32, I64, I32, I32], (context, fd) => (isOpenStream(context, fd) ? Errno.spipe : Errno.badf));

/**
 * clock_time_get(id, precision, timePtr): realtime and monotonic are the invocation's frozen clock (whole ms, as
 * heliosdb_clock_now_ms) in ns; the CPU-time clocks are ENOTSUP (a guest must not time its own work).
 */
export const CLOCK_TIME_GET = wasi("clock_time_get", [I32, I64, I32], (context, id, _precision, timePtr) => {
  if (id === CLOCK_PROCESS_CPUTIME || id === CLOCK_THREAD_CPUTIME) return Errno.notsup;
  if (id !== CLOCK_REALTIME && id !== CLOCK_MONOTONIC) return Errno.inval;
  context.memory!.writeU64(timePtr, context.clockMs * 1_000_000n);
  return Errno.success;
});

/** random_get(buf, len): a CSPRNG, at most MAX_WASI_RANDOM_BYTES per call (EINVAL above). */
export const RANDOM_GET = wasi("random_get", [I32, I32], (context, buf, len) => {
  const length = len >>> 0;
  if (length > MAX_WASI_RANDOM_BYTES) return Errno.inval;
  const memory = context.memory!;
  if (memory.rangeStatus(buf, length) !== 0) return Errno.fault;
  const at = buf >>> 0;
  chargeHostCallRest(context, STANDARD_PRICE, length);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(length, i + 65_536)));
  memory.writeBytes(at, bytes);
  return Errno.success;
});

/** sched_yield(): nothing else runs in this instance; returns at once (still charged). */
export const SCHED_YIELD = wasi("sched_yield", [], () => Errno.success);

/**
 * proc_exit(code): ends the guest. The code is kept on the context and an exception unwinds the guest's stack;
 * 0 is a normal end (the response is what was written), anything else fails with guest_exit.
 */
export const PROC_EXIT: HostFunctionDefinition = {
  name: "proc_exit",
  grantedBy: "wasi",
  type: { params: [I32], results: [] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (code) => {
    chargeHostCall(context, price);
    context.exitCode ??= code >>> 0;
    throw new ProcExit(context.exitCode);
  },
};

export const WASI_MODULE_FUNCTIONS: readonly HostFunctionDefinition[] = [
  ARGS_GET,
  ARGS_SIZES_GET,
  ENVIRON_GET,
  ENVIRON_SIZES_GET,
  CLOCK_TIME_GET,
  FD_CLOSE,
  FD_FDSTAT_GET,
  FD_PRESTAT_GET,
  FD_READ,
  FD_SEEK,
  FD_WRITE,
  PROC_EXIT,
  RANDOM_GET,
  SCHED_YIELD,
];

export const WASI_HOST_MODULE: HostModule = {
  name: "wasi",
  importModule: WASI_MODULE,
  functions: WASI_MODULE_FUNCTIONS,
  state: [PROCESS_STATE, STDIO_STATE],
  readsRequestHead: true,
};
