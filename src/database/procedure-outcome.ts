// How a database object answers: the errors thrown to roll a transaction back while keeping what it answers, and
// settle() which turns a call into an RpcResult (runtime/invocation-answer.ts builds the InvokeResult itself).

import { type InvokeResult, type RpcResult, settleRpc } from "../runtime/index.ts";
import type { SqlFailure } from "./sql-result.ts";

/** The code of a failure nobody catalogued (a bug or a platform error), as the RPC answer carries it. */
export const INTERNAL_ERROR_CODE = "database_internal_error";

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

export function settle<T>(fn: () => Promise<T>): Promise<RpcResult<T>> {
  return settleRpc(fn, INTERNAL_ERROR_CODE);
}
