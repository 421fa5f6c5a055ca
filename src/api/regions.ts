// The configured regions (env REGIONS) and how an invocation picks one: named by the caller, else the
// configured region nearest to the caller (request.cf), else DEFAULT_REGION.

import type { Env } from "../env.ts";
import { InvalidRequestError } from "./errors.ts";
import { distanceKm, REGION_LOCATIONS } from "./region-locations.ts";

export interface RegionConfig {
  regions: string[];
  defaultRegion: string;
}

const REGION_NAME = /^[a-z0-9-]{1,63}$/;

const parsed = new WeakMap<object, RegionConfig>();

/** Parses REGIONS/DEFAULT_REGION once per env object; a bad configuration is a deployment error, so it throws plainly. */
export function regionConfig(env: Env): RegionConfig {
  const cached = parsed.get(env);
  if (cached) return cached;
  const regions = [...new Set((env.REGIONS ?? "").split(",").map((r) => r.trim()).filter((r) => r !== ""))];
  if (regions.length === 0) throw new Error("REGIONS is empty: configure at least one region name");
  for (const region of regions) {
    if (!REGION_NAME.test(region)) throw new Error(`REGIONS contains an invalid region name: ${JSON.stringify(region)}`);
  }
  const defaultRegion = env.DEFAULT_REGION?.trim() || regions[0];
  if (!regions.includes(defaultRegion)) throw new Error(`DEFAULT_REGION ${JSON.stringify(defaultRegion)} is not in REGIONS`);
  const config = { regions, defaultRegion };
  parsed.set(env, config);
  return config;
}

/** The subset of request.cf the choice uses. */
export interface CallerLocation {
  latitude?: unknown;
  longitude?: unknown;
  continent?: unknown;
}

/** Nearest configured region with a known location: by coordinates, else by continent; null if neither helps. */
export function nearestRegion(regions: string[], caller: CallerLocation | undefined): string | null {
  if (!caller) return null;
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

/** The region an invocation runs in. A region the caller names must be configured. */
export function chooseRegion(config: RegionConfig, requested: string | undefined, caller: CallerLocation | undefined): string {
  if (requested !== undefined && requested !== "") {
    if (!config.regions.includes(requested)) {
      throw InvalidRequestError.of("region", `unknown region ${JSON.stringify(requested)}; configured: ${config.regions.join(", ")}`);
    }
    return requested;
  }
  return nearestRegion(config.regions, caller) ?? config.defaultRegion;
}
