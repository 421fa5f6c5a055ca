// The status variants of SafeMemory and AllocationTracker (what host functions check arguments with, so that a
// refusal costs no exception) agree exactly with the throwing methods: same refusal, same code, same result.

import { describe, expect, it } from "vitest";
import { mulberry32 } from "../wasm/fixtures.ts";
import { AllocationTracker } from "./allocation-tracker.ts";
import { SandboxError } from "./errors.ts";
import { SafeMemory } from "./safe-memory.ts";
import { isUtf8, utf8ByteLength, utf8LengthOrStatus } from "./utf8.ts";

function codeOf(run: () => unknown): { code: number; value?: unknown } {
  try {
    return { code: 0, value: run() };
  } catch (error) {
    if (error instanceof SandboxError) return { code: error.hostCode };
    throw error;
  }
}

describe("SafeMemory status variants", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const safe = new SafeMemory(memory, { maxReadBytes: 4096, maxStringBytes: 256 });
  const next = mulberry32(7);
  const bytes = new Uint8Array(memory.buffer);
  // Mostly ASCII, some UTF-8 sequences, some garbage: every decoder path is taken.
  const samples = ["plain ascii text", "é€😀", "\u0000x", "\uFEFFbom"].map((t) => new TextEncoder().encode(t));
  let at = 0;
  while (at < 60_000) {
    const roll = next();
    const chunk = roll < 0.7 ? samples[Math.floor(next() * samples.length)] : Uint8Array.of(Math.floor(next() * 256));
    bytes.set(chunk, at);
    at += chunk.length;
  }
  const pick = () => {
    const roll = next();
    if (roll < 0.05) return -1;
    if (roll < 0.1) return 0xffff_fff0;
    if (roll < 0.2) return 65536 - Math.floor(next() * 8);
    return Math.floor(next() * 65536);
  };
  const length = () => (next() < 0.1 ? -1 : Math.floor(next() * (next() < 0.5 ? 32 : 600)));

  it("rangeStatus, readStatus and readStringOrStatus refuse exactly what checkRange, readBytes and readString throw for", () => {
    for (let i = 0; i < 20_000; i++) {
      const ptr = pick();
      const len = length();
      const cap = next() < 0.5 ? undefined : Math.floor(next() * 300);
      expect(safe.rangeStatus(ptr, len)).toBe(codeOf(() => safe.checkRange(ptr, len)).code);
      expect(safe.readStatus(ptr, len, cap)).toBe(codeOf(() => safe.readBytes(ptr, len, cap)).code);
      const expected = codeOf(() => safe.readString(ptr, len, cap));
      const actual = safe.readStringOrStatus(ptr, len, cap);
      expect(actual).toBe(expected.code === 0 ? expected.value : expected.code);
    }
  });

  it("isUtf8 agrees with the strict WHATWG decoder on random and edge-case bytes", () => {
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const valid = (input: Uint8Array) => {
      try {
        strict.decode(input);
        return true;
      } catch {
        return false;
      }
    };
    const edges = [[0xc0, 0x80], [0xc2, 0x80], [0xe0, 0x9f, 0x80], [0xe0, 0xa0, 0x80], [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf],
      [0xf0, 0x8f, 0x80, 0x80], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80],
      [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80], [0xff]];
    for (const edge of edges) expect(isUtf8(Uint8Array.from(edge), 0, edge.length), edge.join(",")).toBe(valid(Uint8Array.from(edge)));
    for (let i = 0; i < 20_000; i++) {
      const input = Uint8Array.from({ length: 1 + Math.floor(next() * 6) }, () => (next() < 0.5 ? 0x80 + Math.floor(next() * 0x40) : Math.floor(next() * 256)));
      expect(isUtf8(input, 0, input.length)).toBe(valid(input));
    }
  });

  it("utf8LengthOrStatus is utf8ByteLength without the exception", () => {
    for (const text of ["", "abc", "é€😀", "a\ud800b", "\udc00", "x\ud83d"]) {
      const expected = codeOf(() => utf8ByteLength(text));
      expect(utf8LengthOrStatus(text)).toBe(expected.code === 0 ? expected.value : expected.code);
    }
  });
});

describe("AllocationTracker status variants", () => {
  it("allocStatus and freeStatus refuse exactly what alloc and free would throw for, before the guest runs", () => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    let bump = 1024;
    const tracker = new AllocationTracker(
      memory,
      { alloc: (size) => ((bump += size), bump - size), dealloc: () => undefined },
      { maxAllocationBytes: 1000, maxBlocks: 50, maxBytes: 20_000 },
    );
    const next = mulberry32(11);
    const live: [number, number][] = [];
    for (let i = 0; i < 2_000; i++) {
      if (next() < 0.5) {
        const size = next() < 0.1 ? -1 : Math.floor(next() * 1200);
        const status = tracker.allocStatus(size);
        const result = codeOf(() => tracker.alloc(size));
        expect(status).toBe(result.code);
        if (result.code === 0 && (result.value as number) !== 0) live.push([result.value as number, size >>> 0]);
      } else {
        const known = live.length > 0 && next() < 0.5 ? live[Math.floor(next() * live.length)] : null;
        const ptr = known ? known[0] : Math.floor(next() * 30_000);
        const size = known && next() < 0.8 ? known[1] : Math.floor(next() * 100);
        const status = tracker.freeStatus(ptr, size);
        const result = codeOf(() => tracker.free(ptr, size));
        expect(status).toBe(result.code);
        if (result.code === 0 && known) live.splice(live.indexOf(known), 1);
      }
    }
  });
});
