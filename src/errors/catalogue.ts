// The error catalogue: every error code the runtime can raise, as data. The HTTP status mapping
// (src/api/error-response.ts), the rebuilding of errors after RPC (src/runtime/errors.ts), docs/errors.md
// and the OpenAPI error schemas are all derived from this table. It imports nothing, so every layer may
// use it; the sandbox imports only its types, so the isolate bundle carries none of this data.
//
// Adding a code is a one-place change here:
//   1. Add an entry below: `status`, the `class` that raises it and its `layer`, `when` (one line for the docs),
//      its public `fields` (they become members of the JSON error object) and `args` (the class's constructor
//      parameters, in order, by field name or "message"; errors.catalogue.test.ts builds every class from them).
//   2. Give the class `readonly code = "<code>" as const satisfies ErrorCode;` (a typo then fails typecheck).
//   3. Run `npm run docs:errors` to regenerate the table in docs/errors.md (a test fails until you do).
// A class that crosses RPC (isolate -> region object -> Worker) is also listed in REBUILDABLE in
// src/runtime/errors.ts. No two classes share a code (a test checks that too).

/** JSON type of an error field, as it appears in the response body (bigints are sent as decimal strings). */
export type ErrorFieldType = "string" | "number" | "bigint" | "boolean" | "string[]" | "object[]";

export interface ErrorField {
  type: ErrorFieldType;
  /** Present only in some cases (the docs and the OpenAPI schema mark it optional). */
  optional?: boolean;
}

export type ErrorLayer = "wasm" | "sandbox" | "runtime" | "regions" | "registry" | "services" | "api";

export interface ErrorSpec {
  status: number;
  /** Name of the one class raising this code, or null for codes with no class (`internal`). */
  class: string | null;
  layer: ErrorLayer;
  /** When it happens, for docs/errors.md. */
  when: string;
  fields: Readonly<Record<string, ErrorField>>;
  /** Constructor parameters in order: field names, or "message" for a free-text message. */
  args: readonly string[];
  /** Never sent to HTTP clients on purpose: a host call answers the guest with a negative code instead. */
  guestOnly?: boolean;
}

const s = { type: "string" } as const;
const n = { type: "number" } as const;

