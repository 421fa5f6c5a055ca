// The parent's end of a database function's host calls: one RpcTarget per invocation (or per trigger call), created
// by the database object inside the transaction it belongs to, so the sandbox's calls back into it are delivered
// while the transaction holds the object (see transaction-scope.ts). It is bound to one database (the object that
// made it) and one scope: a function can reach no other database, and nothing after its transaction ends.
//
// One bridge per call inside a transaction. A call into an RpcTarget re-enters the object through a reentry
// callback that captured the critical section (blockConcurrencyWhile) it was made in, so it may run inside it; but
// workerd moves that critical section into the first call (src/workerd/io/io-context.h,
// IoContext::makeReentryCallbackImpl: `cs = getCriticalSection()` ... `ctx.run(..., kj::mv(cs))` in a mutable
// lambda), so a second call into the same target waits for the critical section to end: a deadlock until the
// transaction's limit. So every answer made inside a transaction hands the sandbox a fresh bridge (`next`), made
// during that call, inside the critical section, for the sandbox's next call; each bridge is called at most once.

import { RpcTarget } from "cloudflare:workers";
import {
  type BridgeHandoff,
  type DbCallOutcome,
  type DbCallRequest,
  type EdgeInvokeAsyncOutcome,
  type EdgeInvokeOutcome,
  type EdgeInvokeRequest,
  type HostBridge,
  HostStatus,
  type HttpFetchOutcome,
  type HttpFetchRequest,
} from "../sandbox/index.ts";
import type { TransactionScope } from "./transaction-scope.ts";

/** What the database object does for its bridges. */
export interface DatabaseCalls {
  query(request: DbCallRequest, scope: TransactionScope | null): Promise<DbCallOutcome>;
  execute(request: DbCallRequest, scope: TransactionScope): Promise<DbCallOutcome>;
}

export class DatabaseHostBridge extends RpcTarget implements HostBridge {
  /**
   * `scope`: the procedure's or the write's transaction (db_execute needs one); null for a read-only function.
   * `outside`: edge calls and fetches (the region bridge's logic, with this call chain); null for triggers.
   */
  constructor(
    private readonly calls: DatabaseCalls,
    private readonly scope: TransactionScope | null,
    private readonly writes: boolean,
    private readonly outside: Pick<HostBridge, "edgeInvoke" | "httpFetch"> | null,
  ) {
    super();
  }

  async dbQuery(request: DbCallRequest): Promise<DbCallOutcome> {
    return this.handOff(await this.calls.query(request, this.scope));
  }

  async dbExecute(request: DbCallRequest): Promise<DbCallOutcome> {
    if (!this.writes || this.scope === null) return this.handOff<DbCallOutcome>({ status: HostStatus.notPermitted, rows: 0 });
    return this.handOff(await this.calls.execute(request, this.scope));
  }

  async edgeInvoke(request: EdgeInvokeRequest): Promise<EdgeInvokeOutcome> {
    if (this.outside === null) return this.handOff<EdgeInvokeOutcome>({ status: HostStatus.notPermitted, fuelUsed: 0 });
    return this.handOff(await this.outside.edgeInvoke(request));
  }

  /**
   * Refused (notPermitted) for every function with a database: a queued invocation is not part of the transaction
   * (a procedure that rolls back could not take it back), and queueing means a call into another object's stub from
   * inside this object's critical section.
   */
  async edgeInvokeAsync(): Promise<EdgeInvokeAsyncOutcome> {
    return this.handOff<EdgeInvokeAsyncOutcome>({ status: HostStatus.notPermitted, reason: "a function with a database cannot queue invocations" });
  }

  async httpFetch(request: HttpFetchRequest): Promise<HttpFetchOutcome> {
    if (this.outside === null) return this.handOff<HttpFetchOutcome>({ status: HostStatus.notPermitted });
    return this.handOff(await this.outside.httpFetch(request));
  }

  /** Inside a transaction: the answer names a fresh bridge for the next call (see the top of this file). */
  private handOff<T extends BridgeHandoff>(outcome: T): T {
    if (this.scope === null || !this.scope.open) return outcome;
    outcome.next = new DatabaseHostBridge(this.calls, this.scope, this.writes, this.outside);
    return outcome;
  }
}
