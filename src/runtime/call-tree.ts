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

import type { CallChain } from "./call-chain.ts";

/** Sandbox runs one original request may start in all, the root's own included. */
export const MAX_SANDBOX_RUNS_PER_REQUEST = 100;
/** Wall-clock time one invocation may take, from its start (sooner if its chain's deadline comes first). */
export const INVOCATION_DEADLINE_MS = 15_000;

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
