// Invoking a subscription's consumer function on one batch, inside the database object, through the same machinery
// as its procedures and read-only functions (DatabaseObject.runFunction: the sandboxes it keeps warm, one
// transaction for a consumer with the `database` profile). The function is looked up in the region object as the
// trigger functions are; it must be deployed in the database's region and name this database or none.
//
// The batch succeeded when the invocation succeeded: a trap, running out of fuel, its deadline, any other
// invocation error or an answer with status 400 or more (which also rolls a procedure's writes back) is a failure.

import type { RpcResult } from "../regions/region-object.ts";
import { type CallChain, type FunctionVersion, type InvokeResult, rootChain } from "../runtime/index.ts";
import type { InvocationRequest } from "../sandbox/index.ts";
import type { ConsumerOutcome } from "./subscription-delivery.ts";

export interface ConsumerHost {
  identity: { region: string; db: string } | null;
  /** The function's current record in the region (the region object's activeVersionsOf). */
  lookup(name: string, region: string): Promise<RpcResult<FunctionVersion[]>>;
  run(record: FunctionVersion, payload: ArrayBuffer, request: InvocationRequest, chain: CallChain): Promise<RpcResult<InvokeResult>>;
}

export async function runConsumer(host: ConsumerHost, functionName: string, payload: Uint8Array): Promise<ConsumerOutcome> {
  const identity = host.identity;
  if (identity === null) return { ok: false, code: "consumer_unavailable", message: "the database object does not know its region" };
  try {
    const found = await host.lookup(functionName, identity.region);
    const record = found.ok ? found.value[0] : undefined;
    if (record === undefined) return { ok: false, code: "consumer_unavailable", message: `function "${functionName}" is not deployed in region "${identity.region}"` };
    if (record.database !== undefined && record.database !== identity.db) {
      return { ok: false, code: "consumer_unavailable", message: `function "${functionName}" belongs to database "${record.database}", not "${identity.db}"` };
    }
    const request: InvocationRequest = { fuel: record.limits.fuel, maxResponseBytes: record.limits.maxResponseBytes };
    const chain = rootChain(record.name, `cdc-${crypto.randomUUID()}`);
    const result = await host.run(record, payload.slice().buffer as ArrayBuffer, request, chain);
    if (!result.ok) return { ok: false, code: result.error.code, message: result.error.message };
    const status = result.value.response?.status ?? 200;
    if (status >= 400) return { ok: false, code: "error_status", message: `the consumer answered with status ${status}` };
    return { ok: true };
  } catch (error) {
    return { ok: false, code: "consumer_unavailable", message: error instanceof Error ? error.message : String(error) };
  }
}
