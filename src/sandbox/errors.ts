// Errors raised by the sandbox layer. Every class carries a stable `code` and the negative i32 `hostCode` a host
// function returns to the guest instead of throwing (docs/abi.md, "Memory and safety").

import type { CodeOfLayer } from "../errors/index.ts";

/**
 * Negative i32 results of host functions. The first five equal `HostStatus` in host-status.ts, which predates this
 * list; new codes are appended, never renumbered.
 */
export const HostErrorCode = {
  /** (ptr, len) is not entirely inside the guest's memory. */
  outOfBounds: -1,
  /** Bytes that must be UTF-8 are not, or a host string cannot be encoded without loss. */
  invalidUtf8: -2,
  /** A length is over its per-call cap. */
  tooLarge: -3,
  /** An argument is outside its documented range. */
  invalidArgument: -4,
  /** A per-invocation quota is used up. */
  quotaExceeded: -5,
  /** The block is not a live host-made block: never allocated by the host, foreign, or already freed. */
  unknownAllocation: -6,
  /** The block is live, but the size given to free it is not the size it was allocated with. */
  sizeMismatch: -7,
  /** The guest's buffer is too small for the result; nothing was written. */
  bufferTooSmall: -8,
  /** The guest's allocator returned a block the host cannot use (0, outside memory, or overlapping a live block). */
  invalidAllocation: -9,
  /** The guest re-entered the allocation tracker from inside its own allocator. */
  reentrantCall: -10,
} as const;
export type HostErrorCode = (typeof HostErrorCode)[keyof typeof HostErrorCode];

export type SandboxErrorCode = Exclude<CodeOfLayer<"sandbox">, InvocationErrorCode>;

export abstract class SandboxError extends Error {
  abstract readonly code: SandboxErrorCode;
  abstract readonly hostCode: HostErrorCode;
}

function hex(value: number): string {
  return Number.isFinite(value) ? `0x${value.toString(16)}` : "a value outside 32 bits";
}

/** [ptr, ptr + length) is not entirely inside guest memory. Nothing was read or written. */
export class OutOfBoundsError extends SandboxError {
  readonly code = "out_of_bounds" as const;
  readonly hostCode = HostErrorCode.outOfBounds;
  readonly ptr: number;
  readonly length: number;
  readonly byteLength: number;
  constructor(ptr: number, length: number, byteLength: number) {
    super(`guest memory range at ${hex(ptr)} of ${hex(length)} bytes is outside the ${byteLength}-byte memory`);
    this.name = "OutOfBoundsError";
    this.ptr = ptr;
    this.length = length;
    this.byteLength = byteLength;
  }
}

/** A length is over its per-call cap; refused before anything was read, copied or allocated. */
export class LengthCapExceededError extends SandboxError {
  readonly code = "length_cap_exceeded" as const;
  readonly hostCode = HostErrorCode.tooLarge;
  /** What the length was for: "read", "write", "string" or "allocation". */
  readonly kind: string;
  readonly length: number;
  readonly cap: number;
  constructor(kind: string, length: number, cap: number) {
    const size = Number.isFinite(length) ? `${length} bytes` : "a length outside 32 bits";
    super(`${kind} of ${size} is over the cap of ${cap} bytes`);
    this.name = "LengthCapExceededError";
    this.kind = kind;
    this.length = length;
    this.cap = cap;
  }
}

/** Guest bytes read as a string are not well-formed UTF-8. Never replaced with U+FFFD. */
export class InvalidUtf8Error extends SandboxError {
  readonly code = "invalid_utf8" as const;
  readonly hostCode = HostErrorCode.invalidUtf8;
  readonly ptr: number;
  readonly length: number;
  constructor(ptr: number, length: number) {
    super(`the ${length} bytes at ${hex(ptr)} are not valid UTF-8`);
    this.name = "InvalidUtf8Error";
    this.ptr = ptr;
    this.length = length;
  }
}

/** A host string holds a lone surrogate, which UTF-8 cannot encode without replacing it. Nothing was written. */
export class UnencodableStringError extends SandboxError {
  readonly code = "unencodable_string" as const;
  readonly hostCode = HostErrorCode.invalidUtf8;
  /** UTF-16 index of the lone surrogate. */
  readonly index: number;
  constructor(index: number) {
    super(`the string has a lone surrogate at index ${index} and cannot be encoded as UTF-8`);
    this.name = "UnencodableStringError";
    this.index = index;
  }
}

