// The store-backed invocation observer. observe() only adds the record to a batch in this isolate (its metrics summed
// into its minute, the record itself kept only if it carries log lines: observation-batch.ts); the first record of a
// batch schedules one flush (through the caller's waitUntil, after FLUSH_DELAY_MS so concurrent invocations share
// it), which sends each function-and-region's batch to its own ObservationObject in one call. The invocation
// never waits for the store, and no single object sees more than one function's traffic in one region.

import type { Env } from "../env.ts";
import type { InvocationObserver, InvocationRecord } from "../runtime/invocation-observer.ts";
import { PendingBatch } from "./observation-batch.ts";
import { FLUSH_DELAY_MS, MAX_BUFFERED_RECORDS } from "./observe-limits.ts";
import { observationObjectName, observationStub } from "./observation-store.ts";

export type WaitUntil = (promise: Promise<unknown>) => void;

export class ObservationSink implements InvocationObserver {
  private buffer = new Map<string, PendingBatch>();
  private buffered = 0;
  /** Records dropped because the buffer was full (a store that stays unreachable must not grow the isolate). */
  dropped = 0;

  constructor(
    private readonly env: Env,
    private readonly waitUntil: WaitUntil,
    private readonly delayMs = FLUSH_DELAY_MS,
  ) {}

  observe(record: InvocationRecord): void {
    if (this.buffered >= MAX_BUFFERED_RECORDS) {
      this.dropped++;
      return;
    }
    const key = observationObjectName(record.functionName, record.region);
    let batch = this.buffer.get(key);
    if (batch === undefined) this.buffer.set(key, (batch = new PendingBatch(record.functionName, record.region)));
    batch.add(record);
    if (this.buffered++ === 0) this.waitUntil(this.flushLater());
  }

  private async flushLater(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    await this.flush();
  }

  /** Sends what is buffered now; a store that fails loses its batch (observations never fail an invocation). */
  async flush(): Promise<void> {
    const batches = [...this.buffer.values()];
    this.buffer = new Map();
    this.buffered = 0;
    await Promise.all(batches.map(async (pending) => {
      const batch = pending.batch();
      try {
        await observationStub(this.env, pending.functionName, pending.region).record(batch);
      } catch {
        this.dropped += batch.records;
      }
    }));
  }
}
