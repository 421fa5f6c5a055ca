// Counts the primes below n by trial division (payload: n in decimal, default 10000). Pure computation, no
// allocation in the loop: the fuel it uses grows with n, which is what it is for.

export { helios_alloc } from "../sdk";
import { inputString, outputString } from "../sdk";

export function handle(ptr: usize, len: usize): u64 {
  const n = len == 0 ? 10000 : I32.parseInt(inputString(ptr, len));
  let count = 0;
  for (let candidate = 2; candidate < n; candidate++) {
    if (isPrime(candidate)) count++;
  }
  return outputString(count.toString());
}

function isPrime(n: i32): bool {
  if (n < 4) return n >= 2;
  if ((n & 1) == 0) return false;
  for (let d = 3; d * d <= n; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}
