// helios db rows list / get / insert / update / delete: rows as JSON objects, by primary key (or rowid).

import { UsageError } from "../lib/errors.mjs";
import { nonNegativeInteger } from "../lib/args.mjs";
import { seg } from "../lib/http-client.mjs";
import { table } from "../lib/output.mjs";
import { databasePath, REGION_OPTION, resolveRegion } from "../lib/regions.mjs";
import { readBytes } from "../lib/stdin.mjs";
import { cellText } from "./db-sql.mjs";

const DB = { name: "db", required: true, description: "the database" };
const TABLE = { name: "table", required: true, description: "the table" };
const KEY = { name: "key", required: true, description: "the primary key (or rowid); a composite key as a JSON array, e.g. '[\"a\",1]'" };
const rowsPath = (region, db, tableName, rest = "") => databasePath(region, db, `/tables/${seg(tableName)}/rows${rest}`);

/** @type {import("../lib/args.mjs").CommandSpec} */
export const rowsList = {
  name: "db rows list",
  summary: "rows of a table in key order, a page at a time (--all follows every page)",
  positionals: [DB, TABLE],
  options: {
    region: REGION_OPTION,
    limit: { type: "string", value: "n", description: "rows per page (server default 100, at most 1000)" },
    cursor: { type: "string", value: "cursor", description: "continue after this cursor (nextCursor of the previous page)" },
    all: { type: "boolean", description: "follow nextCursor until the last page" },
  },
  async run({ values, args, out, client }) {
    const region = await resolveRegion(client, values.region);
    const limit = values.limit === undefined ? undefined : nonNegativeInteger(values.limit, "--limit", "db rows list");
    const rows = [];
    let cursor = values.cursor;
    let nextCursor = null;
    do {
      const page = await client.json("GET", rowsPath(region, args.db, args.table), { query: { limit, cursor } });
      rows.push(...page.rows);
      nextCursor = page.nextCursor;
      cursor = nextCursor;
    } while (values.all && nextCursor !== null);
    out.result({ rows, nextCursor }, () => {
      if (rows.length === 0) return "no rows";
      const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
      const text = table(columns, rows.map((row) => columns.map((c) => cellText(row[c] ?? null))));
      return nextCursor === null ? text : `${text}\nmore rows: --cursor ${nextCursor} (or --all)`;
    });
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const rowsGet = {
  name: "db rows get",
  summary: "one row by primary key (or rowid), as JSON",
  positionals: [DB, TABLE, KEY],
  options: { region: REGION_OPTION },
  async run({ values, args, out, client }) {
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("GET", rowsPath(region, args.db, args.table, `/${seg(args.key)}`));
    out.result(answer, () => JSON.stringify(answer.row, null, 2));
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const rowsInsert = {
  name: "db rows insert",
  summary: "insert a row given as a JSON object of column -> value (`-` reads it from stdin)",
  positionals: [DB, TABLE, { name: "row", required: true, description: "the row as JSON, e.g. '{\"sku\":\"A1\",\"total\":12.5}'" }],
  options: { region: REGION_OPTION },
  examples: [`helios db rows insert shop orders '{"sku":"A1","total":12.5}'`],
  async run({ values, args, out, client, io }) {
    const row = await rowJson(args.row, io, "db rows insert");
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("POST", rowsPath(region, args.db, args.table), { json: row });
    out.result(answer, () => `inserted ${JSON.stringify(answer.row)}`);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const rowsUpdate = {
  name: "db rows update",
  summary: "set the given columns of one row (a JSON object of column -> value)",
  positionals: [DB, TABLE, KEY, { name: "values", required: true, description: "the columns to set, as JSON" }],
  options: { region: REGION_OPTION },
  async run({ values, args, out, client, io }) {
    const patch = await rowJson(args.values, io, "db rows update");
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("PATCH", rowsPath(region, args.db, args.table, `/${seg(args.key)}`), { json: patch });
    out.result(answer, () => `updated ${JSON.stringify(answer.row)}`);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const rowsDelete = {
  name: "db rows delete",
  summary: "delete one row by primary key (or rowid)",
  positionals: [DB, TABLE, KEY],
  options: { region: REGION_OPTION },
  async run({ values, args, out, client }) {
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("DELETE", rowsPath(region, args.db, args.table, `/${seg(args.key)}`));
    out.result(answer, () => `deleted ${JSON.stringify(answer.deleted)}`);
  },
};

/** A row argument: a JSON object, or `-` for one on stdin. */
async function rowJson(raw, io, command) {
  const text = raw === "-" ? (await readBytes(io.stdin)).toString("utf8") : raw;
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`the row must be JSON, e.g. '{"sku":"A1"}', got ${JSON.stringify(text.slice(0, 80))}`, command);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError("the row must be a JSON object of column -> value", command);
  return parsed;
}