export const ERROR_CATALOGUE = {
  // --- The caller sent something wrong.
  invalid_request: {
    status: 400, class: "InvalidRequestError", layer: "api",
    when: "a name, manifest field, setting, query parameter or region is invalid",
    fields: { field: s, issues: { type: "object[]" } }, args: ["issues"],
  },
  invalid_content_length: {
    status: 400, class: "InvalidContentLengthError", layer: "api",
    when: "the `Content-Length` header is malformed (`abc`, negative, too long) or two headers disagree; where the platform's HTTP server refuses such a request first, its own answer applies (docs/limits.md, \"HTTP edge\")",
    fields: { received: s }, args: ["received"],
  },
  bad_module: {
    status: 400, class: "BadModuleError", layer: "services",
    when: "the bytes are not valid WebAssembly",
    fields: { offset: { type: "number", optional: true } }, args: ["message", "offset"],
  },
  malformed_module: {
    status: 400, class: "MalformedModuleError", layer: "wasm",
    when: "the toolkit's own name for a decoding failure; deploy reports it as `bad_module`, so clients only see this if a future path forgets to",
    fields: { offset: n }, args: ["message", "offset"],
  },
  hash_mismatch: {
    status: 400, class: "HashMismatchError", layer: "services",
    when: "the module's SHA-256 differs from the declared `sha256`",
    fields: { expected: s, actual: s }, args: ["expected", "actual"],
  },
  unauthorized: {
    status: 401, class: "UnauthorizedError", layer: "runtime",
    when: "missing or wrong `Authorization: Bearer <token>` on a management route or a private function; a wrong token on any route",
    fields: { functionName: { type: "string", optional: true } }, args: ["functionName"],
  },
  forbidden: {
    status: 403, class: "ForbiddenError", layer: "api",
    when: "a valid scoped token whose scope does not cover the request (`scope` and the `action` it needed; `functionName` when the action was on one function)",
    fields: { scope: s, action: s, functionName: { type: "string", optional: true } }, args: ["scope", "action", "functionName"],
  },
  not_found: {
    status: 404, class: "NotFoundError", layer: "api",
    when: "no such route",
    fields: { method: s, path: s }, args: ["method", "path"],
  },
  unknown_function: {
    status: 404, class: "UnknownFunctionError", layer: "runtime",
    when: "no function of that name is deployed",
    fields: { functionName: s }, args: ["functionName"],
  },
  unknown_invocation: {
    status: 404, class: "UnknownInvocationError", layer: "api",
    when: "no asynchronous invocation has that id (malformed, never issued, or past its retention), or it is not a dead letter for replay and discard",
    fields: { id: s }, args: ["id"],
  },
  unknown_version: {
    status: 404, class: "UnknownVersionError", layer: "runtime",
    when: "the function has no version of that number (`?version=`, a rollback, a route or an alias naming it)",
    fields: { functionName: s, version: n }, args: ["functionName", "version"],
  },
  unknown_alias: {
    status: 404, class: "UnknownAliasError", layer: "runtime",
    when: "the function has no alias of that name (`name@alias`, or deleting an alias)",
    fields: { functionName: s, alias: s }, args: ["functionName", "alias"],
  },
  no_previous_version: {
    status: 409, class: "NoPreviousVersionError", layer: "services",
    when: "a rollback without a version, but no earlier deployment served another version that still exists",
    fields: { functionName: s }, args: ["functionName"],
  },
  too_many_aliases: {
    status: 409, class: "TooManyAliasesError", layer: "services",
    when: "a new alias would take the function past 32 aliases",
    fields: { functionName: s, limit: n }, args: ["functionName", "limit"],
  },
  not_deployed_in_region: {
    status: 404, class: "NotDeployedInRegionError", layer: "runtime",
    when: "the function exists but not in the chosen region",
    fields: { functionName: s, region: s }, args: ["functionName", "region"],
  },
  payload_too_large: {
    status: 413, class: "PayloadTooLargeError", layer: "runtime",
    when: "invocation body over the function's `maxPayloadBytes` (`size` given), or over the 8 MiB ceiling (refused before or while reading, no `size`)",
    fields: { limit: n, size: { type: "number", optional: true } }, args: ["limit", "size"],
  },
  module_too_large: {
    status: 413, class: "ModuleTooLargeError", layer: "api",
    when: "deploy body over the 4 MiB module cap (refused from `Content-Length` or mid-stream)",
    fields: { limit: n }, args: ["limit"],
  },
  unsupported_media_type: {
    status: 415, class: "UnsupportedMediaTypeError", layer: "api",
    when: "deploy body neither `application/wasm` nor `multipart/form-data`",
    fields: { received: s, accepted: { type: "string[]" } }, args: ["received", "accepted"],
  },
  policy_violation: {
    status: 422, class: "PolicyViolationError", layer: "wasm",
    when: "the module breaks a policy (memory, imports outside the profile, counts, missing ABI exports); an import of a host function the profile does not grant is rule `capability_missing` (adds `capability`, `import`). Every problem is listed at once; recognisable ones carry a `hint`: WASI imports without the `wasi` profile, AssemblyScript's `env.abort` (use the SDK's abort handler), a memory minimum over `maxMemoryPages` (raise it, or shrink the stack with the Rust/C linker flag)",
    fields: { violations: { type: "object[]" } }, args: ["violations"],
  },
  unsupported_feature: {
    status: 422, class: "UnsupportedFeatureError", layer: "wasm",
    when: "the module uses a proposal the runtime does not run (threads, memory64, GC, …)",
    fields: { feature: s, offset: n }, args: ["feature", "offset"],
  },
  loop_detected: {
    status: 508, class: "LoopDetectedError", layer: "api",
    when: "the request came from this runtime's own outbound gateway (a function fetching the runtime): refused on every route, so a chain cannot restart itself",
    fields: { header: s }, args: ["header"],
  },
  // --- Scoped tokens (src/services/token-service.ts).
  unknown_token: {
    status: 404, class: "UnknownTokenError", layer: "services",
    when: "no scoped token has that id (never created, or already revoked)",
    fields: { id: s }, args: ["id"],
  },
  too_many_tokens: {
    status: 400, class: "TooManyTokensError", layer: "services",
    when: "creating the token would exceed the number of scoped tokens the runtime keeps; revoke unused ones first",
    fields: { limit: n }, args: ["limit"],
  },
  // --- Function secrets (src/runtime/secret-box.ts, src/services/secret-service.ts).
  unknown_secret: {
    status: 404, class: "UnknownSecretError", layer: "services",
    when: "DELETE of a secret the function does not have",
    fields: { functionName: s, secret: s }, args: ["functionName", "secret"],
  },
  secret_conflicts_with_config: {
    status: 409, class: "SecretConflictsWithConfigError", layer: "services",
    when: "a secret and a config entry of the function would have the same name (the guest reads both through one call); nothing was written",
    fields: { functionName: s, key: s }, args: ["functionName", "key"],
  },
  too_many_secrets: {
    status: 400, class: "TooManySecretsError", layer: "services",
    when: "setting the secret(s) would give the function more than 32; nothing was written",
    fields: { functionName: s, limit: n }, args: ["functionName", "limit"],
  },
  secrets_key_missing: {
    status: 503, class: "SecretsKeyMissingError", layer: "runtime",
    when: "`HELIOS_SECRETS_KEY` is unset or not base64 of 32 bytes: secrets can be neither set nor read (an invocation of a function that has secrets fails too)",
    fields: { reason: s }, args: ["reason"],
  },
  secret_undecryptable: {
    status: 500, class: "SecretUndecryptableError", layer: "runtime",
    when: "a stored secret does not decrypt with the current `HELIOS_SECRETS_KEY` (it was replaced); set the secret again",
    fields: { functionName: s, secret: s }, args: ["functionName", "secret"],
  },
  secrets_not_propagated: {
    status: 503, class: "SecretsNotPropagatedError", layer: "services",
    when: "the secret is stored, but some regions did not confirm they dropped the old value; retry the request",
    fields: { functionName: s, regions: { type: "string[]" } }, args: ["functionName", "regions"],
  },
  // --- The database API (src/services/errors.ts).
  unknown_region: {
    status: 404, class: "UnknownRegionError", layer: "services",
    when: "a database path names a region that is not configured",
    fields: { region: s, configured: { type: "string[]" } }, args: ["region", "configured"],
  },
  unknown_database: {
    status: 404, class: "UnknownDatabaseError", layer: "runtime",
    when: "no database of that name exists in that region (never created, or deleted); also answered by an invocation of a function whose database is missing where it runs",
    fields: { region: s, database: s }, args: ["region", "database"],
  },
  unknown_table: {
    status: 404, class: "UnknownTableError", layer: "services",
    when: "the row API or a trigger registration names a table the database does not have (reserved tables never exist for it)",
    fields: { database: s, table: s }, args: ["database", "table"],
  },
  unknown_column: {
    status: 400, class: "UnknownColumnError", layer: "services",
    when: "a row for the row API names columns the table does not have; nothing was written",
    fields: { table: s, columns: { type: "string[]" } }, args: ["table", "columns"],
  },
  row_not_found: {
    status: 404, class: "RowNotFoundError", layer: "services",
    when: "no row has that primary key (or rowid)",
    fields: { table: s, key: s }, args: ["table", "key"],
  },
  invalid_key: {
    status: 400, class: "InvalidKeyError", layer: "services",
    when: "a row key or page cursor does not fit the table's key (a rowid that is not an integer, a composite key that is not a JSON array of one value per key column, a cursor from another table)",
    fields: { table: s, key: s }, args: ["table", "key", "message"],
  },
  unknown_trigger: {
    status: 404, class: "UnknownTriggerError", layer: "services",
    when: "no trigger registration of that name",
    fields: { database: s, trigger: s }, args: ["database", "trigger"],
  },
  invalid_trigger_function: {
    status: 422, class: "InvalidTriggerFunctionError", layer: "services",
    when: "a trigger registration names a function that belongs to another database (a trigger function may name none, or this one)",
    fields: { functionName: s, reason: s }, args: ["functionName", "reason"],
  },
  unknown_subscription: {
    status: 404, class: "UnknownSubscriptionError", layer: "services",
    when: "no subscription of that name in the database",
    fields: { database: s, subscription: s }, args: ["database", "subscription"],
  },
  unknown_dead_letter: {
    status: 404, class: "UnknownDeadLetterError", layer: "services",
    when: "the subscription's dead-letter list has no entry with that id (replayed successfully, discarded, or never there)",
    fields: { subscription: s, id: s }, args: ["subscription", "id"],
  },
  invalid_subscription_function: {
    status: 422, class: "InvalidSubscriptionFunctionError", layer: "services",
    when: "a subscription names a function that belongs to another database (a consumer may name none, or this one)",
    fields: { functionName: s, reason: s }, args: ["functionName", "reason"],
  },
  subscription_conflict: {
    status: 409, class: "SubscriptionConflictError", layer: "services",
    when: "a subscription and an AFTER trigger clash: the subscription belongs to an AFTER trigger (change or delete the trigger), or a trigger's name is taken by a subscription",
    fields: { subscription: s, reason: s }, args: ["subscription", "reason"],
  },
  subscription_cursor_expired: {
    status: 409, class: "SubscriptionCursorExpiredError", layer: "services",
    when: "resume of a subscription whose next changes the log no longer holds (pruned while the lag cap paused it); resume with `?skipPruned=true` to move past them",
    fields: { subscription: s, cursor: n, earliestSeq: n }, args: ["subscription", "cursor", "earliestSeq"],
  },
  sql_refused: {
    status: 400, class: "SqlRefusedError", layer: "services",
    when: "the statement was refused before it ran: `reason` is one of `empty`, `multiple_statements`, `refused_statement` (transaction control, ATTACH, PRAGMA, VACUUM), `reserved_name`, `unterminated`, `too_long`, `bad_params`",
    fields: { reason: s }, args: ["message", "reason"],
  },
  sql_error: {
    status: 400, class: "SqlError", layer: "services",
    when: "SQLite refused the statement (syntax, no such table or column, ...); the message is SQLite's; nothing was written",
    fields: {}, args: ["message"],
  },
  constraint_violation: {
    status: 409, class: "ConstraintViolationError", layer: "services",
    when: "a UNIQUE, NOT NULL, CHECK or FOREIGN KEY constraint failed; nothing was written",
    fields: {}, args: ["message"],
  },
  sql_result_too_large: {
    status: 400, class: "SqlResultTooLargeError", layer: "services",
    when: "an admin SQL answer would be over the result caps (rows or bytes, docs/limits.md); nothing was kept: add a LIMIT, or page with the row API",
    fields: {}, args: ["message"],
  },
  cursor_expired: {
    status: 410, class: "CursorExpiredError", layer: "services",
    when: "a change-stream read (`after`, or a snapshot's seq) asks for change log entries that retention already pruned; `earliestSeq` is the first one still held: start again from a snapshot (docs/cdc.md)",
    fields: { after: n, earliestSeq: n, headSeq: n }, args: ["after", "earliestSeq", "headSeq"],
  },
  cursor_ahead: {
    status: 409, class: "CursorAheadError", layer: "services",
    when: "a change-stream read's `after` is past the database's head: the cursor belongs to a database of that name that was deleted and re-created (seq starts again at 1); start again from a snapshot",
    fields: { after: n, headSeq: n }, args: ["after", "headSeq"],
  },
  too_many_change_tails: {
    status: 429, class: "TooManyChangeTailsError", layer: "services",
    when: "the database already has its maximum of open WebSocket tails (docs/limits.md, \"Change stream\"); close one, or read with the long poll",
    fields: { database: s, max: n }, args: ["database", "max"],
  },
  websocket_required: {
    status: 426, class: "WebSocketRequiredError", layer: "api",
    when: "a WebSocket route (the change tail) was requested without `Upgrade: websocket`",
    fields: {}, args: [],
  },
  // --- The function ran and failed deterministically: the same request fails the same way, so not 5xx.
  out_of_fuel: {
    status: 422, class: "OutOfFuelInvocationError", layer: "sandbox",
    when: "the invocation used its whole fuel budget",
    fields: { budget: n }, args: ["budget"],
  },
  fuel_exhausted: {
    status: 422, class: "OutOfFuelError", layer: "wasm",
    when: "the toolkit's own signal that a metered call used its budget; the sandbox reports it as `out_of_fuel`",
    fields: { budget: { type: "bigint" } }, args: ["budget"],
  },
  memory_limit: {
    status: 422, class: "MemoryLimitError", layer: "sandbox",
    when: "the guest needed more memory than `maxMemoryPages`",
    fields: { maxMemoryPages: n, trap: s }, args: ["maxMemoryPages", "trap"],
  },
  invocation_deadline_exceeded: {
    status: 504, class: "InvocationDeadlineError", layer: "sandbox",
    when: "a host call found the invocation past its wall-clock deadline (`INVOCATION_DEADLINE_MS`, or the call chain's, whichever is sooner)",
    fields: { deadlineMs: n }, args: ["deadlineMs"],
  },
  // --- The function misbehaved: the gateway (us) got no usable answer from it.
  guest_trap: {
    status: 500, class: "GuestTrapError", layer: "sandbox",
    when: "the guest trapped (unreachable, out-of-bounds, stack overflow, …)",
    fields: { trap: s }, args: ["trap"],
  },
  guest_abi_violation: {
    status: 500, class: "GuestAbiViolationError", layer: "sandbox",
    when: "the guest broke the ABI at run time (e.g. its allocator returned a bad block)",
    fields: { reason: s }, args: ["reason"],
  },
  invalid_guest_output: {
    status: 502, class: "InvalidGuestOutputError", layer: "sandbox",
    when: "the handler returned an output range outside its memory; nothing was copied",
    fields: { ptr: n, len: n, memoryBytes: n }, args: ["ptr", "len", "memoryBytes"],
  },
  response_too_large: {
    status: 502, class: "ResponseTooLargeError", layer: "sandbox",
    when: "the handler's output is over `maxResponseBytes`; nothing was copied",
    fields: { size: n, limit: n }, args: ["size", "limit"],
  },
  invalid_response_header: {
    status: 502, class: "InvalidResponseHeaderError", layer: "sandbox",
    when: "the guest set a response status outside 200–599 or a header the runtime will not send (CR/LF or other control characters, not a token, over a size or count cap, hop-by-hop, `content-length`, `x-helios-*`), by a host call or in a WASI CGI header block",
    fields: { header: s, reason: s, source: s }, args: ["header", "reason", "source"],
  },
  guest_exit: {
    status: 500, class: "GuestExitError", layer: "sandbox",
    when: "a WASI guest called `proc_exit` with a non-zero code; `stderr` is the tail of what it wrote to fd 2",
    fields: { exitCode: n, stderr: s }, args: ["exitCode", "stderr"],
  },
  // --- Databases (engine side): writes, procedures and their triggers.
  trigger_rejected: {
    status: 422, class: "TriggerRejectedError", layer: "runtime",
    when: "a BEFORE trigger rejected a write (its verdict, or fail-closed: trap, out of fuel, a bad verdict); nothing was written, in any table",
    fields: { trigger: s, table: s, reason: s }, args: ["trigger", "table", "reason"],
  },
  transaction_timeout: {
    status: 503, class: "TransactionTimeoutError", layer: "runtime",
    when: "a procedure (or a write running its triggers) passed its wall-clock limit; everything it wrote was rolled back",
    fields: { limitMs: n }, args: ["limitMs"],
  },
  database_mismatch: {
    status: 500, class: "DatabaseMismatchError", layer: "runtime",
    when: "a database object was asked to run a function that names another database; it was not run (a routing bug)",
    fields: { functionName: s, database: s }, args: ["functionName", "database"],
  },
  database_lock_held: {
    status: 409, class: "DatabaseLockHeldError", layer: "runtime",
    when: "an edge call from inside a procedure to a function with a database (it could wait on a lock the chain holds); the calling guest sees host status `wouldDeadlock` (-23)",
    fields: { functionName: s, heldDatabase: s }, args: ["functionName", "heldDatabase"],
  },
  // --- Ours.
  instrumentation_failed: {
    status: 500, class: "InstrumentationFailedError", layer: "services",
    when: "our instrumenter produced an invalid module (a bug on our side)",
    fields: {}, args: [],
  },
  activation_failed: {
    status: 503, class: "ActivationFailedError", layer: "services",
    when: "the version is recorded but some region objects did not confirm it; retry",
    fields: { functionName: s, version: n, regions: { type: "string[]" } }, args: ["functionName", "version", "regions"],
  },
  sandbox_internal_error: {
    status: 500, class: "SandboxInternalError", layer: "runtime",
    when: "the sandbox itself failed (isolate load, RPC); never the guest's doing",
    fields: { reason: s }, args: ["reason"],
  },
  module_missing: {
    status: 500, class: "ModuleMissingError", layer: "regions",
    when: "an active version's module object is missing from R2",
    fields: { key: s }, args: ["key"],
  },
  module_digest_mismatch: {
    status: 500, class: "ModuleDigestMismatchError", layer: "regions",
    when: "a stored module does not hash to its address; it is never run",
    fields: { key: s, expected: s, actual: s }, args: ["key", "expected", "actual"],
  },
  internal: {
    status: 500, class: null, layer: "api",
    when: "anything else; details go to the log, not the response",
    fields: {}, args: [],
  },
  // --- Host-call refusals (src/sandbox/errors.ts): the guest receives the negative `hostCode` instead; they reach
  // a client only wrapped in another error. Listed so no other class can take their codes.
  out_of_bounds: {
    status: 500, class: "OutOfBoundsError", layer: "sandbox", guestOnly: true,
    when: "a (ptr, len) range is not entirely inside guest memory",
    fields: { ptr: n, length: n, byteLength: n }, args: ["ptr", "length", "byteLength"],
  },
  length_cap_exceeded: {
    status: 500, class: "LengthCapExceededError", layer: "sandbox", guestOnly: true,
    when: "a length is over its per-call cap",
    fields: { kind: s, length: n, cap: n }, args: ["kind", "length", "cap"],
  },
  invalid_utf8: {
    status: 500, class: "InvalidUtf8Error", layer: "sandbox", guestOnly: true,
    when: "guest bytes read as a string are not well-formed UTF-8",
    fields: { ptr: n, length: n }, args: ["ptr", "length"],
  },
  unencodable_string: {
    status: 500, class: "UnencodableStringError", layer: "sandbox", guestOnly: true,
    when: "a host string holds a lone surrogate",
    fields: { index: n }, args: ["index"],
  },
  buffer_too_small: {
    status: 500, class: "BufferTooSmallError", layer: "sandbox", guestOnly: true,
    when: "the guest's buffer cannot hold the result",
    fields: { required: n, capacity: n }, args: ["required", "capacity"],
  },
  value_out_of_range: {
    status: 500, class: "ValueOutOfRangeError", layer: "sandbox", guestOnly: true,
    when: "a value does not fit its typed slot",
    fields: { type: s, value: s }, args: ["type", "value"],
  },
  quota_exceeded: {
    status: 500, class: "QuotaExceededError", layer: "sandbox", guestOnly: true,
    when: "a per-invocation allocation quota is used up",
    fields: { quota: s, limit: n, requested: n }, args: ["quota", "limit", "requested"],
  },
  unknown_allocation: {
    status: 500, class: "UnknownAllocationError", layer: "sandbox", guestOnly: true,
    when: "free of a block the host never allocated",
    fields: { ptr: n, size: n }, args: ["ptr", "size"],
  },
  double_free: {
    status: 500, class: "DoubleFreeError", layer: "sandbox", guestOnly: true,
    when: "second free of a host-made block",
    fields: { ptr: n }, args: ["ptr"],
  },
  allocation_size_mismatch: {
    status: 500, class: "AllocationSizeMismatchError", layer: "sandbox", guestOnly: true,
    when: "free of a live block with a size other than its own",
    fields: { ptr: n, size: n, allocatedSize: n }, args: ["ptr", "size", "allocatedSize"],
  },
  invalid_allocation: {
    status: 500, class: "InvalidAllocationError", layer: "sandbox", guestOnly: true,
    when: "the guest's allocator returned a block the host must not write to",
    fields: { ptr: n, size: n, reason: s }, args: ["ptr", "size", "reason"],
  },
  reentrant_allocation: {
    status: 500, class: "ReentrantAllocationError", layer: "sandbox", guestOnly: true,
    when: "the guest re-entered the allocation tracker from its own allocator",
    fields: { operation: s }, args: ["operation"],
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CATALOGUE, code);
}

/** The HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** The codes a layer's classes may raise: an error class's `code` must be one of its layer's. */
export type CodeOfLayer<L extends ErrorLayer> = {
  [C in ErrorCode]: (typeof ERROR_CATALOGUE)[C]["layer"] extends L ? C : never;
}[ErrorCode];
