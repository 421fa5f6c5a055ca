// The region nearest the caller, remembered per client address. Reading `request.cf` makes the runtime parse the
// request's location JSON and freeze the object it builds: about 100,000 instructions, some 5% of a warm echo
// invocation (callgrind over workerd), paid by every invocation for the one question of which configured region is
// nearest. Cloudflare derives the location fields used here (latitude, longitude, continent) from the client's
// address, which it states in CF-Connecting-IP (set by Cloudflare, and by the local server's entry Worker); so the
// answer for an address is remembered, for CALLER_REGION_TTL_MS, at most MAX_CALLER_ADDRESSES addresses per isolate.
// A request without the header (a service binding, the test harness) reads request.cf every time. A client that
// sends a forged header can only get the nearest region of another address for its own invocations, which it can
// name outright anyway (?region=): the region is a placement choice, not a permission.

import { type CallerLocation, type RegionConfig, regionHere } from "./regions.ts";

/** How long an address's nearest region is trusted (geolocation of an address changes rarely). */
export const CALLER_REGION_TTL_MS = 60_000;
/** Addresses remembered per isolate and configuration; the oldest entry goes first. */
export const MAX_CALLER_ADDRESSES = 4_096;

export const CLIENT_ADDRESS_HEADER = "cf-connecting-ip";

interface Remembered {
  region: string;
  until: number;
}

const byConfig = new WeakMap<RegionConfig, Map<string, Remembered>>();

/** regionHere for the request's caller, from the caller's address when it was seen within the TTL. */
export function callerRegion(config: RegionConfig, request: Request, now = Date.now()): string {
  const address = request.headers.get(CLIENT_ADDRESS_HEADER);
  if (address === null) return regionHere(config, request.cf as CallerLocation | undefined);
  let remembered = byConfig.get(config);
  if (remembered === undefined) byConfig.set(config, (remembered = new Map()));
  const known = remembered.get(address);
  if (known !== undefined && now < known.until) return known.region;
  const region = regionHere(config, request.cf as CallerLocation | undefined);
  remembered.delete(address);
  if (remembered.size >= MAX_CALLER_ADDRESSES) remembered.delete(remembered.keys().next().value!);
  remembered.set(address, { region, until: now + CALLER_REGION_TTL_MS });
  return region;
}
