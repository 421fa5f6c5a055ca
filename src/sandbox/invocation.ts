// One guest invocation: fresh instance, start export, payload in through the guest's allocator, handler, checked
// output out. Runs inside the sandbox isolate; plain JS + WebAssembly, so it also runs under Node in unit tests
// (profiles with async host functions need JSPI, which workerd has and Node 20 does not).

// The fuel protocol only, not the toolkit's index: the isolate bundle must not carry the decoder or opcode tables.
import { OutOfFuelError } from "../wasm/errors.ts";
import { callMetered, callMeteredAsync, fuelGlobal, GROW_FAILED_EXPORT } from "../wasm/fuel.ts";
import { AllocationTracker } from "./allocation-tracker.ts";
import { releaseHandedOffBridge } from "./bridge-handoff.ts";
import {
  GuestAbiViolationError,
  GuestExitError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvocationError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
  SandboxError,
} from "./errors.ts";
import { ALLOC_EXPORT, HANDLER_EXPORT, unpackOutputLocation } from "./guest-abi.ts";
import { type GuestExports, guestExportsOf } from "./guest-exports.ts";
import type { HostBridge } from "./host-bridge.ts";
import { createHostContext, type HostContext, hostCallsOf } from "./host-call.ts";
import { linkHostFunctions, profileNeedsJspi } from "./host-functions.ts";
import { memoryImport, memoryPoolFor } from "./memory-pool.ts";
import type { HttpResponseHead } from "./http-exchange.ts";
import type { LogEntry } from "./log-collector.ts";
import { SafeMemory, safeMemoryLimits } from "./safe-memory.ts";
import type { InvocationRequest, SandboxSettings } from "./sandbox-settings.ts";
import { type SerializedError, serializeError } from "./serialized-error.ts";
import { finishStdio, stderrTail } from "./wasi-stdio.ts";

export type { InvocationRequest, SandboxSettings } from "./sandbox-settings.ts";

export interface InvocationUsage {
  fuelUsed: number;
  memoryPages: number;
  logs: LogEntry[];
  /** Host-made blocks (heliosdb_alloc, http_fetch responses) never freed, and their bytes. */
  leakedBlocks: number;
  leakedBytes: number;
  /** Host calls the guest made, by function name (only those it made). */
  hostCalls: Record<string, number>;
}

export type InvocationOutcome =
  | ({ ok: true; output: ArrayBuffer; response?: HttpResponseHead } & InvocationUsage)
  | ({ ok: false; error: SerializedError } & InvocationUsage);

/** Code for a failure that is the sandbox's own bug, not the guest's: never expected, always reported. */
export const SANDBOX_INTERNAL_ERROR = "sandbox_internal_error";

/** Per-call caps of host functions that move bytes: the largest payload or response any function may have. */
export const HOST_CALL_MAX_BYTES = 8 * 1024 * 1024;

const PAGE_BYTES = 65536;

/** Checked once: every invocation's SafeMemory reuses it as it is. */
const GUEST_MEMORY_LIMITS = safeMemoryLimits({ maxReadBytes: HOST_CALL_MAX_BYTES, maxWriteBytes: HOST_CALL_MAX_BYTES });

/** One invocation, always as a promise (the tests' and benchmarks' entry; the isolate calls invokeGuest). */
export async function runInvocation(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
  bridge: HostBridge | null = null,
): Promise<InvocationOutcome> {
  return invokeGuest(module, payload, request, settings, bridge);
}

/**
 * One invocation: its outcome as a value when the profile links no host function that suspends the guest (most
 * guests), so the isolate answers the RPC without a promise of its own in between, else as a promise (JSPI).
 * Either way the same steps in the same order: the outcome is built before its memory goes back to the pool.
 */
