// What bounds a whole call tree (one original request and every edge_invoke under it, across regions): a maximum
// of sandbox runs, shared down the tree, and a wall-clock deadline per invocation. Total fuel needs no counter of
// its own: a callee runs on its caller's remaining fuel and what it uses is charged back to the caller, so the
// whole tree never uses more than the root's budget (at most the fuel ceiling, 1,000,000,000).
//
// The run budget crosses Durable Object RPC between regions, so it is not shared memory: it travels with the call
// (ChainedCall.runs: what the callee's subtree may use, itself included) and the callee answers how many runs its
// subtree used (InvokeResult.sandboxRuns, or sandboxRuns in a failure's details). Edge calls of one invocation are
// sequential (the guest is suspended during each, under JSPI), so handing down what is left and subtracting what
// comes back is exact. A call whose RPC fails without an answer counts as having used everything it was handed,
// so the bound holds whatever happened on the other side.

//
// Asynchronous children (heliosdb_edge_invoke_async) cannot answer back: they run later, from a queue, maybe more
// than once. So what they may use is carved out of the caller's tree when they are queued, and travels with them
// (AsyncLineage, stored in the queue row):
// - the chain: the child's chain is the caller's plus the child, so cycles (A queues A) and the depth limit hold
//   across the queue as they do across edge calls; each attempt gets a fresh deadline (it starts later);
// - runs: the child gets min(ASYNC_CHILD_RUNS, what the caller's tree has left), spent from the caller's budget at
//   once, as if it were an edge call that used all it was handed;
// - fuel: the grant the guest names, charged to the caller when the child is queued.
// The child's attempts share its runs and fuel: each attempt runs on what is left, what it used is subtracted, and
// an attempt with nothing left is not started (the invocation is dead-lettered as `call_tree_exhausted`). The
// child's own async children carve theirs out of the child's. So one original request, with everything it queues
// directly or through queued children, never starts more than MAX_SANDBOX_RUNS_PER_REQUEST sandboxes (attempts
// of queued ones included) nor uses more fuel than its root's budget.

import { CHAIN_DEADLINE_MS, type CallChain } from "./call-chain.ts";

/** Sandbox runs one original request may start in all, the root's own included. */
export const MAX_SANDBOX_RUNS_PER_REQUEST = 100;
/** Wall-clock time one invocation may take, from its start (sooner if its chain's deadline comes first). */
export const INVOCATION_DEADLINE_MS = 15_000;

/** Sandbox runs an asynchronous child's whole subtree may start, over all its attempts (at most what is left). */
export const ASYNC_CHILD_RUNS = 10;

/** What a queued asynchronous child carries of its caller's tree (plain data: it is stored and crosses RPC). */
export interface AsyncLineage {
  /** The caller's chain, root first: the child's chain is this plus the child itself. */
  ancestors: string[];
  /** Sandbox runs the child's subtree may still start, over its remaining attempts. */
  runs: number;
  /** Fuel the child's subtree may still use, over its remaining attempts. */
  fuel: number;
}

/** The chain one attempt of a queued child runs on: its lineage plus itself, with a fresh deadline. */
export function lineageChain(lineage: AsyncLineage, functionName: string, requestId: string, now = Date.now()): CallChain {
  return { functions: [...lineage.ancestors, functionName], deadline: now + CHAIN_DEADLINE_MS, requestId };
}

/** What is left of a lineage after an attempt used `runs` and `fuel` (never below 0; unknown counts as everything). */
export function afterAttempt(lineage: AsyncLineage, runs: number, fuel: number): AsyncLineage {
  const spentRuns = Number.isFinite(runs) && runs >= 0 ? runs : lineage.runs;
  const spentFuel = Number.isFinite(fuel) && fuel >= 0 ? fuel : lineage.fuel;
  return { ancestors: lineage.ancestors, runs: Math.max(0, lineage.runs - spentRuns), fuel: Math.max(0, lineage.fuel - spentFuel) };
}

/** The deadline every host call of an invocation starting now checks (InvocationRequest.deadline). */
export function invocationDeadline(chain: CallChain, now = Date.now()): number {
  return Math.min(chain.deadline, now + INVOCATION_DEADLINE_MS);
}

/** The runs one invocation's callees may still start; the invocation itself is already counted. */
export class RunBudget {
  private spent = 0;

  /** `runs`: what this invocation's subtree may use, itself included (at least 1: it is running). */
  constructor(private readonly runs: number) {}

  /** What the next callee's subtree may use; 0 when the tree has used everything. */
  get available(): number {
    return Math.max(0, this.runs - 1 - this.spent);
  }

  /** A callee's subtree used `runs` of what it was handed (never counted as less than 0 or more than handed). */
  spend(runs: number, handed: number): void {
    this.spent += Math.min(Math.max(0, Number.isFinite(runs) ? runs : handed), handed);
  }

  /** Runs this invocation's subtree used, itself included: what it answers its own caller. */
  get used(): number {
    return 1 + this.spent;
  }
}
