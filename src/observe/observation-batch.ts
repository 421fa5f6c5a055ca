// What one flush sends one function-and-region store: the metrics of its records already summed per minute, and
// only the records that carry log lines (each line is stored on its own). An invocation's record costs the isolate
// one addRecord into its minute; the batch crossing to the store is one small object per minute plus the logged
// records, not a clone of every record, and the store merges a minute once per batch, not once per record.

import type { InvocationRecord } from "../runtime/invocation-observer.ts";
import { addRecord, emptyMinute, type MinuteStats, minuteOf } from "./metrics-window.ts";

export interface ObservationBatch {
  /** Each minute the batch's records fall in (minuteOf(record.at)), with their summed metrics. */
  minutes: [minute: number, stats: MinuteStats][];
  /** The records with at least one log line, in the order they were observed (their metrics are in `minutes`). */
  logged: InvocationRecord[];
  /** How many records the batch stands for. */
  records: number;
}

/** A batch being gathered in an isolate: records go in as they are observed. */
export class PendingBatch {
  private readonly minutes = new Map<number, MinuteStats>();
  private readonly logged: InvocationRecord[] = [];
  private records = 0;

  constructor(
    readonly functionName: string,
    readonly region: string,
  ) {}

  add(record: InvocationRecord): void {
    const minute = minuteOf(record.at);
    let stats = this.minutes.get(minute);
    if (stats === undefined) this.minutes.set(minute, (stats = emptyMinute()));
    addRecord(stats, record);
    if (record.logs.length > 0) this.logged.push(record);
    this.records++;
  }

  batch(): ObservationBatch {
    return { minutes: [...this.minutes], logged: this.logged, records: this.records };
  }
}

/** The batch of `records` (all of one function in one region). */
export function batchOf(records: readonly InvocationRecord[]): ObservationBatch {
  const pending = new PendingBatch(records[0]?.functionName ?? "", records[0]?.region ?? "");
  for (const record of records) pending.add(record);
  return pending.batch();
}
