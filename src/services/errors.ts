// Failures of the service layer (the database API): each class has a stable `code`; status and fields are listed
// once, in the error catalogue (src/errors/catalogue.ts).

import type { CodeOfLayer } from "../errors/index.ts";

export type ServiceErrorCode = CodeOfLayer<"services">;

// Raised by the database engine too (an invocation of a function whose database nobody created), so it lives in
// the runtime layer, which both import.
export { UnknownDatabaseError } from "../runtime/errors.ts";

export abstract class ServiceError extends Error {
  abstract readonly code: ServiceErrorCode;
}

/** The path names a region that is not configured. */
export class UnknownRegionError extends ServiceError {
  readonly code = "unknown_region" as const;
  constructor(
    readonly region: string,
    readonly configured: string[],
  ) {
    super(`unknown region ${JSON.stringify(region)}; configured: ${configured.join(", ")}`);
    this.name = "UnknownRegionError";
  }
}


export class UnknownTableError extends ServiceError {
  readonly code = "unknown_table" as const;
  constructor(
    readonly database: string,
    readonly table: string,
  ) {
    super(`database "${database}" has no table "${table}"`);
    this.name = "UnknownTableError";
  }
}

/** A row names columns the table does not have. */
export class UnknownColumnError extends ServiceError {
  readonly code = "unknown_column" as const;
  constructor(
    readonly table: string,
    readonly columns: string[],
  ) {
    super(`table "${table}" has no column${columns.length === 1 ? "" : "s"} ${columns.map((c) => JSON.stringify(c)).join(", ")}`);
    this.name = "UnknownColumnError";
  }
}

export class RowNotFoundError extends ServiceError {
  readonly code = "row_not_found" as const;
  constructor(
    readonly table: string,
    readonly key: string,
  ) {
    super(`table "${table}" has no row with key ${key}`);
    this.name = "RowNotFoundError";
  }
}

export class UnknownTriggerError extends ServiceError {
  readonly code = "unknown_trigger" as const;
  constructor(
    readonly database: string,
    readonly trigger: string,
  ) {
    super(`database "${database}" has no trigger "${trigger}"`);
    this.name = "UnknownTriggerError";
  }
}

/** The statement was refused before SQLite saw it (a second statement, transaction control, a reserved name, ...). */
export class SqlRefusedError extends ServiceError {
  readonly code = "sql_refused" as const;
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = "SqlRefusedError";
  }
}

/** SQLite refused the statement (syntax, no such table, type mismatch, ...); the message is SQLite's. */
export class SqlError extends ServiceError {
  readonly code = "sql_error" as const;
  constructor(message: string) {
    super(message);
    this.name = "SqlError";
  }
}

/** A UNIQUE, NOT NULL, CHECK or FOREIGN KEY constraint failed; nothing was written. */
export class ConstraintViolationError extends ServiceError {
  readonly code = "constraint_violation" as const;
  constructor(message: string) {
    super(message);
    this.name = "ConstraintViolationError";
  }
}

/** The statement's result is over the database object's caps (rows or bytes); nothing was kept. */
export class SqlResultTooLargeError extends ServiceError {
  readonly code = "sql_result_too_large" as const;
  constructor(message: string) {
    super(message);
    this.name = "SqlResultTooLargeError";
  }
}

/** A row key (URL segment) or page cursor that cannot address a row of this table. */
export class InvalidKeyError extends ServiceError {
  readonly code = "invalid_key" as const;
  constructor(
    readonly table: string,
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidKeyError";
  }
}

/** DELETE of a secret the function does not have. */
export class UnknownSecretError extends ServiceError {
  readonly code = "unknown_secret" as const;
  constructor(
    readonly functionName: string,
    readonly secret: string,
  ) {
    super(`function "${functionName}" has no secret "${secret}"`);
    this.name = "UnknownSecretError";
  }
}

/** A secret and a config entry may not share a name: the guest reads both through heliosdb_config_get. */
export class SecretConflictsWithConfigError extends ServiceError {
  readonly code = "secret_conflicts_with_config" as const;
  constructor(
    readonly functionName: string,
    readonly key: string,
  ) {
    super(`"${key}" is both a secret and a config entry of "${functionName}"; rename one of them`);
    this.name = "SecretConflictsWithConfigError";
  }
}

