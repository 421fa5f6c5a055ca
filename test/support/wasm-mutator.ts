// The byte-level mutator shared by the mutation fuzz test (src/wasm/malformed.test.ts) and the long-running fuzzer
// (npm run fuzz, scripts/fuzz.mjs): a few random edits of a valid module, each named so a failure can be replayed
// from its seed alone.

export const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x0b, 0x40, 0x60, 0x6f, 0x70, 0x7f, 0x80, 0xfc, 0xfd, 0xff];

export function mutate(input: Uint8Array, random: () => number): { bytes: Uint8Array; steps: string[] } {
  let bytes = Array.from(input);
  const steps: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  const int = (n: number) => Math.floor(random() * n);
  // Mostly past the header: header damage is caught at byte 0 and teaches little.
  const position = () => (bytes.length > 8 && random() < 0.95 ? 8 + int(bytes.length - 8) : int(bytes.length + 1));
  for (let i = 0; i < count; i++) {
    const at = Math.min(position(), Math.max(bytes.length - 1, 0));
    const kind = int(6);
    if (kind === 0 && bytes.length > 0) {
      const bit = int(8);
      bytes[at] = bytes[at]! ^ (1 << bit);
      steps.push(`flip bit ${bit} at ${at}`);
    } else if (kind === 1 && bytes.length > 0) {
      const value = random() < 0.5 ? INTERESTING_BYTES[int(INTERESTING_BYTES.length)]! : int(256);
      bytes[at] = value;
      steps.push(`set ${at} = 0x${value.toString(16)}`);
    } else if (kind === 2) {
      const value = random() < 0.5 ? INTERESTING_BYTES[int(INTERESTING_BYTES.length)]! : int(256);
      bytes.splice(at, 0, value);
      steps.push(`insert 0x${value.toString(16)} at ${at}`);
    } else if (kind === 3 && bytes.length > 0) {
      const length = 1 + int(4);
      bytes.splice(at, length);
      steps.push(`delete ${length} at ${at}`);
    } else if (kind === 4 && bytes.length > 0) {
      const length = 1 + int(8);
      const chunk = bytes.slice(at, at + length);
      bytes.splice(at, 0, ...chunk);
      steps.push(`duplicate ${chunk.length} at ${at}`);
    } else {
      bytes = bytes.slice(0, at);
      steps.push(`truncate to ${at}`);
    }
  }
  return { bytes: Uint8Array.from(bytes), steps };
}
