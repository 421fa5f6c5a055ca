// helios versions / rollback / deployments / route: a function's immutable versions and the deployments that say
// which of them serve it.

import { nonNegativeInteger, listOption } from "../lib/args.mjs";
import { seg } from "../lib/http-client.mjs";
import { table } from "../lib/output.mjs";
import { parseRoute, routeText } from "../lib/route.mjs";

const NAME = { name: "name", required: true, description: "the function" };

/** What each version serves under a deployment: "default 90%", "alias beta". @param {any} deployment */
function servingByVersion(deployment) {
  /** @type {Map<number, string[]>} */
  const serving = new Map();
  const add = (version, text) => serving.set(version, [...(serving.get(version) ?? []), text]);
  const routes = deployment?.routes;
  if (!routes) return serving;
  for (const share of routes.default ?? []) add(share.version, share.percent === 100 ? "default" : `default ${share.percent}%`);
  for (const [alias, route] of Object.entries(routes.aliases ?? {})) {
    for (const share of /** @type {any[]} */ (route)) add(share.version, share.percent === 100 ? `@${alias}` : `@${alias} ${share.percent}%`);
  }
  return serving;
}

/** @type {import("../lib/args.mjs").CommandSpec} */
export const versions = {
  name: "versions",
  summary: "a function's versions, newest first, with what each one serves",
  positionals: [NAME],
  options: {
    limit: { type: "string", value: "n", description: "versions per page (server default 50, at most 100)" },
    before: { type: "string", value: "version", description: "only versions older than this one" },
    all: { type: "boolean", description: "every version, following the pages" },
  },
  async run({ values, args, out, client }) {
    const limit = values.limit === undefined ? undefined : nonNegativeInteger(values.limit, "--limit", "versions");
    let before = values.before === undefined ? undefined : nonNegativeInteger(values.before, "--before", "versions");
    const all = [];
    let page;
    do {
      page = await client.json("GET", `/v1/functions/${seg(args.name)}/versions`, { query: { limit, before } });
      all.push(...page.versions);
      before = page.nextBefore ?? undefined;
    } while (values.all && page.nextBefore !== null && page.nextBefore !== undefined);
    const answer = { versions: all, deployment: page.deployment, nextBefore: page.nextBefore ?? null };
    out.result(answer, () => {
      const serving = servingByVersion(answer.deployment);
      const text = table(
        ["VERSION", "SHA256", "REGIONS", "PROFILE", "SERVING", "DEPLOYED"],
        all.map((v) => [v.version, v.sha256.slice(0, 12), v.regions.join(","), v.profile.join(","), (serving.get(v.version) ?? []).join(", "), v.deployedAt]),
      );
      return answer.nextBefore === null ? text : `${text}\nolder versions: --before ${answer.nextBefore} (or --all)`;
    });
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const rollback = {
  name: "rollback",
  summary: "serve the previous version again (or --to a given one): a new deployment, nothing uploaded",
  positionals: [NAME],
  options: { to: { type: "string", value: "version", description: "the version to serve (default: the one before the current)" } },
  examples: ["helios rollback hello", "helios rollback hello --to 3"],
  async run({ values, args, out, client }) {
    const version = values.to === undefined ? undefined : nonNegativeInteger(values.to.replace(/^v/, ""), "--to", "rollback");
    const answer = await client.json("POST", `/v1/functions/${seg(args.name)}/rollback`, { json: version === undefined ? {} : { version } });
    out.result(answer, () => `rolled back ${answer.function.name} to v${answer.function.version} (deployment ${answer.deployment.seq}) in ${answer.deployment.regions.join(", ")}`);
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const deployments = {
  name: "deployments",
  summary: "a function's deployments, newest first: what served it, when, and why (deploy, rollback, split, alias)",
  positionals: [NAME],
  options: { limit: { type: "string", value: "n", description: "how many (server default 50)" } },
  async run({ values, args, out, client }) {
    const limit = values.limit === undefined ? undefined : nonNegativeInteger(values.limit, "--limit", "deployments");
    const answer = await client.json("GET", `/v1/functions/${seg(args.name)}/deployments`, { query: { limit } });
    out.result(answer, () =>
      table(
        ["SEQ", "KIND", "DEFAULT", "ALIASES", "REGIONS", "CREATED"],
        answer.deployments.map((d) => [
          d.seq, d.kind, routeText(d.routes?.default),
          Object.entries(d.routes?.aliases ?? {}).map(([a, r]) => `@${a}=${routeText(/** @type {any} */ (r))}`).join(" "),
          d.regions.join(","), d.createdAt,
        ]),
      ),
    );
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const route = {
  name: "route",
  summary: "choose what a function serves: one version (3) or a split in percent (3:90,2:10); a new deployment",
  positionals: [NAME, { name: "route", required: true, description: "a version (3) or version:percent pairs adding up to 100 (3:90,2:10)" }],
  options: { region: { type: "string", short: "r", multiple: true, value: "region", description: "serve in these regions (default: as now)" } },
  examples: ["helios route hello 3", "helios route hello 4:10,3:90"],
  async run({ values, args, out, client }) {
    const body = { ...parseRoute(args.route, "route"), regions: listOption(values.region) };
    const answer = await client.json("POST", `/v1/functions/${seg(args.name)}/deployments`, { json: body });
    const d = answer.deployment;
    out.result(answer, () => `${d.name} now serves ${routeText(d.routes?.default)} (deployment ${d.seq}) in ${d.regions.join(", ")}`);
  },
};