/** The secret is stored, but some region objects did not confirm they dropped what they held. */
export class SecretsNotPropagatedError extends ServiceError {
  readonly code = "secrets_not_propagated" as const;
  constructor(
    readonly functionName: string,
    readonly regions: string[],
  ) {
    super(`the secrets of "${functionName}" are stored, but regions ${regions.join(", ")} did not confirm the change; retry the request`);
    this.name = "SecretsNotPropagatedError";
  }
}

/** Setting the secret(s) would give the function more than the limit; nothing was written. */
export class TooManySecretsError extends ServiceError {
  readonly code = "too_many_secrets" as const;
  constructor(
    readonly functionName: string,
    readonly limit: number,
  ) {
    super(`function "${functionName}" may have at most ${limit} secrets`);
    this.name = "TooManySecretsError";
  }
}

/** No scoped token has that id. */
export class UnknownTokenError extends ServiceError {
  readonly code = "unknown_token" as const;
  constructor(readonly id: string) {
    super(`no token with id "${id}"`);
    this.name = "UnknownTokenError";
  }
}

export class TooManyTokensError extends ServiceError {
  readonly code = "too_many_tokens" as const;
  constructor(readonly limit: number) {
    super(`at most ${limit} scoped tokens may exist; revoke unused ones first`);
    this.name = "TooManyTokensError";
  }
}

/** The trigger's function cannot run as this database's trigger (it belongs to another database). */
export class InvalidTriggerFunctionError extends ServiceError {
  readonly code = "invalid_trigger_function" as const;
  constructor(
    readonly functionName: string,
    readonly reason: string,
  ) {
    super(`function "${functionName}" cannot be this trigger's function: ${reason}`);
    this.name = "InvalidTriggerFunctionError";
  }
}

/** A change-stream read asks for entries retention already pruned. */
export class CursorExpiredError extends ServiceError {
  readonly code = "cursor_expired" as const;
  constructor(
    readonly after: number,
    readonly earliestSeq: number,
    readonly headSeq: number,
  ) {
    super(`the change log no longer holds the entries after seq ${after}; the earliest it holds is ${earliestSeq}: start again from a snapshot`);
    this.name = "CursorExpiredError";
  }
}

/** A change-stream read's cursor is past the head (it belongs to an earlier database of that name). */
export class CursorAheadError extends ServiceError {
  readonly code = "cursor_ahead" as const;
  constructor(
    readonly after: number,
    readonly headSeq: number,
  ) {
    super(`seq ${after} is past the change log's head ${headSeq}: the database was deleted and re-created since; start again from a snapshot`);
    this.name = "CursorAheadError";
  }
}

/** The database already has its maximum of open WebSocket tails. */
export class TooManyChangeTailsError extends ServiceError {
  readonly code = "too_many_change_tails" as const;
  constructor(
    readonly database: string,
    readonly max: number,
  ) {
    super(`database "${database}" already has ${max} open change tails, the most it allows`);
    this.name = "TooManyChangeTailsError";
  }
}

export class UnknownSubscriptionError extends ServiceError {
  readonly code = "unknown_subscription" as const;
  constructor(
    readonly database: string,
    readonly subscription: string,
  ) {
    super(`database "${database}" has no subscription "${subscription}"`);
    this.name = "UnknownSubscriptionError";
  }
}

export class UnknownDeadLetterError extends ServiceError {
  readonly code = "unknown_dead_letter" as const;
  constructor(
    readonly subscription: string,
    readonly id: string,
  ) {
    super(`subscription "${subscription}" has no dead letter "${id}"`);
    this.name = "UnknownDeadLetterError";
  }
}

export class InvalidSubscriptionFunctionError extends ServiceError {
  readonly code = "invalid_subscription_function" as const;
  constructor(
    readonly functionName: string,
    readonly reason: string,
  ) {
    super(`function "${functionName}" cannot consume this subscription: ${reason}`);
    this.name = "InvalidSubscriptionFunctionError";
  }
}

export class SubscriptionCursorExpiredError extends ServiceError {
  readonly code = "subscription_cursor_expired" as const;
  constructor(
    readonly subscription: string,
    readonly cursor: number,
    readonly earliestSeq: number,
  ) {
    super(`subscription "${subscription}" would resume after seq ${cursor}, but the log holds changes from ${earliestSeq} only; resume with ?skipPruned=true to skip the pruned ones`);
    this.name = "SubscriptionCursorExpiredError";
  }
}

export class SubscriptionConflictError extends ServiceError {
  readonly code = "subscription_conflict" as const;
  constructor(
    readonly subscription: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "SubscriptionConflictError";
  }
}
