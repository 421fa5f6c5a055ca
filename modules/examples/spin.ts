// Never returns: an infinite loop, for showing that fuel stops it (out_of_fuel) and the runtime stays up.

export { helios_alloc } from "../sdk";

let spins: u64 = 0;

export function handle(ptr: usize, len: usize): u64 {
  while (true) spins++;
}