export function invokeGuest(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
  bridge: HostBridge | null = null,
): InvocationOutcome | Promise<InvocationOutcome> {
  const context = createHostContext(settings, request, bridge);
  // A module whose memory is imported gets one from its pool, which takes it back once the outcome holds copies only.
  const pool = memoryPoolFor(module);
  const memory = pool?.acquire() ?? null;
  const release = (): void => {
    releaseHandedOffBridge(context);
    if (memory !== null) pool!.release(memory);
  };
  if (profileNeedsJspi(settings.profile)) {
    return runSuspendingGuest(module, payload, request, settings, context, memory).then(
      (result) => succeeded(result, context, request),
      (error: unknown) => failed(error, context, request, settings),
    ).finally(release);
  }
  try {
    return succeeded(runGuest(module, payload, request, settings, context, memory), context, request);
  } catch (error) {
    return failed(error, context, request, settings);
  } finally {
    release();
  }
}

function succeeded({ output, response }: GuestResult, context: HostContext, request: InvocationRequest): InvocationOutcome {
  // Only a guest that set a status or header gets a head: version-1 outcomes stay exactly as they were.
  return response === undefined ? { ok: true, output, ...usageOf(context, request) } : { ok: true, output, response, ...usageOf(context, request) };
}

function failed(error: unknown, context: HostContext, request: InvocationRequest, settings: SandboxSettings): InvocationOutcome {
  const failure = classifyFailure(error, request, settings, context);
  // What a WASI guest wrote to stderr before failing reaches its logs.
  finishStdio(context, false);
  return { ok: false, error: serializeError(failure, SANDBOX_INTERNAL_ERROR), ...usageOf(context, request) };
}

function usageOf(context: HostContext, request: InvocationRequest): InvocationUsage {
  const leaks = context.tracker?.finish() ?? { leakedBlocks: 0, leakedBytes: 0 };
  return {
    fuelUsed: context.fuel ? fuelUsedOf(context.fuel, request.fuel) : 0,
    memoryPages: context.memory ? context.memory.byteLength / PAGE_BYTES : 0,
    logs: context.logs.entries,
    leakedBlocks: leaks.leakedBlocks,
    leakedBytes: leaks.leakedBytes,
    hostCalls: hostCallsOf(context),
  };
}

interface GuestResult {
  output: ArrayBuffer;
  response: HttpResponseHead | undefined;
}

/** A fresh instance of the guest, wired to the invocation's context, before any of its code has run. */
interface GuestInstance {
  instance: WebAssembly.Instance;
  guest: GuestExports;
  fuel: WebAssembly.Global;
  memory: SafeMemory;
  /** Copies the payload into guest memory through the guest's allocator (version 1): its address. */
  placePayload: () => number;
  /** What a guest call's exception becomes: an exit through proc_exit ends the run normally, anything else rethrows. */
  exited: (error: unknown) => undefined;
}

/** Instantiates the guest and runs it to completion on this stack (no host function it links can suspend it). */
function runGuest(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
  context: HostContext,
  pooledMemory: WebAssembly.Memory | null,
): GuestResult {
  const run = instantiateGuest(module, payload, settings, context, pooledMemory);
  const { guest, exited } = run;
  const { value: packed } = callMetered(run.instance, BigInt(request.fuel), () => {
    try {
      guest.start?.();
      guest.initialize?.();
      return guest.kind === "v1" ? guest.main(run.placePayload(), payload.byteLength) : guest.main();
    } catch (error) {
      return exited(error);
    }
  });
  return finishGuest(run, packed, request, context);
}

/** runGuest for a profile with async host functions: JSPI runs the handler (and start) on a suspendable stack, so
 *  an async host call suspends the guest, not the isolate. */
async function runSuspendingGuest(
  module: WebAssembly.Module,
  payload: Uint8Array,
  request: InvocationRequest,
  settings: SandboxSettings,
  context: HostContext,
  pooledMemory: WebAssembly.Memory | null,
): Promise<GuestResult> {
  const run = instantiateGuest(module, payload, settings, context, pooledMemory);
  const { guest, exited } = run;
  const promising = (WebAssembly as unknown as { promising: (fn: Function) => (...args: unknown[]) => Promise<unknown> }).promising;
  const start = guest.start ? promising(guest.start) : null;
  const initialize = guest.initialize ? promising(guest.initialize) : null;
  const main = promising(guest.main);
  const { value: packed } = await callMeteredAsync(run.instance, BigInt(request.fuel), async () => {
    try {
      if (start) await start();
      if (initialize) await initialize();
      return guest.kind === "v1" ? await main(run.placePayload(), payload.byteLength) : await main();
    } catch (error) {
      return exited(error);
    }
  });
  return finishGuest(run, packed, request, context);
}

