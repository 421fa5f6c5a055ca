// The parent's end of a sandbox's async host calls: one RpcTarget per invocation, passed to the isolate as an
// argument of invoke(). It holds what the guest must not control (the call chain, its deadline, the allow-list)
// and runs edge_invoke callees and outbound HTTP on the guest's behalf.

import { RpcTarget } from "cloudflare:workers";
import type { Env } from "../env.ts";
import {
  ASYNC_CHILD_RUNS,
  type CallChain,
  extendChain,
  type FunctionVersion,
  gatewayFetch,
  type InvokeResult,
  MAX_SANDBOX_RUNS_PER_REQUEST,
  outboundPolicy,
  type RunBudget,
} from "../runtime/index.ts";
import {
  type DbCallOutcome,
  type EdgeInvokeAsyncOutcome,
  type EdgeInvokeAsyncRequest,
  type EdgeInvokeOutcome,
  type EdgeInvokeRequest,
  type HostBridge,
  HostStatus,
  type HttpFetchOutcome,
  type HttpFetchRequest,
  type SerializedError,
} from "../sandbox/index.ts";
import { enqueueFromGuest } from "./guest-enqueue.ts";
import type { ChainedCall, RpcResult } from "./region-object.ts";

/** Runs a chained invocation of `name` in `region` (this region directly, another through its object's RPC). */
export type ChainedInvoker = (region: string, name: string, payload: Uint8Array, call: ChainedCall) => Promise<RpcResult<InvokeResult>>;

export class RegionHostBridge extends RpcTarget implements HostBridge {
  constructor(
    private readonly env: Env,
    private readonly region: string,
    private readonly record: FunctionVersion,
    private readonly chain: CallChain,
    private readonly runs: RunBudget,
    private readonly invokeIn: ChainedInvoker,
  ) {
    super();
  }

  async edgeInvoke(request: EdgeInvokeRequest): Promise<EdgeInvokeOutcome> {
    const region = request.region === "" ? this.region : request.region;
    if (!configuredRegions(this.env).includes(region)) {
      return { status: HostStatus.notFound, fuelUsed: 0, reason: `unknown region "${region}"` };
    }
    const chain = extendChain(this.chain, request.functionName);
    if (typeof chain === "number") return { status: chain, fuelUsed: 0 };
    // The whole tree's sandbox runs (call-tree.ts): the callee's subtree gets what is left, and answers what it used.
    const runs = this.runs.available;
    if (runs <= 0) {
      return { status: HostStatus.quotaExceeded, fuelUsed: 0, reason: `the call tree used its ${MAX_SANDBOX_RUNS_PER_REQUEST} sandbox runs` };
    }
    const call: ChainedCall = { chain, fuel: Math.max(0, request.fuel), maxResponseBytes: request.maxResponseBytes, runs };
    let result: RpcResult<InvokeResult>;
    try {
      result = await this.invokeIn(region, request.functionName, request.payload, call);
    } catch (error) {
      // No answer: whatever was handed down may have been used.
      this.runs.spend(runs, runs);
      return { status: HostStatus.calleeFailed, fuelUsed: 0, reason: error instanceof Error ? error.message : String(error) };
    }
    if (result.ok) {
      this.runs.spend(result.value.sandboxRuns, runs);
      return { status: HostStatus.ok, output: result.value.output, fuelUsed: result.value.fuelUsed };
    }
    // A failure before the callee's sandbox started (not deployed, payload too large) used no run.
    this.runs.spend(Number(result.error.details.sandboxRuns ?? 0), runs);
    return outcomeOfFailure(result.error, call);
  }

  /** Queues the invocation with its share of this tree's bounds (runtime/call-tree.ts, "asynchronous children"). */
  async edgeInvokeAsync(request: EdgeInvokeAsyncRequest): Promise<EdgeInvokeAsyncOutcome> {
    const region = request.region === "" ? this.region : request.region;
    if (!configuredRegions(this.env).includes(region)) return { status: HostStatus.notFound, reason: `unknown region "${region}"` };
    const chain = extendChain(this.chain, request.functionName);
    if (typeof chain === "number") return { status: chain };
    const runs = Math.min(ASYNC_CHILD_RUNS, this.runs.available);
    if (runs <= 0) return { status: HostStatus.quotaExceeded, reason: `the call tree used its ${MAX_SANDBOX_RUNS_PER_REQUEST} sandbox runs` };
    // Spent now, whatever happens next: the child cannot answer what it used.
    this.runs.spend(runs, runs);
    const lineage = { ancestors: this.chain.functions, runs, fuel: Math.max(0, request.fuel) };
    try {
      const id = await enqueueFromGuest(this.env, { region, functionName: request.functionName, payload: request.payload, lineage, requestId: this.chain.requestId });
      return { status: HostStatus.ok, id };
    } catch (error) {
      return { status: HostStatus.calleeFailed, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  async httpFetch(request: HttpFetchRequest): Promise<HttpFetchOutcome> {
    return gatewayFetch(request, this.record.allowedHosts ?? [], this.chain.deadline, { policy: outboundPolicy(this.env) });
  }

  /** A function with a database runs in its database's object, never here; nothing here can reach a database. */
  async dbQuery(): Promise<DbCallOutcome> {
    return { status: HostStatus.notPermitted, rows: 0 };
  }

  async dbExecute(): Promise<DbCallOutcome> {
    return { status: HostStatus.notPermitted, rows: 0 };
  }
}

/** A callee's failure as the caller sees it: which ones the caller's own arguments caused, and the fuel it used. */
function outcomeOfFailure(error: SerializedError, call: ChainedCall): EdgeInvokeOutcome {
  const details = error.details;
  const fuelUsed = Number(details.fuelUsed ?? 0) || 0;
  switch (error.code) {
    case "out_of_fuel":
      // The callee ran on the caller's remaining fuel, so the caller has none left either.
      if (Number(details.budget) >= call.fuel) return { status: HostStatus.calleeFailed, fuelUsed, callerOutOfFuel: true, reason: error.code };
      return { status: HostStatus.calleeFailed, fuelUsed, reason: error.code };
    case "response_too_large":
      if (Number(details.limit) === call.maxResponseBytes) {
        return { status: HostStatus.bufferTooSmall, fuelUsed, required: Number(details.size), reason: error.code };
      }
      return { status: HostStatus.calleeFailed, fuelUsed, reason: error.code };
    case "not_deployed_in_region":
      return { status: HostStatus.notFound, fuelUsed, reason: error.code };
    case "payload_too_large":
      return { status: HostStatus.tooLarge, fuelUsed, reason: error.code };
    case "database_lock_held":
      return { status: HostStatus.wouldDeadlock, fuelUsed, reason: error.code };
    default:
      return { status: HostStatus.calleeFailed, fuelUsed, reason: error.code };
  }
}

const parsedRegions = new WeakMap<object, string[]>();

function configuredRegions(env: Env): string[] {
  let regions = parsedRegions.get(env);
  if (!regions) {
    regions = (env.REGIONS ?? "").split(",").map((r) => r.trim()).filter((r) => r !== "");
    parsedRegions.set(env, regions);
  }
  return regions;
}
