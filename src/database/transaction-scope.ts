// One open transaction of a database object: a procedure, or a write whose BEFORE triggers run in WebAssembly.
//
// It runs in `ctx.storage.transaction(async ...)`, which in a SQLite-backed object opens a savepoint inside
// blockConcurrencyWhile and keeps it across awaits (workerd src/workerd/api/actor-state.c++,
// DurableObjectStorage::transaction -> asyncTransactionImpl: "it's important that we're inside the
// blockConcurrencyWhile block before that point"); a throw rolls it back. No other event reaches the object
// meanwhile, so the transaction is serializable; RPC calls from sandbox isolates into RpcTargets created inside it
// are still delivered. blockConcurrencyWhile resets the object after 30 s, so each transaction has its own
// wall-clock limit, far below that: past it, the transaction is rolled back and the scope closed, and anything the
// still-running guest asks afterwards is refused without touching storage.

import { TransactionTimeoutError } from "../runtime/index.ts";
import type { SqlFailure } from "./sql-result.ts";

/** Wall-clock limit of one transaction (a procedure, or a write with its triggers). */
export const TRANSACTION_LIMIT_MS = 5_000;

export class TransactionScope {
  private isOpen = true;
  /** Set when a BEFORE trigger rejected a write: the transaction can only end rolled back, with that failure. */
  doomed: SqlFailure | null = null;
  private resolveClosed!: () => void;
  /** Resolves when the transaction has ended (committed or rolled back). */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(readonly deadline: number) {}

  get open(): boolean {
    return this.isOpen && Date.now() < this.deadline;
  }

  close(): void {
    this.isOpen = false;
    this.resolveClosed();
  }
}

/**
 * Runs `body` as one transaction of `storage` within `limitMs`. The body's failure, a timeout
 * (TransactionTimeoutError) or a throw of its own rolls everything back; the scope is closed either way.
 */
export async function runTransaction<T>(
  storage: DurableObjectStorage,
  limitMs: number,
  body: (scope: TransactionScope) => Promise<T>,
  onOpen: (scope: TransactionScope | null) => void,
): Promise<T> {
  return storage.transaction(async () => {
    const scope = new TransactionScope(Date.now() + limitMs);
    onOpen(scope);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const work = body(scope);
    // The body may settle after a timeout won the race: its result is dropped, never reported as unhandled.
    work.catch(() => undefined);
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TransactionTimeoutError(limitMs)), limitMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      scope.close();
      onOpen(null);
    }
  });
}
