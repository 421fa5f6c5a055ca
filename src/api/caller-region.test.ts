import { describe, expect, it } from "vitest";
import { CALLER_REGION_TTL_MS, callerRegion, CLIENT_ADDRESS_HEADER, MAX_CALLER_ADDRESSES } from "./caller-region.ts";
import type { RegionConfig } from "./regions.ts";

const PARIS = { latitude: "48.85", longitude: "2.35", continent: "EU" };
const SYDNEY = { latitude: "-33.87", longitude: "151.21", continent: "OC" };

/** A request as the runtime hands it over: its location in `cf` (a getter that counts reads), its address in a header. */
function caller(cf: object, address?: string): { request: Request; reads: () => number } {
  let reads = 0;
  const headers = new Headers(address === undefined ? {} : { [CLIENT_ADDRESS_HEADER]: address });
  const request = { headers, get cf() { reads++; return cf; } } as unknown as Request;
  return { request, reads: () => reads };
}

const config = (): RegionConfig => ({ regions: ["wnam", "enam", "weur", "apac"], defaultRegion: "wnam" });

describe("callerRegion", () => {
  it("is the nearest region by request.cf, read every time when the request states no client address", () => {
    const regions = config();
    const paris = caller(PARIS);
    expect(callerRegion(regions, paris.request)).toBe("weur");
    expect(callerRegion(regions, paris.request)).toBe("weur");
    expect(paris.reads()).toBe(2);
    expect(callerRegion(regions, caller(SYDNEY).request)).toBe("apac");
  });

  it("remembers an address's region for the TTL without reading request.cf, then reads it again", () => {
    const regions = config();
    const t = 1_000_000;
    expect(callerRegion(regions, caller(PARIS, "192.0.2.1").request, t)).toBe("weur");
    const again = caller(SYDNEY, "192.0.2.1");
    expect(callerRegion(regions, again.request, t + CALLER_REGION_TTL_MS - 1)).toBe("weur");
    expect(again.reads()).toBe(0);
    expect(callerRegion(regions, again.request, t + CALLER_REGION_TTL_MS)).toBe("apac");
    expect(again.reads()).toBe(1);
    // Another address is its own.
    expect(callerRegion(regions, caller(SYDNEY, "2001:db8::1").request, t)).toBe("apac");
  });

  it("keeps at most MAX_CALLER_ADDRESSES addresses, the oldest going first", () => {
    const regions = config();
    const t = 5_000_000;
    callerRegion(regions, caller(PARIS, "first").request, t);
    for (let i = 0; i < MAX_CALLER_ADDRESSES; i++) callerRegion(regions, caller(PARIS, `a${i}`).request, t);
    const first = caller(SYDNEY, "first");
    expect(callerRegion(regions, first.request, t)).toBe("apac");
    expect(first.reads()).toBe(1);
  });
});
