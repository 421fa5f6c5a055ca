// Errors raised by the HTTP layer. Each class has a stable `code`; its status and fields are listed once, in the
// error catalogue (src/errors/catalogue.ts). `unauthorized` and `payload_too_large` are raised by the runtime's
// classes, re-exported here, since the region object raises them too.

import type { CodeOfLayer } from "../errors/index.ts";
export { PayloadTooLargeError, UnauthorizedError } from "../runtime/errors.ts";
// Raised by the deploy service, answered here like any other.
export { ActivationFailedError, BadModuleError, HashMismatchError, InstrumentationFailedError } from "../services/deploy-errors.ts";

export type ApiErrorCode = Exclude<CodeOfLayer<"api">, "internal">;

export abstract class ApiError extends Error {
  abstract readonly code: ApiErrorCode;
}

export interface FieldIssue {
  field: string;
  message: string;
}

/** Input failed validation; names every offending field. */
export class InvalidRequestError extends ApiError {
  readonly code = "invalid_request" as const;
  readonly field: string;
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join("; "));
    this.name = "InvalidRequestError";
    this.field = issues[0]?.field ?? "";
  }

  static of(field: string, message: string): InvalidRequestError {
    return new InvalidRequestError([{ field, message }]);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly code = "unsupported_media_type" as const;
  constructor(
    readonly received: string,
    readonly accepted: string[],
  ) {
    super(`content-type ${JSON.stringify(received)} is not accepted; use one of: ${accepted.join(", ")}`);
    this.name = "UnsupportedMediaTypeError";
  }
}

/** The deploy body (or the module part of it) is over the module size cap. */
export class ModuleTooLargeError extends ApiError {
  readonly code = "module_too_large" as const;
  constructor(readonly limit: number) {
    super(`the module is larger than the ${limit}-byte limit`);
    this.name = "ModuleTooLargeError";
  }
}



/** A valid scoped token whose scope does not cover the request. */
export class ForbiddenError extends ApiError {
  readonly code = "forbidden" as const;
  declare readonly functionName?: string;
  constructor(
    readonly scope: string,
    readonly action: string,
    functionName?: string,
  ) {
    super(
      functionName === undefined
        ? `a ${scope} token may not ${action} here`
        : `a ${scope} token may not ${action} function "${functionName}"`,
    );
    this.name = "ForbiddenError";
    if (functionName !== undefined) this.functionName = functionName;
  }
}

/** No route matches. */
export class NotFoundError extends ApiError {
  readonly code = "not_found" as const;
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(`no route for ${method} ${path}`);
    this.name = "NotFoundError";
  }
}



/** The request carries the outbound gateway's marker: a function reached the runtime itself (any name or alias). */
export class LoopDetectedError extends ApiError {
  readonly code = "loop_detected" as const;
  constructor(readonly header: string) {
    super(`requests from this runtime's own functions are refused (they carry ${header}): a function cannot invoke the runtime over HTTP`);
    this.name = "LoopDetectedError";
  }
}

/** The Content-Length header is not one decimal length (malformed, or two different values). */
export class InvalidContentLengthError extends ApiError {
  readonly code = "invalid_content_length" as const;
  constructor(readonly received: string) {
    super(`Content-Length ${JSON.stringify(received.slice(0, 64))} is not one decimal byte count`);
    this.name = "InvalidContentLengthError";
  }
}

/** No asynchronous invocation of that id (or none in the state the request needs). */
export class UnknownInvocationError extends ApiError {
  readonly code = "unknown_invocation" as const;
  constructor(readonly id: string) {
    super(`no asynchronous invocation ${JSON.stringify(id.slice(0, 80))}`);
    this.name = "UnknownInvocationError";
  }
}

/** A WebSocket route was requested without `Upgrade: websocket`. */
export class WebSocketRequiredError extends ApiError {
  readonly code = "websocket_required" as const;
  constructor() {
    super("this route serves a WebSocket: send the request with `Upgrade: websocket`");
    this.name = "WebSocketRequiredError";
  }
}
