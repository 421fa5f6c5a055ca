// The decoder's two ways through a data section — keeping the segments, or only checking them
// (the instrumenter's, with an inline path for the usual segment) — must accept and refuse the
// same bytes, with the same error at the same offset.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "./fixtures.ts";
import { decodeModule, Writer } from "./index.ts";

type Outcome = { ok: true; segments: number } | { ok: false; error: string };

function outcome(bytes: Uint8Array, keepData: boolean): Outcome {
  try {
    const m = decodeModule(bytes, { keepData });
    if (keepData) expect(m.dataSegmentCount).toBe(m.data.length);
    else expect(m.data).toEqual([]);
    return { ok: true, segments: m.dataSegmentCount };
  } catch (error) {
    return { ok: false, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

function expectSameOutcome(bytes: Uint8Array, label: string): Outcome {
  const kept = outcome(bytes, true);
  expect(outcome(bytes, false), label).toEqual(kept);
  return kept;
}

/** A module with one memory and a data section made of `segments` (each already encoded). */
function moduleWithData(segments: Uint8Array[], declaredCount = segments.length): Uint8Array {
  const w = new Writer(256).bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  w.u8(5).sized(Uint8Array.of(1, 0x00, 1)); // memory section: one memory, min 1 page
  const data = new Writer(256).u32(declaredCount);
  for (const s of segments) data.bytes(s);
  return w.u8(11).sized(data).finish().slice();
}

const leb = (value: number, width: number): number[] => {
  // Unsigned LEB128 padded to `width` bytes (width 1..6: 6 is overlong, 5 may overflow).
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < width; i++) {
    const b = v % 128;
    v = Math.floor(v / 128);
    out.push(i < width - 1 ? b | 0x80 : b);
  }
  return out;
};

/** A random segment: mostly the usual `0, i32.const n, end, len, bytes`, sometimes passive, explicit memory, odd LEBs or a broken offset. */
function randomSegment(random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const length = pick(5) === 0 ? pick(300) : pick(20);
  const payload = Array.from({ length }, () => pick(256));
  const lengthBytes = leb(length, 1 + pick(pick(4) === 0 ? 6 : 2) + (length >= 128 ? 1 : 0));
  const offsetBytes = pick(3) === 0 ? leb(pick(2 ** 31), 5) : leb(pick(2 ** 14), 1 + pick(pick(4) === 0 ? 6 : 3));
  const offset = [[0x41, ...offsetBytes, 0x0b], [0x41, 0x7f, 0x0b], [0x23, 0x00, 0x0b], [0x41, 0x00], [0x42, 0x00, 0x0b], [0x41, ...offsetBytes, 0x0b, 0x0b]][pick(10) < 7 ? 0 : pick(6)];
  switch (pick(8)) {
    case 0: return Uint8Array.of(1, ...lengthBytes, ...payload);
    case 1: return Uint8Array.of(2, 0, ...offset, ...lengthBytes, ...payload);
    case 2: return Uint8Array.of(2, 1, ...offset, ...lengthBytes, ...payload);
    case 3: return Uint8Array.of(3, ...offset, ...lengthBytes, ...payload);
    default: return Uint8Array.of(0, ...offset, ...lengthBytes, ...payload);
  }
}

describe("decodeModule data segments: kept or only checked", () => {
  it("decode the usual segments alike, including offsets and lengths of every LEB128 width", () => {
    const segments = [
      Uint8Array.of(0, 0x41, 0x00, 0x0b, 0),
      Uint8Array.of(0, 0x41, ...leb(1024, 2), 0x0b, 3, 1, 2, 3),
      Uint8Array.of(0, 0x41, ...leb(5, 4), 0x0b, ...leb(2, 4), 9, 9),
      Uint8Array.of(0, 0x41, ...leb(2 ** 20, 5), 0x0b, ...leb(1, 5), 7),
      Uint8Array.of(1, 2, 4, 5),
      Uint8Array.of(2, 0, 0x41, 0x10, 0x0b, 1, 6),
    ];
    expect(expectSameOutcome(moduleWithData(segments), "usual segments")).toEqual({ ok: true, segments: 6 });
  });

  it("refuse every truncation and a wrong segment count alike", () => {
    const random = mulberry32(7);
    const bytes = moduleWithData(Array.from({ length: 40 }, () => randomSegment(random)));
    for (let end = 8; end < bytes.length; end++) expectSameOutcome(bytes.subarray(0, end), `truncated at ${end}`);
    const short = moduleWithData([Uint8Array.of(0, 0x41, 0, 0x0b, 0)], 2);
    expect(expectSameOutcome(short, "count above the segments").ok).toBe(false);
  });

  it("agree on 3,000 random data sections, valid and not", () => {
    const random = mulberry32(20261204);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const segments = Array.from({ length: 1 + Math.floor(random() * 6) }, () => randomSegment(random));
      const bytes = moduleWithData(segments);
      if (random() < 0.3) bytes[12 + Math.floor(random() * (bytes.length - 12))] = Math.floor(random() * 256);
      if (expectSameOutcome(bytes, `case ${i}`).ok) accepted++;
    }
    // Both kinds occur often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(2700);
  });
});
