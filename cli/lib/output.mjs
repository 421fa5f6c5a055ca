// How commands print: text for people (tables, one fact a line) on stdout, or with --json one JSON document on
// stdout for scripts. Diagnostics (progress, errors in text mode) go to stderr so stdout stays parseable.

import { ApiError, CliError, UsageError } from "./errors.mjs";
import { EXIT } from "./exit-codes.mjs";

export class Output {
  /**
   * @param {{ json: boolean, stdout: { write: (s: any) => unknown, isTTY?: boolean }, stderr: { write: (s: string) => unknown, isTTY?: boolean } }} options
   */
  constructor({ json, stdout, stderr }) {
    this.jsonMode = json;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The command's result: `json` with --json, else the text `human()` gives (skipped when it returns nothing). */
  result(json, human) {
    if (this.jsonMode) {
      this.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return;
    }
    const text = human();
    if (text !== undefined && text !== "") this.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A side note for people (never in --json output). @param {string} text */
  note(text) {
    if (!this.jsonMode) this.stderr.write(`${text}\n`);
  }

  /** @param {unknown} error */
  error(error) {
    if (this.jsonMode) {
      this.stdout.write(`${JSON.stringify({ error: errorJson(error) }, null, 2)}\n`);
      return;
    }
    this.stderr.write(`${formatError(error)}\n`);
  }
}

/** @param {unknown} error */
export function errorJson(error) {
  if (error instanceof ApiError) return { code: error.code, message: error.message, status: error.status, ...error.fields };
  if (error instanceof UsageError) return { code: "usage", message: error.message };
  if (error instanceof CliError) return { code: error.name.replace(/Error$/, "").toLowerCase(), message: error.message };
  return { code: "internal", message: String(/** @type {Error} */ (error)?.stack ?? error) };
}

/** `error: <message> (<code>, HTTP <status>)` and the error's fields, one a line. @param {unknown} error */
export function formatError(error) {
  if (error instanceof ApiError) {
    const lines = [`error: ${error.message} (${error.code}, HTTP ${error.status})`];
    for (const [field, value] of Object.entries(error.fields)) lines.push(...formatField(field, value));
    if (error.code === "forbidden") lines.push("hint: the token's scope does not cover this; use a token that does (or the admin token)");
    else if (error.exitCode === EXIT.auth) lines.push("hint: check the token: `helios login`, HELIOS_TOKEN or --token");
    return lines.join("\n");
  }
  if (error instanceof UsageError) {
    const help = error.command ? `\nrun \`helios ${error.command} --help\` for usage` : "";
    return `error: ${error.message}${help}`;
  }
  if (error instanceof CliError) return `error: ${error.message}`;
  return `internal error in helios: ${/** @type {Error} */ (error)?.stack ?? error}`;
}

/** @param {string} field @param {unknown} value @returns {string[]} */
function formatField(field, value) {
  if (field === "issues" && Array.isArray(value)) {
    return value.map((issue) => `  - ${issue?.field ?? "?"}: ${issue?.message ?? JSON.stringify(issue)}`);
  }
  if (field === "violations" && Array.isArray(value)) {
    return value.map((v) => `  - ${v?.rule ?? "violation"}: ${v?.message ?? JSON.stringify(v)}`);
  }
  if (field === "logs" && Array.isArray(value)) {
    return value.length === 0 ? [] : ["  logs:", ...value.map((entry) => `    ${formatLogEntry(entry)}`)];
  }
  return [`  ${field}: ${typeof value === "string" ? value : JSON.stringify(value)}`];
}

/** @param {any} entry */
export function formatLogEntry(entry) {
  if (typeof entry !== "object" || entry === null) return String(entry);
  const level = entry.level ? `[${entry.level}] ` : "";
  return `${level}${entry.message ?? JSON.stringify(entry)}`;
}

/**
 * A plain-text table: a header row and left-aligned columns two spaces apart.
 * @param {string[]} headers @param {(string | number | boolean | null | undefined)[][]} rows
 */
export function table(headers, rows) {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? "-" : String(cell))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n");
}

/** "key: value" lines, aligned. @param {[string, unknown][]} pairs */
export function facts(pairs) {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join("\n");
}
