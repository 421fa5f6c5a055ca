// Sandbox layer: the code that runs inside a guest's isolate (ABI runner, host functions) and the types it shares.

export * from "./capabilities.ts";
export * from "./guest-abi.ts";
export * from "./host-bridge.ts";
export * from "./host-call.ts";
export * from "./host-functions.ts";
export * from "./host-module.ts";
export * from "./host-status.ts";
export { EDGE_INVOKE_BASE_FUEL, MAX_EDGE_INVOKES_PER_INVOCATION, MAX_EDGE_PAYLOAD_BYTES } from "./host-edge-invoke.ts";
export { EDGE_INVOKE_ASYNC_BASE_FUEL, MAX_EDGE_ASYNC_PAYLOAD_BYTES } from "./host-edge-invoke-async.ts";
export {
  DB_CALL_BASE_FUEL,
  DB_CALL_FUEL_PER_ROW,
  DB_MESSAGE_STATUSES,
  MAX_DB_CALLS_PER_INVOCATION,
  MAX_DB_PARAMS,
  MAX_DB_PARAMS_TEXT_BYTES,
  MAX_DB_RESULT_BYTES,
  MAX_DB_RESULT_ROWS,
  MAX_DB_SQL_BYTES,
  parseDbParams,
} from "./host-database.ts";
export { MAX_CONFIG_KEY_BYTES, MAX_NAME_BYTES, MAX_RANDOM_BYTES } from "./host-environment.ts";
export {
  FETCH_RESULT_BYTES,
  HTTP_FETCH_BASE_FUEL,
  isHostAllowed,
  MAX_FETCH_BODY_BYTES,
  MAX_FETCH_HEADER_BYTES,
  MAX_FETCH_METHOD_BYTES,
  MAX_FETCH_URL_BYTES,
  MAX_HTTP_FETCHES_PER_INVOCATION,
  parseHeaderLines,
} from "./host-http-fetch.ts";
export * from "./http-exchange.ts";
export * from "./invocation.ts";
export * from "./output-collector.ts";
export * from "./sandbox-settings.ts";
export * from "./sandbox-call.ts";
export {
  GuestAbiViolationError,
  GuestExitError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvalidResponseHeaderError,
  InvocationDeadlineError,
  InvocationError,
  type InvocationErrorCode,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
} from "./errors.ts";
export * from "./log-collector.ts";
export * from "./serialized-error.ts";
export {
  AllocationSizeMismatchError,
  BufferTooSmallError,
  DoubleFreeError,
  HostErrorCode,
  InvalidAllocationError,
  InvalidUtf8Error,
  LengthCapExceededError,
  OutOfBoundsError,
  QuotaExceededError,
  ReentrantAllocationError,
  SandboxError,
  type SandboxErrorCode,
  UnencodableStringError,
  UnknownAllocationError,
  ValueOutOfRangeError,
} from "./errors.ts";
export {
  DEFAULT_SAFE_MEMORY_LIMITS,
  SafeMemory,
  safeMemoryLimits,
  toU32,
  type SafeMemoryLimits,
} from "./safe-memory.ts";
export { utf8ByteLength } from "./utf8.ts";
export {
  AllocationTracker,
  DEFAULT_ALLOCATION_QUOTAS,
  type AllocationQuotas,
  type GuestAllocator,
  type LeakReport,
} from "./allocation-tracker.ts";
