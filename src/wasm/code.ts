// Whole-body instruction lists: decode a function's code to Instruction objects and back.
import { readInstruction, writeInstruction, type Instruction } from "./instruction.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

/**
 * Decodes the instructions in `bytes[start, end)` (a function body's code or a constant
 * expression); error offsets are positions in `bytes`.
 */
export function decodeCode(bytes: Uint8Array, start = 0, end = bytes.length): Instruction[] {
  const r = new Reader(bytes, start, end);
  const out: Instruction[] = [];
  while (!r.atEnd()) out.push(readInstruction(r));
  return out;
}

export function encodeCode(instructions: readonly Instruction[]): Uint8Array {
  const w = new Writer(instructions.length * 3 + 16);
  for (const ins of instructions) writeInstruction(w, ins);
  return w.finish();
}
