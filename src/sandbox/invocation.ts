// One guest invocation: fresh instance, start export, payload in through the guest's allocator, handler, checked
// output out. Runs inside the sandbox isolate; plain JS + WebAssembly, so it also runs under Node in unit tests
// (profiles with async host functions need JSPI, which workerd has and Node 20 does not).

// The fuel protocol only, not the toolkit's index: the isolate bundle must not carry the decoder or opcode tables.
import { OutOfFuelError } from "../wasm/errors.ts";
import { callMetered, callMeteredAsync, fuelCharger, fuelGlobal, GROW_FAILED_EXPORT, START_EXPORT } from "../wasm/fuel.ts";
import { AllocationTracker } from "./allocation-tracker.ts";
import {
  GuestAbiViolationError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvocationError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
  SandboxError,
} from "./errors.ts";
import { ALLOC_EXPORT, DEALLOC_EXPORT, HANDLER_EXPORT, MEMORY_EXPORT, unpackOutputLocation } from "./guest-abi.ts";
import type { HostBridge } from "./host-bridge.ts";
import { createHostContext, type HostContext } from "./host-call.ts";
import { linkHostFunctions, profileNeedsJspi } from "./host-functions.ts";
import type { LogEntry } from "./log-collector.ts";
import { SafeMemory, safeMemoryLimits } from "./safe-memory.ts";
import type { InvocationRequest, SandboxSettings } from "./sandbox-settings.ts";
import { type SerializedError, serializeError } from "./serialized-error.ts";

export type { InvocationRequest, SandboxSettings } from "./sandbox-settings.ts";

export interface InvocationUsage {
  fuelUsed: number;
  memoryPages: number;
  logs: LogEntry[];
  /** Host-made blocks (heliosdb_alloc, http_fetch responses) never freed, and their bytes. */
  leakedBlocks: number;
  leakedBytes: number;
}

export type InvocationOutcome =
  | ({ ok: true; output: ArrayBuffer } & InvocationUsage)
  | ({ ok: false; error: SerializedError } & InvocationUsage);

/** Code for a failure that is the sandbox's own bug, not the guest's: never expected, always reported. */
export const SANDBOX_INTERNAL_ERROR = "sandbox_internal_error";

/** Per-call caps of host functions that move bytes: the largest payload or response any function may have. */
export const HOST_CALL_MAX_BYTES = 8 * 1024 * 1024;

const PAGE_BYTES = 65536;

/** Checked once: every invocation's SafeMemory reuses it as it is. */
const GUEST_MEMORY_LIMITS = safeMemoryLimits({ maxReadBytes: HOST_CALL_MAX_BYTES, maxWriteBytes: HOST_CALL_MAX_BYTES });

interface GuestExports {
  memory: WebAssembly.Memory;
  alloc: (size: number) => unknown;
  dealloc: ((ptr: number, size: number) => unknown) | null;
  handle: (ptr: number, len: number) => unknown;
  start: (() => unknown) | null;
}

export async function runInvocation(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
  bridge: HostBridge | null = null,
): Promise<InvocationOutcome> {
  const context = createHostContext(settings, request, bridge);
  try {
    const output = await runGuest(module, payload, request, settings, context);
    return { ok: true, output, ...usageOf(context, request) };
  } catch (error) {
    const failure = classifyFailure(error, request, settings, context);
    return { ok: false, error: serializeError(failure, SANDBOX_INTERNAL_ERROR), ...usageOf(context, request) };
  }
}

function usageOf(context: HostContext, request: InvocationRequest): InvocationUsage {
  const leaks = context.tracker?.finish() ?? { leakedBlocks: 0, leakedBytes: 0 };
  return {
    fuelUsed: context.fuel ? fuelUsedOf(context.fuel, request.fuel) : 0,
    memoryPages: context.memory ? context.memory.byteLength / PAGE_BYTES : 0,
    logs: context.logs.entries,
    leakedBlocks: leaks.leakedBlocks,
    leakedBytes: leaks.leakedBytes,
  };
}

