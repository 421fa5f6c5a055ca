// helios db triggers list / get / set / delete: BEFORE-trigger registrations (a deployed function per table event).

import { listOption } from "../lib/args.mjs";
import { confirm } from "../lib/confirm.mjs";
import { UsageError } from "../lib/errors.mjs";
import { seg } from "../lib/http-client.mjs";
import { table } from "../lib/output.mjs";
import { databasePath, REGION_OPTION, resolveRegion } from "../lib/regions.mjs";

const DB = { name: "db", required: true, description: "the database" };
const NAME = { name: "name", required: true, description: "the trigger" };
const triggerPath = (region, db, name = "") => databasePath(region, db, `/triggers${name ? `/${seg(name)}` : ""}`);
const rowsOf = (triggers) => triggers.map((t) => [t.name, t.table, t.events.join(","), t.function, t.timing, t.createdAt]);
const HEADERS = ["NAME", "TABLE", "EVENTS", "FUNCTION", "TIMING", "CREATED"];

/** @type {import("../lib/args.mjs").CommandSpec} */
export const triggersList = {
  name: "db triggers list",
  summary: "a database's trigger registrations",
  positionals: [DB],
  options: { region: REGION_OPTION },
  async run({ values, args, out, client }) {
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("GET", triggerPath(region, args.db));
    out.result(answer, () => (answer.triggers.length === 0 ? "no triggers" : table(HEADERS, rowsOf(answer.triggers))));
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const triggersGet = {
  name: "db triggers get",
  summary: "one trigger registration",
  positionals: [DB, NAME],
  options: { region: REGION_OPTION },
  async run({ values, args, out, client }) {
    const region = await resolveRegion(client, values.region);
    const answer = await client.json("GET", triggerPath(region, args.db, args.name));
    out.result(answer, () => table(HEADERS, rowsOf([answer.trigger])));
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const triggersSet = {
  name: "db triggers set",
  summary: "register (or replace) a BEFORE trigger: a deployed function that may reject each affected row",
  positionals: [DB, NAME],
  options: {
    region: REGION_OPTION,
    table: { type: "string", short: "t", value: "table", description: "the table it watches (required)" },
    events: { type: "string", short: "e", multiple: true, value: "events", description: "insert, update, delete (comma-separated or repeated; required)" },
    function: { type: "string", value: "name", description: "the deployed function it runs (required)" },
  },
  examples: ["helios db triggers set shop check-total --table orders --events insert,update --function validate-order"],
  async run({ values, args, out, client }) {
    const events = listOption(values.events);
    const missing = [["--table", values.table], ["--events", events?.length ? events : undefined], ["--function", values.function]]
      .filter(([, v]) => v === undefined)
      .map(([flag]) => flag);
    if (missing.length > 0) throw new UsageError(`missing ${missing.join(", ")}`, "db triggers set");
    const region = await resolveRegion(client, values.region);
    const spec = { table: values.table, events, function: values.function, timing: "before" };
    const answer = await client.json("PUT", triggerPath(region, args.db, args.name), { json: spec });
    out.result(answer, () => `trigger ${answer.trigger.name}: before ${answer.trigger.events.join("/")} on ${answer.trigger.table} runs ${answer.trigger.function}`);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const triggersDelete = {
  name: "db triggers delete",
  summary: "remove a trigger registration",
  positionals: [DB, NAME],
  options: { region: REGION_OPTION, yes: { type: "boolean", short: "y", description: "do not ask (required when stdin is not a terminal)" } },
  async run({ values, args, out, client, io }) {
    const region = await resolveRegion(client, values.region);
    await confirm(values, io, `remove trigger ${args.name} of ${args.db} in ${region}?`, "db triggers delete");
    const answer = await client.json("DELETE", triggerPath(region, args.db, args.name));
    out.result(answer, () => `removed trigger ${answer.deleted}`);
  },
};
