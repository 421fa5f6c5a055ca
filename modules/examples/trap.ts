// Fails on purpose: logs why through the SDK's abort handler, then traps (guest_trap).

export { helios_alloc } from "../sdk";
import { inputString } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  throw new Error("deliberate failure: " + inputString(ptr, len));
}
