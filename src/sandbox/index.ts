// Sandbox layer: the code that runs inside a guest's isolate (ABI runner, host functions) and the types it shares.

export * from "./capabilities.ts";
export * from "./guest-abi.ts";
export * from "./host-functions.ts";
export * from "./host-status.ts";
export * from "./invocation.ts";
export {
  GuestAbiViolationError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvocationError,
  type InvocationErrorCode,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
} from "./errors.ts";
export * from "./log-collector.ts";
export * from "./memory-range.ts";
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
export { DEFAULT_SAFE_MEMORY_LIMITS, SafeMemory, toU32, utf8ByteLength, type SafeMemoryLimits } from "./safe-memory.ts";
export {
  AllocationTracker,
  DEFAULT_ALLOCATION_QUOTAS,
  type AllocationQuotas,
  type GuestAllocator,
  type LeakReport,
} from "./allocation-tracker.ts";
