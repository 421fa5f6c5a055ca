// The configured regions (env REGIONS, DEFAULT_REGION), parsed once per env object. Below the API so the services
// (the database API checks a path's region) and the routes share one reading of the configuration.

import type { Env } from "../env.ts";

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
