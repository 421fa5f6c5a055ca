// Makes host blocks and frees some: payload "N M" allocates N tracked 16-byte blocks and frees the first M (and
// then tries to free the first one again, which the host refuses). Leftover blocks show in x-helios-leaks.
// Capability: compute. Output: {"allocated","freed","doubleFree"}.

export { helios_alloc, helios_dealloc } from "../sdk";
import { hostBlocks, inputString, JsonValue, outputJson, statusName } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const parts = inputString(ptr, len).split(" ");
  const count = parts.length > 0 ? I32.parseInt(parts[0]) : 0;
  const toFree = parts.length > 1 ? I32.parseInt(parts[1]) : 0;
  const blocks = new Array<i32>();
  for (let i = 0; i < count; i++) {
    const block = hostBlocks.alloc(16);
    if (block > 0) blocks.push(block);
  }
  let freed = 0;
  for (let i = 0; i < toFree && i < blocks.length; i++) {
    if (hostBlocks.free(<usize>blocks[i], 16) == 0) freed++;
  }
  const again = blocks.length > 0 && toFree > 0 ? hostBlocks.free(<usize>blocks[0], 16) : 0;
  return outputJson(
    JsonValue.object()
      .set("allocated", JsonValue.number(<f64>blocks.length))
      .set("freed", JsonValue.number(<f64>freed))
      .set("doubleFree", JsonValue.string(statusName(again))),
  );
}
