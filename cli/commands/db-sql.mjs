// helios db sql: one admin statement with bound parameters.

import { readFileSync } from "node:fs";
import { UsageError } from "../lib/errors.mjs";
import { table } from "../lib/output.mjs";
import { databasePath, REGION_OPTION, resolveRegion } from "../lib/regions.mjs";
import { readBytes } from "../lib/stdin.mjs";

/** @type {import("../lib/args.mjs").CommandSpec} */
export const dbSql = {
  name: "db sql",
  summary: "run one SQL statement (schema, reads, writes) with bound parameters",
  description:
    "The statement is the argument, or the text of --file, or stdin (`-`). Parameters bind to ?, ?1 or :name in\n" +
    "order: --params takes a JSON array; each --param is one value, read as JSON when it parses (42, true, null,\n" +
    "\"text\") and as a string otherwise. Blobs are {\"$base64\": \"...\"}.",
  positionals: [
    { name: "db", required: true, description: "the database" },
    { name: "statement", description: "the SQL statement (`-` reads stdin)" },
  ],
  options: {
    region: REGION_OPTION,
    file: { type: "string", short: "f", value: "path", description: "read the statement from this file" },
    param: { type: "string", short: "p", multiple: true, value: "value", description: "one parameter (repeat in order)" },
    params: { type: "string", value: "json", description: "all parameters as a JSON array" },
  },
  examples: [
    `helios db sql shop "CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT NOT NULL)"`,
    `helios db sql shop "SELECT * FROM orders WHERE sku = ?" --param A1`,
  ],
  async run({ values, args, out, client, io }) {
    const sql = await statementText(values, args.statement, io);
    const params = sqlParams(values);
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("POST", databasePath(region, args.db, "/sql"), { json: { sql, params } });
    out.result(answer, () => {
      const summary = `${answer.rows.length} row${answer.rows.length === 1 ? "" : "s"} · ${answer.rowsRead} read · ${answer.rowsWritten} written${answer.lastRowId !== null ? ` · last row id ${answer.lastRowId}` : ""}`;
      if (answer.columns.length === 0) return summary;
      return `${table(answer.columns, answer.rows.map((row) => row.map(cellText)))}\n${summary}`;
    });
  },
};

async function statementText(values, positional, io) {
  const sources = [positional !== undefined, values.file !== undefined].filter(Boolean).length;
  if (sources === 0) throw new UsageError("give the statement as an argument, with --file, or `-` for stdin", "db sql");
  if (sources > 1) throw new UsageError("give the statement one way: an argument or --file", "db sql");
  if (values.file !== undefined) {
    try {
      return readFileSync(values.file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${values.file}: ${/** @type {Error} */ (error).message}`, "db sql");
    }
  }
  return positional === "-" ? (await readBytes(io.stdin)).toString("utf8") : positional;
}

/** The statement's parameters from --params (a JSON array) or --param values. @returns {unknown[]} */
export function sqlParams(values) {
  if (values.params !== undefined && values.param !== undefined) throw new UsageError("use --params or --param, not both", "db sql");
  if (values.params !== undefined) {
    let parsed;
    try {
      parsed = JSON.parse(values.params);
    } catch {
      throw new UsageError("--params must be a JSON array, e.g. '[1, \"a\"]'", "db sql");
    }
    if (!Array.isArray(parsed)) throw new UsageError("--params must be a JSON array, e.g. '[1, \"a\"]'", "db sql");
    return parsed;
  }
  return (values.param ?? []).map(jsonOrString);
}

/** `42` -> 42, `"42"` -> "42", `abc` -> "abc". @param {string} raw */
export function jsonOrString(raw) {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** @param {unknown} value */
export function cellText(value) {
  if (value === null) return "NULL";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
