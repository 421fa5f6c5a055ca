// Locally there is no real caller location: Miniflare (what `npm start`, `wrangler dev` and the integration tests run)
// gives every request the same made-up `request.cf` when it cannot or may not download the real one
// (node_modules/miniflare/dist/src/index.js, `fallbackCf`: Austin, colo DFW, AS395747, zero TCP RTT). Routing by it
// would send every local invocation without a region to whichever configured region is nearest to Austin (enam), not
// to DEFAULT_REGION, which is where the README's own deploy example deploys. So that object counts as no location.
//
// The fields compared are ones a real request never has all at once: AS395747 is Cloudflare's own network, and a
// real connection has a measured RTT and a geolocated point, not the placeholder's exact coordinates.

/** Miniflare's placeholder request.cf, by the fields that identify it. */
const PLACEHOLDER = {
  asn: 395747,
  colo: "DFW",
  postalCode: "78701",
  latitude: "30.27130",
  longitude: "-97.74260",
  clientTcpRtt: 0,
} as const;

/** True when `cf` is the local placeholder rather than a location Cloudflare measured. */
export function isPlaceholderLocation(cf: unknown): boolean {
  if (typeof cf !== "object" || cf === null) return false;
  const record = cf as Record<string, unknown>;
  for (const [key, value] of PLACEHOLDER_FIELDS) if (record[key] !== value) return false;
  return true;
}

/** Checked on every invocation: the pairs listed once rather than per call. */
const PLACEHOLDER_FIELDS: readonly (readonly [string, unknown])[] = Object.entries(PLACEHOLDER);
