// Returns the payload byte for byte (binary-safe): the output points straight at the payload the host wrote.

export { helios_alloc } from "../sdk";
import { output } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  return output(ptr, len);
}
