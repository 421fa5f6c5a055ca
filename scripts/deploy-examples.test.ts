import { describe, expect, it } from "vitest";
import { EXAMPLE_TAG, isStillTheExample, sha256Hex } from "./deploy-examples.mjs";

describe("deploy-examples never deploys over a user's function", () => {
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  it("deploys where no function of the name exists, or where it is still the example", () => {
    expect(isStillTheExample(null, bytes)).toBe(true);
    expect(isStillTheExample({ tag: EXAMPLE_TAG, sha256: "an older build" }, bytes)).toBe(true);
    expect(isStillTheExample({ sha256: sha256Hex(bytes) }, bytes)).toBe(true);
  });
  it("keeps a function the user deployed under the example's name", () => {
    expect(isStillTheExample({ sha256: "the user's module" }, bytes)).toBe(false);
    expect(isStillTheExample({ tag: "mine", sha256: "the user's module" }, bytes)).toBe(false);
  });
});
