// Failures of the runtime layer (routing an invocation to a version and a sandbox), plus the sandbox's invocation
// failures re-exported, and the one place errors are rebuilt after crossing an RPC boundary (driven by the catalogue's
// constructor parameters, src/errors/catalogue.ts).

import { ERROR_CATALOGUE, type CodeOfLayer, type ErrorCode, type ErrorField, type ErrorSpec } from "../errors/index.ts";
import {
  GuestAbiViolationError,
  GuestExitError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvalidResponseHeaderError,
  InvocationDeadlineError,
  InvocationError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
  type SerializedError,
} from "../sandbox/index.ts";

export {
  GuestAbiViolationError,
  GuestExitError,
  GuestTrapError,
  InvalidGuestOutputError,
  InvalidResponseHeaderError,
  InvocationDeadlineError,
  InvocationError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
};

export type RuntimeErrorCode = CodeOfLayer<"runtime">;

export abstract class RuntimeError extends Error {
  abstract readonly code: RuntimeErrorCode;
}

/** A body over a cap: the function's maxPayloadBytes (`size` known), or the API's ceiling (refused while reading). */
export class PayloadTooLargeError extends RuntimeError {
  readonly code = "payload_too_large" as const;
  declare readonly size?: number;
  constructor(
    readonly limit: number,
    size?: number,
  ) {
    super(
      size === undefined
        ? `the payload is larger than the ${limit}-byte limit`
        : `the payload is ${size} bytes, over the function's limit of ${limit}`,
    );
    this.name = "PayloadTooLargeError";
    if (size !== undefined) this.size = size;
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

/** The function exists, but has no version of that number (never deployed, or removed with its history). */
export class UnknownVersionError extends RuntimeError {
  readonly code = "unknown_version" as const;
  constructor(
    readonly functionName: string,
    readonly version: number,
  ) {
    super(`function "${functionName}" has no version ${version}`);
    this.name = "UnknownVersionError";
  }
}

/** The function exists, but has no alias of that name. */
export class UnknownAliasError extends RuntimeError {
  readonly code = "unknown_alias" as const;
  constructor(
    readonly functionName: string,
    readonly alias: string,
  ) {
    super(`function "${functionName}" has no alias "${alias}"`);
    this.name = "UnknownAliasError";
  }
}

/** Missing, malformed or wrong bearer token; with `functionName`, a private function invoked without a valid one.
 *  The message never says which part of a presented token was wrong. */
export class UnauthorizedError extends RuntimeError {
  readonly code = "unauthorized" as const;
  declare readonly functionName?: string;
  constructor(functionName?: string) {
    super(
      functionName === undefined
        ? "a valid `Authorization: Bearer <token>` header is required"
        : `function "${functionName}" is private: invoking it needs the bearer token`,
    );
    this.name = "UnauthorizedError";
    if (functionName !== undefined) this.functionName = functionName;
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

/**
 * A BEFORE trigger rejected a write: nothing the write (or the procedure it was part of) did was kept, in any
 * table. `reason` is the trigger's own message, or why it failed closed (trap, out of fuel, a bad verdict).
 */
export class TriggerRejectedError extends RuntimeError {
  readonly code = "trigger_rejected" as const;
  constructor(
    readonly trigger: string,
    readonly table: string,
    readonly reason: string,
  ) {
    super(`trigger "${trigger}" rejected the write to "${table}": ${reason}`);
    this.name = "TriggerRejectedError";
  }
}

/** A transaction (a procedure, or a write running its triggers) passed its wall-clock limit and was rolled back. */
export class TransactionTimeoutError extends RuntimeError {
  readonly code = "transaction_timeout" as const;
  constructor(readonly limitMs: number) {
    super(`the transaction ran past its ${limitMs} ms wall-clock limit and was rolled back`);
    this.name = "TransactionTimeoutError";
  }
}

/**
 * No database of that name exists in that region: never created (PUT .../databases/:db), or deleted. Raised by the
 * database API and by the engine when a function's database is missing where it runs, so nothing is written into
 * a database that no listing shows.
 */
export class UnknownDatabaseError extends RuntimeError {
  readonly code = "unknown_database" as const;
  constructor(
    readonly region: string,
    readonly database: string,
  ) {
    super(`no database "${database}" in region "${region}"`);
    this.name = "UnknownDatabaseError";
  }
}

/** The function names a database other than the one whose object was asked to run it (a routing bug, never run). */
export class DatabaseMismatchError extends RuntimeError {
  readonly code = "database_mismatch" as const;
  constructor(
    readonly functionName: string,
    readonly database: string,
  ) {
    super(`function "${functionName}" may reach only database "${database}"`);
    this.name = "DatabaseMismatchError";
  }
}

/**
 * An edge call from inside a procedure (which holds its database's write lock) to a function with a database: it
 * could wait behind a lock this chain holds, so it is refused (the caller sees HostStatus.wouldDeadlock).
 */
export class DatabaseLockHeldError extends RuntimeError {
  readonly code = "database_lock_held" as const;
  constructor(
    readonly functionName: string,
    readonly heldDatabase: string,
  ) {
    super(`function "${functionName}" has a database, and this call chain holds the write lock of "${heldDatabase}"`);
    this.name = "DatabaseLockHeldError";
  }
}

/** HELIOS_SECRETS_KEY is unset or not a base64 32-byte key: secrets can be neither set nor opened. */
export class SecretsKeyMissingError extends RuntimeError {
  readonly code = "secrets_key_missing" as const;
  constructor(readonly reason: string) {
    super(`function secrets are unavailable: ${reason} (the operator sets it with \`wrangler secret put HELIOS_SECRETS_KEY\`)`);
    this.name = "SecretsKeyMissingError";
  }
}

/** A stored secret does not open with the current HELIOS_SECRETS_KEY (the key was replaced); the message never
 *  carries any of its bytes. */
export class SecretUndecryptableError extends RuntimeError {
  readonly code = "secret_undecryptable" as const;
  constructor(
    readonly functionName: string,
    readonly secret: string,
  ) {
    super(`secret "${secret}" of "${functionName}" does not decrypt with the current HELIOS_SECRETS_KEY; set it again`);
    this.name = "SecretUndecryptableError";
  }
}

export type RuntimeFailure = RuntimeError | InvocationError;

export function isRuntimeFailure(error: unknown): error is RuntimeFailure {
  return error instanceof RuntimeError || error instanceof InvocationError;
}

type ErrorClass = new (...args: never[]) => RuntimeFailure;

/** The classes that cross RPC (isolate -> region object -> Worker) and are rebuilt on this side. */
const REBUILDABLE = {
  out_of_fuel: OutOfFuelInvocationError,
  invocation_deadline_exceeded: InvocationDeadlineError,
  memory_limit: MemoryLimitError,
  guest_trap: GuestTrapError,
  guest_abi_violation: GuestAbiViolationError,
  invalid_guest_output: InvalidGuestOutputError,
  response_too_large: ResponseTooLargeError,
  invalid_response_header: InvalidResponseHeaderError,
  guest_exit: GuestExitError,
  payload_too_large: PayloadTooLargeError,
  not_deployed_in_region: NotDeployedInRegionError,
  unknown_function: UnknownFunctionError,
  unknown_version: UnknownVersionError,
  unknown_alias: UnknownAliasError,
  unauthorized: UnauthorizedError,
  sandbox_internal_error: SandboxInternalError,
  trigger_rejected: TriggerRejectedError,
  transaction_timeout: TransactionTimeoutError,
  database_mismatch: DatabaseMismatchError,
  unknown_database: UnknownDatabaseError,
  database_lock_held: DatabaseLockHeldError,
  secrets_key_missing: SecretsKeyMissingError,
  secret_undecryptable: SecretUndecryptableError,
} satisfies { [C in ErrorCode]?: ErrorClass };

export const REBUILDABLE_CODES = Object.keys(REBUILDABLE) as (keyof typeof REBUILDABLE)[];

/** Rebuilds the class an error had before it was serialized, from the catalogue's constructor parameters;
 *  unknown codes become SandboxInternalError. */
export function errorFromSerialized(serialized: SerializedError): RuntimeFailure {
  const code = serialized.code;
  if (!Object.hasOwn(REBUILDABLE, code)) return new SandboxInternalError(`${code}: ${serialized.message}`);
  const cls = REBUILDABLE[code as keyof typeof REBUILDABLE] as unknown as new (...args: unknown[]) => RuntimeFailure;
  const spec: ErrorSpec = ERROR_CATALOGUE[code as keyof typeof REBUILDABLE];
  const args = spec.args.map((name) => (name === "message" ? serialized.message : argument(serialized.details[name], spec.fields[name])));
  // Fields beyond the constructor's (usage, the guest's log lines) ride along as own fields.
  return Object.assign(new cls(...args), serialized.details);
}

function argument(value: unknown, field: ErrorField | undefined): unknown {
  if (value === undefined || value === null) return undefined;
  switch (field?.type) {
    case "number":
      return Number(value);
    case "string":
      return String(value);
    case "bigint":
      return BigInt(value as string | number);
    default:
      return value;
  }
}
