// Failures of the deploy service (src/services/deploy-service.ts): each class has a stable `code`; status and fields
// are listed once, in the error catalogue (src/errors/catalogue.ts).

import { ServiceError } from "./errors.ts";

export class HashMismatchError extends ServiceError {
  readonly code = "hash_mismatch" as const;
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the module's sha256 is ${actual}, but ${expected} was declared`);
    this.name = "HashMismatchError";
  }
}

/** The bytes are not a valid WebAssembly module. `offset` is set when the decoder knows where it went wrong. */
export class BadModuleError extends ServiceError {
  readonly code = "bad_module" as const;
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = "BadModuleError";
  }
}

/** The instrumenter produced a module V8 rejects: a bug on our side, never the caller's. */
export class InstrumentationFailedError extends ServiceError {
  readonly code = "instrumentation_failed" as const;
  constructor() {
    super("the instrumented module failed WebAssembly validation");
    this.name = "InstrumentationFailedError";
  }
}

/** The version is recorded in the registry, but some region objects did not confirm the switch. */
export class ActivationFailedError extends ServiceError {
  readonly code = "activation_failed" as const;
  constructor(
    readonly functionName: string,
    readonly version: number,
    readonly regions: string[],
  ) {
    super(`version ${version} of ${functionName} is recorded, but regions ${regions.join(", ")} did not confirm it; retry the request`);
    this.name = "ActivationFailedError";
  }
}

/** A rollback without a version, and no earlier deployment served another version that still exists. */
export class NoPreviousVersionError extends ServiceError {
  readonly code = "no_previous_version" as const;
  constructor(readonly functionName: string) {
    super(`function "${functionName}" has no earlier version to roll back to; name one: { "version": N }`);
    this.name = "NoPreviousVersionError";
  }
}

/** A new alias over the per-function limit (MAX_ALIASES, docs/limits.md). */
export class TooManyAliasesError extends ServiceError {
  readonly code = "too_many_aliases" as const;
  constructor(
    readonly functionName: string,
    readonly limit: number,
  ) {
    super(`function "${functionName}" already has ${limit} aliases, the most it may have; remove one first`);
    this.name = "TooManyAliasesError";
  }
}
