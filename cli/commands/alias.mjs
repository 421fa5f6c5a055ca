// helios alias list / set / delete: named routes of a function, invoked as `name@alias`.

import { seg } from "../lib/http-client.mjs";
import { table } from "../lib/output.mjs";
import { parseRoute, routeText } from "../lib/route.mjs";

const NAME = { name: "name", required: true, description: "the function" };
const ALIAS = { name: "alias", required: true, description: "the alias (a letter first, then a-z, 0-9, '-')" };

/** @type {import("../lib/args.mjs").CommandSpec} */
export const aliasList = {
  name: "alias list",
  summary: "a function's aliases and the versions each one serves",
  positionals: [NAME],
  async run({ args, out, client }) {
    const answer = await client.json("GET", `/v1/functions/${seg(args.name)}/aliases`);
    const rows = Object.entries(answer.aliases).map(([alias, r]) => [alias, routeText(/** @type {any} */ (r))]);
    out.result(answer, () => (rows.length === 0 ? "no aliases" : table(["ALIAS", "SERVES"], rows)));
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const aliasSet = {
  name: "alias set",
  summary: "point an alias at a version (3) or a split (3:90,2:10); invoke it as name@alias",
  positionals: [NAME, ALIAS, { name: "route", required: true, description: "a version (3) or version:percent pairs adding up to 100" }],
  examples: ["helios alias set hello beta 4", "helios invoke hello@beta Ada"],
  async run({ args, out, client }) {
    const answer = await client.json("PUT", `/v1/functions/${seg(args.name)}/aliases/${seg(args.alias)}`, { json: parseRoute(args.route, "alias set") });
    out.result(answer, () => `${args.name}@${answer.alias} serves ${routeText(answer.route)} (deployment ${answer.deployment.seq})`);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const aliasDelete = {
  name: "alias delete",
  summary: "remove an alias (the versions it served stay)",
  positionals: [NAME, ALIAS],
  async run({ args, out, client }) {
    const answer = await client.json("DELETE", `/v1/functions/${seg(args.name)}/aliases/${seg(args.alias)}`);
    out.result(answer, () => `removed ${args.name}@${answer.deleted} (deployment ${answer.deployment.seq})`);
  },
};
