// Collects the log lines one invocation writes, within a per-invocation quota, to hand back to the caller.

export type LogLevel = "debug" | "info" | "warn" | "error";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export interface LogEntry {
  level: LogLevel;
  message: string;
}

export const MAX_LOG_ENTRIES = 100;
export const MAX_LOG_MESSAGE_BYTES = 4096;

export class LogCollector {
  readonly entries: LogEntry[] = [];

  /** The quota is used up: every further line would be dropped. */
  get full(): boolean {
    return this.entries.length >= MAX_LOG_ENTRIES;
  }

  /** Returns false (and keeps nothing) once the quota is used up. */
  add(level: LogLevel, message: string): boolean {
    if (this.entries.length >= MAX_LOG_ENTRIES) return false;
    this.entries.push({ level, message });
    return true;
  }
}
