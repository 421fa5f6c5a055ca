// Errors the CLI reports: each carries the exit code it ends the process with (lib/exit-codes.mjs).

import { EXIT } from "./exit-codes.mjs";

export class CliError extends Error {
  /** @param {string} message @param {number} exitCode */
  constructor(message, exitCode) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A wrong command line or local file; `command` names the command whose --help to point at. */
export class UsageError extends CliError {
  /** @param {string} message @param {string} [command] */
  constructor(message, command) {
    super(message, EXIT.usage);
    this.name = "UsageError";
    this.command = command;
  }
}

/** The API answered `{ error: { code, message, ...fields } }` with a non-2xx status. */
export class ApiError extends CliError {
  /** @param {number} status @param {{ code: string, message: string, [field: string]: unknown }} error */
  constructor(status, error) {
    const auth = status === 401 || status === 403 || error.code === "unauthorized" || error.code === "forbidden";
    super(error.message, auth ? EXIT.auth : EXIT.refused);
    this.name = "ApiError";
    this.status = status;
    this.code = error.code;
    /** Everything but code and message: the error's public fields (issues, logs, functionName, ...). */
    this.fields = Object.fromEntries(Object.entries(error).filter(([key]) => key !== "code" && key !== "message"));
  }
}

/** No token anywhere (flag, environment, config file). */
export class NotLoggedInError extends CliError {
  constructor() {
    super("no token: run `helios login`, set HELIOS_TOKEN, or pass --token", EXIT.auth);
    this.name = "NotLoggedInError";
  }
}

/** The request never got an HTTP answer. */
export class NetworkError extends CliError {
  /** @param {string} url @param {unknown} cause */
  constructor(url, cause) {
    super(`cannot reach ${url}: ${describeCause(cause)}`, EXIT.network);
    this.name = "NetworkError";
  }
}

/** An HTTP answer that is not the API's JSON. */
export class ProtocolError extends CliError {
  /** @param {string} message */
  constructor(message) {
    super(message, EXIT.protocol);
    this.name = "ProtocolError";
  }
}

/** undici wraps the socket error in `cause` ("fetch failed" alone says nothing). */
function describeCause(cause) {
  const inner = /** @type {any} */ (cause)?.cause ?? cause;
  if (inner?.name === "TimeoutError" || inner?.name === "AbortError") return "timed out";
  const code = inner?.code ? `${inner.code}` : "";
  const message = inner?.message ?? String(inner);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
