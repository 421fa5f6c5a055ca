// The one place that observes every invocation (in the spirit of Wasmtime's call hooks): whoever runs an invocation
// calls `observer.observe(record)` once, when it completes, successfully or not. Logs, metrics and the tail hang
// from what observers do with the record; the runner knows nothing about them.
//
// An observer must not make the invocation wait: observe() returns nothing, and the store-backed observer
// (src/observe/observation-sink.ts) only buffers in the isolate and flushes later through ctx.waitUntil.

import type { LogEntry } from "../sandbox/index.ts";

/** The outcome code of an invocation that succeeded; a failed one carries its error code. */
export const OUTCOME_OK = "ok";

export interface InvocationRecord {
  functionName: string;
  version: number;
  region: string;
  requestId: string;
  /** "ok", or the failure's error code (out_of_fuel, guest_trap, ...). */
  outcome: string;
  fuelUsed: number;
  memoryPages: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
  hostCalls: Record<string, number>;
  /** At most MAX_LOG_ENTRIES lines of at most MAX_LOG_MESSAGE_BYTES each (the sandbox's log collector caps them). */
  logs: LogEntry[];
  /** Epoch milliseconds at which the invocation ended. */
  at: number;
}

export interface InvocationObserver {
  observe(record: InvocationRecord): void;
}

/** What a run reports about itself: the invocation's identity plus its usage, as an InvokeResult or failure details have it. */
export interface ObservedRun {
  functionName: string;
  version: number;
  region: string;
  requestId: string;
  bytesIn: number;
  durationMs: number;
}

interface Usage {
  fuelUsed?: unknown;
  memoryPages?: unknown;
  logs?: unknown;
  hostCalls?: unknown;
}

/** What a successful run's result reports (an InvokeResult has it, typed: nothing to check). */
interface SuccessUsage {
  output: Uint8Array;
  fuelUsed: number;
  memoryPages: number;
  logs: LogEntry[];
  hostCalls: Record<string, number>;
}

/** The record of a successful run: one object literal, every field in InvocationRecord's order (one per invocation). */
export function successRecord(run: ObservedRun, result: SuccessUsage, at = Date.now()): InvocationRecord {
  return {
    functionName: run.functionName,
    version: run.version,
    region: run.region,
    requestId: run.requestId,
    outcome: OUTCOME_OK,
    fuelUsed: result.fuelUsed,
    memoryPages: result.memoryPages,
    durationMs: run.durationMs,
    bytesIn: run.bytesIn,
    bytesOut: result.output.byteLength,
    hostCalls: result.hostCalls,
    logs: result.logs,
    at,
  };
}

/** The record of a failed run: its code, and the usage its failure details carry (the sandbox reports them). */
export function failureRecord(run: ObservedRun, code: string, details: Usage | undefined, at = Date.now()): InvocationRecord {
  return { ...run, outcome: code, bytesOut: 0, ...usageOf(details ?? {}), at };
}

function usageOf(usage: Usage): Pick<InvocationRecord, "fuelUsed" | "memoryPages" | "logs" | "hostCalls"> {
  return {
    fuelUsed: typeof usage.fuelUsed === "number" ? usage.fuelUsed : 0,
    memoryPages: typeof usage.memoryPages === "number" ? usage.memoryPages : 0,
    logs: Array.isArray(usage.logs) ? (usage.logs as LogEntry[]) : [],
    hostCalls: isCounts(usage.hostCalls) ? usage.hostCalls : {},
  };
}

function isCounts(value: unknown): value is Record<string, number> {
  return typeof value === "object" && value !== null && Object.values(value).every((n) => typeof n === "number");
}
