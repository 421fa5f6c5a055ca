// helios db create / list / describe / delete: a region's databases.

import { confirm } from "../lib/confirm.mjs";
import { seg } from "../lib/http-client.mjs";
import { facts, table } from "../lib/output.mjs";
import { databasePath, REGION_OPTION, resolveRegion } from "../lib/regions.mjs";

const DB_ARG = { name: "db", required: true, description: "the database" };

/** @type {import("../lib/args.mjs").CommandSpec} */
export const dbCreate = {
  name: "db create",
  summary: "create a database in a region (nothing changes if it exists)",
  positionals: [DB_ARG],
  options: { region: REGION_OPTION },
  examples: ["helios db create shop --region wnam"],
  async run({ values, args, out, client }) {
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("PUT", databasePath(region, args.db));
    out.result(answer, () => `database ${answer.database.name} in ${answer.database.region} (created ${answer.database.createdAt})`);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const dbList = {
  name: "db list",
  summary: "list databases: of one region with --region, else of every region",
  options: { region: { ...REGION_OPTION, description: "only this region (default: every region)" } },
  async run({ values, out, client }) {
    const regions = values.region !== undefined ? [values.region] : (await client.json("GET", "/v1/regions", { auth: "optional" })).regions.map((r) => r.name);
    const databases = [];
    for (const region of regions) databases.push(...(await client.json("GET", `/v1/regions/${seg(region)}/databases`)).databases);
    out.result({ databases }, () =>
      databases.length === 0 ? "no databases" : table(["REGION", "NAME", "CREATED"], databases.map((d) => [d.region, d.name, d.createdAt])),
    );
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const dbDescribe = {
  name: "db describe",
  summary: "a database's tables (columns, row counts), size and triggers",
  positionals: [DB_ARG],
  options: { region: REGION_OPTION },
  async run({ values, args, out, client }) {
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("GET", databasePath(region, args.db));
    out.result(answer, () => {
      const db = answer.database;
      const lines = [facts([["database", `${db.name} in ${db.region}`], ["created", db.createdAt], ["size", `${db.sizeBytes} bytes`]])];
      for (const t of db.tables) {
        const columns = t.columns.map((c) => `${c.name} ${c.type || "ANY"}${c.primaryKey ? " PRIMARY KEY" : ""}${c.notNull ? " NOT NULL" : ""}`);
        lines.push("", `table ${t.name} (${t.rows} rows)`, ...columns.map((c) => `  ${c}`));
      }
      if (db.triggers.length > 0) {
        lines.push("", table(["TRIGGER", "TABLE", "EVENTS", "FUNCTION"], db.triggers.map((t) => [t.name, t.table, t.events.join(","), t.function])));
      }
      return lines.join("\n");
    });
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const dbDelete = {
  name: "db delete",
  summary: "delete a database: its tables, rows and triggers",
  positionals: [DB_ARG],
  options: { region: REGION_OPTION, yes: { type: "boolean", short: "y", description: "do not ask (required when stdin is not a terminal)" } },
  async run({ values, args, out, client, io }) {
    const region = await resolveRegion(client, values.region);
    await confirm(values, io, `delete database ${args.db} in ${region} with all its data?`, "db delete");
    const answer = await client.json("DELETE", databasePath(region, args.db));
    out.result(answer, () => `deleted database ${answer.deleted} in ${answer.region}`);
  },
};
