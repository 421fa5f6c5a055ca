import { describe, expect, it } from "vitest";
import { InvalidContentLengthError } from "./errors.ts";
import { declaredLength, readBodyCapped } from "./read-body.ts";

class TooLarge extends Error {}
const tooLarge = () => new TooLarge();

/** A body stream that records how many chunks were pulled from it. */
function countingStream(chunks: number, chunkSize: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks) return controller.close();
      state.pulled++;
      controller.enqueue(new Uint8Array(chunkSize).fill(state.pulled));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function request(body: ReadableStream<Uint8Array> | Uint8Array | null, headers: Record<string, string> = {}): Request {
  return new Request("http://x/", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("readBodyCapped", () => {
  it("returns the whole body when it fits, across chunks", async () => {
    const { stream } = countingStream(3, 10);
    const body = await readBodyCapped(request(stream), 30, tooLarge);
    expect(body.length).toBe(30);
    expect([body[0], body[10], body[29]]).toEqual([1, 2, 3]);
  });

  it("refuses a declared Content-Length over the cap without reading", async () => {
    const { stream, state } = countingStream(100, 10);
    await expect(readBodyCapped(request(stream, { "content-length": "1000" }), 999, tooLarge)).rejects.toBeInstanceOf(TooLarge);
    expect(state.pulled).toBeLessThanOrEqual(1); // at most what the platform pre-buffers, never the body
  });

  it("stops reading as soon as an undeclared body passes the cap", async () => {
    const { stream, state } = countingStream(1000, 100);
    await expect(readBodyCapped(request(stream), 250, tooLarge)).rejects.toBeInstanceOf(TooLarge);
    expect(state.pulled).toBeLessThan(10);
    // Left unread, not cancelled: the answer drains the rest so the client is not reset (drain-request.ts).
    expect(state.cancelled).toBe(false);
  });

  it("accepts a body of exactly the cap and an empty body", async () => {
    expect((await readBodyCapped(request(new Uint8Array(64)), 64, tooLarge)).length).toBe(64);
    expect((await readBodyCapped(request(null), 64, tooLarge)).length).toBe(0);
  });

  it("refuses a malformed or conflicting Content-Length with invalid_content_length, before reading", async () => {
    for (const value of ["abc", "-1", "1e3", "0x10", "5, 6", "5,", "", " ", "1234567890123456", "+5", "5 5"]) {
      expect(() => declaredLength(value), value).toThrow(InvalidContentLengthError);
    }
    expect(declaredLength("5")).toBe(5);
    expect(declaredLength("5, 5, 5")).toBe(5);
    expect(declaredLength("007")).toBe(7);
    const { stream, state } = countingStream(100, 10);
    // Node's Request keeps the header as given (workerd's HTTP server would have refused it before us).
    const error = await readBodyCapped(request(stream, { "content-length": "abc" }), 999, tooLarge).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidContentLengthError);
    expect(error).toMatchObject({ code: "invalid_content_length", received: "abc" });
    expect(state.pulled).toBeLessThanOrEqual(1);
  });
});
