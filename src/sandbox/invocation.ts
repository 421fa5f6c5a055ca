// One guest invocation: fresh instance, start export, payload in through the guest's allocator, handler, checked
// output out. Runs inside the sandbox isolate; plain JS + WebAssembly, so it also runs under Node in unit tests.

import { callMetered, getFuel, OutOfFuelError, START_EXPORT } from "../wasm/index.ts";
import type { CapabilityProfile } from "./capabilities.ts";
import { ALLOC_EXPORT, HANDLER_EXPORT, HOST_MODULE, MEMORY_EXPORT, unpackOutputLocation } from "./guest-abi.ts";
import { type HostContext, linkHostFunctions } from "./host-functions.ts";
import {
  GuestAbiViolationError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvocationError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
} from "./errors.ts";
import { LogCollector, type LogEntry } from "./log-collector.ts";
import { isInsideMemory } from "./memory-range.ts";
import { type SerializedError, serializeError } from "./serialized-error.ts";

/** Fixed for the life of a sandbox isolate: part of the isolate's cache key. */
export interface SandboxSettings {
  functionName: string;
  region: string;
  profile: CapabilityProfile;
  maxMemoryPages: number;
  config: Record<string, string>;
}

/** Chosen per call, so a caller can hand down less than the function's own limits. */
export interface InvocationRequest {
  fuel: number;
  maxResponseBytes: number;
}

export interface InvocationUsage {
  fuelUsed: number;
  memoryPages: number;
  logs: LogEntry[];
}

export type InvocationOutcome =
  | ({ ok: true; output: ArrayBuffer } & InvocationUsage)
  | ({ ok: false; error: SerializedError } & InvocationUsage);

/** Code for a failure that is the sandbox's own bug, not the guest's: never expected, always reported. */
export const SANDBOX_INTERNAL_ERROR = "sandbox_internal_error";

const PAGE_BYTES = 65536;

interface GuestExports {
  memory: WebAssembly.Memory;
  alloc: (size: number) => unknown;
  handle: (ptr: number, len: number) => unknown;
  start: (() => unknown) | null;
}

export function runInvocation(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
): InvocationOutcome {
  const context: HostContext = { instance: null, memory: null, fuelBudget: request.fuel, logs: new LogCollector() };
  const usage = (): InvocationUsage => ({
    fuelUsed: context.instance ? fuelUsedOf(context.instance, request.fuel) : 0,
    memoryPages: context.memory ? context.memory.buffer.byteLength / PAGE_BYTES : 0,
    logs: context.logs.entries,
  });
  try {
    const output = runGuest(module, payload, request, settings, context);
    return { ok: true, output, ...usage() };
  } catch (error) {
    const failure = classifyFailure(error, request, settings, context);
    return { ok: false, error: serializeError(failure, SANDBOX_INTERNAL_ERROR), ...usage() };
  }
}

function runGuest(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
  context: HostContext,
): ArrayBuffer {
  // A new instance every time: no global, heap or table state survives from one invocation to the next.
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, { [HOST_MODULE]: linkHostFunctions(settings.profile, context) });
  } catch (error) {
    throw new GuestAbiViolationError(`instantiation failed: ${messageOf(error)}`);
  }
  const guest = guestExportsOf(instance);
  context.instance = instance;
  context.memory = guest.memory;

  const { value: packed } = callMetered(instance, BigInt(request.fuel), () => {
    guest.start?.();
    const ptr = Number(guest.alloc(payload.byteLength)) >>> 0;
    if (!isInsideMemory(ptr, payload.byteLength, guest.memory.buffer.byteLength)) {
      throw new GuestAbiViolationError(
        `${ALLOC_EXPORT}(${payload.byteLength}) returned ${ptr}, outside the ${guest.memory.buffer.byteLength}-byte memory`,
      );
    }
    new Uint8Array(guest.memory.buffer, ptr, payload.byteLength).set(payload);
    return guest.handle(ptr, payload.byteLength);
  });
  // A host call may overdraw the budget right before the guest returns, without another check in guest code.
  if (getFuel(instance) < 0n) throw new OutOfFuelInvocationError(request.fuel);
  if (typeof packed !== "bigint") throw new GuestAbiViolationError(`${HANDLER_EXPORT} must return an i64`);

  // Validate the location against the live memory and the cap before a single byte is read.
  const { ptr, len } = unpackOutputLocation(packed);
  const memoryBytes = guest.memory.buffer.byteLength;
  if (!isInsideMemory(ptr, len, memoryBytes)) throw new InvalidGuestOutputError(ptr, len, memoryBytes);
  if (len > request.maxResponseBytes) throw new ResponseTooLargeError(len, request.maxResponseBytes);
  return guest.memory.buffer.slice(ptr, ptr + len);
}

function guestExportsOf(instance: WebAssembly.Instance): GuestExports {
  const exports = instance.exports;
  const memory = exports[MEMORY_EXPORT];
  const alloc = exports[ALLOC_EXPORT];
  const handle = exports[HANDLER_EXPORT];
  const start = exports[START_EXPORT];
  if (!(memory instanceof WebAssembly.Memory)) throw new GuestAbiViolationError(`no exported memory "${MEMORY_EXPORT}"`);
  if (typeof alloc !== "function") throw new GuestAbiViolationError(`no exported function "${ALLOC_EXPORT}"`);
  if (typeof handle !== "function") throw new GuestAbiViolationError(`no exported function "${HANDLER_EXPORT}"`);
  return {
    memory,
    alloc: alloc as GuestExports["alloc"],
    handle: handle as GuestExports["handle"],
    start: typeof start === "function" ? (start as () => unknown) : null,
  };
}

function classifyFailure(
  error: unknown,
  request: InvocationRequest,
  settings: SandboxSettings,
  context: HostContext,
): unknown {
  if (error instanceof OutOfFuelError || error instanceof OutOfFuelInvocationError) {
    return new OutOfFuelInvocationError(request.fuel);
  }
  if (context.instance && getFuel(context.instance) < 0n) return new OutOfFuelInvocationError(request.fuel);
  if (error instanceof InvocationError) return error;
  // Stack exhaustion surfaces as a RangeError, every other trap as a RuntimeError.
  if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
    const pages = context.memory ? context.memory.buffer.byteLength / PAGE_BYTES : 0;
    // The instrumenter clamps memory at maxMemoryPages, where memory.grow starts failing; a trap there is taken to
    // be the guest giving up on allocation (AssemblyScript traps when its heap cannot grow).
    if (pages >= settings.maxMemoryPages) return new MemoryLimitError(settings.maxMemoryPages, messageOf(error));
    return new GuestTrapError(messageOf(error));
  }
  return error;
}

function fuelUsedOf(instance: WebAssembly.Instance, budget: number): number {
  const used = BigInt(budget) - getFuel(instance);
  return Number(used > BigInt(budget) ? BigInt(budget) : used < 0n ? 0n : used);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
