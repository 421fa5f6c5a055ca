// Allocation kernel: string building, splitting and joining, so the GC runtime does most of the work.

/** Runs `n` rounds of build/split/join over 64 formatted numbers; returns a hash of everything produced. */
export function run(n: i32): i32 {
  let hash: i32 = 0;
  for (let round = 0; round < n; round++) {
    let text = "";
    for (let i = 0; i < 64; i++) {
      const value = round * 64 + i;
      text += value.toString(36) + ":" + (<f64>value * 0.25).toString() + ";";
    }
    const parts = text.split(";");
    const joined = parts.reverse().join("|").toUpperCase();
    hash = hash * 31 + parts.length;
    for (let i = 0, length = joined.length; i < length; i++) hash = hash * 31 + joined.charCodeAt(i);
  }
  return hash;
}