/** The guest's buffer cannot hold the result. Nothing was written; `required` tells the guest what to ask for. */
export class BufferTooSmallError extends SandboxError {
  readonly code = "buffer_too_small" as const;
  readonly hostCode = HostErrorCode.bufferTooSmall;
  readonly required: number;
  readonly capacity: number;
  constructor(required: number, capacity: number) {
    super(`the result needs ${required} bytes but the buffer holds ${capacity}`);
    this.name = "BufferTooSmallError";
    this.required = required;
    this.capacity = capacity;
  }
}

/** A value does not fit the typed slot it was written to (e.g. 256 as a u8). Nothing was written. */
export class ValueOutOfRangeError extends SandboxError {
  readonly code = "value_out_of_range" as const;
  readonly hostCode = HostErrorCode.invalidArgument;
  readonly type: string;
  readonly value: string;
  constructor(type: string, value: unknown) {
    super(`${String(value)} is not a valid ${type}`);
    this.name = "ValueOutOfRangeError";
    this.type = type;
    this.value = String(value);
  }
}

/** A per-invocation allocation quota is used up; the guest's allocator was not called. */
export class QuotaExceededError extends SandboxError {
  readonly code = "quota_exceeded" as const;
  readonly hostCode = HostErrorCode.quotaExceeded;
  readonly quota: "blocks" | "bytes";
  readonly limit: number;
  readonly requested: number;
  constructor(quota: "blocks" | "bytes", limit: number, requested: number) {
    super(`allocation quota exceeded: ${requested} ${quota} requested in this invocation, limit ${limit}`);
    this.name = "QuotaExceededError";
    this.quota = quota;
    this.limit = limit;
    this.requested = requested;
  }
}

/** Free of a block the host never allocated (or a pointer inside one). The guest's deallocator was not called. */
export class UnknownAllocationError extends SandboxError {
  readonly code = "unknown_allocation" as const;
  readonly hostCode = HostErrorCode.unknownAllocation;
  readonly ptr: number;
  readonly size: number;
  constructor(ptr: number, size: number) {
    super(`no live host-made block starts at ${hex(ptr)} (free of ${size} bytes refused)`);
    this.name = "UnknownAllocationError";
    this.ptr = ptr;
    this.size = size;
  }
}

/** Second free of a host-made block. The guest's deallocator was not called again. */
export class DoubleFreeError extends SandboxError {
  readonly code = "double_free" as const;
  readonly hostCode = HostErrorCode.unknownAllocation;
  readonly ptr: number;
  constructor(ptr: number) {
    super(`the block at ${hex(ptr)} was already freed`);
    this.name = "DoubleFreeError";
    this.ptr = ptr;
  }
}

/** Free of a live block with a size other than its own. The block stays live; the deallocator was not called. */
export class AllocationSizeMismatchError extends SandboxError {
  readonly code = "allocation_size_mismatch" as const;
  readonly hostCode = HostErrorCode.sizeMismatch;
  readonly ptr: number;
  readonly size: number;
  readonly allocatedSize: number;
  constructor(ptr: number, size: number, allocatedSize: number) {
    super(`the block at ${hex(ptr)} has ${allocatedSize} bytes, not ${size}`);
    this.name = "AllocationSizeMismatchError";
    this.ptr = ptr;
    this.size = size;
    this.allocatedSize = allocatedSize;
  }
}

/** The guest's allocator returned a block the host must not write to. It is not registered and never used. */
export class InvalidAllocationError extends SandboxError {
  readonly code = "invalid_allocation" as const;
  readonly hostCode = HostErrorCode.invalidAllocation;
  readonly ptr: number;
  readonly size: number;
  readonly reason: string;
  constructor(ptr: number, size: number, reason: string) {
    super(`the guest allocator returned an unusable block of ${size} bytes at ${hex(ptr)}: ${reason}`);
    this.name = "InvalidAllocationError";
    this.ptr = ptr;
    this.size = size;
    this.reason = reason;
  }
}

