import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./row-cursor.ts";

describe("row cursors", () => {
  it("round-trip key values, blobs included, as URL-safe text", () => {
    const blob = new Uint8Array([0, 255, 62, 63]).buffer;
    const cursor = encodeCursor(["a/b+c", 7, null, blob]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const decoded = decodeCursor(cursor)!;
    expect(decoded.slice(0, 3)).toEqual(["a/b+c", 7, null]);
    expect([...new Uint8Array(decoded[3] as ArrayBuffer)]).toEqual([0, 255, 62, 63]);
  });

  it("refuses anything it did not make", () => {
    for (const text of ["", "!!", "e30", "W10", btoa('[{"x":1}]'), "x".repeat(9000)]) expect(decodeCursor(text), text).toBeNull();
  });
});
