// What every host function shares: the invocation state it can reach (the Store of one instance), how it is charged
// fuel from its price, and how a refusal becomes a negative status instead of an exception thrown into the guest.

import { chargeFuelGlobal, fuelCharger, fuelGlobal } from "../wasm/fuel.ts";
import type { AllocationTracker } from "./allocation-tracker.ts";
import { HostErrorCode, InvocationDeadlineError, OutOfFuelInvocationError, SandboxError } from "./errors.ts";
import type { HostBridge } from "./host-bridge.ts";
import { DEFAULT_HTTP_REQUEST, type HttpRequestInfo, ResponseHead } from "./http-exchange.ts";
import type { HostCallPrice, HostState } from "./host-module.ts";
import { LogCollector } from "./log-collector.ts";
import { OutputCollector } from "./output-collector.ts";
import type { SafeMemory } from "./safe-memory.ts";
import { utf8LengthOrStatus } from "./utf8.ts";
import type { InvocationRequest, SandboxSettings } from "./sandbox-settings.ts";

export type { HostFunctionDefinition, HostFunctionResult } from "./host-module.ts";

/** What a host function can reach of the invocation it serves. Instance, memory and tracker are set right after instantiation. */
export interface HostContext {
  settings: SandboxSettings;
  fuelBudget: number;
  instance: WebAssembly.Instance | null;
  /** The instance's fuel counter, looked up once with it; when absent each charge looks it up on `instance`. */
  fuel?: WebAssembly.Global;
  /** Charges the instance's fuel through its own charge export (an i32 call, no BigInt); made on the first charge. */
  charge?: (amount: number) => boolean;
  memory: SafeMemory | null;
  tracker: AllocationTracker | null;
  logs: LogCollector;
  output: OutputCollector;
  /** Null when the profile links no host function that makes parent-side calls. */
  bridge: HostBridge | null;
  /** The bridge the invocation was called with (a parameter stub, disposed by the platform when the call ends). */
  readonly initialBridge: HostBridge | null;
  /** Per-invocation state of the host modules, each slot created on first use (host-module.ts `hostState`). */
  states: Map<HostState<unknown>, unknown>;
  /**
   * The guest's clock: epoch milliseconds read once when the invocation starts and never advanced during it, as
   * Workers freeze time while code runs. A guest cannot time its own work (or a host call) with it.
   */
  clockMs: bigint;
  /** The HTTP request (method, path, query, headers) the guest may read; its body is `body`. */
  http: HttpRequestInfo;
  /** The payload: the request body. Set by the runner before the guest runs. */
  body: Uint8Array;
  /** The response status and headers the guest set; null until it sets one (`responseHeadOf`). */
  response: ResponseHead | null;
  /**
   * A failure that ends the invocation whatever the guest does next (an invalid response header, say). The host
   * throws it out of the guest, and the runner reports it even if guest code caught the exception and returned.
   */
  failure: Error | null;
  /** Set by WASI proc_exit: the guest asked to end with this code (0: success). */
  exitCode: number | null;
  /** Epoch milliseconds after which every host call ends the invocation (InvocationRequest.deadline). */
  deadline: number;
  /** Host calls left before the next read of the clock for the deadline (see chargeFuel). */
  clockCheckIn: number;
  /** Calls made to each linked host function, by link position (host-functions.ts sets both when it links). */
  hostCallCounts: number[];
  hostCallNames: readonly string[];
}

/** The context of one invocation, before its instance exists. */
export function createHostContext(settings: SandboxSettings, request: InvocationRequest, bridge: HostBridge | null): HostContext {
  return {
    settings,
    fuelBudget: request.fuel,
    instance: null,
    fuel: undefined,
    charge: undefined,
    memory: null,
    tracker: null,
    logs: new LogCollector(),
    output: new OutputCollector(request.maxResponseBytes),
    bridge,
    initialBridge: bridge,
    states: new Map(),
    clockMs: BigInt(Math.floor(Date.now())),
    http: request.http ?? DEFAULT_HTTP_REQUEST,
    body: EMPTY_BODY,
    response: null,
    failure: null,
    exitCode: null,
    deadline: request.deadline ?? Number.POSITIVE_INFINITY,
    clockCheckIn: 0,
    hostCallCounts: [],
    hostCallNames: [],
  };
}

const EMPTY_BODY = new Uint8Array(0);

/** The invocation's response head, made when the guest first sets a status or header. */
export function responseHeadOf(context: HostContext): ResponseHead {
  return (context.response ??= new ResponseHead());
}

/** Ends the invocation with `failure`: kept on the context (so a guest that catches it cannot undo it), then thrown. */
export function failInvocation(context: HostContext, failure: Error): never {
  context.failure ??= failure;
  throw context.failure;
}

/**
 * The price of most host calls: 2,000 fuel, plus one per byte read or written (docs/abi.md). Measured, not guessed:
 * scripts/bench-hostcalls.mjs floods every host function with its worst arguments and compares ns per fuel with
 * a plain fuel loop's; docs/limits.md ("Host call prices") has the table and the bound it gives.
 */
export const HOST_CALL_BASE_FUEL = 2_000;
export const HOST_CALL_BYTES_PER_FUEL = 1;
export const STANDARD_PRICE: HostCallPrice = Object.freeze({ base: HOST_CALL_BASE_FUEL, bytesPerFuel: HOST_CALL_BYTES_PER_FUEL });

