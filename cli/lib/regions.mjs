// The region a database command talks to: --region, else the server's default region (GET /v1/regions), so
// `helios db ...` works without flags against a server with one obvious region.

import { seg } from "./http-client.mjs";

export const REGION_OPTION = /** @type {import("./args.mjs").OptionSpec} */ ({
  type: "string", short: "r", value: "region", description: "the database's region (default: the server's default region)",
});

/** @param {import("./http-client.mjs").HeliosClient} client @param {string | undefined} flag */
export async function resolveRegion(client, flag) {
  if (flag !== undefined) return flag;
  const answer = await client.json("GET", "/v1/regions", { auth: "optional" });
  return answer.default;
}

/** Path of a database, or of something below it. @param {string} region @param {string} db @param {string} [rest] */
export function databasePath(region, db, rest = "") {
  return `/v1/regions/${seg(region)}/databases/${seg(db)}${rest}`;
}