function instantiateGuest(
  module: WebAssembly.Module,
  payload: Uint8Array,
  settings: SandboxSettings,
  context: HostContext,
  pooledMemory: WebAssembly.Memory | null,
): GuestInstance {
  // A new instance every time: no global, heap or table state survives from one invocation to the next (a pooled
  // memory arrives zeroed: memory-pool.ts).
  const imports = linkHostFunctions(settings.profile, context, module);
  if (pooledMemory !== null) Object.assign(imports, memoryImport(pooledMemory));
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (error) {
    throw new GuestAbiViolationError(`instantiation failed: ${messageOf(error)}`);
  }
  const guest = guestExportsOf(module, instance);
  const fuel = fuelGlobal(instance);
  const memory = new SafeMemory(guest.memory, GUEST_MEMORY_LIMITS);
  context.instance = instance;
  context.fuel = fuel;
  context.memory = memory;
  context.body = payload;
  const alloc = guest.alloc;
  context.tracker = new AllocationTracker(guest.memory, {
    // Without helios_alloc (version 2, WASI) every host-made block is refused as the allocator's 0 (out of memory).
    alloc: (size) => (alloc ? (alloc(size) as number) : 0),
    // Without a helios_dealloc export (a bump allocator, say) a freed block is only unregistered.
    dealloc: (ptr, size) => void guest.dealloc?.(ptr, size),
  });

  const placePayload = (): number => {
    const ptr = Number(alloc!(payload.byteLength)) >>> 0;
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
  // proc_exit unwinds the guest with an exception; the exit itself is on the context, so it ends the run normally
  // here (exit code 0) or as guest_exit below. Anything else passes through.
  const exited = (error: unknown): undefined => {
    if (context.exitCode === null || context.failure !== null || (fuel.value as bigint) < 0n) throw error;
    return undefined;
  };
  return { instance, guest, fuel, memory, placePayload, exited };
}

/** The checks after the guest returned, and its output. */
function finishGuest({ guest, fuel, memory }: GuestInstance, packed: unknown, request: InvocationRequest, context: HostContext): GuestResult {
  // A host call may overdraw the budget right before the guest returns, without another check in guest code.
  if ((fuel.value as bigint) < 0n) throw new OutOfFuelInvocationError(request.fuel);
  // A failure a host call recorded stands even if the guest caught the exception and returned.
  if (context.failure !== null) throw context.failure;
  // The end of stdout may still hold a header line, and of stderr a log line.
  finishStdio(context, context.exitCode === null || context.exitCode === 0);
  if (context.exitCode !== null && context.exitCode !== 0) throw new GuestExitError(context.exitCode, stderrTail(context));
  const response = context.response?.result();
  if (guest.kind !== "v1" || context.exitCode !== null) return { output: context.output.concat(EMPTY), response };
  if (typeof packed !== "bigint") throw new GuestAbiViolationError(`${HANDLER_EXPORT} must return an i64`);

  // Validate the location against the live memory and the cap before a single byte is read.
  const { ptr, len } = unpackOutputLocation(packed);
  const memoryBytes = memory.byteLength;
  if (ptr + len > memoryBytes) throw new InvalidGuestOutputError(ptr, len, memoryBytes);
  const total = context.output.byteLength + len;
  if (total > request.maxResponseBytes) throw new ResponseTooLargeError(total, request.maxResponseBytes);
  return { output: context.output.concat(memory.readBytes(ptr, len)), response };
}

const EMPTY = new Uint8Array(0);

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
  // A failure a host call recorded (a bad response header, stdout past the cap) is the cause, whatever unwound.
  if (context.failure !== null) return context.failure;
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
