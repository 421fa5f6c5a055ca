import { describe, expect, it } from "vitest";
import type { Env } from "../env.ts";
import { InvalidRequestError } from "./errors.ts";
import { isPlaceholderLocation } from "./placeholder-location.ts";
import { chooseRegion, nearestRegion, regionConfig } from "./regions.ts";

const env = (REGIONS: string, DEFAULT_REGION = "") => ({ REGIONS, DEFAULT_REGION }) as Env;

describe("regionConfig", () => {
  it("parses, trims and de-duplicates REGIONS", () => {
    expect(regionConfig(env(" wnam, weur ,wnam,apac", "weur"))).toEqual({ regions: ["wnam", "weur", "apac"], defaultRegion: "weur" });
  });
  it("defaults to the first region", () => {
    expect(regionConfig(env("enam,weur")).defaultRegion).toBe("enam");
  });
  it("refuses a default outside REGIONS and an empty list", () => {
    expect(() => regionConfig(env("wnam", "weur"))).toThrow(/DEFAULT_REGION/);
    expect(() => regionConfig(env(" , "))).toThrow(/REGIONS is empty/);
  });
});

describe("nearestRegion", () => {
  const regions = ["wnam", "enam", "weur", "apac"];
  it("picks by great-circle distance from request.cf coordinates", () => {
    expect(nearestRegion(regions, { latitude: "51.51", longitude: "-0.13" })).toBe("weur"); // London
    expect(nearestRegion(regions, { latitude: "40.71", longitude: "-74.01" })).toBe("enam"); // New York
    expect(nearestRegion(regions, { latitude: "47.61", longitude: "-122.33" })).toBe("wnam"); // Seattle
    expect(nearestRegion(regions, { latitude: "35.68", longitude: "139.69" })).toBe("apac"); // Tokyo
  });
  it("only considers configured regions", () => {
    expect(nearestRegion(["wnam", "apac"], { latitude: "51.51", longitude: "-0.13" })).toBe("wnam");
  });
  it("falls back to the continent, then to nothing", () => {
    expect(nearestRegion(regions, { continent: "EU" })).toBe("weur");
    expect(nearestRegion(regions, { continent: "AF" })).toBeNull();
    expect(nearestRegion(regions, { latitude: "not a number", longitude: "1" })).toBeNull();
    expect(nearestRegion(regions, undefined)).toBeNull();
    expect(nearestRegion(["local-a"], { latitude: "51.51", longitude: "-0.13" })).toBeNull();
  });
});

describe("the local placeholder location", () => {
  // Miniflare's fallback request.cf, as node_modules/miniflare builds it (abridged to the fields that matter).
  const placeholder = {
    asn: 395747, colo: "DFW", city: "Austin", country: "US", continent: "NA", postalCode: "78701",
    latitude: "30.27130", longitude: "-97.74260", clientTcpRtt: 0,
  };
  it("is no location: an invocation without a region goes to DEFAULT_REGION", () => {
    expect(isPlaceholderLocation(placeholder)).toBe(true);
    expect(nearestRegion(["wnam", "enam"], placeholder)).toBeNull();
    expect(chooseRegion({ regions: ["wnam", "enam"], defaultRegion: "wnam" }, undefined, placeholder)).toBe("wnam");
  });
  it("is told apart from a real caller in Austin", () => {
    const real = { ...placeholder, asn: 7018, latitude: "30.26715", longitude: "-97.74306", clientTcpRtt: 18 };
    expect(isPlaceholderLocation(real)).toBe(false);
    expect(nearestRegion(["wnam", "enam"], real)).toBe("enam");
  });
});

describe("chooseRegion", () => {
  const config = { regions: ["wnam", "weur"], defaultRegion: "wnam" };
  it("prefers the requested region, then the nearest, then the default", () => {
    expect(chooseRegion(config, "weur", { continent: "NA" })).toBe("weur");
    expect(chooseRegion(config, undefined, { continent: "EU" })).toBe("weur");
    expect(chooseRegion(config, undefined, { continent: "AS" })).toBe("wnam");
  });
  it("rejects a region that is not configured, naming the field", () => {
    const error = (() => {
      try {
        chooseRegion(config, "apac", undefined);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).field).toBe("region");
  });
});