async function runGuest(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
  context: HostContext,
): Promise<ArrayBuffer> {
  // A new instance every time: no global, heap or table state survives from one invocation to the next.
  const imports = linkHostFunctions(settings.profile, context);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (error) {
    throw new GuestAbiViolationError(`instantiation failed: ${messageOf(error)}`);
  }
  const guest = guestExportsOf(instance);
  const fuel = fuelGlobal(instance);
  const memory = new SafeMemory(guest.memory, GUEST_MEMORY_LIMITS);
  context.instance = instance;
  context.fuel = fuel;
  context.charge = fuelCharger(instance);
  context.memory = memory;
  context.tracker = new AllocationTracker(guest.memory, {
    alloc: (size) => guest.alloc(size) as number,
    // Without a helios_dealloc export (a bump allocator, say) a freed block is only unregistered.
    dealloc: (ptr, size) => void guest.dealloc?.(ptr, size),
  });

  const placePayload = (): number => {
    const ptr = Number(guest.alloc(payload.byteLength)) >>> 0;
    try {
      memory.checkRange(ptr, payload.byteLength);
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      throw new GuestAbiViolationError(
        `${ALLOC_EXPORT}(${payload.byteLength}) returned ${ptr}, outside the ${memory.byteLength}-byte memory`,
      );
    }
    memory.writeBytes(ptr, payload);
    return ptr;
  };

  let packed: unknown;
  const budget = BigInt(request.fuel);
  if (profileNeedsJspi(settings.profile)) {
    // JSPI: the handler (and start) run on a suspendable stack, so an async host call suspends the guest, not the isolate.
    const promising = (WebAssembly as unknown as { promising: (fn: Function) => (...args: unknown[]) => Promise<unknown> }).promising;
    const start = guest.start ? promising(guest.start) : null;
    const handle = promising(guest.handle);
    ({ value: packed } = await callMeteredAsync(instance, budget, async () => {
      if (start) await start();
      const ptr = placePayload();
      return handle(ptr, payload.byteLength);
    }));
  } else {
    ({ value: packed } = callMetered(instance, budget, () => {
      guest.start?.();
      const ptr = placePayload();
      return guest.handle(ptr, payload.byteLength);
    }));
  }
  // A host call may overdraw the budget right before the guest returns, without another check in guest code.
  if ((fuel.value as bigint) < 0n) throw new OutOfFuelInvocationError(request.fuel);
  if (typeof packed !== "bigint") throw new GuestAbiViolationError(`${HANDLER_EXPORT} must return an i64`);

  // Validate the location against the live memory and the cap before a single byte is read.
  const { ptr, len } = unpackOutputLocation(packed);
  const memoryBytes = memory.byteLength;
  if (ptr + len > memoryBytes) throw new InvalidGuestOutputError(ptr, len, memoryBytes);
  const total = context.output.byteLength + len;
  if (total > request.maxResponseBytes) throw new ResponseTooLargeError(total, request.maxResponseBytes);
  return context.output.concat(memory.readBytes(ptr, len));
}

function guestExportsOf(instance: WebAssembly.Instance): GuestExports {
  const exports = instance.exports;
  const memory = exports[MEMORY_EXPORT];
  const alloc = exports[ALLOC_EXPORT];
  const dealloc = exports[DEALLOC_EXPORT];
  const handle = exports[HANDLER_EXPORT];
  const start = exports[START_EXPORT];
  if (!(memory instanceof WebAssembly.Memory)) throw new GuestAbiViolationError(`no exported memory "${MEMORY_EXPORT}"`);
  if (typeof alloc !== "function") throw new GuestAbiViolationError(`no exported function "${ALLOC_EXPORT}"`);
  if (typeof handle !== "function") throw new GuestAbiViolationError(`no exported function "${HANDLER_EXPORT}"`);
  return {
    memory,
    alloc: alloc as GuestExports["alloc"],
    dealloc: typeof dealloc === "function" ? (dealloc as GuestExports["dealloc"]) : null,
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
  if (context.fuel && (context.fuel.value as bigint) < 0n) return new OutOfFuelInvocationError(request.fuel);
  if (error instanceof InvocationError) return error;
  // Stack exhaustion surfaces as a RangeError, every other trap as a RuntimeError; a JSPI SuspendError means guest
  // code reached an async host call from outside the handler (e.g. from its allocator).
  if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError || isSuspendError(error)) {
    // memory_limit only when a memory.grow of this invocation was actually refused (the instrumenter clamps the
    // maximum at maxMemoryPages and raises the grow-failed flag on a -1): the guest gave up on allocation
    // (AssemblyScript traps when its heap cannot grow). Every other trap, at the cap or not, is the guest's own.
    if (growFailed(context.instance)) return new MemoryLimitError(settings.maxMemoryPages, messageOf(error));
    return new GuestTrapError(messageOf(error));
  }
  return error;
}

function growFailed(instance: WebAssembly.Instance | null): boolean {
  const flag = instance?.exports[GROW_FAILED_EXPORT];
  return flag instanceof WebAssembly.Global && flag.value === 1;
}

function isSuspendError(error: unknown): boolean {
  const SuspendError = (WebAssembly as unknown as { SuspendError?: new () => Error }).SuspendError;
  return SuspendError !== undefined && error instanceof SuspendError;
}

function fuelUsedOf(fuel: WebAssembly.Global, budget: number): number {
  const used = BigInt(budget) - (fuel.value as bigint);
  return Number(used > BigInt(budget) ? BigInt(budget) : used < 0n ? 0n : used);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
