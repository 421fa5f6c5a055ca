// ProcedureCalls: the database calls of a procedure (db_query, db_execute) on its transaction's scope, with the
// BEFORE triggers of each write fired inside that write's savepoint.

import { type DbCallOutcome, type DbCallRequest, HostStatus } from "../sandbox/index.ts";
import type { DatabaseCalls } from "./database-host-bridge.ts";
import { outcomeForGuest, type StatementRunner } from "./statement-runner.ts";
import type { TriggerEngine } from "./trigger-engine.ts";
import type { TransactionScope } from "./transaction-scope.ts";

/** db_query, and db_execute inside a procedure: the statement in its own savepoint, then its BEFORE triggers. */
export class ProcedureCalls implements DatabaseCalls {
  constructor(
    private readonly runner: StatementRunner,
    readonly query: DatabaseCalls["query"],
    private readonly triggers: TriggerEngine | null,
  ) {}

  async execute(request: DbCallRequest, scope: TransactionScope): Promise<DbCallOutcome> {
    if (!scope.open) return { status: HostStatus.deadlineExceeded, rows: 0 };
    // A rejected write dooms its procedure: every later write is refused the same way, and it ends rolled back.
    if (scope.doomed !== null) return outcomeForGuest(scope.doomed);
    const { outcome, body } = this.runner.execute(request.sql, request.params, true);
    if (!outcome.ok) return outcomeForGuest(outcome);
    const rejected = this.triggers === null ? null : await this.triggers.fire(scope);
    if (!scope.open) return { status: HostStatus.deadlineExceeded, rows: 0 };
    if (rejected !== null) {
      scope.doomed = rejected;
      return outcomeForGuest(rejected);
    }
    return outcomeForGuest(outcome, body);
  }
}
