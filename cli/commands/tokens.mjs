// helios tokens create / list / revoke: scoped API tokens (admin token only). A token is shown once, at creation.

import { confirm } from "../lib/confirm.mjs";
import { UsageError } from "../lib/errors.mjs";
import { seg } from "../lib/http-client.mjs";
import { table } from "../lib/output.mjs";

const SCOPES = ["deploy", "read", "invoke"];

/** @type {import("../lib/args.mjs").CommandSpec} */
export const tokensCreate = {
  name: "tokens create",
  summary: "create a scoped token: deploy (functions under a name prefix), read (everything, read-only) or invoke",
  description: "The token is printed once, on stdout alone (so `helios tokens create ... > file` keeps it); the server keeps only its hash.",
  options: {
    scope: { type: "string", short: "s", value: "scope", description: `one of ${SCOPES.join(", ")} (required)` },
    prefix: { type: "string", short: "p", value: "prefix", description: "function-name prefix the token is limited to (required for deploy; none for read)" },
    name: { type: "string", short: "n", value: "label", description: "a label to recognise it by in `tokens list`" },
  },
  examples: ["helios tokens create --scope deploy --prefix team-a- --name ci > team-a.token", "helios tokens create --scope read"],
  async run({ values, out, client }) {
    if (values.scope === undefined) throw new UsageError(`missing --scope (${SCOPES.join(", ")})`, "tokens create");
    const body = { scope: values.scope, prefix: values.prefix, name: values.name };
    const answer = await client.json("POST", "/v1/tokens", { json: body });
    out.note(`created ${answer.info.id} (${describe(answer.info)}); the token below is shown only now`);
    out.result(answer, () => answer.token);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const tokensList = {
  name: "tokens list",
  summary: "the scoped tokens (ids, scopes and prefixes; never the tokens themselves)",
  async run({ out, client }) {
    const answer = await client.json("GET", "/v1/tokens");
    out.result(answer, () =>
      answer.tokens.length === 0
        ? "no scoped tokens"
        : table(["ID", "SCOPE", "PREFIX", "NAME", "CREATED"], answer.tokens.map((t) => [t.id, t.scope, t.prefix || "", t.name || "", t.createdAt])),
    );
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const tokensRevoke = {
  name: "tokens revoke",
  summary: "revoke a scoped token by id",
  positionals: [{ name: "id", required: true, description: "the token's id (tok_...)" }],
  options: { yes: { type: "boolean", short: "y", description: "do not ask (required when stdin is not a terminal)" } },
  async run({ values, args, out, client, io }) {
    await confirm(values, io, `revoke token ${args.id}?`, "tokens revoke");
    const answer = await client.json("DELETE", `/v1/tokens/${seg(args.id)}`);
    out.result(answer, () => `revoked ${answer.revoked}`);
  },
};

/** @param {{ scope: string, prefix?: string }} info */
function describe(info) {
  return info.prefix ? `${info.scope}, functions ${info.prefix}*` : info.scope;
}
