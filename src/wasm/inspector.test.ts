// A deploy decodes a module once and shares the decoding: describeModule must answer what inspectModule answers,
// and instrumenting from the decoding must give the bytes instrumenting from scratch gives.
import { describe, expect, it } from "vitest";
import { realWorldModules } from "../../test/support/real-world.ts";
import { loadFixtures } from "./fixtures.ts";
import { checkFunctionBodies, decodeModule, describeModule, inspectModule, instrumentModule, MalformedModuleError } from "./index.ts";

async function subjects(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const fixtures = [...(await loadFixtures("features")), ...(await loadFixtures("fuel"))];
  return [...fixtures.map((f) => ({ name: `${f.set}/${f.name}`, bytes: f.bytes })), ...realWorldModules()];
}

describe("one decoding for inspection and instrumentation", () => {
  it("describeModule of the decoding is inspectModule's answer, for every fixture and real-world module", async () => {
    for (const subject of await subjects()) {
      const decoded = decodeModule(subject.bytes);
      expect(describeModule(decoded, subject.bytes.length), subject.name).toEqual(inspectModule(subject.bytes));
      expect(() => checkFunctionBodies(subject.bytes, decoded), subject.name).not.toThrow();
    }
  });

  it("instrumenting from the decoding gives the same bytes, in both fuel strategies", async () => {
    for (const subject of await subjects()) {
      for (const cacheFuelInLocals of [true, false]) {
        const options = { maxMemoryPages: 65536, cacheFuelInLocals };
        const fromScratch = instrumentModule(subject.bytes, options);
        const fromDecoding = instrumentModule(subject.bytes, { ...options, decoded: decodeModule(subject.bytes) });
        expect(Buffer.from(fromDecoding).equals(Buffer.from(fromScratch)), `${subject.name} (cacheFuelInLocals ${cacheFuelInLocals})`).toBe(true);
      }
    }
  });

  it("a body decodeModule accepts but the scanner refuses is left to checkFunctionBodies", () => {
    const bytes = badLabelModule();
    const decoded = decodeModule(bytes);
    expect(describeModule(decoded, bytes.length).functionCount).toBe(1);
    expect(() => checkFunctionBodies(bytes, decoded)).toThrow(MalformedModuleError);
    expect(() => inspectModule(bytes)).toThrow(MalformedModuleError);
  });
});

/** `(module (func (block (br 2))))`, by hand: wabt refuses to assemble a label that does not exist. */
function badLabelModule(): Uint8Array {
  const body = [0x00, 0x02, 0x40, 0x0c, 0x02, 0x0b, 0x0b];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code section
  ]);
}
