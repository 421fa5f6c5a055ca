// ObservationObject: one SQLite Durable Object per function and region, named "<function>/<region>" (so no object
// sees more than one function's traffic in one region). It keeps that function's log lines and per-minute metrics
// there, bounded by count and age (observe-limits.ts; pruned on every write), and serves live tails as server-sent
// events. Invocations never wait for it: isolates batch their records and send them through ctx.waitUntil.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { LogLevel } from "../sandbox/index.ts";
import { emptyMinute, mergeMinutes, type MinuteStats, minuteOf } from "./metrics-window.ts";
import type { ObservationBatch } from "./observation-batch.ts";
import { LOG_RETENTION_MS, MAX_STORED_LOG_LINES, MAX_TAILS_PER_STORE, METRICS_RETENTION_MINUTES } from "./observe-limits.ts";
import { LEVEL_RANK, type LogQuery, type StoredLogLine } from "./stored-log.ts";

interface LogRow extends Record<string, SqlStorageValue> {
  id: number;
  at: number;
  version: number;
  request_id: string;
  outcome: string;
  level: string;
  message: string;
}

interface Tail {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  minRank: number;
}

const encoder = new TextEncoder();

export class ObservationObject extends DurableObject<Env> {
  private readonly tails = new Set<Tail>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS logs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      version INTEGER NOT NULL,
      request_id TEXT NOT NULL,
      outcome TEXT NOT NULL,
      level TEXT NOT NULL,
      message TEXT NOT NULL
    )`);
    sql.exec("CREATE INDEX IF NOT EXISTS logs_at ON logs (at)");
    sql.exec("CREATE TABLE IF NOT EXISTS minutes (minute INTEGER PRIMARY KEY, stats TEXT NOT NULL)");
  }

  /**
   * A batch of one function's records in this region (from one isolate's buffer: observation-batch.ts): each minute's
   * metrics merged into its bucket, each logged record's lines stored, then pruning. Answers how many records it
   * stood for.
   */
  async record(batch: ObservationBatch): Promise<number> {
    const sql = this.ctx.storage.sql;
    const lines: StoredLogLine[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const [minute, stats] of batch.minutes) {
        const row = sql.exec<{ stats: string }>("SELECT stats FROM minutes WHERE minute = ?", minute).toArray()[0];
        const merged = row ? (JSON.parse(row.stats) as MinuteStats) : emptyMinute();
        mergeMinutes(merged, stats);
        sql.exec("INSERT INTO minutes (minute, stats) VALUES (?, ?) ON CONFLICT (minute) DO UPDATE SET stats = excluded.stats", minute, JSON.stringify(merged));
      }
      for (const record of batch.logged) {
        for (const log of record.logs) {
          const id = sql
            .exec<{ id: number }>(
              "INSERT INTO logs (at, version, request_id, outcome, level, message) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
              record.at, record.version, record.requestId, record.outcome, log.level, log.message,
            )
            .one().id;
          lines.push(lineOf(record.functionName, record.region, { id, at: record.at, version: record.version, request_id: record.requestId, outcome: record.outcome, level: log.level, message: log.message }));
        }
      }
      this.prune(Date.now());
    });
    if (lines.length > 0 && this.tails.size > 0) this.ctx.waitUntil(this.publish(lines));
    return batch.records;
  }

  async logs(name: string, region: string, query: LogQuery): Promise<StoredLogLine[]> {
    const levels = levelsFrom(query.level);
    const placeholders = levels.map(() => "?").join(", ");
    const sql = this.ctx.storage.sql;
    const rows = query.since !== undefined
      ? sql.exec<LogRow>(`SELECT * FROM logs WHERE at >= ? AND level IN (${placeholders}) ORDER BY id ASC LIMIT ?`, query.since, ...levels, query.limit).toArray()
      : sql.exec<LogRow>(`SELECT * FROM logs WHERE level IN (${placeholders}) ORDER BY id DESC LIMIT ?`, ...levels, query.limit).toArray().reverse();
    return rows.map((row) => lineOf(name, region, row));
  }

  /** The last `windowMinutes` minutes (this one included) merged into one bucket: summed across regions by the caller. */
  async stats(windowMinutes: number, now = Date.now()): Promise<MinuteStats> {
    const total = emptyMinute();
    const from = minuteOf(now) - windowMinutes + 1;
    for (const row of this.ctx.storage.sql.exec<{ stats: string }>("SELECT stats FROM minutes WHERE minute >= ?", from)) {
      mergeMinutes(total, JSON.parse(row.stats) as MinuteStats);
    }
    return total;
  }

  /** The stored minutes of the last `windowMinutes` (this one included), oldest first; minutes with no record are absent. */
  async series(windowMinutes: number, now = Date.now()): Promise<{ minute: number; stats: MinuteStats }[]> {
    const from = minuteOf(now) - windowMinutes + 1;
    return this.ctx.storage.sql
      .exec<{ minute: number; stats: string }>("SELECT minute, stats FROM minutes WHERE minute >= ? ORDER BY minute", from)
      .toArray()
      .map((row) => ({ minute: row.minute, stats: JSON.parse(row.stats) as MinuteStats }));
  }

  /** GET /tail?level=: a server-sent event stream of the log lines stored from now on (`event: log`). */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/tail") return new Response("not found", { status: 404 });
    if (this.tails.size >= MAX_TAILS_PER_STORE) return new Response("too many tails", { status: 429 });
    const level = url.searchParams.get("level") as LogLevel | null;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const tail: Tail = { writer: writable.getWriter(), minRank: level !== null && level in LEVEL_RANK ? LEVEL_RANK[level] : 0 };
    this.tails.add(tail);
    // A comment first, so the client sees the stream open before any line arrives.
    tail.writer.write(encoder.encode(": tail open\n\n")).catch(() => this.tails.delete(tail));
    tail.writer.closed.catch(() => undefined).finally(() => this.tails.delete(tail));
    return new Response(readable, { headers: { "content-type": "text/event-stream", "cache-control": "no-store" } });
  }

  private async publish(lines: StoredLogLine[]): Promise<void> {
    await Promise.all([...this.tails].map(async (tail) => {
      const chunk = lines.filter((line) => LEVEL_RANK[line.level] >= tail.minRank).map((line) => `event: log\ndata: ${JSON.stringify(line)}\n\n`).join("");
      if (chunk === "") return;
      try {
        await tail.writer.write(encoder.encode(chunk));
      } catch {
        // The client went away: forget the tail.
        this.tails.delete(tail);
      }
    }));
  }

  private prune(now: number): void {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM logs WHERE at < ?", now - LOG_RETENTION_MS);
    const newest = sql.exec<{ id: number | null }>("SELECT MAX(id) AS id FROM logs").one().id;
    if (newest !== null) sql.exec("DELETE FROM logs WHERE id <= ?", newest - MAX_STORED_LOG_LINES);
    sql.exec("DELETE FROM minutes WHERE minute <= ?", minuteOf(now) - METRICS_RETENTION_MINUTES);
  }
}

function levelsFrom(level: LogLevel | undefined): LogLevel[] {
  const min = level === undefined ? 0 : LEVEL_RANK[level];
  return (Object.keys(LEVEL_RANK) as LogLevel[]).filter((l) => LEVEL_RANK[l] >= min);
}

function lineOf(name: string, region: string, row: LogRow): StoredLogLine {
  return {
    id: row.id,
    at: row.at,
    function: name,
    region,
    version: row.version,
    requestId: row.request_id,
    outcome: row.outcome,
    level: row.level as LogLevel,
    message: row.message,
  };
}