/** The fuel `price` asks for a call that moved `bytes` and read or wrote `rows` (bytesPerFuel below 1 charges several fuel per byte). */
export function priceOf(price: HostCallPrice, bytes: number, rows = 0): number {
  return price.base + (price.bytesPerFuel > 0 ? Math.ceil(bytes / price.bytesPerFuel) : 0) + rows * (price.perRow ?? 0);
}

/**
 * Charges a host call against the guest's fuel, before it does its work. Running out inside a host call ends the
 * invocation right there (the one exception a host function throws), so a flood of cheap host calls cannot
 * outrun the budget.
 */
export function chargeHostCall(context: HostContext, price: HostCallPrice, bytes = 0, rows = 0): void {
  chargeFuel(context, priceOf(price, bytes, rows));
}

/** The part of a call charged after it waited (its response's bytes and rows): the price without its base. */
export function chargeHostCallRest(context: HostContext, price: HostCallPrice, bytes: number, rows = 0): void {
  chargeFuel(context, priceOf(price, bytes, rows) - price.base);
}

/**
 * Host calls between two reads of the clock for the deadline. Reading the clock costs 75-300 ns on a virtual
 * machine (more than most host calls); every call that charges fuel still counts towards the next read, and the
 * calls that wait (edge_invoke, http_fetch) read it on both sides of the wait, so an invocation ends within this
 * many cheap host calls (each bounded by its fuel price) of its deadline.
 */
export const DEADLINE_CHECK_INTERVAL = 64;

/**
 * Charges a plain amount (an edge callee's fuel, say) and checks the invocation's wall-clock deadline: every host
 * call charges, so every host call takes part in the check. Inside a deployed Worker the clock advances only
 * across I/O, so there the check bites after a wait; locally, where workerd's clock runs, at any host call.
 */
export function chargeFuel(context: HostContext, cost: number): void {
  // The charger is made on an instance's first charge, not with the instance: most invocations make no host call.
  if (context.charge === undefined && context.instance !== null) context.charge = fuelCharger(context.instance);
  const charged = context.charge ? context.charge(cost) : chargeFuelGlobal(context.fuel ?? fuelGlobal(context.instance!), BigInt(cost));
  if (!charged) throw new OutOfFuelInvocationError(context.fuelBudget);
  if (--context.clockCheckIn <= 0) checkDeadline(context);
}

/** Reads the clock now: ends the invocation (InvocationDeadlineError) if it is past its deadline. */
export function checkDeadline(context: HostContext): void {
  context.clockCheckIn = DEADLINE_CHECK_INTERVAL;
  if (Date.now() > context.deadline) throw new InvocationDeadlineError(context.deadline);
}

/** A length the call is charged for: only lengths within their cap count, so a lie about a length costs the base only. */
export function billable(length: number, cap: number): number {
  const unsigned = length >>> 0;
  return unsigned <= cap ? unsigned : 0;
}

/**
 * What a host function returns for what its body threw: a refusal by SafeMemory or the tracker becomes its negative
 * code; anything else (out of fuel above all) is rethrown into the guest. Sync host functions call it from their own
 * catch, so a call allocates no closure.
 */
export function refusalCode(error: unknown): number {
  if (error instanceof SandboxError) return error.hostCode;
  throw error;
}

/** Runs a host function body; a refusal by SafeMemory or the tracker becomes its negative code. */
export function guarded<T extends number | bigint | Promise<number>>(body: () => T): T | number {
  try {
    return body();
  } catch (error) {
    return refusalCode(error);
  }
}

/** `guarded` for the part of an async host function that runs after the wait. */
export async function guardedAsync(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    return refusalCode(error);
  }
}

/**
 * Writes a result into the guest's (outPtr, outCap) buffer and its length at outLenPtr (u32), both checked before
 * anything is written; returns a status and never throws for the guest's arguments (a refusal the guest can repeat
 * must not cost an exception). On bufferTooSmall the only write is the required length at outLenPtr.
 */
export function writeResult(memory: SafeMemory, outPtr: number, outCap: number, outLenPtr: number, data: Uint8Array | string): number {
  if (memory.rangeStatus(outLenPtr, 4) !== 0) return HostErrorCode.outOfBounds;
  const capacity = outCap >>> 0;
  if (memory.rangeStatus(outPtr, capacity) !== 0) return HostErrorCode.outOfBounds;
  const required = typeof data === "string" ? utf8LengthOrStatus(data) : data.byteLength;
  if (required < 0) return required;
  if (required > capacity) {
    memory.writeU32(outLenPtr, required);
    return HostErrorCode.bufferTooSmall;
  }
  if (typeof data === "string") memory.writeMeasuredString(outPtr, data, required);
  else memory.writeBytes(outPtr, data);
  memory.writeU32(outLenPtr, required);
  return 0;
}

/** The invocation's host calls by function name, only those it made (the invocation outcome's `hostCalls`). */
export function hostCallsOf(context: HostContext): Record<string, number> {
  const calls: Record<string, number> = {};
  const { hostCallCounts: counts, hostCallNames: names } = context;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) calls[names[i]!] = (calls[names[i]!] ?? 0) + counts[i]!;
  return calls;
}
