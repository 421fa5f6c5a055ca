// Failures of the runtime layer (routing an invocation to a version and a sandbox), plus the sandbox's invocation
// failures re-exported, and the one place errors are rebuilt after crossing an RPC boundary.

import {
  GuestAbiViolationError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvocationError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
  type SerializedError,
} from "../sandbox/index.ts";

export {
  GuestAbiViolationError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvocationError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
};

export type RuntimeErrorCode =
  | "payload_too_large"
  | "not_deployed_in_region"
  | "unknown_function"
  | "unauthorized"
  | "sandbox_internal_error";

export abstract class RuntimeError extends Error {
  abstract readonly code: RuntimeErrorCode;
}

/** The payload is longer than the function's maxPayloadBytes. */
export class PayloadTooLargeError extends RuntimeError {
  readonly code = "payload_too_large" as const;
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`the payload is ${size} bytes, over the function's limit of ${limit}`);
    this.name = "PayloadTooLargeError";
  }
}

/** The region holds no active version of the function. */
export class NotDeployedInRegionError extends RuntimeError {
  readonly code = "not_deployed_in_region" as const;
  constructor(
    readonly functionName: string,
    readonly region: string,
  ) {
    super(`function "${functionName}" is not deployed in region "${region}"`);
    this.name = "NotDeployedInRegionError";
  }
}

/** No region and no registry entry knows the function. */
export class UnknownFunctionError extends RuntimeError {
  readonly code = "unknown_function" as const;
  constructor(readonly functionName: string) {
    super(`no function named "${functionName}" is deployed`);
    this.name = "UnknownFunctionError";
  }
}

/** The function is private and the caller presented no valid token. */
export class UnauthorizedInvocationError extends RuntimeError {
  readonly code = "unauthorized" as const;
  constructor(readonly functionName: string) {
    super(`function "${functionName}" is private: invoking it needs the bearer token`);
    this.name = "UnauthorizedInvocationError";
  }
}

/** The sandbox itself failed (isolate load, RPC, or a bug): never the guest's doing. */
export class SandboxInternalError extends RuntimeError {
  readonly code = "sandbox_internal_error" as const;
  constructor(readonly reason: string) {
    super(`the sandbox failed: ${reason}`);
    this.name = "SandboxInternalError";
  }
}

export type RuntimeFailure = RuntimeError | InvocationError;

export function isRuntimeFailure(error: unknown): error is RuntimeFailure {
  return error instanceof RuntimeError || error instanceof InvocationError;
}

type Details = Record<string, unknown>;
const num = (d: Details, key: string): number => Number(d[key]);
const str = (d: Details, key: string): string => String(d[key] ?? "");

const REBUILDERS: Record<string, (d: Details) => RuntimeFailure> = {
  out_of_fuel: (d) => new OutOfFuelInvocationError(num(d, "budget")),
  memory_limit: (d) => new MemoryLimitError(num(d, "maxMemoryPages"), str(d, "trap")),
  guest_trap: (d) => new GuestTrapError(str(d, "trap")),
  guest_abi_violation: (d) => new GuestAbiViolationError(str(d, "reason")),
  invalid_guest_output: (d) => new InvalidGuestOutputError(num(d, "ptr"), num(d, "len"), num(d, "memoryBytes")),
  response_too_large: (d) => new ResponseTooLargeError(num(d, "size"), num(d, "limit")),
  payload_too_large: (d) => new PayloadTooLargeError(num(d, "size"), num(d, "limit")),
  not_deployed_in_region: (d) => new NotDeployedInRegionError(str(d, "functionName"), str(d, "region")),
  unknown_function: (d) => new UnknownFunctionError(str(d, "functionName")),
  unauthorized: (d) => new UnauthorizedInvocationError(str(d, "functionName")),
  sandbox_internal_error: (d) => new SandboxInternalError(str(d, "reason")),
};

/** Rebuilds the class an error had before it was serialized; unknown codes become SandboxInternalError. */
export function errorFromSerialized(serialized: SerializedError): RuntimeFailure {
  const rebuild = REBUILDERS[serialized.code];
  if (!rebuild) return new SandboxInternalError(`${serialized.code}: ${serialized.message}`);
  // Fields beyond the constructor's (usage, the guest's log lines) ride along as own fields.
  return Object.assign(rebuild(serialized.details), serialized.details);
}
