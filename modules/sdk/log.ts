// Logging through the host (capability "minimal"). Lines come back to the caller with the invocation's result.

@external("heliosdb", "heliosdb_log")
declare function heliosdb_log(level: i32, ptr: usize, len: usize): i32;

export enum LogLevel {
  Debug = 0,
  Info = 1,
  Warn = 2,
  Error = 3,
}

export namespace log {
  /** Writes one line; returns the host's status (0, or a negative code from docs/abi.md). */
  export function write(level: LogLevel, message: string): i32 {
    const encoded = String.UTF8.encode(message, false);
    return heliosdb_log(level, changetype<usize>(encoded), <usize>encoded.byteLength);
  }
  export function debug(message: string): i32 {
    return write(LogLevel.Debug, message);
  }
  export function info(message: string): i32 {
    return write(LogLevel.Info, message);
  }
  export function warn(message: string): i32 {
    return write(LogLevel.Warn, message);
  }
  export function error(message: string): i32 {
    return write(LogLevel.Error, message);
  }
}
