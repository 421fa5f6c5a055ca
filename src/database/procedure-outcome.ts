// How a database object answers: an invocation's outcome as an InvokeResult, the errors thrown to roll a
// transaction back while keeping what it answers, and settle() which turns a call into an RpcResult.

import type { RpcResult } from "../regions/region-object.ts";
import type { FunctionVersion, InvokeResult } from "../runtime/index.ts";
import { type InvocationOutcome, serializeError, type SerializedError } from "../sandbox/index.ts";
import type { SqlFailure } from "./sql-result.ts";

/** The code of a failure nobody catalogued (a bug or a platform error), as the RPC answer carries it. */
export const INTERNAL_ERROR_CODE = "database_internal_error";

export function resultOf(outcome: InvocationOutcome, record: FunctionVersion, region: string, durationMs: number, sandboxRuns: number): InvokeResult {
  if (!outcome.ok) {
    const { fuelUsed, memoryPages, logs, leakedBlocks, leakedBytes, hostCalls } = outcome;
    throw new SerializedFailure({ ...outcome.error, details: { ...outcome.error.details, fuelUsed, memoryPages, logs, leakedBlocks, leakedBytes, hostCalls, sandboxRuns } });
  }
  return {
    output: new Uint8Array(outcome.output),
    fuelUsed: outcome.fuelUsed,
    memoryPages: outcome.memoryPages,
    durationMs,
    region,
    sha256: record.sha256,
    version: record.version,
    logs: outcome.logs,
    leakedBlocks: outcome.leakedBlocks,
    leakedBytes: outcome.leakedBytes,
    sandboxRuns,
    hostCalls: outcome.hostCalls,
    requestId: "",
    ...(outcome.response !== undefined ? { response: outcome.response } : {}),
  };
}

/** A procedure's answer that reports failure: thrown to roll its transaction back, then answered as it is. */
export class RolledBackAnswer extends Error {
  constructor(readonly result: InvokeResult) {
    super("the procedure answered an error status");
  }
}

/** A write refused or rejected inside a transaction: thrown to roll it back, answered as data. */
export class FailedWrite extends Error {
  constructor(readonly outcome: SqlFailure) {
    super(outcome.message);
  }
}

/** Carries an already-serialized failure through settle() unchanged. */
export class SerializedFailure extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.message);
  }
}

export async function settle<T>(fn: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof SerializedFailure) return { ok: false, error: error.serialized };
    return { ok: false, error: serializeError(error, INTERNAL_ERROR_CODE) };
  }
}
