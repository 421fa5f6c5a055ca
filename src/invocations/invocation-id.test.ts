import { describe, expect, it } from "vitest";
import { mintInvocationId, parseInvocationId, queueObjectName, shardCount } from "./invocation-id.ts";

describe("invocation ids", () => {
  it("carry 128 random bits and the shard that holds them", () => {
    const ids = new Set<string>();
    const shards = new Set<number>();
    const ones = new Array(128).fill(0);
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const { id, address } = mintInvocationId("wnam", 8);
      expect(id).toMatch(/^inv_wnam_[0-7]_[0-9a-f]{32}$/);
      expect(parseInvocationId(id, ["wnam"], 8)).toEqual(address);
      ids.add(id);
      shards.add(address.shard);
      const bits = BigInt(`0x${id.slice(-32)}`);
      for (let b = 0; b < 128; b++) if ((bits >> BigInt(b)) & 1n) ones[b]++;
    }
    expect(ids.size).toBe(n);
    expect(shards.size).toBe(8);
    // Every bit position is set about half the time (a constant or counter bit would sit at 0 or n).
    for (const count of ones) expect(Math.abs(count - n / 2)).toBeLessThan(n * 0.1);
  });

  it("refuse malformed ids and unknown regions or shards", () => {
    const hex = "0123456789abcdef0123456789abcdef";
    expect(parseInvocationId(`inv_wnam_3_${hex}`, ["wnam"], 8)).toEqual({ region: "wnam", shard: 3 });
    expect(parseInvocationId(`inv_wnam_8_${hex}`, ["wnam"], 8)).toBeNull();
    expect(parseInvocationId(`inv_mars_1_${hex}`, ["wnam"], 8)).toBeNull();
    expect(parseInvocationId(`inv_wnam_1_${hex.slice(1)}`, ["wnam"], 8)).toBeNull();
    expect(parseInvocationId(`inv_wnam_1_${hex.toUpperCase()}`, ["wnam"], 8)).toBeNull();
    expect(parseInvocationId("../../etc", ["wnam"], 8)).toBeNull();
    expect(queueObjectName({ region: "enam", shard: 2 })).toBe("enam#2");
    expect(shardCount(undefined)).toBe(8);
    expect(shardCount("3")).toBe(3);
    expect(shardCount("0")).toBe(8);
    expect(shardCount("x")).toBe(8);
  });
});
