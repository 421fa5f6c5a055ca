// helios regions: the server's configured regions and its default.

import { table } from "../lib/output.mjs";

/** @type {import("../lib/args.mjs").CommandSpec} */
export const regions = {
  name: "regions",
  summary: "list the server's regions, the default one and the one nearest to you",
  async run({ out, client }) {
    const answer = await client.json("GET", "/v1/regions", { auth: "optional" });
    out.result(answer, () =>
      table(
        ["REGION", "DEFAULT", "NEAREST"],
        answer.regions.map((r) => [r.name, r.default ? "yes" : "", r.name === answer.nearest ? "yes" : ""]),
      ),
    );
  },
};
