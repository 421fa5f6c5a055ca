// helios metrics: a function's invocation metrics per region over a recent window.

import { nonNegativeInteger } from "../lib/args.mjs";
import { seg } from "../lib/http-client.mjs";
import { table } from "../lib/output.mjs";

/** @type {import("../lib/args.mjs").CommandSpec} */
export const metrics = {
  name: "metrics",
  summary: "invocations, errors, fuel and duration percentiles, bytes and host calls per region",
  positionals: [{ name: "name", required: true, description: "the function" }],
  options: {
    window: { type: "string", short: "w", value: "minutes", description: "over the last this many minutes (server default 60, 1-1440)" },
    region: { type: "string", short: "r", value: "region", description: "one region only" },
  },
  async run({ values, args, out, client }) {
    const window = values.window === undefined ? undefined : nonNegativeInteger(values.window, "--window", "metrics");
    const answer = await client.json("GET", `/v1/functions/${seg(args.name)}/metrics`, { query: { window, region: values.region } });
    out.result(answer, () => {
      const rows = Object.entries(answer.regions ?? {}).map(([region, m]) => {
        const s = /** @type {any} */ (m);
        const errors = Object.values(s.errors ?? {}).reduce((a, b) => a + Number(b), 0);
        return [region, s.invocations, errors, `${s.fuel?.p50}/${s.fuel?.p95}/${s.fuel?.p99}`, `${s.durationMs?.p50}/${s.durationMs?.p95}/${s.durationMs?.p99}`, s.bytesIn, s.bytesOut];
      });
      const lines = [`${answer.function}, last ${answer.windowMinutes} minutes`, table(["REGION", "INVOCATIONS", "ERRORS", "FUEL p50/p95/p99", "MS p50/p95/p99", "BYTES IN", "BYTES OUT"], rows)];
      const total = /** @type {any} */ (answer.total);
      if (total && Object.keys(total.errors ?? {}).length) lines.push(`errors: ${Object.entries(total.errors).map(([c, n]) => `${c} ${n}`).join(", ")}`);
      if (total && Object.keys(total.hostCalls ?? {}).length) lines.push(`host calls: ${Object.entries(total.hostCalls).map(([c, n]) => `${c} ${n}`).join(", ")}`);
      return lines.join("\n");
    });
  },
};
