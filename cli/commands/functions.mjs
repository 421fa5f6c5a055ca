// helios list / show: what is deployed.

import { seg } from "../lib/http-client.mjs";
import { facts, table } from "../lib/output.mjs";

/** @type {import("../lib/args.mjs").CommandSpec} */
export const list = {
  name: "list",
  summary: "list deployed functions (current version of each)",
  async run({ out, client }) {
    const answer = await client.json("GET", "/v1/functions");
    out.result(answer, () =>
      answer.functions.length === 0
        ? "no functions deployed"
        : table(
            ["NAME", "VERSION", "REGIONS", "PROFILE", "PRIVATE", "SHA256", "DEPLOYED"],
            answer.functions.map((fn) => [fn.name, fn.version, fn.regions.join(","), fn.profile.join(","), fn.private ? "yes" : "no", fn.sha256.slice(0, 12), fn.deployedAt]),
          ),
    );
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const show = {
  name: "show",
  summary: "show a function's current version, its settings and version history",
  positionals: [{ name: "name", required: true, description: "the function" }],
  async run({ args, out, client }) {
    const answer = await client.json("GET", `/v1/functions/${seg(args.name)}`);
    out.result(answer, () => {
      const fn = answer.function;
      const lines = [
        facts([
          ["name", fn.name],
          ["version", String(fn.version)],
          ["sha256", fn.sha256],
          ["regions", fn.regions.join(", ")],
          ["profile", fn.profile.join(", ")],
          ["private", fn.private ? "yes" : "no"],
          ["limits", Object.entries(fn.limits).map(([k, v]) => `${k}=${v}`).join(" ")],
          ["config", Object.keys(fn.config ?? {}).length ? fn.config : undefined],
          ["allowedHosts", fn.allowedHosts?.length ? fn.allowedHosts.join(", ") : undefined],
          ["database", fn.database],
          ["secrets", secretNames(fn.secrets)],
          ["deployed", fn.deployedAt],
        ]),
      ];
      if (Array.isArray(answer.history) && answer.history.length > 0) {
        lines.push("", table(["VERSION", "SHA256", "DEPLOYED"], answer.history.map((v) => [v.version, v.sha256.slice(0, 12), v.deployedAt])));
      }
      return lines.join("\n");
    });
  },
};

/** The function view lists secrets by name (never values); older servers leave the field out. */
function secretNames(secrets) {
  if (Array.isArray(secrets)) return secrets.length ? secrets.map((s) => (typeof s === "string" ? s : s.name)).join(", ") : undefined;
  if (secrets && typeof secrets === "object") return Object.keys(secrets).join(", ") || undefined;
  return undefined;
}
