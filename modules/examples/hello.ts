// Greets the name in the payload: "Hello, <name>!", or "Hello, world!" for an empty payload.

export { helios_alloc } from "../sdk";
import { inputString, outputString } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const name = len == 0 ? "world" : inputString(ptr, len);
  return outputString("Hello, " + name + "!");
}
