// Host call status codes (docs/abi.md, "Host functions"): 0 or a result on success, a negative code when refused.

export namespace HostStatus {
  export const Ok: i32 = 0;
  export const OutOfBounds: i32 = -1;
  export const InvalidUtf8: i32 = -2;
  export const TooLarge: i32 = -3;
  export const InvalidArgument: i32 = -4;
  export const QuotaExceeded: i32 = -5;
  export const UnknownAllocation: i32 = -6;
  export const SizeMismatch: i32 = -7;
  export const BufferTooSmall: i32 = -8;
  export const InvalidAllocation: i32 = -9;
  export const ReentrantCall: i32 = -10;
  export const NotFound: i32 = -11;
  export const NotPermitted: i32 = -12;
  export const CallDepthExceeded: i32 = -13;
  export const CallCycle: i32 = -14;
  export const DeadlineExceeded: i32 = -15;
  export const CalleeFailed: i32 = -16;
  export const UpstreamFailed: i32 = -17;
  export const SqlRefused: i32 = -18;
  export const SqlError: i32 = -19;
  export const ResultTooLarge: i32 = -20;
  export const ReadOnly: i32 = -21;
  export const TriggerRejected: i32 = -22;
  export const WouldDeadlock: i32 = -23;
}

const NAMES: string[] = [
  "ok",
  "outOfBounds",
  "invalidUtf8",
  "tooLarge",
  "invalidArgument",
  "quotaExceeded",
  "unknownAllocation",
  "sizeMismatch",
  "bufferTooSmall",
  "invalidAllocation",
  "reentrantCall",
  "notFound",
  "notPermitted",
  "callDepthExceeded",
  "callCycle",
  "deadlineExceeded",
  "calleeFailed",
  "upstreamFailed",
  "sqlRefused",
  "sqlError",
  "resultTooLarge",
  "readOnly",
  "triggerRejected",
  "wouldDeadlock",
];

/** The documented name of a status ("callCycle" for -14); "ok" for 0 and above. */
export function statusName(status: i32): string {
  if (status >= 0) return "ok";
  const index = -status;
  return index < NAMES.length ? NAMES[index] : "unknown(" + status.toString() + ")";
}

/** Ends the invocation (guest_trap, with the message in its logs) when a host call was refused. */
export function check(status: i32, what: string): i32 {
  if (status < 0) abort(what + " failed: " + statusName(status) + " (" + status.toString() + ")");
  return status;
}
