// The configured regions (env REGIONS) and how an invocation picks one: named by the caller, else the
// configured region nearest to the caller (request.cf, when it is a real location), else DEFAULT_REGION.

import { InvalidRequestError } from "./errors.ts";
import { isPlaceholderLocation } from "./placeholder-location.ts";
import { distanceKm, REGION_LOCATIONS } from "./region-locations.ts";
import { regionConfig, type RegionConfig } from "../regions/region-config.ts";

export { regionConfig, type RegionConfig };

/** The subset of request.cf the choice uses. */
export interface CallerLocation {
  latitude?: unknown;
  longitude?: unknown;
  continent?: unknown;
}

/** Nearest configured region with a known location: by coordinates, else by continent; null if neither helps
 *  (and for the local placeholder location, which is nobody's). */
export function nearestRegion(regions: string[], caller: CallerLocation | undefined): string | null {
  if (!caller || isPlaceholderLocation(caller)) return null;
  const latitude = Number(caller.latitude);
  const longitude = Number(caller.longitude);
  const located = regions.filter((r) => REGION_LOCATIONS[r] !== undefined);
  if (typeof caller.latitude === "string" && typeof caller.longitude === "string" && Number.isFinite(latitude) && Number.isFinite(longitude)) {
    let best: string | null = null;
    let bestDistance = Infinity;
    for (const region of located) {
      const distance = distanceKm({ latitude, longitude }, REGION_LOCATIONS[region]);
      if (distance < bestDistance) {
        best = region;
        bestDistance = distance;
      }
    }
    if (best !== null) return best;
  }
  if (typeof caller.continent === "string") {
    const continent = caller.continent;
    return located.find((r) => REGION_LOCATIONS[r].continents.includes(continent)) ?? null;
  }
  return null;
}

/**
 * The region an invocation that names none runs in: the configured one nearest the caller, else the default. The
 * Worker runs such invocations itself (the hot path), so a deploy warms this region in the isolate that processed it.
 */
export function regionHere(config: RegionConfig, caller: CallerLocation | undefined): string {
  return nearestRegion(config.regions, caller) ?? config.defaultRegion;
}

/** The region an invocation runs in. A region the caller names must be configured. */
export function chooseRegion(config: RegionConfig, requested: string | undefined, caller: CallerLocation | undefined): string {
  if (requested !== undefined && requested !== "") {
    if (!config.regions.includes(requested)) {
      throw InvalidRequestError.of("region", `unknown region ${JSON.stringify(requested)}; configured: ${config.regions.join(", ")}`);
    }
    return requested;
  }
  return regionHere(config, caller);
}
