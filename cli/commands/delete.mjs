// helios delete: removes a function from every region.

import { seg } from "../lib/http-client.mjs";
import { confirm } from "../lib/confirm.mjs";

/** @type {import("../lib/args.mjs").CommandSpec} */
export const deleteFunction = {
  name: "delete",
  summary: "delete a function from every region",
  positionals: [{ name: "name", required: true, description: "the function" }],
  options: { yes: { type: "boolean", short: "y", description: "do not ask (required when stdin is not a terminal)" } },
  async run({ values, args, out, client, io }) {
    await confirm(values, io, `delete function ${args.name} from every region?`, "delete");
    const answer = await client.json("DELETE", `/v1/functions/${seg(args.name)}`);
    out.result(answer, () => `deleted ${answer.deleted} (last version v${answer.lastVersion})`);
  },
};
