// Permutation kernel: fannkuch-redux of the Computer Language Benchmarks Game.

/** Returns checksum * 1000 + maximum flip count over all permutations of 1..n (n <= 16). */
export function run(n: i32): i32 {
  const perm = new StaticArray<i32>(16);
  const perm1 = new StaticArray<i32>(16);
  const count = new StaticArray<i32>(16);
  for (let i = 0; i < n; i++) unchecked((perm1[i] = i));
  let maxFlips = 0, checksum = 0, permCount = 0, r = n;
  while (true) {
    while (r != 1) { unchecked((count[r - 1] = r)); r--; }
    for (let i = 0; i < n; i++) unchecked((perm[i] = perm1[i]));
    let flips = 0;
    let k = unchecked(perm[0]);
    while (k != 0) {
      for (let i = 0, j = k; i < j; i++, j--) {
        const t = unchecked(perm[i]);
        unchecked((perm[i] = perm[j]));
        unchecked((perm[j] = t));
      }
      flips++;
      k = unchecked(perm[0]);
    }
    if (flips > maxFlips) maxFlips = flips;
    checksum += (permCount & 1) == 0 ? flips : -flips;
    while (true) {
      if (r == n) return checksum * 1000 + maxFlips;
      const first = unchecked(perm1[0]);
      for (let i = 0; i < r; i++) unchecked((perm1[i] = perm1[i + 1]));
      unchecked((perm1[r] = first));
      unchecked((count[r] -= 1));
      if (unchecked(count[r]) > 0) break;
      r++;
    }
    permCount++;
  }
}
