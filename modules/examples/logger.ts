// Logs each payload line (prefix "debug:", "warn:" or "error:" picks the level, default info) and emits a summary
// with heliosdb_output. Capability: minimal.

export { helios_alloc } from "../sdk";
import { emitString, inputString, log, LogLevel, noMoreOutput } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const lines = inputString(ptr, len).split("\n");
  let written = 0;
  let refused = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length == 0) continue;
    let level = LogLevel.Info;
    let message = line;
    if (line.startsWith("debug:")) {
      level = LogLevel.Debug;
      message = line.substring(6).trim();
    } else if (line.startsWith("warn:")) {
      level = LogLevel.Warn;
      message = line.substring(5).trim();
    } else if (line.startsWith("error:")) {
      level = LogLevel.Error;
      message = line.substring(6).trim();
    }
    if (log.write(level, message) == 0) written++;
    else refused++;
  }
  emitString("logged " + written.toString());
  if (refused > 0) emitString(", refused " + refused.toString());
  return noMoreOutput();
}
