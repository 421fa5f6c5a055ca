// What an invocation answers across RPC: its InvokeResult built from the sandbox's outcome, or the failure as a
// SerializedError. Shared by the region objects (regions/invocation-runner.ts) and the database objects
// (database/database-object.ts), which run sandboxes the same way and answer their callers the same way.

import { type InvocationOutcome, serializeError, type SerializedError } from "../sandbox/index.ts";
import type { FunctionVersion, InvokeResult } from "./function-version.ts";

/** An RPC method's answer: errors travel as data, so the caller rebuilds the catalogued error (errors.ts). */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

/** Carries an already-serialized failure (from the sandbox) through settle() unchanged. */
export class SerializedFailure extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.message);
  }
}

/** What a failure travels as: an already-serialized one unchanged, anything else serialized under `internalCode`. */
export function failureOf(error: unknown, internalCode: string): SerializedError {
  return error instanceof SerializedFailure ? error.serialized : serializeError(error, internalCode);
}

/** Runs an RPC method's body and answers its value or its failure as data. */
export async function settleRpc<T>(fn: () => T | Promise<T>, internalCode: string): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: failureOf(error, internalCode) };
  }
}

/** Where and how long one invocation ran, beside its outcome. */
export interface InvocationRun {
  region: string;
  durationMs: number;
  /** Sandbox runs of the whole call tree so far (runtime/call-tree.ts). */
  sandboxRuns: number;
  requestId: string;
}

/**
 * The outcome of a sandbox run as its InvokeResult; a failure is thrown as a SerializedFailure carrying what the
 * guest did before failing (its log lines, above all: they are what explains the failure).
 */
export function invokeResultOf(outcome: InvocationOutcome, record: FunctionVersion, run: InvocationRun): InvokeResult {
  if (!outcome.ok) {
    const { fuelUsed, memoryPages, logs, leakedBlocks, leakedBytes, hostCalls } = outcome;
    throw new SerializedFailure({
      ...outcome.error,
      details: { ...outcome.error.details, fuelUsed, memoryPages, logs, leakedBlocks, leakedBytes, hostCalls, sandboxRuns: run.sandboxRuns },
    });
  }
  const result: InvokeResult = {
    output: new Uint8Array(outcome.output),
    fuelUsed: outcome.fuelUsed,
    memoryPages: outcome.memoryPages,
    durationMs: run.durationMs,
    region: run.region,
    sha256: record.sha256,
    version: record.version,
    logs: outcome.logs,
    leakedBlocks: outcome.leakedBlocks,
    leakedBytes: outcome.leakedBytes,
    sandboxRuns: run.sandboxRuns,
    hostCalls: outcome.hostCalls,
    requestId: run.requestId,
  };
  if (outcome.response !== undefined) result.response = outcome.response;
  return result;
}
