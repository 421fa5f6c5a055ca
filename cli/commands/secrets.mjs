// helios secrets list / set / delete: write-only function secrets (the server shows names, never values).

import { confirm } from "../lib/confirm.mjs";
import { UsageError } from "../lib/errors.mjs";
import { seg } from "../lib/http-client.mjs";
import { promptHidden } from "../lib/prompt.mjs";
import { table } from "../lib/output.mjs";
import { readBytes } from "../lib/stdin.mjs";

const NAME = { name: "name", required: true, description: "the function" };
const SECRET = { name: "secret", required: true, description: "the secret's name (A-Z, a-z, 0-9, '_', '.', '-')" };

/** @type {import("../lib/args.mjs").CommandSpec} */
export const secretsList = {
  name: "secrets list",
  summary: "a function's secret names and when each was set (values are never shown)",
  positionals: [NAME],
  async run({ args, out, client }) {
    const answer = await client.json("GET", `/v1/functions/${seg(args.name)}/secrets`);
    out.result(answer, () =>
      answer.secrets.length === 0 ? "no secrets" : table(["SECRET", "UPDATED"], answer.secrets.map((s) => [s.name, s.updatedAt ?? s.createdAt])),
    );
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const secretsSet = {
  name: "secrets set",
  summary: "set a secret; the value comes from stdin, a hidden prompt, or an environment variable, never an argument",
  description:
    "The value is read from stdin when it is not a terminal (one trailing newline dropped), else asked for without\n" +
    "echo; --from-env NAME takes it from an environment variable. It is never a command-line argument, which other\n" +
    "users of the machine could read in the process list.",
  positionals: [NAME, SECRET],
  options: { "from-env": { type: "string", value: "variable", description: "take the value from this environment variable" } },
  examples: ["printf %s \"$API_KEY\" | helios secrets set fetcher API_KEY", "helios secrets set fetcher API_KEY --from-env API_KEY"],
  async run({ values, args, out, client, io }) {
    const value = await secretValue(values, args.secret, io);
    const answer = await client.json("PUT", `/v1/functions/${seg(args.name)}/secrets/${seg(args.secret)}`, { json: { value } });
    out.result(answer, () => `set secret ${answer.secret.name} of ${args.name}`);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const secretsDelete = {
  name: "secrets delete",
  summary: "remove a secret",
  positionals: [NAME, SECRET],
  options: { yes: { type: "boolean", short: "y", description: "do not ask (required when stdin is not a terminal)" } },
  async run({ values, args, out, client, io }) {
    await confirm(values, io, `remove secret ${args.secret} of ${args.name}?`, "secrets delete");
    const answer = await client.json("DELETE", `/v1/functions/${seg(args.name)}/secrets/${seg(args.secret)}`);
    out.result(answer, () => `removed secret ${answer.deleted} of ${args.name}`);
  },
};

async function secretValue(values, secret, io) {
  let value;
  if (values["from-env"] !== undefined) {
    value = io.env[values["from-env"]];
    if (value === undefined) throw new UsageError(`environment variable ${values["from-env"]} is not set`, "secrets set");
  } else if (io.stdin.isTTY) {
    value = await promptHidden(io.stdin, io.stderr, `value of ${secret}: `);
  } else {
    value = (await readBytes(io.stdin)).toString("utf8").replace(/\r?\n$/, "");
  }
  if (value === "") throw new UsageError("the secret's value is empty", "secrets set");
  return value;
}
