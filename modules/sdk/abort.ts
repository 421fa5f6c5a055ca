// Replaces AssemblyScript's `env.abort` import (asconfig "use": abort=...): the message goes to the log, then the
// instance traps, so a failed assertion reaches the caller as a guest_trap with its reason in the logs.

import { log } from "./log";

export function heliosAbort(message: string | null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let text = message !== null ? message : "abort";
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  log.error(text);
  unreachable();
}