/** The guest called back into the tracker while its own allocator or deallocator was running. */
export class ReentrantAllocationError extends SandboxError {
  readonly code = "reentrant_allocation" as const;
  readonly hostCode = HostErrorCode.reentrantCall;
  readonly operation: "alloc" | "free";
  constructor(operation: "alloc" | "free") {
    super(`${operation} refused: the guest's allocator is already running (re-entrant call)`);
    this.name = "ReentrantAllocationError";
    this.operation = operation;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Failures of one guest invocation (invocation.ts). Fields are plain data so they survive serialization across the
// isolate and Durable Object RPC boundaries (serialized-error.ts); src/runtime/errors.ts rebuilds them.
export type InvocationErrorCode = Extract<
  CodeOfLayer<"sandbox">,
  | "out_of_fuel"
  | "invocation_deadline_exceeded"
  | "memory_limit"
  | "guest_trap"
  | "guest_abi_violation"
  | "invalid_guest_output"
  | "response_too_large"
  | "invalid_response_header"
  | "guest_exit"
>;

export abstract class InvocationError extends Error {
  abstract readonly code: InvocationErrorCode;
}

/** The guest used its whole fuel budget. */
export class OutOfFuelInvocationError extends InvocationError {
  readonly code = "out_of_fuel" as const;
  constructor(readonly budget: number) {
    super(`the function used its whole fuel budget of ${budget}`);
    this.name = "OutOfFuelInvocationError";
  }
}

/**
 * A host call found the invocation past its wall-clock deadline: it ends there, like running out of fuel. Fuel
 * bounds the guest's own work; the deadline bounds waiting (edge calls, fetches) and anything fuel prices wrong.
 */
export class InvocationDeadlineError extends InvocationError {
  readonly code = "invocation_deadline_exceeded" as const;
  constructor(readonly deadlineMs: number) {
    super(`the function ran past its wall-clock deadline (${deadlineMs} ms after the epoch)`);
    this.name = "InvocationDeadlineError";
  }
}

/** The guest trapped while its memory was at the cap: it needed more than its memory limit allows. */
export class MemoryLimitError extends InvocationError {
  readonly code = "memory_limit" as const;
  constructor(
    readonly maxMemoryPages: number,
    readonly trap: string,
  ) {
    super(`the function exceeded its memory limit of ${maxMemoryPages} pages (${trap})`);
    this.name = "MemoryLimitError";
  }
}

/** The guest trapped (unreachable, out-of-bounds access, stack exhaustion, ...). */
export class GuestTrapError extends InvocationError {
  readonly code = "guest_trap" as const;
  constructor(readonly trap: string) {
    super(`the function trapped: ${trap}`);
    this.name = "GuestTrapError";
  }
}

/** The module does not follow the guest ABI (missing export, wrong signature, allocator returned a bad block). */
export class GuestAbiViolationError extends InvocationError {
  readonly code = "guest_abi_violation" as const;
  constructor(readonly reason: string) {
    super(`the module broke the guest ABI: ${reason}`);
    this.name = "GuestAbiViolationError";
  }
}

/** The handler returned an output location that is not inside its memory. Nothing was copied. */
export class InvalidGuestOutputError extends InvocationError {
  readonly code = "invalid_guest_output" as const;
  constructor(
    readonly ptr: number,
    readonly len: number,
    readonly memoryBytes: number,
  ) {
    super(`the function returned output at [${ptr}, ${ptr} + ${len}) outside its ${memoryBytes}-byte memory`);
    this.name = "InvalidGuestOutputError";
  }
}

/** The handler's output is longer than the function's response cap. Nothing was copied. */
export class ResponseTooLargeError extends InvocationError {
  readonly code = "response_too_large" as const;
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`the function returned ${size} bytes, over its response limit of ${limit}`);
    this.name = "ResponseTooLargeError";
  }
}

/** The guest set a response status or header the runtime will not send (docs/abi.md, "Response headers"). */
export class InvalidResponseHeaderError extends InvocationError {
  readonly code = "invalid_response_header" as const;
  constructor(
    /** The header name as the guest gave it (cut at 64 characters), or "status". */
    readonly header: string,
    readonly reason: string,
    /** Where it came from: "heliosdb_response_header", "heliosdb_response_status" or "cgi" (a WASI header block). */
    readonly source: string,
  ) {
    super(`the function set an invalid response header ${JSON.stringify(header)} (${source}): ${reason}`);
    this.name = "InvalidResponseHeaderError";
  }
}

/** A WASI guest called proc_exit with a non-zero code. `stderr` is the tail of what it wrote to fd 2. */
export class GuestExitError extends InvocationError {
  readonly code = "guest_exit" as const;
  constructor(
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(stderr.length > 0 ? `the function exited with code ${exitCode}: ${stderr}` : `the function exited with code ${exitCode}`);
    this.name = "GuestExitError";
  }
}
