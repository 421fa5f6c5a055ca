// The chain of edge_invoke calls an invocation belongs to: who is on it (for cycle detection), how deep it is, and
// the deadline every wait in it shares. Held by the parent only; the sandbox never sees or forges it.

import { HostStatus } from "../sandbox/index.ts";

/** Functions on one chain, the root included: A -> B -> C -> D is depth 4. */
export const MAX_CALL_DEPTH = 4;
/** Wall-clock time, from the root invocation's start, within which every host wait of the chain must end. */
export const CHAIN_DEADLINE_MS = 30_000;

export interface CallChain {
  /** Function names from the root to the current function. */
  functions: string[];
  /** Epoch milliseconds. */
  deadline: number;
  /** The database object ("<region>/<db>") whose write lock a procedure on this chain holds, if any: nothing on the
   *  chain may then call a function with a database (it could wait behind that lock). */
  heldDatabase?: string;
  /** The root invocation's request id (x-helios-request-id): every callee's observation carries it. */
  requestId: string;
}

export function rootChain(functionName: string, requestId: string, now = Date.now()): CallChain {
  return { functions: [functionName], deadline: now + CHAIN_DEADLINE_MS, requestId };
}

/** The chain one level down, or the status refusing the call: a cycle, the depth limit, or a passed deadline. */
export function extendChain(chain: CallChain, callee: string, now = Date.now()): CallChain | number {
  if (chain.functions.includes(callee)) return HostStatus.callCycle;
  if (chain.functions.length >= MAX_CALL_DEPTH) return HostStatus.callDepthExceeded;
  if (now >= chain.deadline) return HostStatus.deadlineExceeded;
  const next: CallChain = { functions: [...chain.functions, callee], deadline: chain.deadline, requestId: chain.requestId };
  if (chain.heldDatabase !== undefined) next.heldDatabase = chain.heldDatabase;
  return next;
}
